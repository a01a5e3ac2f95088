"""The site itself: the home page, the legal pages and the institution's settings."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField
from wagtail.models import Page

from .caching import MemoisedViewRestrictionsMixin


class SharedPageMixin:
    """A page that is the same for every visitor: without a query string it may
    be served to anonymous visitors from the page cache (cms/middleware.py)."""

    def serve(self, request, *args, **kwargs):
        from .middleware import mark_cacheable

        if not request.GET:
            mark_cacheable(request)
        return super().serve(request, *args, **kwargs)


class HomePage(SharedPageMixin, MemoisedViewRestrictionsMixin, Page):
    """The site's entry page: an introduction and a way into the catalogue."""

    intro = RichTextField(
        _("introduction"), blank=True, features=["bold", "italic", "link", "ol", "ul"]
    )

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = [
        "courses.CourseIndexPage",
        "cms.InformationPage",
        "cms.AccessibilityStatementPage",
    ]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("home page")

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


# Rich text of the legal pages: headings, lists, links; no images or embeds.
LEGAL_TEXT_FEATURES = ["h2", "h3", "bold", "italic", "link", "ol", "ul", "hr"]


class InformationPage(SharedPageMixin, MemoisedViewRestrictionsMixin, Page):
    """A page of text the site must publish: legal notice, privacy policy...

    The institution settings say which ones the footer and the sign-up page
    link to; each is translated like any page (French at /, English at /en/)."""

    body = RichTextField(_("text"), features=LEGAL_TEXT_FEATURES)
    last_updated = models.DateField(_("last updated"), null=True, blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("body"),
        FieldPanel("last_updated"),
    ]
    parent_page_types = ["cms.HomePage"]
    subpage_types = []

    class Meta:
        verbose_name = _("information page")
        verbose_name_plural = _("information pages")


class Conformity(models.TextChoices):
    """The three statuses of the RGAA (article 47 of law 2005-102)."""

    FULL = "full", _("fully conformant")
    PARTIAL = "partial", _("partially conformant")
    NONE = "none", _("not conformant")


class AccessibilityStatementPage(SharedPageMixin, MemoisedViewRestrictionsMixin, Page):
    """The accessibility statement ("déclaration d'accessibilité") in the RGAA's
    standard form: the fixed parts (commitment, feedback, recourse to the
    Défenseur des droits) are in the template, the administrator fills in the
    rest. The footer shows its conformity status on every page, as the RGAA asks."""

    status = models.CharField(
        _("conformity status"),
        max_length=10,
        choices=Conformity.choices,
        default=Conformity.NONE,
        help_text=_("Without an audit the site is declared not conformant."),
    )
    rgaa_version = models.CharField(_("RGAA version"), max_length=20, default="4.1.2")
    compliance_rate = models.DecimalField(
        _("share of RGAA criteria met (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("From the audit; leave empty if no audit was carried out."),
    )
    audited_by = models.CharField(_("audit carried out by"), max_length=200, blank=True)
    audit_date = models.DateField(_("audit date"), null=True, blank=True)
    non_conformities = RichTextField(
        _("non-conforming content"), features=LEGAL_TEXT_FEATURES, blank=True
    )
    derogations = RichTextField(
        _("exemptions for disproportionate burden"),
        features=LEGAL_TEXT_FEATURES,
        blank=True,
    )
    exempt_content = RichTextField(
        _("content not subject to the obligation"),
        features=LEGAL_TEXT_FEATURES,
        blank=True,
    )
    statement_date = models.DateField(_("date of the statement"))
    updated_date = models.DateField(_("date of the last update"), null=True, blank=True)
    technologies = models.CharField(
        _("technologies used"),
        max_length=300,
        default="HTML5, CSS, SVG, JavaScript, WAI-ARIA",
    )
    test_environment = RichTextField(
        _("test environment"), features=LEGAL_TEXT_FEATURES, blank=True
    )
    tools = RichTextField(
        _("evaluation tools"), features=LEGAL_TEXT_FEATURES, blank=True
    )
    audited_pages = RichTextField(
        _("pages checked"), features=LEGAL_TEXT_FEATURES, blank=True
    )
    contact_email = models.EmailField(
        _("contact e-mail"),
        blank=True,
        help_text=_("Empty: the institution's contact e-mail."),
    )
    contact_form_url = models.URLField(_("contact form"), blank=True)
    postal_address = models.TextField(_("postal address"), blank=True)
    multiyear_plan_url = models.URLField(
        _("multi-year accessibility plan"),
        blank=True,
        help_text=_("The published multi-year plan and this year's action plan."),
    )

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel(
            [
                FieldPanel("status"),
                FieldPanel("rgaa_version"),
                FieldPanel("compliance_rate"),
                FieldPanel("audited_by"),
                FieldPanel("audit_date"),
            ],
            heading=_("Conformity status"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("non_conformities"),
                FieldPanel("derogations"),
                FieldPanel("exempt_content"),
            ],
            heading=_("Non-accessible content"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("statement_date"),
                FieldPanel("updated_date"),
                FieldPanel("technologies"),
                FieldPanel("test_environment"),
                FieldPanel("tools"),
                FieldPanel("audited_pages"),
            ],
            heading=_("How this statement was made"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("contact_email"),
                FieldPanel("contact_form_url"),
                FieldPanel("postal_address"),
                FieldPanel("multiyear_plan_url"),
            ],
            heading=_("Feedback and contact"),
        ),
    ]
    parent_page_types = ["cms.HomePage"]
    subpage_types = []
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("accessibility statement")
        verbose_name_plural = _("accessibility statements")


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
    legal_notice_page = models.ForeignKey(
        "cms.InformationPage",
        verbose_name=_("legal notice"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    privacy_page = models.ForeignKey(
        "cms.InformationPage",
        verbose_name=_("personal data (privacy policy)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Linked from the footer and from the sign-up form."),
    )
    accessibility_page = models.ForeignKey(
        "cms.AccessibilityStatementPage",
        verbose_name=_("accessibility statement"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

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
        MultiFieldPanel(
            [
                FieldPanel("legal_notice_page"),
                FieldPanel("privacy_page"),
                FieldPanel("accessibility_page"),
            ],
            heading=_("Legal pages (footer)"),
            help_text=_(
                "Pages in the site's default language; each language shows its translation."
            ),
        ),
    ]

    class Meta:
        verbose_name = _("institution")
