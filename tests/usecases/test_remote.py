"""Remote numbers through the use cases and the store (scripted clock, no Flask): the
queue passes over them until check-in, keeps or loses their place as docs/remote.md
says, counts them in the reports, and the limits refuse with a reason."""

from __future__ import annotations

import pytest

from kiosk.core.errors import Conflict
from kiosk.core.remote import FieldRule, RemoteRules
from kiosk.notices import RecordingNotifier
from kiosk.usecases import closing, counters, remote, tickets
from kiosk.usecases.reports import summary

PHONE = "0912 345 678"


def kiosk(ctx, service="HT") -> dict:
    return tickets.issue_ticket(ctx, tickets.IssueRequest(service=service)).ticket


def turn_on(ctx, **values) -> None:
    fields = values.pop("fields", {"HT": FieldRule(enabled=True)})
    remote.update_settings(ctx, None, RemoteRules(fields=fields, **values))


def test_next_passes_over_a_remote_number_until_it_checks_in_at_its_place(day):
    ctx, clock, _ = day
    turn_on(ctx, lose_place_after=3)
    away = remote.take(ctx, "HT", PHONE)
    assert away["status"] == "remote" and away["number"] == "A001"
    assert away["remote"] == {
        "checked_in": False,
        "checked_in_at": None,
        "lost_place": False,
        "passed": 0,
        "lose_place_after": 3,
        "near_ahead": 3,
        "bring": "",
        "bring_en": "",
    }
    clock.advance(1)
    later = [kiosk(ctx) for _ in range(3)]
    assert counters.call_next(ctx, 1)["number"] == later[0]["number"]  # A001 is not here
    assert counters.call_next(ctx, 2)["number"] == later[1]["number"]
    clock.advance(5)
    checked = remote.check_in(ctx, away["token"], "scan")
    assert checked["status"] == "waiting" and checked["remote"]["passed"] == 2
    assert checked["people_ahead"] == 0  # its own place: before A004, taken after it
    assert counters.call_next(ctx, 3)["number"] == "A001"
    assert counters.call_next(ctx, 4)["number"] == later[2]["number"]


def test_a_remote_number_loses_its_place_after_the_set_number_of_calls(day):
    ctx, clock, publisher = day
    turn_on(ctx, lose_place_after=2)
    away = remote.take(ctx, "HT", PHONE)
    clock.advance(1)
    later = [kiosk(ctx) for _ in range(4)]
    counters.call_next(ctx, 1)
    publisher.sent.clear()
    counters.call_next(ctx, 2)  # the second call past its turn: its place is lost
    told = [
        e.payload
        for e in publisher.sent
        if e.name == "ticket" and e.payload.get("token") == away["token"]
    ]
    assert told and told[-1]["remote"]["lost_place"] is True  # the phone hears it at once
    with pytest.raises(Conflict) as refused:
        counters.call_number(ctx, 3, "A001")  # and no clerk calls it before check-in
    assert refused.value.code == "remote_not_checked_in"
    clock.advance(3)
    checked = remote.check_in(ctx, away["token"], "network")
    assert checked["people_ahead"] == 2  # at the end: behind A004 and A005
    assert [counters.call_next(ctx, n)["number"] for n in (3, 4, 5)] == [
        later[2]["number"],
        later[3]["number"],
        "A001",
    ]


def test_limits_refuse_with_their_reason(day):
    ctx, clock, _ = day
    with pytest.raises(Conflict) as refused:
        remote.take(ctx, "HT", PHONE)  # off until the admin turns it on
    assert refused.value.code == "remote_off"
    turn_on(ctx, fields={"HT": FieldRule(enabled=True), "TKQ": FieldRule(True, share_pct=40)})
    remote.take(ctx, "HT", PHONE)
    with pytest.raises(Conflict) as refused:
        remote.take(ctx, "HT", "+84912345678")  # the same phone, written otherwise
    assert refused.value.code == "remote_one_per_person"
    remote.take(ctx, "HT", "0987 000 111", citizen_id="001090000001")
    with pytest.raises(Conflict) as refused:
        remote.take(ctx, "HT", "0987 000 222", citizen_id="001090000001")  # the same ID number
    assert refused.value.code == "remote_one_per_person"
    remote.take(ctx, "TKQ", "0987 000 333")  # TKQ: cap 5, 40 % → 2 remote numbers
    remote.take(ctx, "TKQ", "0987 000 444")
    with pytest.raises(Conflict) as refused:
        remote.take(ctx, "TKQ", "0987 000 555")
    assert refused.value.code == "remote_share_full" and refused.value.params["limit"] == 2


def test_a_served_phone_may_take_another_number(day):
    ctx, clock, _ = day
    turn_on(ctx)
    first = remote.take(ctx, "HT", PHONE)
    remote.check_in(ctx, first["token"], "clerk")
    counters.call_next(ctx, 1)
    counters.finish(ctx, 1)
    assert remote.take(ctx, "HT", PHONE)["number"] == "A002"


def test_near_and_called_notices_reach_the_notifier_once(day):
    ctx, clock, _ = day
    ctx.notifier = RecordingNotifier()
    turn_on(ctx, near_ahead=1, webhook_url="http://receiver.test/hook", webhook_secret="s3")
    for _ in range(3):
        kiosk(ctx)
    away = remote.take(ctx, "HT", PHONE)
    assert ctx.notifier.sent == []  # three people ahead: not near yet
    counters.call_next(ctx, 1)
    assert ctx.notifier.sent == []
    counters.call_next(ctx, 2)  # one ahead now
    (near,) = ctx.notifier.sent
    assert near.event == "ticket.near" and near.url == "http://receiver.test/hook"
    assert near.payload["phone"] == "0912345678"
    assert near.payload["ticket"]["number"] == "A004"
    assert near.payload["ticket"]["people_ahead"] == 1
    assert near.payload["ticket"]["status_url"] == f"http://hub.test/t/{away['token']}"
    remote.check_in(ctx, away["token"], "scan")
    counters.call_next(ctx, 3)
    counters.call_next(ctx, 4)
    assert [n.event for n in ctx.notifier.sent] == ["ticket.near", "ticket.called"]
    called = ctx.notifier.sent[1].payload["ticket"]
    assert (called["number"], called["counter"], called["status"]) == ("A004", 4, "called")


def test_reports_count_remote_numbers_apart(day):
    ctx, clock, _ = day
    turn_on(ctx, lose_place_after=1)
    served, lost, never = (remote.take(ctx, "HT", f"091200000{n}") for n in range(3))
    clock.advance(1)
    remote.check_in(ctx, served["token"], "scan")
    kiosk(ctx)
    counters.call_next(ctx, 1)
    counters.finish(ctx, 1)
    counters.call_next(ctx, 1)  # the kiosk number: lost and never pass their turn
    remote.check_in(ctx, lost["token"], "scan")
    closing.close_day(ctx, None)
    today = clock.now.astimezone(ctx.tz).date()
    report = summary(ctx, today, today)
    assert report["remote"] == {"taken": 3, "checked_in": 2, "lost_place": 2, "served": 1}
    assert never["status"] == "remote"
