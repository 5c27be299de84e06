"""Shared helper for API routes: the queue context of the request's centre, which
routes hand to the use case they call (the use case publishes after its commit)."""

from __future__ import annotations

from flask import Response

from kiosk.runtime import current_centre
from kiosk.usecases.context import QueueContext


def ctx() -> QueueContext:
    return current_centre().ctx


def report_download(body: bytes, content_type: str, report: dict, stem: str, ext: str) -> Response:
    """A report file, named for its range: `{stem}-{from}-{to}.{ext}`.  `content_type` is
    the header as sent (a `mimetype` would get a second charset)."""
    name = f"{stem}-{report['from']}-{report['to']}.{ext}"
    return Response(
        body,
        content_type=content_type,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
