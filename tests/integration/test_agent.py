"""The device agent (`motcua agent`) with real processes on 127.0.0.1: a hub (`motcua
run`; of the two centres' hubs, one serves in the test process), the agent, a virtual
TCP printer that answers DLE EOT and records bytes, and a socat pty scanner.  Tickets issued at the agent's kiosk come out of its printer exactly
once through hub and agent crashes; a scan reaches the hub; centres stay apart; a
revoked or foreign token stops the agent with the reason."""

from __future__ import annotations

import collections
import subprocess
import sys
import threading
import time

import pytest
import requests

from tests.devices.pty_pair import SocatPair, needs_socat
from tests.devices.virtual_printer import VirtualPrinter
from tests.support.agents import AGENT, AgentProcess, agent_centre, pair_agent, printed_tickets
from tests.support.devices import RECEIPT, wait_until
from tests.support.hubs import ROOT

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def agents():
    started: list[AgentProcess] = []

    def make(*args, **kwargs) -> AgentProcess:
        agent = AgentProcess(*args, **kwargs).start()
        started.append(agent)
        return agent

    yield make
    for agent in started:
        agent.stop()


def _issue(hub, kiosk: str = "kiosk-a", service: str = "HT") -> dict | None:
    """A number taken at the kiosk; None when the hub did not acknowledge it."""
    try:
        response = requests.post(
            f"{hub.url}/api/v1/tickets", json={"service": service, "kiosk": kiosk}, timeout=5
        )
    except requests.RequestException:
        return None
    return response.json() if response.status_code == 201 else None


def _devices(hub) -> dict:
    try:
        return requests.get(f"{hub.url}/healthz", timeout=5).json().get("devices", {})
    except (requests.RequestException, ValueError):
        return {}


def _burst(hub, count: int, acknowledged: list, pause_s: float = 0.05) -> threading.Thread:
    """Issue `count` numbers one after another in a thread; the acknowledged ones are kept."""

    def run():
        for _ in range(count):
            ticket = _issue(hub)
            if ticket is not None:
                acknowledged.append(ticket["number"])
            time.sleep(pause_s)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def _exactly_once(printer: VirtualPrinter, numbers: list[str], log: str) -> None:
    """Every number came out once; a second copy only as a marked reprint (docs/printing.md:
    the agent was killed between the printer's last byte and its journal write)."""
    assert wait_until(
        lambda: {n for n, _ in printed_tickets(printer.received)} >= set(numbers), timeout=30
    ), (sorted(set(numbers) - {n for n, _ in printed_tickets(printer.received)}), log)
    time.sleep(1.0)  # anything printed twice would be out by now
    copies = collections.defaultdict(list)
    for number, reprint in printed_tickets(printer.received):
        copies[number].append(reprint)
    for number in numbers:
        # The one whole copy may itself be the marked reprint: the agent was killed while
        # the first copy was still being sent, so that copy never came out whole.
        first_whole = copies[number][0] is False or copies[number] == [True]
        assert first_whole, (number, copies[number])
        assert copies[number][1:] == [True] * (len(copies[number]) - 1), (number, copies[number])


def test_the_agent_needs_no_web_stack():
    """What `motcua agent` loads: devices/, python-socketio's client and the standard library."""
    code = (
        "import sys, kiosk.launcher, kiosk.cli\n"
        "from devices.agent import client\n"
        "client.load_socketio()\n"
        "heavy = {'flask', 'flask_socketio', 'sqlalchemy', 'alembic', 'psycopg2', 'psycopg',"
        " 'redis', 'gevent', 'eventlet'}\n"
        "print(sorted({m.split('.')[0] for m, v in sys.modules.items() if v} & heavy))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


@needs_socat
def test_agent_prints_and_scans_through_hub_and_agent_crashes(
    tmp_path, printer, agents, hub_process_factory
):
    scanner = SocatPair(tmp_path).start()
    try:
        centre = agent_centre(tmp_path, printer.url, scanner=scanner.ours)
        hub = hub_process_factory(config=centre, env={"MOTCUA_SCREEN_OFFLINE_S": "1"})
        # Paired on the command line, as an operator does it.
        paired = subprocess.run(
            [sys.executable, "-m", "kiosk", "devices", "pair", "agent", AGENT]
            + ["--config", str(centre)],
            cwd=tmp_path,
            env={**hub.env, "MOTCUA_PUBLIC_URL": hub.url},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert paired.returncode == 0, paired.stderr
        token = paired.stdout.split("--token ")[1].split()[0]
        agent = agents(tmp_path, hub.url, token)
        assert wait_until(lambda: _devices(hub).get("printer:p1", {}).get("state") == "online"), (
            agent.logs()
        )
        assert _devices(hub)[f"agent:{AGENT}"]["state"] == "online"

        # A ticket at the agent's kiosk comes out of the agent's printer.
        first = _issue(hub)
        assert first["print"]["printer_ok"] is True
        assert wait_until(lambda: printed_tickets(printer.received), timeout=10), agent.logs()
        assert printed_tickets(printer.received) == [(first["number"], False)]

        # A receipt scanned at the kiosk reaches the hub: a pick-up number, printed too.
        assert wait_until(lambda: _devices(hub).get("scanner:s1", {}).get("state") == "online")
        scanner.write((RECEIPT.format(1) + "\r").encode())
        assert wait_until(lambda: len(printed_tickets(printer.received)) == 2, timeout=10), (
            agent.logs()
        )
        assert printed_tickets(printer.received)[1][0].startswith("K")

        # The hub killed during a burst and away a few seconds (its restart included): the
        # agent's tries fail meanwhile, and it reconnects by itself.
        acknowledged: list[str] = [first["number"]]
        burst = _burst(hub, 20, acknowledged)
        wait_until(lambda: len(acknowledged) >= 6, timeout=10)
        hub.stop(9)
        burst.join(timeout=30)
        assert "unreachable" in agent.logs()
        time.sleep(1)
        hub.start()
        more: list[str] = []
        _burst(hub, 5, more).join(timeout=30)
        _exactly_once(printer, acknowledged + more, agent.logs())

        # The agent killed during a burst, restarted: the same, and it was missed meanwhile.
        done = len(printed_tickets(printer.received))
        numbers: list[str] = []
        burst = _burst(hub, 20, numbers, pause_s=0.02)
        wait_until(lambda: len(printed_tickets(printer.received)) >= done + 5, timeout=10)
        agent.kill()
        burst.join(timeout=30)
        assert wait_until(
            lambda: _devices(hub).get(f"agent:{AGENT}", {}).get("state") == "offline", timeout=10
        )
        agent = agents(tmp_path, hub.url, token)
        _exactly_once(printer, acknowledged + more + numbers, agent.logs())
        assert _devices(hub)["printer:p1"]["pending"] == 0
    finally:
        scanner.kill()


def test_centres_apart_and_refused_tokens_stop_the_agent(
    tmp_path, agents, hub_factory, hub_process_factory
):
    printer_a, printer_b = VirtualPrinter().start(), VirtualPrinter().start()
    try:
        # Two centres, each with its own hub and database: centre A's hub serves in this
        # process (a subprocess start saved), centre B's is a `motcua run` of its own.
        hub_a = hub_factory(
            config=agent_centre(tmp_path, printer_a.url, file="centre-a.toml"),
            database_url=f"sqlite:///{tmp_path}/a.db",
        )
        hub_b = hub_process_factory(
            config=agent_centre(tmp_path, printer_b.url, file="centre-b.toml"),
            database_url=f"sqlite:///{tmp_path}/b.db",
        )
        hubs = (hub_a, hub_b)
        token_a, paired_b = pair_agent(hub_a)["token"], pair_agent(hub_b)
        # each agent's journal a file of its own (once, the hub's database file: the two
        # programs then waited on each other's SQLite locks)
        agent_a = agents(tmp_path, hub_a.url, token_a, journal=tmp_path / "journal-a.db")
        agent_b = agents(tmp_path, hub_b.url, paired_b["token"], journal=tmp_path / "journal-b.db")
        for hub, agent in zip(hubs, (agent_a, agent_b), strict=True):
            assert wait_until(
                lambda h=hub: _devices(h).get("printer:p1", {}).get("state") == "online"
            ), agent.logs()
        a = [_issue(hub_a, service="HT")["number"] for _ in range(3)]
        b = [_issue(hub_b, service="DD")["number"] for _ in range(3)]
        assert wait_until(lambda: len(printed_tickets(printer_a.received)) == 3)
        assert wait_until(lambda: len(printed_tickets(printer_b.received)) == 3)
        time.sleep(0.5)
        assert [n for n, _ in printed_tickets(printer_a.received)] == a
        assert [n for n, _ in printed_tickets(printer_b.received)] == b

        # Centre A's token at centre B's hub: refused, and the agent says why.
        stray = agents(tmp_path, hub_b.url, token_a, journal=tmp_path / "stray.db")
        assert stray.wait(timeout=20) == 3
        assert "does not know this token" in stray.logs()

        # Revoked: the connected agent is told, stops, and says why.
        revoked = requests.post(
            f"{hub_b.url}/api/v1/devices/tokens/{paired_b['id']}/revoke",
            headers=hub_b.auth(),
            timeout=10,
        )
        assert revoked.status_code == 200, revoked.text
        assert agent_b.wait(timeout=20) == 3
        assert "revoked" in agent_b.logs() and "thu hồi" in agent_b.logs()
        assert agent_a.process.poll() is None  # the other centre's agent goes on
    finally:
        printer_a.stop()
        printer_b.stop()
