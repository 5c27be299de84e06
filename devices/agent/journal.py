"""The agent's print journal: a small SQLite file saying how far each print job got.

    received   offered by the hub, waiting in the printer's queue
    printing   its bytes started to leave for the printer (maybe partly printed)
    printed    the printer took the last byte (it answered the status query after it)
    acked      the hub recorded it as printed

Every change is committed with `synchronous=FULL` before the agent goes on, so
after a crash, a power cut or a SIGKILL the journal still says what happened:
a `printed` job is reported to the hub again and never printed twice; a job
offered again while it is `printing` was interrupted mid-way and is printed
once more, marked as a reprint (docs/printing.md, "Device agent").
"""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

STATES = ("received", "printing", "printed", "acked")
KEEP_S = 7 * 86400  # acknowledged jobs are forgotten after a week


class Journal:
    def __init__(self, path: str | Path) -> None:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        # One connection shared by the printer workers and the Socket.IO thread.
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._lock = threading.Lock()
        with self._lock:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS jobs (job INTEGER PRIMARY KEY, printer TEXT NOT NULL,"
                " state TEXT NOT NULL, changed REAL NOT NULL)"
            )
            self._db.execute(
                "DELETE FROM jobs WHERE state = 'acked' AND changed < ?", (time.time() - KEEP_S,)
            )

    def state(self, job: int) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT state FROM jobs WHERE job = ?", (job,)).fetchone()
        return row[0] if row else None

    def printer(self, job: int) -> str:
        with self._lock:
            row = self._db.execute("SELECT printer FROM jobs WHERE job = ?", (job,)).fetchone()
        return row[0] if row else ""

    def mark(self, job: int, printer: str, state: str) -> None:
        """Record `state` for `job`; a job never goes back (printed stays printed)."""
        if state not in STATES:
            raise ValueError(state)
        with self._lock:
            row = self._db.execute("SELECT state FROM jobs WHERE job = ?", (job,)).fetchone()
            if row is not None and STATES.index(row[0]) >= STATES.index(state):
                return
            self._db.execute(
                "INSERT OR REPLACE INTO jobs (job, printer, state, changed) VALUES (?, ?, ?, ?)",
                (job, printer, state, time.time()),
            )

    def forget(self, job: int) -> None:
        """A job that failed for good or that the hub no longer wants."""
        with self._lock:
            self._db.execute("DELETE FROM jobs WHERE job = ? AND state != 'printed'", (job,))

    def unacknowledged(self) -> list[int]:
        """Printed jobs the hub has not confirmed yet, oldest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT job FROM jobs WHERE state = 'printed' ORDER BY job"
            ).fetchall()
        return [row[0] for row in rows]

    def close(self) -> None:
        with self._lock:
            self._db.close()
