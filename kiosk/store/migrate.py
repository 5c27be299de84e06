"""Alembic migrations driven from Python: `motcua db upgrade` and the
embedded default's upgrade on start.

Loading Alembic costs about 0.3 s of CPU, paid by every hub start although the
database is nearly always current already.  So `upgrade_if_behind` first compares the
database's `alembic_version` with the newest migration, read from the version files as
text, and loads Alembic only when there is something to do."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from kiosk.store.db import normalise_url

VERSIONS = Path(__file__).resolve().parents[1] / "migrations" / "versions"
_REVISION_LINE = re.compile(r"^(revision|down_revision)\b[^=]*=(.*)$", re.M)
_REVISION_ID = re.compile(r"[0-9a-f]{6,}")


def alembic_config(url: str):
    from alembic.config import Config as AlembicConfig

    config = AlembicConfig()
    config.set_main_option("script_location", "kiosk:migrations")
    config.set_main_option("sqlalchemy.url", normalise_url(url).replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    from alembic import command

    command.upgrade(alembic_config(url), revision)


def head_revisions() -> set[str]:
    """The newest migration(s): revisions no other migration names as its parent."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in VERSIONS.glob("*.py"):
        for name, value in _REVISION_LINE.findall(path.read_text(encoding="utf-8")):
            ids = _REVISION_ID.findall(value)
            (revisions if name == "revision" else parents).update(ids)
    return revisions - parents


def stored_revisions(engine: Engine) -> set[str]:
    """What `alembic_version` holds; empty for a database never migrated."""
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT version_num FROM alembic_version"))
            return {row[0] for row in rows}
    except DBAPIError:  # no such table yet
        return set()


def upgrade_if_behind(url: str, engine: Engine) -> bool:
    """Upgrade to the newest migration unless the database is there already; True if it ran."""
    if stored_revisions(engine) == head_revisions():
        return False
    upgrade(url)
    return True


def revision(url: str, message: str) -> None:
    """Developers: autogenerate a new migration from the tables (`make migration m=...`)."""
    from alembic import command

    command.revision(alembic_config(url), message=message, autogenerate=True)
