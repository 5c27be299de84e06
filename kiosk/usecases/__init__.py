"""Use cases: a shell's request in, the core decides, the store commits, then
one event per state change goes out.  Each function takes a `QueueContext`."""

from kiosk.usecases.context import QueueContext

__all__ = ["QueueContext"]
