"""Tickets on paper, through the real hub and a virtual network printer: the
kiosk's ticket prints with its number, a printer fault never blocks or loses
a ticket, and a job survives a crash of the hub."""

from __future__ import annotations

import signal
import time
from concurrent.futures import ThreadPoolExecutor

import requests

from tests.devices.escpos_decode import cuts, ticket_image
from tests.devices.printing_helpers import reads_number
from tests.devices.virtual_printer import VirtualPrinter
from tests.support.devices import centre_with_printers, printer_state, wait_until


def take(hub, kiosk="kiosk-1", service="HT") -> dict:
    response = requests.post(
        f"{hub.url}/api/v1/tickets", json={"service": service, "kiosk": kiosk}, timeout=10
    )
    assert response.status_code == 201, response.text
    return response.json()


def test_kiosk_ticket_prints_with_its_number(hub_process_factory, tmp_path, printer):
    hub = hub_process_factory(
        async_mode="gevent", config=centre_with_printers(tmp_path, {"kiosk-1": printer})
    )
    ticket = take(hub)
    assert ticket["print"] == {
        "printer": "kiosk-1",
        "job": 1,
        "state": "queued",
        "printer_ok": True,
    }
    assert wait_until(lambda: cuts(printer.received))
    image = ticket_image(printer.received)
    assert image.width == 576  # 80 mm paper
    assert reads_number(image, "A001")
    assert printer_state(hub)["state"] == "online"


def test_paper_out_keeps_the_ticket_and_prints_it_once_paper_is_back(
    hub_process_factory, tmp_path, printer
):
    printer.paper_out = True
    hub = hub_process_factory(
        async_mode="gevent", config=centre_with_printers(tmp_path, {"kiosk-1": printer})
    )
    assert wait_until(lambda: printer_state(hub).get("paper_out") is True)
    ticket = take(hub)
    assert ticket["number"] == "A001" and ticket["status"] == "waiting"  # issued all the same
    assert ticket["print"]["printer_ok"] is False  # the kiosk shows the number and QR on screen
    retry = requests.post(  # the kiosk's network retry of that tap is told the same
        f"{hub.url}/api/v1/tickets",
        json={"service": "HT", "kiosk": "kiosk-1"},
        headers={"Idempotency-Key": "tap-1"},
        timeout=10,
    ).json()
    again = requests.post(
        f"{hub.url}/api/v1/tickets",
        json={"service": "HT", "kiosk": "kiosk-1"},
        headers={"Idempotency-Key": "tap-1"},
        timeout=10,
    ).json()
    assert again["id"] == retry["id"] and again["print"]["printer_ok"] is False
    time.sleep(1.5)
    assert cuts(printer.received) == []
    assert printer_state(hub)["pending"] == 2  # the operator sees what waits for paper
    printer.paper_out = False
    assert wait_until(lambda: len(cuts(printer.received)) == 2, timeout=30)
    time.sleep(2)
    assert len(cuts(printer.received)) == 2  # each printed exactly once
    assert wait_until(lambda: printer_state(hub).get("state") == "online", timeout=35)
    assert printer_state(hub)["pending"] == 0  # and that nothing waits any more


def test_a_hung_printer_slows_neither_the_hub_nor_another_kiosk(
    hub_process_factory, tmp_path, printer
):
    hung = VirtualPrinter().start()
    hung.hang = True
    try:
        hub = hub_process_factory(
            async_mode="gevent",
            config=centre_with_printers(tmp_path, {"kiosk-1": hung, "kiosk-2": printer}),
        )
        take(hub, "kiosk-1")
        with ThreadPoolExecutor(4) as pool:
            started = time.monotonic()
            answers = list(pool.map(lambda _: take(hub, "kiosk-2", "DD"), range(4)))
            elapsed = time.monotonic() - started
        assert elapsed < 2.0, f"issuing took {elapsed:.2f}s while a printer hung"
        assert all(a["print"]["printer"] == "kiosk-2" for a in answers)
        assert wait_until(lambda: len(cuts(printer.received)) == 4, timeout=20)
        started = time.monotonic()
        assert requests.get(f"{hub.url}/api/v1/queue", timeout=5).ok
        assert time.monotonic() - started < 0.5
    finally:
        hung.stop()


def test_print_job_survives_a_crash(hub_process_factory, tmp_path, printer):
    config = centre_with_printers(tmp_path, {"kiosk-1": printer})
    printer.stop()  # unplugged: connection refused
    hub = hub_process_factory(async_mode="gevent", config=config)
    ticket = take(hub)
    hub.stop(signal.SIGKILL)  # the hub dies before the printer is back
    printer.start()  # plugged back in, same address
    hub.start()
    assert wait_until(lambda: cuts(printer.received), timeout=30)
    assert reads_number(ticket_image(printer.received), "A001")
    time.sleep(1)
    assert len(cuts(printer.received)) == 1
    assert (
        requests.get(
            f"{hub.url}/api/v1/tickets/{ticket['id']}", headers=hub.auth(), timeout=5
        ).json()["number"]
        == "A001"
    )
