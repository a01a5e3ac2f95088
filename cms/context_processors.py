"""Wagtail's `settings` context processor, with the site and institution settings
taken from the memo (cms/middleware.py `attach_site`) on first use."""

from wagtail.contrib.settings.context_processors import SettingProxy

from .middleware import attach_site


class _SettingProxy(SettingProxy):
    def __missing__(self, app_label):
        attach_site(self.request_or_site)
        return super().__missing__(app_label)


def settings(request):
    return {"settings": _SettingProxy(request_or_site=request)}
