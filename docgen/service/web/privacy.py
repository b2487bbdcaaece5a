"""The web side of privacy and of errors: a last net that masks any full ID number in a page or a JSON answer
(the one page that shows a full ID after a logged reason says so), a log filter that masks them in log lines, the
workspace's log file, and the 500 page with the reference under which the error was logged."""

from __future__ import annotations

import logging
import secrets
import sys
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.template import loader

from docgen.service.county.privacy import masked as mask_ids_in

log = logging.getLogger("docgen.service")
SHOWS_FULL_ID = "_docgen_shows_full_id"
MASKED_TYPES = ("text/html", "application/json", "text/plain")


def allow_full_id(response: HttpResponse) -> HttpResponse:
    """Mark the response of a logged reveal: the net leaves its ID number whole."""
    setattr(response, SHOWS_FULL_ID, True)
    return response


class MaskIdsMiddleware:
    """Masks every 18-character ID number in pages and JSON answers (not in files: downloads are masked, or
    not, where they are made)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        kind = response.get("Content-Type", "").split(";")[0].strip()
        if (kind in MASKED_TYPES and not response.streaming and not getattr(response, SHOWS_FULL_ID, False)
                and not response.has_header("Content-Disposition")):
            charset = response.charset or "utf-8"
            text = response.content.decode(charset, "replace")
            masked = mask_ids_in(text)
            if masked != text:
                response.content = masked.encode(charset)
        return response


class MaskIdsFilter(logging.Filter):
    """Log lines (and the tracebacks with them) with ID numbers masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = mask_ids_in(record.getMessage())
        record.args = ()
        if record.exc_info:
            import traceback

            record.exc_text = mask_ids_in("".join(traceback.format_exception(*record.exc_info)))
            record.exc_info = None
        return True


class WorkspaceLogHandler(logging.Handler):
    """Appends to ``service.log`` in the workspace's LOG_DIR (looked up when a line is written, so a test's
    workspace gets its own); a line that cannot be written goes to stderr instead."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            line = self.format(record)
            folder = Path(settings.LOG_DIR)
            folder.mkdir(parents=True, exist_ok=True)
            with open(folder / "service.log", "a", encoding="utf-8") as out:
                out.write(line + "\n")
        except Exception:
            self.handleError(record)


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 page: the error goes to the log under a reference, and the page shows the reference (never the
    error itself) for the clerk to give the administrator."""
    reference = secrets.token_hex(4).upper()
    path = mask_ids_in(request.path)
    log.error("500 %s %s (reference %s)", request.method, path, reference, exc_info=sys.exc_info())
    page = loader.get_template("500.html").render({"reference": reference})
    return HttpResponseServerError(page)
