"""Where pylti1p3 keeps states, nonces and launch data: the Django cache, with a
nonce good for one launch only (pylti1p3 alone would accept it again)."""

from pylti1p3.contrib.django import DjangoCacheDataStorage
from pylti1p3.contrib.django.session import DjangoSessionService

# An OIDC login must come back as a launch within this many seconds.
LOGIN_LIFETIME = 600


class LaunchStorage(DjangoCacheDataStorage):
    def pop_value(self, key: str) -> bool:
        """Delete `key`; True only for the one caller that found it (atomic in
        Redis, one winner for the file and memory caches too)."""
        return bool(self._get_cache().delete(self._prepare_key(key)))


class SingleUseNonces(DjangoSessionService):
    """The session service whose nonce check consumes the nonce."""

    def check_nonce(self, nonce: str) -> bool:
        storage = self.data_storage
        return isinstance(storage, LaunchStorage) and storage.pop_value(
            self._get_key("nonce", nonce)
        )
