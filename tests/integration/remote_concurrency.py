"""Check-in of numbers by phone at the same moment as "next" (issue 17), run by
test_concurrency.py on its hub of every async mode and database after its own checks:
no number by phone is called before its check-in committed, none is called twice, and
no check-in is lost."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import requests

from kiosk.core.remote import FieldRule, RemoteRules
from kiosk.events import RecordingPublisher
from kiosk.store import Store
from kiosk.store import repository as repo
from kiosk.usecases import remote
from kiosk.usecases.context import QueueContext

REMOTE = 8  # numbers by phone of field DD, checked in while 22 clerks press "next"
CLERKS = 22


def turn_on_remote(database_url: str) -> None:
    """As the admin page would, from this process: every hub process reads it at once."""
    store = Store(database_url)
    try:
        with store.read() as session:
            centre_id = repo.centre_by_code(session, None).id
        ctx = QueueContext(store=store, publisher=RecordingPublisher(), centre_id=centre_id)
        remote.update_settings(ctx, None, RemoteRules(fields={"DD": FieldRule(enabled=True)}))
    finally:
        store.dispose()


def concurrent_check_in_and_next(hub, admin) -> None:
    url = hub.url
    turn_on_remote(hub.database_url)
    with ThreadPoolExecutor(max_workers=CLERKS) as pool:  # free counters 1-22
        finished = list(
            pool.map(
                lambda n: admin.post(f"{url}/api/v1/counters/{n}/finish", timeout=30),
                range(1, CLERKS + 1),
            )
        )
    assert all(r.status_code == 200 for r in finished), [
        r.text for r in finished if r.status_code != 200
    ]
    taken = []
    for n in range(REMOTE):
        answer = requests.post(
            f"{url}/api/v1/remote-tickets",
            json={"service": "DD", "phone": f"09120000{n:02d}"},
            timeout=30,
        )
        assert answer.status_code == 201, answer.text
        taken.append(answer.json())
    assert {t["status"] for t in taken} == {"remote"}

    def check_in(ticket: dict) -> tuple[str, dict]:
        answer = admin.post(f"{url}/api/v1/tickets/by-token/{ticket['token']}/check-in", timeout=30)
        assert answer.status_code == 200, answer.text
        return "check_in", answer.json()

    def press(counter: int) -> tuple[str, dict | None]:
        answer = admin.post(f"{url}/api/v1/counters/{counter}/next", timeout=30)
        assert answer.status_code in (200, 204), answer.text
        return "next", answer.json() if answer.status_code == 200 else None

    jobs = [(check_in, t) for t in taken] + [(press, n) for n in range(1, CLERKS + 1)]
    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        results = list(pool.map(lambda job: job[0](job[1]), jobs))
    checked = [r for kind, r in results if kind == "check_in"]
    assert all(r["status"] in ("waiting", "called") for r in checked)
    assert all(r["remote"]["lost_place"] is False for r in checked)  # nobody came after them
    called = [r for kind, r in results if kind == "next" and r]
    assert len({t["id"] for t in called}) == len(called), "a ticket was called twice"
    remote_ids = {t["id"] for t in taken}
    for ticket in called:
        if ticket["id"] not in remote_ids:
            continue
        history = admin.get(f"{url}/api/v1/tickets/{ticket['id']}", timeout=30).json()["history"]
        kinds = [e["kind"] for e in history]
        # the check-in committed before the call: it comes first in the ticket's history
        assert kinds.index("checked_in") < kinds.index("called"), kinds
    # no check-in lost: every number by phone is in the queue or at a counter
    called_remote = sum(1 for t in called if t["id"] in remote_ids)
    queue = requests.get(f"{url}/api/v1/queue", timeout=10).json()
    assert queue["waiting"]["DD"] == REMOTE - called_remote + (
        0 if any(t["number"] == "B001" for t in called) else 1
    )
