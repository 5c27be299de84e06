"""Clients that act as the people and screens around a hub: a screen on Socket.IO
(`Screen`), a person at a browser posting forms (`Desk`), a kiosk taking a number
(`issue`)."""

from __future__ import annotations

import queue
import re
import time

import requests
import socketio

from tests.support.hubs import ADMIN

CSRF = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"'
)
CONFIRM = {"confirm": "yes"}  # what a confirming page's button sends besides its CSRF token


class Screen:
    """A python-socketio client that records what a lobby TV or counter screen receives."""

    def __init__(self, url: str, subscription: dict, transports=("websocket",), login=None):
        """`login`: a logged-in requests.Session, for a clerk's console (staff payloads)."""
        self.events: queue.Queue = queue.Queue()
        self.subscription = subscription
        self.client = socketio.Client(
            reconnection=True, reconnection_delay=0.2, reconnection_delay_max=0.5
        )
        for name in (
            "snapshot",
            "call",
            "queue",
            "counter",
            "ticket",
            "device",
            "print",
            "scan",
            "scan_ticket",
            "rating",
        ):
            self.client.on(name, self._recorder(name))
        self.client.on("connect", lambda: self.client.emit("subscribe", self.subscription))
        headers = {}
        if login is not None:  # a bearer token (hub.session()) or a browser's cookies
            headers = {k: v for k, v in login.headers.items() if k == "Authorization"}
            if login.cookies:
                headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in login.cookies.items())
        self.client.connect(url, transports=list(transports), headers=headers, wait_timeout=10)

    def _recorder(self, name):
        return lambda data: self.events.put((name, data))

    def wait_for(self, name: str, timeout: float = 10, where=lambda data: True) -> dict:
        return wait_for_event(self.events, name, timeout, where)

    def drain(self, seconds: float = 0.5) -> list[tuple[str, dict]]:
        time.sleep(seconds)
        seen = []
        while not self.events.empty():
            seen.append(self.events.get_nowait())
        return seen

    def close(self):
        self.client.disconnect()


def received(connection) -> list[tuple[str, dict]]:
    """(event, data) a Flask-SocketIO test client got since the last call, oldest first."""
    return [(event["name"], event["args"][0]) for event in connection.get_received()]


def last(connection, name: str) -> dict:
    """The latest `name` event a Flask-SocketIO test client got (earlier ones are dropped)."""
    matching = [data for event, data in received(connection) if event == name]
    assert matching, f"no {name} event"
    return matching[-1]


class Desk:
    """A requests session logged in through the login page, posting forms as a browser does."""

    def __init__(
        self,
        hub,
        username: str = ADMIN[0],
        password: str = ADMIN[1],
        lang: str = "en",  # texts checked in English: the Vietnamese catalogue is merged separately
    ):
        self.hub = hub
        self.http = requests.Session()
        self.http.cookies.set("lang", lang)
        self.login = self.post("/login", {"username": username, "password": password})

    def token(self, path: str) -> str:
        match = CSRF.search(self.http.get(self.hub.url + path, timeout=10).text)
        assert match, f"no CSRF token on {path}"
        return match.group(1) or match.group(2)

    def get(self, path: str, **kwargs) -> requests.Response:
        return self.http.get(self.hub.url + path, timeout=10, **kwargs)

    def post(self, path: str, data: dict, form_page: str | None = None) -> requests.Response:
        token = self.token(form_page or path)
        return self.http.post(self.hub.url + path, data={**data, "csrf_token": token}, timeout=10)


def csrf_token(client, path: str) -> str:
    """The CSRF token on a page, read through a Flask test client (cookies kept)."""
    match = CSRF.search(client.get(path).get_data(as_text=True))
    assert match, f"no CSRF token on {path}"
    return match.group(1) or match.group(2)


def user_id(desk: Desk, username: str) -> str:
    """The id of `username` as the admin's user list links it."""
    page = desk.get("/admin/users").text
    return re.search(rf'<tr data-user="{username}".*?/admin/users/(\d+)"', page, re.S).group(1)


def issue(hub, service: str = "HT") -> dict:
    """A number taken at the kiosk (201 or the test fails)."""
    response = requests.post(f"{hub.url}/api/v1/tickets", json={"service": service}, timeout=10)
    assert response.status_code == 201, response.text
    return response.json()


def wait_for_event(events: queue.Queue, name: str, timeout: float = 10, where=lambda d: True):
    """The first recorded (name, data) of `name` that `where` accepts, within `timeout`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            event, data = events.get(timeout=max(0.01, deadline - time.monotonic()))
        except queue.Empty:
            break
        if event == name and where(data):
            return data
    raise AssertionError(f"no {name} event within {timeout}s")
