"""Shared helpers for API routes: the hub's context and the after-change publish."""

from __future__ import annotations

from flask import current_app

from kiosk.hub import Hub
from kiosk.usecases.context import QueueContext


def hub() -> Hub:
    return current_app.extensions["motcua"]


def ctx() -> QueueContext:
    return hub().ctx
