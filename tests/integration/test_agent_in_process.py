"""The device agent's client (devices/agent/client.py) run in a thread of the test process
against an in-process hub: quick checks of what an agent does on a normal day.  What
needs the process boundary (SIGKILL of hub or agent, the `motcua agent` command) is in
test_agent.py."""

from __future__ import annotations

import threading

import pytest
import requests
from sqlalchemy import select

from devices.agent.client import Agent
from devices.agent.journal import Journal
from kiosk.store import Store
from kiosk.store.tables import PrintJobRow
from tests.support.agents import agent_centre, pair_agent, printed_tickets
from tests.support.devices import wait_until

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def run_agent():
    running: list[tuple[Agent, threading.Thread]] = []

    def start(hub, token: str, journal) -> Agent:
        agent = Agent(hub.url, token, journal)
        thread = threading.Thread(target=agent.run, daemon=True)
        thread.start()
        running.append((agent, thread))
        return agent

    yield start
    for agent, thread in running:
        agent.stop()
        thread.join(timeout=10)


def _issue(hub) -> dict:
    response = requests.post(
        f"{hub.url}/api/v1/tickets", json={"service": "HT", "kiosk": "kiosk-a"}, timeout=10
    )
    assert response.status_code == 201, response.text
    return response.json()


def _job_states(hub) -> dict[int, str]:
    store = Store(hub.database_url)
    try:
        with store.read() as session:
            return dict(session.execute(select(PrintJobRow.id, PrintJobRow.state)).all())
    finally:
        store.dispose()


def test_tickets_print_once_and_the_hub_learns_it(hub_factory, printer, run_agent, tmp_path):
    hub = hub_factory(config=agent_centre(tmp_path, printer.url))
    token = pair_agent(hub)["token"]
    journal = tmp_path / "journal.db"
    agent = run_agent(hub, token, journal)
    assert wait_until(lambda: agent.online and "p1" in agent.printers, timeout=20)

    numbers = [_issue(hub)["number"] for _ in range(3)]
    assert wait_until(
        lambda: [n for n, _ in printed_tickets(printer.received)] == numbers, timeout=20
    ), printed_tickets(printer.received)
    assert wait_until(lambda: set(_job_states(hub).values()) == {"printed"}, timeout=10)
    # The agent recorded each job as acknowledged: nothing is reported again on restart.
    assert wait_until(lambda: agent.journal.unacknowledged() == [], timeout=5)
    assert all(not reprint for _, reprint in printed_tickets(printer.received))


def test_a_job_printed_before_a_crash_is_reported_not_printed_again(
    hub_factory, printer, run_agent, tmp_path
):
    hub = hub_factory(config=agent_centre(tmp_path, printer.url))
    token = pair_agent(hub)["token"]
    number = _issue(hub)["number"]  # no agent yet: the job waits at the hub
    (job,) = _job_states(hub)
    # An earlier run of the agent printed it and died before telling the hub.
    journal_path = tmp_path / "journal.db"
    journal = Journal(journal_path)
    journal.mark(job, "p1", "printed")
    journal.close()

    agent = run_agent(hub, token, journal_path)
    assert wait_until(lambda: _job_states(hub) == {job: "printed"}, timeout=20)
    assert wait_until(lambda: agent.journal.state(job) == "acked", timeout=5)
    later = _issue(hub)["number"]  # the printer works: the next ticket does come out
    assert wait_until(lambda: [n for n, _ in printed_tickets(printer.received)] == [later])
    assert number not in [n for n, _ in printed_tickets(printer.received)]
