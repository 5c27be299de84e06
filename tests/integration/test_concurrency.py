"""Many clerks and kiosks at once, against a real hub in every async mode and
on SQLite and PostgreSQL: no ticket called twice, none skipped, no number
repeated or missing, and no mode deadlocks on a database lock.

A hub process takes seconds to start, so one hub per async mode and database goes
through the three checks in turn; each uses fields and counters the earlier ones
left alone (HT at counters 1-22; TKQ at counter 23; DD at no counter)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.conftest import ASYNC_MODES
from tests.integration.remote_concurrency import concurrent_check_in_and_next

CLERKS = 22  # counters 1..22 serve HT; 20+ presses of "next" at the same moment
TICKETS = 40


@pytest.mark.parametrize("async_mode", ASYNC_MODES)
def test_many_clerks_and_kiosks_at_once(hub_process_factory, database_url, async_mode):
    hub = hub_process_factory(async_mode=async_mode, database_url=database_url)
    admin = hub.session()
    concurrent_issue_and_next(hub, admin)
    many_presses_on_one_counter_call_exactly_one(hub, admin)
    retries_with_one_idempotency_key_issue_one_ticket(hub)
    concurrent_check_in_and_next(hub, admin)  # numbers by phone (issue 17)


def concurrent_issue_and_next(hub, admin) -> None:
    url = hub.url

    def take(i: int) -> dict:
        response = requests.post(f"{url}/api/v1/tickets", json={"service": "HT"}, timeout=30)
        assert response.status_code == 201, response.text
        return response.json()

    with ThreadPoolExecutor(max_workers=TICKETS) as pool:
        issued = list(pool.map(take, range(TICKETS)))
    numbers = sorted(t["number"] for t in issued)
    # atomic daily counter: every number once, no gap
    assert numbers == [f"A{n:03d}" for n in range(1, TICKETS + 1)]

    def press_next(counter: int) -> tuple[int, dict | None]:
        response = admin.post(f"{url}/api/v1/counters/{counter}/next", timeout=30)
        assert response.status_code in (200, 204), response.text
        return counter, response.json() if response.status_code == 200 else None

    with ThreadPoolExecutor(max_workers=CLERKS) as pool:
        results = list(pool.map(press_next, range(1, CLERKS + 1)))
    called = [ticket for _, ticket in results if ticket]
    assert len(called) == CLERKS
    called_ids = [t["id"] for t in called]
    assert len(set(called_ids)) == CLERKS, "a ticket was called by two counters"
    # no waiting ticket skipped: the 22 called are exactly the 22 oldest
    oldest = sorted(issued, key=lambda t: t["number"])[:CLERKS]
    assert set(called_ids) == {t["id"] for t in oldest}
    # each counter holds the ticket the hub says it holds
    snapshot = requests.get(f"{url}/api/v1/queue", timeout=10).json()
    holding = {c["number"]: c["current"]["id"] for c in snapshot["counters"] if c["current"]}
    assert holding == {counter: ticket["id"] for counter, ticket in results if ticket}
    assert snapshot["waiting"]["HT"] == TICKETS - CLERKS


def many_presses_on_one_counter_call_exactly_one(hub, admin) -> None:
    # field TKQ (its daily cap is 5), counter 23: untouched by concurrent_issue_and_next
    for _ in range(5):
        requests.post(f"{hub.url}/api/v1/tickets", json={"service": "TKQ"}, timeout=10)

    def press(_: int) -> int:
        return admin.post(f"{hub.url}/api/v1/counters/23/next", timeout=30).status_code

    with ThreadPoolExecutor(max_workers=20) as pool:
        statuses = list(pool.map(press, range(20)))
    assert statuses.count(200) == 1, statuses
    assert statuses.count(409) == 19, statuses
    assert requests.get(f"{hub.url}/api/v1/queue", timeout=10).json()["waiting"]["TKQ"] == 4


def retries_with_one_idempotency_key_issue_one_ticket(hub) -> None:
    def tap(_: int) -> int:
        response = requests.post(
            f"{hub.url}/api/v1/tickets",
            json={"service": "DD"},
            headers={"Idempotency-Key": "same-tap"},
            timeout=30,
        )
        assert response.status_code in (200, 201), response.text
        return response.json()["id"]

    with ThreadPoolExecutor(max_workers=10) as pool:
        ids = set(pool.map(tap, range(10)))
    assert len(ids) == 1
    assert requests.get(f"{hub.url}/api/v1/queue", timeout=10).json()["waiting"]["DD"] == 1
