"""Bookings, check-in and result pick-up: through the API against a real hub,
and through the use cases with a scripted clock for the check-in window."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import requests

from kiosk.core.errors import Conflict
from kiosk.usecases import appointments, scans, tickets
from tests.support.usecases import take

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def booking(code: str, service: str = "HT", when: datetime | None = None, **extra) -> dict:
    when = when or datetime.now(TZ)
    return {
        "code": code,
        "service": service,
        "day": when.date().isoformat(),
        "time": when.strftime("%H:%M"),
        **extra,
    }


def test_batch_booking_enforces_the_daily_limits(hub, admin):
    person = {"person_id": "001099012345", "name": "Lò Văn Páo", "phone": "0912345678"}
    answer = admin.post(
        f"{hub.url}/api/v1/appointments",
        json={
            "appointments": [
                booking("HN-0001", "HT", **person),
                booking("HN-0002", "HT", **person),  # 2nd in the same field: refused
                booking("HN-0003", "DD", **person),
                booking("HN-0004", "TKQ", **person),  # 3rd of the day: refused
                booking("HN-0001", "DD"),  # duplicate code
                {"code": "HN-0005", "service": "HT", "day": "mai", "time": "08:00"},
                booking("HN-0006", "ZZ"),
            ]
        },
        timeout=10,
    )
    assert answer.status_code == 200
    body = answer.json()
    assert [a["code"] for a in body["created"]] == ["HN-0001", "HN-0003"]
    errors = {r["index"]: r["error"] for r in body["rejected"]}
    assert errors == {
        1: "booking_limit_field",
        3: "booking_limit_day",
        4: "duplicate_appointment",
        5: "bad_request",
        6: "unknown_service",
    }
    assert all(r["message"] for r in body["rejected"])
    listed = admin.get(f"{hub.url}/api/v1/appointments", timeout=10).json()
    assert [a["code"] for a in listed] == ["HN-0001", "HN-0003"]
    assert (
        requests.post(
            f"{hub.url}/api/v1/appointments", json={"appointments": []}, timeout=10
        ).status_code
        == 401
    )


def test_csv_import_with_vietnamese_names(hub, admin):
    now = datetime.now(TZ)
    csv_text = (
        "\ufeffcode;service;day;time;name;phone\n"
        f"CSV-1;HT;{now.date()};{now:%H:%M};Nguyễn Thị Ánh;0987654321\n"
        f"CSV-2;DD;{now.date()};{now:%H:%M};Hoàng Văn Đức;0911222333\n"
    )
    answer = admin.post(
        f"{hub.url}/api/v1/appointments/import",
        data=csv_text.encode("utf-8"),
        headers={"Content-Type": "text/csv"},
        timeout=10,
    )
    assert answer.status_code == 201, answer.text
    assert [a["name"] for a in answer.json()["created"]] == ["Nguyễn Thị Ánh", "Hoàng Văn Đức"]


def test_kiosk_scan_checks_in_picks_up_or_refuses(hub, admin):
    slot = datetime.now(TZ).replace(second=0, microsecond=0)
    admin.post(
        f"{hub.url}/api/v1/appointments",
        json={"appointments": [booking("QR-777", when=slot)]},
        timeout=10,
    )
    walk_in = requests.post(f"{hub.url}/api/v1/tickets", json={"service": "HT"}, timeout=10).json()
    checked = requests.post(
        f"{hub.url}/api/v1/kiosks/kiosk-1/scan", json={"code": "QR-777"}, timeout=10
    )
    assert checked.status_code == 200 and checked.json()["kind"] == "checkin"
    ticket = checked.json()["ticket"]
    assert ticket["appointment_at"] is not None
    # booked for the minute that began before the walk-in arrived: goes first
    assert admin.post(f"{hub.url}/api/v1/counters/1/next", timeout=10).json()["id"] == (
        ticket["id"] if slot <= datetime.fromisoformat(walk_in["issued_at"]) else walk_in["id"]
    )
    again = requests.post(  # a scanner in lower-case mode reads the same booking
        f"{hub.url}/api/v1/kiosks/kiosk-1/scan", json={"code": "qr-777"}, timeout=10
    )
    assert again.status_code == 409 and again.json()["error"] == "already_checked_in"
    assert again.json()["messages"]["en"] == "Booking qr-777 has already been checked in."

    receipt = "000.00.19.H34-241123-0001"
    pickup = requests.post(
        f"{hub.url}/api/v1/kiosks/kiosk-1/scan", json={"code": receipt}, timeout=10
    ).json()
    assert pickup["kind"] == "pickup" and pickup["ticket"]["service"] == "TKQ"
    assert pickup["ticket"]["number"] == "K001" and receipt in pickup["note"]["vi"]
    # the code itself is for the clerk who fetches the dossier (staff view)
    staff_view = admin.get(f"{hub.url}/api/v1/tickets/{pickup['ticket']['id']}", timeout=10)
    assert staff_view.json()["dossier_code"] == receipt

    unknown = requests.post(
        f"{hub.url}/api/v1/kiosks/kiosk-1/scan", json={"code": "hello"}, timeout=10
    )
    assert unknown.status_code == 400 and unknown.json()["error"] == "code_not_recognised"
    assert "không" in unknown.json()["messages"]["vi"].lower()
    assert requests.get(f"{hub.url}/api/v1/queue", timeout=10).json()["waiting"]["TKQ"] == 1


def test_counter_scan_calls_the_scanned_ticket(hub, admin):
    first = requests.post(f"{hub.url}/api/v1/tickets", json={"service": "HT"}, timeout=10).json()
    second = requests.post(f"{hub.url}/api/v1/tickets", json={"service": "HT"}, timeout=10).json()
    by_qr = admin.post(
        f"{hub.url}/api/v1/counters/2/scan", json={"code": second["status_url"]}, timeout=10
    ).json()
    assert by_qr["kind"] == "call" and by_qr["ticket"]["id"] == second["id"]
    admin.post(f"{hub.url}/api/v1/counters/2/finish", timeout=10)
    by_number = admin.post(
        f"{hub.url}/api/v1/counters/2/scan", json={"code": "A001"}, timeout=10
    ).json()
    assert by_number["ticket"]["id"] == first["id"] and by_number["ticket"]["counter"] == 2


def test_check_in_window_with_a_scripted_clock(day):
    ctx, clock, _ = day
    slot = clock.now + timedelta(hours=1)  # 08:30
    created, rejected = appointments.book_many(
        ctx,
        [
            {"code": "EARLY", "service": "HT", "day": slot.date().isoformat(), "time": "08:30"},
            {"code": "LATE", "service": "DD", "day": slot.date().isoformat(), "time": "07:00"},
        ],
    )
    assert len(created) == 2 and not rejected
    too_early = scans.at_kiosk(ctx, "kiosk-1", "EARLY")
    assert too_early.kind == "error" and too_early.error.code == "appointment_too_early"
    assert too_early.error.params["time"] == "08:30"
    too_late = scans.at_kiosk(ctx, "kiosk-1", "LATE")  # 07:30 is 30 min after 07:00
    assert too_late.error.code == "appointment_too_late"
    walk_in = take(ctx)
    clock.advance(50)  # 08:20: ten minutes early is allowed
    checked = scans.at_kiosk(ctx, "kiosk-1", "EARLY")
    assert checked.kind == "checkin"
    # booked 08:30 slots in after the 07:30 walk-in, and before anyone arriving after 08:30
    clock.advance(15)
    later = take(ctx)
    assert checked.ticket["people_ahead"] == 1
    from kiosk.usecases import counters

    order = [counters.call_next(ctx, n)["id"] for n in (1, 2, 3)]
    assert order == [walk_in["id"], checked.ticket["id"], later["id"]]
    try:
        appointments.check_in(ctx, "EARLY")
    except Conflict as error:
        assert error.code == "already_checked_in"


def test_a_receipt_scanned_again_keeps_its_number_until_served(day):
    ctx, clock, _ = day
    from kiosk.usecases import counters

    receipt = "000.00.19.H34-261123-0042"
    first = scans.at_kiosk(ctx, "kiosk-1", receipt)
    assert first.kind == "pickup" and first.ticket["number"] == "K001"
    # a second scan while the citizen waits (or is being served) is the same number
    assert scans.at_kiosk(ctx, "kiosk-1", receipt).ticket["id"] == first.ticket["id"]
    clerk_counter = 23  # serves DD then TKQ
    assert counters.call_next(ctx, clerk_counter)["id"] == first.ticket["id"]
    counters.start(ctx, clerk_counter)
    assert scans.at_kiosk(ctx, "kiosk-2", receipt).ticket["id"] == first.ticket["id"]
    # sent on to another field: the new ticket carries the receipt code and is the open one
    moved = counters.transfer(ctx, clerk_counter, to_service="DD")
    assert moved["dossier_code"] == receipt
    again = scans.at_kiosk(ctx, "kiosk-1", receipt)
    assert again.ticket["id"] == moved["id"]
    assert tickets.get_ticket(ctx, again.ticket["id"])["dossier_code"] == receipt  # staff view
    clock.advance(5)
    served_at = counters.call_number(ctx, clerk_counter, moved["number"])
    assert served_at["id"] == moved["id"]
    counters.finish(ctx, clerk_counter)
    # the citizen comes back in the afternoon for a missing paper: a new number
    clock.advance(240)
    back = scans.at_kiosk(ctx, "kiosk-1", receipt)
    assert back.kind == "pickup" and back.ticket["number"] == "K002"
    assert back.ticket["id"] not in (first.ticket["id"], moved["id"])
    assert scans.at_kiosk(ctx, "kiosk-1", receipt).ticket["id"] == back.ticket["id"]
