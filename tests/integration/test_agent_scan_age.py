"""A scan reaches the hub late (the hub froze, then caught up): by then the agent has told
its log the scan was dropped and the citizen has moved on, so the hub refuses it by the
scan's time, with the reason, and applies nothing.  The agent's clock may be far from the
hub's: the gap measured at its hello is taken off.  kiosk/realtime_agent.py, on_scan."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from kiosk.realtime_agent import MAX_SCAN_AGE_S
from kiosk.rooms import AGENT_NAMESPACE
from tests.support.agents import AGENT, agent_centre
from tests.support.devices import RECEIPT


@pytest.fixture
def app(app_factory, tmp_path):
    """Agent AGENT drives scanner "s1" at kiosk "kiosk-a" (and printer "p1" there)."""
    return app_factory(centre_file=agent_centre(tmp_path, "dummy://", scanner="loop://"))


@pytest.fixture
def agent(app, client, bearer):
    from kiosk.extensions import socketio

    paired = client.post(
        "/api/v1/devices/tokens", json={"kind": "agent", "name": AGENT}, headers=bearer()
    )
    assert paired.status_code == 201, paired.get_json()
    connection = socketio.test_client(
        app, namespace=AGENT_NAMESPACE, auth={"token": paired.get_json()["token"]}
    )
    assert connection.is_connected(AGENT_NAMESPACE)
    yield lambda event, data: connection.emit(event, data, namespace=AGENT_NAMESPACE, callback=True)
    connection.disconnect(namespace=AGENT_NAMESPACE)


def _waiting(client) -> int:
    return sum(client.get("/api/v1/queue").get_json()["waiting"].values())


def test_a_scan_that_reaches_the_hub_late_is_refused_and_not_applied(agent, client):
    # This agent's clock is two hours behind the hub's (a Raspberry Pi without NTP).
    behind = timedelta(hours=2)
    agent_clock = lambda: datetime.now(UTC) - behind  # noqa: E731
    assert agent("hello", {"now": agent_clock().isoformat()})["ok"] is True

    fresh = agent(
        "scan", {"scanner": "s1", "code": RECEIPT.format(1), "at": agent_clock().isoformat()}
    )
    assert fresh["ok"] is True and fresh["error"] is None, fresh
    assert _waiting(client) == 1  # a pick-up number

    late = agent_clock() - timedelta(seconds=MAX_SCAN_AGE_S + 2)
    refused = agent("scan", {"scanner": "s1", "code": RECEIPT.format(2), "at": late.isoformat()})
    assert refused["ok"] is False and refused["error"] == "scan_too_old", refused
    assert "dropped" in refused["message"] and "not applied" in refused["message"]
    assert _waiting(client) == 1  # no number taken for it

    # A time that is not one is refused as such; the next fresh scan is applied.
    for odd in ("yesterday", "2026-11-23T07:30:00", 1700000000, "9" * 100):
        answer = agent("scan", {"scanner": "s1", "code": RECEIPT.format(3), "at": odd})
        assert answer["ok"] is False and answer["error"] == "bad_request", (odd, answer)
    again = agent(
        "scan", {"scanner": "s1", "code": RECEIPT.format(3), "at": agent_clock().isoformat()}
    )
    assert again["ok"] is True and again["error"] is None, again
    assert _waiting(client) == 2
