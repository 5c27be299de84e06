"""Device status and wait alerts reach screens only through their use cases: what each
audience is told, when nothing is told, and that the status outlives the event."""

from __future__ import annotations

from sqlalchemy import update

from kiosk import rooms
from kiosk.store.tables import ServiceRow
from kiosk.usecases import alerts, counters, device_status
from tests.support.usecases import take


def test_a_printer_out_of_paper_is_told_to_staff_in_full_and_to_kiosks_by_state(ctx):
    key = "printer:kiosk-1"
    fine = {"kind": "printer", "name": "kiosk-1", "url": "tcp://10.0.0.9:9100", "state": "online"}
    out = {**fine, "state": "fault", "paper_out": True, "error": "paper out", "at": "08:00"}
    assert device_status.report(ctx, key, out, fine) == ("state", "error", "paper_out")
    staff, public = ctx.publisher.sent
    assert staff.name == public.name == "device"
    assert staff.rooms == (rooms.staff(ctx.centre_id),)
    assert staff.payload["url"] == "tcp://10.0.0.9:9100" and staff.payload["paper_out"] is True
    assert public.rooms == (rooms.kiosks(ctx.centre_id), rooms.lobby(ctx.centre_id))
    # the lobby never learns the printer's address or its error text
    assert public.payload == {"id": key, "kind": "printer", "name": "kiosk-1", "state": "fault"}
    # other hub processes and `motcua devices` read what was stored
    assert device_status.stored(ctx)[key]["paper_out"] is True

    # the same fault reported again a minute later: nobody is told twice
    again = {**out, "at": "08:01"}
    assert device_status.report(ctx, key, again, out) == ()
    assert len(ctx.publisher.sent) == 2
    assert device_status.stored(ctx)[key]["at"] == "08:00"


def test_a_paired_screen_going_away_is_told_to_staff_only(ctx):
    entry = {"kind": "display", "name": "tv-sanh", "state": "offline", "error": "not connected"}
    device_status.report(ctx, "display:tv-sanh", entry, public=False)
    [event] = ctx.publisher.sent
    assert event.rooms == (rooms.staff(ctx.centre_id),)
    assert event.payload["state"] == "offline"
    assert device_status.stored(ctx)["display:tv-sanh"]["error"] == "not connected"


def test_a_scan_time_is_stored_without_telling_any_screen(ctx):
    entry = {"kind": "scanner", "name": "s1", "state": "online", "last_scan_at": "08:02"}
    assert device_status.remember(ctx, "scanner:s1", entry) is True
    assert ctx.publisher.sent == []
    assert device_status.stored(ctx)["scanner:s1"]["last_scan_at"] == "08:02"


def _wording(alert, names, active):
    return {"key": alert.key, "active": active, "field": names[alert.details["service"]][0]}


def test_a_wait_alert_starts_once_and_ends_when_the_citizen_is_called(day):
    ctx, clock, publisher = day
    with ctx.store.write() as session:
        session.execute(
            update(ServiceRow)
            .where(ServiceRow.centre_id == ctx.centre_id, ServiceRow.code == "HT")
            .values(target_wait_s=600)
        )
    ticket = take(ctx, "HT")
    shown = alerts.check_waits(ctx, {}, _wording)
    assert _alerts(publisher) == []  # under target; the watcher knows when to look again
    assert (shown.next_crossing - clock.now).total_seconds() == 600

    clock.advance(11)
    shown = alerts.check_waits(ctx, shown.active, _wording)
    [started] = _alerts(publisher)
    assert started.rooms == (rooms.supervisors(ctx.centre_id),)
    assert started.payload["key"] == "wait:HT" and started.payload["active"] is True
    assert started.payload["field"] == "Tư pháp - Hộ tịch"

    clock.advance(1)  # still waiting: the supervisor already sees it
    shown = alerts.check_waits(ctx, shown.active, _wording)
    assert len(_alerts(publisher)) == 1

    assert counters.call_next(ctx, 1)["number"] == ticket["number"]
    shown = alerts.check_waits(ctx, shown.active, _wording)
    ended = _alerts(publisher)[-1]
    assert ended.payload == {**started.payload, "active": False}
    assert shown.active == {} and shown.next_crossing is None


def _alerts(publisher) -> list:
    return [event for event in publisher.sent if event.name == "alert"]
