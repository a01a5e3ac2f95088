"""The RQ worker class (settings.RQ["WORKER_CLASS"]): WeasyPrint warmed up once.

RQ forks a work horse per job. Without this, every certificate job pays
WeasyPrint's import and its first rendering (fonts, template, QR code) again,
which costs several times the rendering itself (`make bench`, README
"Benchmarks"). The parent renders one throwaway certificate before it starts
forking, so each work horse inherits a warm WeasyPrint.
"""

import logging

from django.db import connections
from django.utils import timezone

from rq import Worker as RQWorker

logger = logging.getLogger(__name__)


def warm_up() -> None:
    """Render an unsaved certificate once; never fails the worker."""
    try:
        from .models import Certificate
        from .pdf import render_pdf

        render_pdf(
            Certificate(
                code="WARMUPWARMUP",
                learner_name="Atelier",
                course_title="Atelier",
                course_version="1",
                issued_at=timezone.now(),
                institution_name="Atelier",
            )
        )
    except Exception:
        logger.warning("certificate renderer warm-up failed", exc_info=True)
    finally:
        connections.close_all()  # work horses must not share the parent's socket


class Worker(RQWorker):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        warm_up()
