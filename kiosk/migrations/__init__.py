"""Alembic migrations (shipped inside the package so `motcua db upgrade` works from a wheel)."""
