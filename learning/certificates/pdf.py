"""The certificate as a PDF: WeasyPrint renders an HTML template (A4 landscape,
French and English side by side) with a QR code to the verification page.

The QR code is a PNG data URI (not SVG) so it stays a raster image inside the PDF:
a phone camera and a test decoder read the same pixels.

Throughput (an RQ worker renders one PDF per completed course): the stylesheet
is parsed once per process and the font configuration (fontconfig, Pango's font
map and its shaping caches) is shared by every rendering of the process, instead
of WeasyPrint building both again for each document. The RQ worker builds them
at start (worker.warm_up); web processes on their first PDF.
"""

import base64
import io
import logging
import threading
from functools import cache
from pathlib import Path

from django.core.files.base import ContentFile
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import override

import qrcode
from qrcode.constants import ERROR_CORRECT_M

from .exceptions import CertificateWithdrawn
from .models import Certificate

logger = logging.getLogger(__name__)

STYLESHEET = Path(__file__).with_name("certificate_pdf.css")
PDF_VARIANT = "pdf/ua-1"

# Pango, under WeasyPrint, is not thread-safe: two threads of one process
# rendering at once with the shared font configuration can hang for good (seen
# with runserver's threads, where the embedded default runs jobs in the request).
# One rendering at a time per process; processes still render in parallel.
_RENDERING = threading.Lock()


@cache
def font_config():
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


@cache
def stylesheet():
    from weasyprint import CSS

    return CSS(filename=STYLESHEET, font_config=font_config())


def qr_png(data: str) -> bytes:
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=8, border=4)
    qr.add_data(data)
    qr.make(fit=True)
    buffer = io.BytesIO()
    qr.make_image(fill_color="black", back_color="white").save(buffer, format="PNG")
    return buffer.getvalue()


def data_uri(content: bytes, mime: str) -> str:
    return f"data:{mime};base64,{base64.b64encode(content).decode('ascii')}"


def _logo_uri(institution=None) -> str | None:
    from .issuance import institution_settings

    logo = (institution or institution_settings()).logo
    if logo is None:
        return None
    try:
        rendition = logo.get_rendition("max-480x240|format-png")
        with rendition.file.open("rb") as handle:
            return data_uri(handle.read(), "image/png")
    except (OSError, ValueError):  # a missing file must not block the certificate
        logger.warning("certificate logo unavailable", exc_info=True)
        return None


def render_pdf(certificate: Certificate, *, institution=None) -> bytes:
    from weasyprint import HTML

    with override("fr"):  # the template holds both languages; dates as in French
        html = render_to_string(
            "certificates/certificate_pdf.html",
            {
                "certificate": certificate,
                "issued_on": timezone.localdate(certificate.issued_at),
                "completed_on": timezone.localdate(
                    certificate.completed_at or certificate.issued_at
                ),
                "score_percent": (
                    None
                    if certificate.score is None
                    else round(certificate.score * 100)
                ),
                "qr_uri": data_uri(qr_png(certificate.verification_url), "image/png"),
                "logo_uri": _logo_uri(institution),
            },
        )
    # PDF/UA-1: a tagged PDF (structure tree, languages, alternative texts)
    # that screen readers follow. https://doc.courtbouillon.org/weasyprint/stable/
    with _RENDERING:
        return HTML(string=html).write_pdf(
            stylesheets=[stylesheet()],
            font_config=font_config(),
            pdf_variant=PDF_VARIANT,
        )


def pdf_name(certificate: Certificate) -> str:
    return f"certificate-{certificate.code}.pdf"


def ensure_pdf(certificate: Certificate, *, institution=None) -> Certificate:
    """Render and store the PDF unless it is there already (regenerates if missing).

    CertificateWithdrawn for a certificate its holder withdrew when erasing their
    account: their name is printed on it, and nothing may print it again.
    """
    if certificate.is_withdrawn:
        raise CertificateWithdrawn
    if certificate.pdf and certificate.pdf.storage.exists(certificate.pdf.name):
        return certificate
    content = render_pdf(certificate, institution=institution)
    certificate.pdf.save(pdf_name(certificate), ContentFile(content), save=False)
    Certificate.objects.filter(pk=certificate.pk).update(pdf=certificate.pdf.name)
    return certificate
