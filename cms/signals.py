"""What bumps the content generation (see cms/caching.py): any change to what
visitors can see. Drafts bump it too (a page row is saved); that only costs a
cache refill."""

from django.db.models.signals import m2m_changed, post_delete, post_save
from wagtail.models import Locale, PageViewRestriction, Site, get_page_models
from wagtail.signals import page_published, page_unpublished, post_page_move

from .access import bump_access
from .caching import bump_generation

DISPATCH = "atelier-content-generation"


def _watched_models():
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model

    from courses.models import CoursePage, Theme

    from .models import InstitutionSettings

    return [
        *get_page_models(),
        Theme,
        InstitutionSettings,
        Site,
        Locale,
        PageViewRestriction,
        get_document_model(),  # lesson blocks show documents and images
        get_image_model(),
    ], [CoursePage.themes.through, PageViewRestriction.groups.through]


def connect_content_signals() -> None:
    models, through_models = _watched_models()
    for model in models:
        post_save.connect(bump_generation, sender=model, dispatch_uid=(DISPATCH, model))
        post_delete.connect(
            bump_generation, sender=model, dispatch_uid=(DISPATCH, model, "delete")
        )
    for through in through_models:
        m2m_changed.connect(
            bump_generation, sender=through, dispatch_uid=(DISPATCH, through)
        )
    for signal in (page_published, page_unpublished, post_page_move):
        signal.connect(bump_generation, dispatch_uid=(DISPATCH, signal))


def connect_access_signals() -> None:
    """Permissions, groups and manager memberships decide the header's links."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group, Permission

    from learning.compliance.models import Membership

    user_model = get_user_model()
    for through in (
        user_model.groups.through,
        user_model.user_permissions.through,
        Group.permissions.through,
    ):
        m2m_changed.connect(
            bump_access, sender=through, dispatch_uid=(DISPATCH, "access", through)
        )
    for model in (Group, Permission, Membership):
        post_save.connect(
            bump_access, sender=model, dispatch_uid=(DISPATCH, "access", model)
        )
        post_delete.connect(
            bump_access,
            sender=model,
            dispatch_uid=(DISPATCH, "access", model, "delete"),
        )
