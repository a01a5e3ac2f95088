"""Django admin (administrators): package API tokens, to see and revoke them.
Tokens are created with `manage.py create_package_token` (printed once)."""

from django.contrib import admin

from .models import PackageApiToken


@admin.register(PackageApiToken)
class PackageApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "hint", "created_at", "last_used_at", "revoked"]
    list_filter = ["revoked"]
    fields = ["name", "hint", "courses", "created_at", "last_used_at", "revoked"]
    readonly_fields = ["hint", "created_at", "last_used_at"]
    filter_horizontal = ["courses"]

    def has_add_permission(self, request):
        return False  # the token is printed once by the command
