"""A page that asks for a fresh snapshot (the phone after a queue change, the console and
supervisor after an event, the lobby and kiosk each minute) asks through hub.js's one
acknowledged subscribe: a `database_unavailable` answer shows the offline mark, and the
page asks again by itself until the hub answers."""

from __future__ import annotations

import re

import requests
from playwright.sync_api import expect

SUBSCRIBE = re.compile(r'^42(\d+)\["subscribe"')


def test_a_refused_refresh_marks_the_phone_offline_until_the_hub_answers_again(hub, new_page):
    ticket = requests.post(f"{hub.url}/api/v1/tickets", json={"service": "HT"}, timeout=10).json()
    subscribes = []

    def through_the_hub(ws):
        server = ws.connect_to_server()

        def from_page(message):
            # engine.io "4" + socket.io "2" (event) + ack id: only an acknowledged subscribe
            # can hear the refusal; the first (page load) and third (the retry) pass.
            match = SUBSCRIBE.match(message) if isinstance(message, str) else None
            if match:
                subscribes.append(message)
                if len(subscribes) == 2:
                    ws.send(f'43{match.group(1)}[{{"ok":false,"error":"database_unavailable"}}]')
                    return
            server.send(message)

        ws.on_message(from_page)
        server.on_message(lambda message: ws.send(message))

    phone = new_page(390, 844)
    phone.route_web_socket(re.compile(r".*/socket\.io/.*"), through_the_hub)
    phone.goto(f"{hub.url}/t/{ticket['token']}")
    expect(phone.locator("#ticket-number")).to_have_text("A001")
    offline = phone.locator("#offline-mark")
    expect(offline).to_be_hidden()

    # Someone else takes a number: the phone asks for its position again, and is refused.
    requests.post(f"{hub.url}/api/v1/tickets", json={"service": "HT"}, timeout=10)
    expect(offline).to_be_visible()
    expect(offline).to_be_hidden(timeout=5000)  # asked again after about a second
    assert len(subscribes) == 3
