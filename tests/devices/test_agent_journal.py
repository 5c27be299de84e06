"""The agent's print journal (devices/agent/journal.py): what it says after a crash
decides whether a ticket is printed again, so its rules are checked one by one."""

from __future__ import annotations

import sqlite3
import time

import pytest

from devices.agent.journal import KEEP_S, Journal


@pytest.fixture
def path(tmp_path):
    return tmp_path / "agent" / "journal.db"  # a folder that does not exist yet


def test_a_job_only_moves_forward(path):
    journal = Journal(path)
    journal.mark(7, "p1", "printing")
    journal.mark(7, "p1", "printed")
    journal.mark(7, "p1", "received")  # offered again after a reconnect: still printed
    journal.mark(7, "p1", "printing")
    assert journal.state(7) == "printed"
    assert journal.printer(7) == "p1"
    assert journal.state(8) is None and journal.printer(8) == ""
    with pytest.raises(ValueError):
        journal.mark(7, "p1", "lost")


def test_printed_jobs_wait_for_the_hub_oldest_first_and_survive_a_restart(path):
    journal = Journal(path)
    for job in (12, 5, 9):
        journal.mark(job, "p1", "printed")
    journal.mark(3, "p1", "printing")  # interrupted: not a printed job to report
    journal.mark(9, "p1", "acked")
    journal.close()  # as after a crash: only what was committed is there
    again = Journal(path)
    assert again.unacknowledged() == [5, 12]
    assert again.state(3) == "printing" and again.state(9) == "acked"


def test_forgetting_never_drops_a_printed_job(path):
    journal = Journal(path)
    journal.mark(1, "p1", "printing")
    journal.mark(2, "p1", "printed")
    journal.forget(1)  # failed for good: gone
    journal.forget(2)  # the hub gave up on it, but it came out of the printer: kept
    assert journal.state(1) is None
    assert journal.unacknowledged() == [2]


def test_acknowledged_jobs_are_forgotten_after_a_week(path):
    journal = Journal(path)
    journal.mark(1, "p1", "acked")
    journal.mark(2, "p1", "acked")
    journal.mark(3, "p1", "printed")
    journal.close()
    with sqlite3.connect(path) as db:  # job 1 and 3 were last changed eight days ago
        db.execute(
            "UPDATE jobs SET changed = ? WHERE job IN (1, 3)", (time.time() - KEEP_S - 86400,)
        )
    again = Journal(path)
    assert again.state(1) is None
    assert again.state(2) == "acked"
    assert again.unacknowledged() == [3]  # never reported: kept however old
