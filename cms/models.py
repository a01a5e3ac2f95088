"""The site itself: the home page and the institution's settings."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField
from wagtail.models import Page

from .caching import MemoisedViewRestrictionsMixin


class HomePage(MemoisedViewRestrictionsMixin, Page):
    """The site's entry page: an introduction and a way into the catalogue."""

    intro = RichTextField(
        _("introduction"), blank=True, features=["bold", "italic", "link", "ol", "ul"]
    )

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["courses.CourseIndexPage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("home page")

    def serve(self, request, *args, **kwargs):
        from .middleware import mark_cacheable

        if not request.GET:
            mark_cacheable(request)  # for anonymous visitors only (cms/middleware.py)
        return super().serve(request, *args, **kwargs)

    def get_context(self, request, *args, **kwargs):
        from courses.access import viewable
        from courses.catalogue import offered
        from courses.models import CourseIndexPage, CoursePage

        context = super().get_context(request, *args, **kwargs)
        context["catalogue"] = CourseIndexPage.objects.live().child_of(self).first()
        courses = offered(
            CoursePage.objects.live().descendant_of(self).filter(locale=self.locale)
        )
        context["featured_courses"] = (
            viewable(courses, request.user, session=request.session)
            .prefetch_related("themes")
            .order_by("-mandatory", "title")[:3]
        )
        return context


@register_setting(icon="site")
class InstitutionSettings(BaseSiteSetting):
    """Who runs this Atelier: shown in the footer and on certificates."""

    institution_name = models.CharField(
        _("institution name"), max_length=200, default="CNRS"
    )
    institution_url = models.URLField(_("institution website"), blank=True)
    logo = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("logo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    signatory_name = models.CharField(
        _("certificate signatory"), max_length=200, blank=True
    )
    signatory_title = models.CharField(
        _("signatory's title"), max_length=200, blank=True
    )
    contact_email = models.EmailField(_("contact e-mail"), blank=True)

    panels = [
        MultiFieldPanel(
            [
                FieldPanel("institution_name"),
                FieldPanel("institution_url"),
                FieldPanel("logo"),
                FieldPanel("contact_email"),
            ],
            heading=_("Institution"),
        ),
        MultiFieldPanel(
            [FieldPanel("signatory_name"), FieldPanel("signatory_title")],
            heading=_("Certificates"),
        ),
    ]

    class Meta:
        verbose_name = _("institution")
