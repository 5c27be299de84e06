"""Alembic migrations driven from Python: `motcua db upgrade` and the
embedded default's upgrade on start."""

from __future__ import annotations

from alembic import command
from alembic.config import Config as AlembicConfig

from kiosk.store.db import normalise_url


def alembic_config(url: str) -> AlembicConfig:
    config = AlembicConfig()
    config.set_main_option("script_location", "kiosk:migrations")
    config.set_main_option("sqlalchemy.url", normalise_url(url).replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


def revision(url: str, message: str) -> None:
    """Developers: autogenerate a new migration from the tables (`make migration m=...`)."""
    command.revision(alembic_config(url), message=message, autogenerate=True)
