"""The checker's upload: parse the form, check the file, maybe complete the lesson.

The size limit is enforced while the request body is read (an upload handler
stops reading past it), not after Django has stored the whole upload.
"""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from courses.access import can_view
from courses.models import LessonPage
from courses.outline import require_live_course

from .checker import Checklist
from .lessons import complete_checked_lesson
from .uploads import check_upload, kept_path, max_upload_bytes, too_large_error

# Multipart overhead allowed on top of the file itself.
REQUEST_MARGIN = 64 * 1024


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Your HDF5 file"),
        help_text=_("An .h5, .hdf5 or .nc (netCDF-4) file."),
    )
    keep = forms.BooleanField(
        label=_("Keep my file on the server after the check"),
        required=False,
        help_text=_("Otherwise it is deleted as soon as it has been checked."),
    )


class LimitedUploadHandler(FileUploadHandler):
    """Stops reading an upload as soon as it passes the limit."""

    def __init__(self, request=None, *, limit: int):
        super().__init__(request)
        self.limit = limit
        self.exceeded = False

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > self.limit:
            self.exceeded = True
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size):
        return None


def _checker_block(lesson: LessonPage, block_id: str):
    for child in lesson.body:
        if child.id == block_id and child.block_type == "hdf5_checker":
            return child.value
    raise Http404


@csrf_exempt  # upload handlers must be set before the CSRF check reads the body
@login_required
@require_POST
def check_file_view(request, lesson_id: int, block_id: str):
    limit = max_upload_bytes()
    handler = LimitedUploadHandler(request, limit=limit)
    request.upload_handlers.insert(0, handler)
    return _check_file(request, lesson_id, block_id, handler, limit)


@csrf_protect
def _check_file(request, lesson_id, block_id, handler, limit):
    lesson = get_object_or_404(LessonPage.objects.live().specific(), pk=lesson_id)
    # The lesson's view restrictions and its course's publication hold here too.
    require_live_course(lesson, request)
    if not can_view(lesson, request.user, session=request.session):
        raise Http404
    block = _checker_block(lesson, block_id)
    context = {"page": lesson, "lesson": lesson, "block": block, "block_id": block_id}
    content_length = int(request.META.get("CONTENT_LENGTH") or 0)
    if content_length > limit + REQUEST_MARGIN:
        return _render(request, context, error=too_large_error(limit).message)
    form = UploadForm(request.POST, request.FILES)
    if handler.exceeded:
        return _render(request, context, error=too_large_error(limit).message)
    if not form.is_valid():
        return _render(request, context, form=form, status=400)
    keep_as = kept_path(request.user, lesson) if form.cleaned_data["keep"] else None
    result = check_upload(
        form.cleaned_data["file"], Checklist.from_block(block), keep_as=keep_as
    )
    if result.error is not None:
        busy = result.error.code == "busy"  # every sandbox slot taken: retry later
        return _render(
            request, context, error=result.error.message, status=503 if busy else 200
        )
    completion = None
    if result.passed and block.get("complete_lesson"):
        completion = complete_checked_lesson(
            request.user, lesson, session=request.session
        )
    return _render(
        request,
        context,
        report=result.report,
        kept=result.kept_as is not None,
        completion=completion,
        filename=form.cleaned_data["file"].name,
    )


def _render(request, context, *, status=200, form=None, error=None, **extra):
    context = {
        **context,
        "form": form or UploadForm(),
        "error": error,
        "max_bytes": max_upload_bytes(),
        **extra,
    }
    if error is not None and status == 200:
        status = 422
    return TemplateResponse(
        request, "blocks/hdf5_check_result.html", context, status=status
    )
