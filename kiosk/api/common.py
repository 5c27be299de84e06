"""Shared helper for API routes: the queue context of the request's centre, which
routes hand to the use case they call (the use case publishes after its commit)."""

from __future__ import annotations

from kiosk.runtime import current_centre
from kiosk.usecases.context import QueueContext


def ctx() -> QueueContext:
    return current_centre().ctx
