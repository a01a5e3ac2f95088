from django.core.cache import cache

import pytest

from tests.factories import UserFactory

PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """allauth counts attempts in the cache: each test starts with a clean budget."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def verified_user(db):
    """A local account whose e-mail address is confirmed, as after sign-up."""
    from allauth.account.models import EmailAddress

    user = UserFactory(
        username="camille", email="camille@example.org", declared_unit="UMR 1234"
    )
    EmailAddress.objects.create(
        user=user, email=user.email, verified=True, primary=True
    )
    return user
