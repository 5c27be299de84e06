"""The running hub: one process's store, centre and queue context, kept in
`app.extensions["motcua"]` so routes, socket handlers and device workers
share them."""

from __future__ import annotations

from dataclasses import dataclass, field

from kiosk.config import Config
from kiosk.ratelimit import RateLimiter
from kiosk.store import Store
from kiosk.usecases.context import QueueContext


@dataclass
class Hub:
    config: Config
    store: Store
    centre_id: int
    ctx: QueueContext
    centre_file: dict = field(
        default_factory=dict
    )  # printers, kiosks… until the admin pages own them
    device_status: dict = field(default_factory=dict)
    printing: object | None = None  # kiosk.printing.PrintService once devices started
    scanning: object | None = None  # kiosk.scanning.ScannerService once devices started
    issue_limiter: RateLimiter | None = None
    login_limiter: RateLimiter | None = None

    def __post_init__(self) -> None:
        if self.issue_limiter is None:
            self.issue_limiter = RateLimiter(self.config.issue_rate_per_min, 60)
        if self.login_limiter is None:
            self.login_limiter = RateLimiter(self.config.login_rate_per_min, 60)

    @property
    def kiosks(self) -> list[dict]:
        """The centre file's [[kiosks]]; a centre that lists none has one, "kiosk-1"."""
        return list(self.centre_file.get("kiosks", [])) or [{"name": "kiosk-1"}]
