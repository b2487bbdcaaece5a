"""Uploads streamed to disk, their size checked while they are read: Django's temporary-file handler, stopped
at MAX_UPLOAD_BYTES. A file is never held whole in memory; one that is too big stops the upload, and the view
puts :func:`refusal` beside the file field."""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadhandler import StopUpload, TemporaryFileUploadHandler
from django.forms import Form
from django.http import HttpRequest

ATTRIBUTE = "_docgen_upload_refused"


def refusal(request: HttpRequest) -> str:
    """Why the request's upload was stopped ("" when it was not)."""
    return getattr(request, ATTRIBUTE, "")


def valid_upload(request: HttpRequest, form: Form) -> bool:
    """Whether a posted form with a ``file`` field is valid; an upload stopped for its size gets the reason beside
    the field instead of "请选择要上传的文件"."""
    stopped = refusal(request)
    if stopped:
        form.is_valid()
        form.errors.pop("file", None)
        form.add_error("file", stopped)
        return False
    return request.method == "POST" and form.is_valid()


class LimitedUploadHandler(TemporaryFileUploadHandler):
    """Every file to a temporary file on disk; past MAX_UPLOAD_BYTES the upload stops (the rest of a body that
    is not much larger is read and dropped, so the browser gets the page; a far larger one is cut off)."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.declared = content_length or 0
        return super().handle_raw_input(input_data, META, content_length, boundary, encoding)

    def new_file(self, *args, **kwargs) -> None:
        self.received = 0
        super().new_file(*args, **kwargs)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        limit = settings.MAX_UPLOAD_BYTES
        self.received += len(raw_data)
        if self.received > limit:
            setattr(self.request, ATTRIBUTE, f"文件超过 {limit // (1024 * 1024)} MB 的上限，没有上传")
            raise StopUpload(connection_reset=getattr(self, "declared", 0) > 2 * limit)
        return super().receive_data_chunk(raw_data, start)
