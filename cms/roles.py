"""The people who use Atelier, as Django groups with the permissions they need.

Trainers write and publish courses in the Wagtail admin; managers read training
records (their dashboards arrive with the compliance issue). Learners need no
group: any signed-in person can learn.
"""

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from wagtail.models import (
    Collection,
    GroupCollectionPermission,
    GroupPagePermission,
    Page,
)

TRAINERS = "Formateurs"
MANAGERS = "Responsables formation"

_TRAINER_PAGE_PERMISSIONS = (
    "add_page",
    "change_page",
    "publish_page",
    "lock_page",
    "unlock_page",
)
_TRAINER_COLLECTION_PERMISSIONS = (
    ("wagtailimages", "add_image"),
    ("wagtailimages", "change_image"),
    ("wagtailimages", "choose_image"),
    ("wagtaildocs", "add_document"),
    ("wagtaildocs", "change_document"),
    ("wagtaildocs", "choose_document"),
)


def _permission(app_label: str, codename: str) -> Permission:
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


@transaction.atomic
def ensure_role_groups() -> dict[str, Group]:
    """Create the trainer and manager groups with their permissions (idempotent)."""
    access_admin = _permission("wagtailadmin", "access_admin")
    trainers, _ = Group.objects.get_or_create(name=TRAINERS)
    managers, _ = Group.objects.get_or_create(name=MANAGERS)
    trainers.permissions.add(
        access_admin,
        _permission("courses", "add_theme"),
        _permission("courses", "change_theme"),
        _permission("courses", "view_theme"),
        *(
            _permission("courses", f"{action}_questionpool")
            for action in ("add", "change", "delete", "view")
        ),
        # "Translate" on pages and question banks (wagtail.contrib.simple_translation).
        _permission("simple_translation", "submit_translation"),
    )
    managers.permissions.add(access_admin)

    root_page = Page.get_first_root_node()
    for codename in _TRAINER_PAGE_PERMISSIONS:
        GroupPagePermission.objects.get_or_create(
            group=trainers,
            page=root_page,
            permission=_permission("wagtailcore", codename),
        )
    root_collection = Collection.get_first_root_node()
    for app_label, codename in _TRAINER_COLLECTION_PERMISSIONS:
        GroupCollectionPermission.objects.get_or_create(
            group=trainers,
            collection=root_collection,
            permission=_permission(app_label, codename),
        )
    return {"trainers": trainers, "managers": managers}
