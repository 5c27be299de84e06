"""Storage: SQLAlchemy tables, the database engine, repositories and the atomic "next".

Plain SQLAlchemy sessions (not Flask-SQLAlchemy) so device threads, the CLI
and request handlers share one store outside a request.
"""

from kiosk.store import setup_cache  # noqa: F401  (its session hooks version every set-up change)
from kiosk.store.db import Store

__all__ = ["Store"]
