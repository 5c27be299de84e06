"""A citizen ID card at the kiosk and at the counter through the hub's shells: the
scan API (a keyboard-wedge scanner in the kiosk page) and a serial scanner on a pty."""

from __future__ import annotations

import logging

import requests

from tests.support.citizen_id import card_qr
from tests.support.clients import Screen
from tests.support.devices import (
    hub_with_kiosk_scanner,
)

NAME, ADDRESS, NUMBER = "Lò Thị Xuân", "Bản Nà Cang, Xã Than Uyên, Tỉnh Lai Châu", "011050001234"
ELDER = card_qr(number=NUMBER, old="", name=NAME, birth="01011950", address=ADDRESS)


def test_the_scan_api_answers_a_card_as_the_contract_says(client, bearer):
    answer = client.post("/api/v1/kiosks/kiosk-1/scan", json={"code": ELDER})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    body = answer.get_json()
    assert body["kind"] == "citizen_id" and body["suggested_priority"] == "elderly"
    assert body["masked_id"] == "…1234" and body["ticket"] is None
    assert body["suggestion"]["vi"] == "Ông/Bà đủ 60 tuổi: chọn “Người cao tuổi”?"
    young = card_qr(number="011099001234", old="", birth="05061999")
    assert (
        client.post("/api/v1/kiosks/kiosk-1/scan", json={"code": young}).get_json()[
            "suggested_priority"
        ]
        is None
    )

    damaged = client.post("/api/v1/kiosks/kiosk-1/scan", json={"code": ELDER[:35]})
    assert damaged.status_code == 400
    assert damaged.get_json()["error"] == "citizen_id_unreadable"
    assert damaged.get_json()["message"].startswith("Không đọc được thẻ căn cước")

    # at a counter it is not a ticket: said in the clerk's language, nothing called
    clerk = bearer()
    at_counter = client.post("/api/v1/counters/1/scan?lang=en", json={"code": ELDER}, headers=clerk)
    assert at_counter.status_code == 400
    assert at_counter.get_json()["message"] == (
        "This is a citizen ID card, not a ticket: scan the QR code on the ticket or type its number."
    )
    in_vietnamese = client.post(
        "/api/v1/counters/1/scan?lang=vi", json={"code": ELDER}, headers=clerk
    )
    assert in_vietnamese.get_json()["message"].startswith("Đây là thẻ căn cước, không phải phiếu")
    assert client.post("/api/v1/counters/1/next", headers=clerk).status_code == 204  # none called
    for secret in (NAME, ADDRESS, NUMBER):
        assert secret not in str([body, damaged.get_json(), at_counter.get_json()])


def test_a_card_at_the_kiosks_serial_scanner(hub_factory, ptys, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    scanner = ptys("kiosk-scanner")
    hub = hub_with_kiosk_scanner(hub_factory, scanner, tmp_path)
    kiosk = Screen(hub.url, {"display": "kiosk"})
    try:
        kiosk.wait_for("snapshot")
        scanner.write(ELDER.encode() + b"\r\n")
        read = kiosk.wait_for("scan")
        assert read["kind"] == "citizen_id" and read["kiosk"] == "kiosk-1"
        assert read["suggested_priority"] == "elderly" and read["ticket"] is None
        assert read["suggestion"]["en"] == "You are 60 or over: choose “Elderly people”?"
        scanner.write(ELDER[:40].encode() + b"\r\n")  # the scanner cut it short
        damaged = kiosk.wait_for("scan")
        assert damaged["error"] == "citizen_id_unreadable"
        waiting = requests.get(f"{hub.url}/api/v1/queue", timeout=5).json()["waiting"]
        assert sum(waiting.values()) == 0  # a card alone issues no number
    finally:
        kiosk.close()
    assert "scanner kiosk-1-scanner: <citizen ID card …1234> → citizen_id" in caplog.text
    for secret in (NAME, ADDRESS, NUMBER, "Nà Cang"):
        assert secret not in caplog.text
        assert secret not in str(read) + str(damaged)
