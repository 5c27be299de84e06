"""Acting on the queue through the use cases, without Flask (see the `ctx` and `day`
fixtures in tests/conftest.py)."""

from __future__ import annotations

from kiosk.usecases import tickets


def take(ctx, service: str = "HT", **kwargs) -> dict:
    """A number taken at a kiosk: the issued ticket's payload."""
    return tickets.issue_ticket(ctx, tickets.IssueRequest(service=service, **kwargs)).ticket
