"""Thin views: public verification, owner downloads, manager revocation.

Managers act only on the certificates of the people of their units
(`learning.compliance.scope.manager_scope`); outside it a certificate answers
404 as if it did not exist, so the pages are no oracle of who holds what.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import (
    FileResponse,
    Http404,
    HttpResponse,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from cms.search import words
from courses.models import CoursePage
from learning.compliance.scope import manager_scope
from learning.exceptions import OutOfScope

from . import badges, signing
from .exceptions import CertificateError, CertificateWithdrawn
from .exports import request_export, visible_exports
from .issuance import revoke_certificate
from .models import CODE_LENGTH, Certificate, CertificateExport, normalise_code
from .pdf import ensure_pdf, pdf_name
from .ratelimit import rate_limited
from .verification import find_certificate, verify_certificate

MAX_SEARCH_LENGTH = 200  # characters of the managers' search, as the catalogue's


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Verification code"),
        max_length=CODE_LENGTH + 6,
        help_text=_(
            "The 12 characters printed on the certificate, e.g. ABCD-EFGH-JKMN."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


class RevocationForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for revocation"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        help_text=_("Shown on the public verification page."),
    )


def _owned_or_managed(request, uuid) -> Certificate:
    """The certificate if the user owns it or manages its holder; 404 otherwise."""
    certificate = get_object_or_404(
        Certificate.objects.select_related("course", "enrollment"), uuid=uuid
    )
    # None once the holder's account is deleted: then only managers of everyone.
    holder = certificate.enrollment.user_id if certificate.enrollment else None
    if holder != request.user.pk and not manager_scope(request.user).includes_person(
        holder
    ):
        raise Http404
    return certificate


def _managed(request, uuid) -> Certificate:
    """A certificate of someone in the manager's units: 403 for non-managers, 404
    for a certificate outside their units."""
    scope = _scope_or_403(request)
    return get_object_or_404(
        scope.about_people(Certificate.objects.all(), "enrollment__user"), uuid=uuid
    )


def _scope_or_403(request):
    scope = manager_scope(request.user)
    if not scope:
        raise PermissionDenied
    return scope


@require_GET
@rate_limited("certificate-verify")
def verify_lookup(request):
    """The form to type a code; a submitted code redirects to its page."""
    form = CodeForm(request.GET or None)
    if form.is_valid():
        code = normalise_code(form.cleaned_data["code"])
        if code:
            return HttpResponseRedirect(
                reverse("certificates:verify", kwargs={"code": code})
            )
    return render(request, "certificates/verify_form.html", {"form": form})


@require_GET
@never_cache
@rate_limited("certificate-verify")
def verify(request, code: str):
    certificate = find_certificate(code)
    if certificate is None:
        return render(
            request,
            "certificates/not_found.html",
            {"code": code, "form": CodeForm(initial={"code": code})},
            status=404,
        )
    return render(
        request,
        "certificates/verify.html",
        {"verification": verify_certificate(certificate), "form": CodeForm()},
    )


@require_GET
@never_cache
@rate_limited("certificate-verify", as_json=True)
def verify_json(request, code: str):
    certificate = find_certificate(code)
    if certificate is None:
        return JsonResponse(
            {"code": normalise_code(code), "error": "not_found"}, status=404
        )
    return JsonResponse(verify_certificate(certificate).as_json())


@require_GET
@never_cache
@rate_limited("certificate-verify", as_json=True)
def credential_status(request, uuid):
    """The revocation status an Open Badge's credentialStatus points at."""
    certificate = get_object_or_404(Certificate, uuid=uuid)
    return JsonResponse(badges.revocation_list(certificate))


@require_GET
def issuer(request):
    return JsonResponse(
        {
            "@context": [badges.VC_CONTEXT, badges.OB_CONTEXT],
            **badges.issuer_profile(),
        }
    )


@require_GET
def jwks(request):
    response = JsonResponse(signing.jwks())
    response["Cache-Control"] = "public, max-age=3600"
    response["Access-Control-Allow-Origin"] = "*"
    return response


@login_required
@require_GET
def download_pdf(request, uuid):
    try:
        certificate = ensure_pdf(_owned_or_managed(request, uuid))
    except CertificateWithdrawn as error:  # its holder's name is not printed again
        raise Http404 from error
    with certificate.pdf.open("rb") as handle:
        content = handle.read()
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{pdf_name(certificate)}"'
    return response


@login_required
@require_GET
def download_badge(request, uuid):
    """The Open Badges 3.0 credential as a VC-JWT, for a wallet."""
    certificate = _owned_or_managed(request, uuid)
    response = HttpResponse(
        badges.open_badge_jwt(certificate), content_type="application/vc+jwt"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="open-badge-{certificate.code}.jwt"'
    )
    return response


@login_required
def manage(request):
    """Managers find a certificate of their people by code, learner or course."""
    scope = _scope_or_403(request)
    query = words(request.GET.get("q", ""))[:MAX_SEARCH_LENGTH]
    certificates = scope.about_people(
        Certificate.objects.select_related("course", "enrollment__user"),
        "enrollment__user",
    )
    if query:
        certificates = certificates.filter(
            Q(code=normalise_code(query))
            | Q(learner_name__icontains=query)
            | Q(course_title__icontains=query)
        )
    courses = CoursePage.objects.filter(
        pk__in=scope.about_people(Certificate.objects.all(), "enrollment__user").values(
            "course"
        )
    ).order_by("title")
    return render(
        request,
        "certificates/manage.html",
        {
            "certificates": certificates[:100],
            "query": query,
            "courses": courses,
            "exports": visible_exports(request.user).select_related("course")[:10],
        },
    )


@login_required
@require_POST
def export_course(request, course_id: int):
    """Managers ask for the ZIP of their people's certificates of a course (a job)."""
    _scope_or_403(request)
    course = get_object_or_404(CoursePage, pk=course_id)
    export = request_export(course, by=request.user)
    return HttpResponseRedirect(
        reverse("certificates:export", kwargs={"export_id": export.pk})
    )


def _export_or_404(request, export_id: int) -> CertificateExport:
    """An export the user asked for (administrators: any); 403 for non-managers."""
    _scope_or_403(request)
    return get_object_or_404(
        visible_exports(request.user).select_related("course"), pk=export_id
    )


@login_required
def export_status(request, export_id: int):
    """Progress of an export; JSON with ?format=json; the download link once ready."""
    export = _export_or_404(request, export_id)
    if request.GET.get("format") == "json":
        return JsonResponse(
            {
                "status": export.status,
                "done": export.done,
                "total": export.total,
                "skipped": export.skipped,
                "percent": export.percent,
            }
        )
    return render(request, "certificates/export.html", {"export": export})


@login_required
def export_download(request, export_id: int):
    export = _export_or_404(request, export_id)
    if not export.file:
        raise Http404
    return FileResponse(
        export.file.open("rb"),
        as_attachment=True,
        filename=export.download_name,
        content_type="application/zip",
    )


@login_required
def revoke(request, uuid):
    """Managers revoke a certificate of someone in their units, with a reason."""
    certificate = _managed(request, uuid)
    form = RevocationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            revoke_certificate(
                certificate, by=request.user, reason=form.cleaned_data["reason"]
            )
        except OutOfScope as error:  # their units changed since the page loaded
            raise Http404 from error
        except CertificateError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The certificate has been revoked."))
        return HttpResponseRedirect(
            reverse("certificates:verify", kwargs={"code": certificate.code})
        )
    return render(
        request,
        "certificates/revoke.html",
        {"certificate": certificate, "form": form},
    )
