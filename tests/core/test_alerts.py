"""Supervisor alerts: a field past its target wait, a device in trouble."""

from __future__ import annotations

from kiosk.core.alerts import Waiting, device_alert, next_crossing, wait_alerts


def test_a_field_alerts_once_its_oldest_citizen_passes_the_target(at):
    oldest = [Waiting("HT", "A003", at("08:00")), Waiting("DD", "B001", at("08:05"))]
    targets = {"HT": 900, "DD": None}
    assert wait_alerts(oldest, targets, at("08:14:59")) == []
    [alert] = wait_alerts(oldest, targets, at("08:16"))
    assert alert.key == "wait:HT" and alert.since == at("08:15")
    assert alert.details == {"service": "HT", "number": "A003", "waited_s": 960, "target_s": 900}
    # DD has no target: never an alert, never a wake-up
    assert next_crossing(oldest, targets, at("08:10")) == at("08:15")
    assert next_crossing(oldest, targets, at("08:16")) is None


def test_offline_and_paper_out_printers_alert_and_a_working_one_does_not():
    assert device_alert("printer:kiosk-1", {"state": "online"}) is None
    offline = device_alert("printer:kiosk-1", {"state": "offline", "name": "kiosk-1"})
    assert offline.key == "device:printer:kiosk-1" and offline.details["state"] == "offline"
    paper = device_alert("printer:kiosk-1", {"state": "fault", "paper_out": True})
    assert paper.details["paper_out"] is True and paper.details["name"] == "kiosk-1"
