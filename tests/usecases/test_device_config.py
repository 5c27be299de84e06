"""A centre's devices in the database (kiosk/usecases/device_config.py): seeded once
from the centre file, checked by the same rules as the admin forms, read per owner;
changed through kiosk/usecases/admin_devices.py (audited, version bumped,
`devices_changed` to the owner and the agents)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from kiosk import rooms
from kiosk.core.errors import Conflict, InvalidInput, NotFound
from kiosk.store.seed import read_centre_file
from kiosk.store.tables import AuditRow, DeviceStatusRow, PrintJobRow
from kiosk.usecases import admin_devices, device_config, device_status
from kiosk.usecases.device_config import Agent, Kiosk, Printer, Scanner
from tests.support.hubs import TEST_CENTRE
from tests.support.usecases import take

DEVICES = {
    "agents": [{"name": "pc-le-tan"}],
    "printers": [
        {"name": "quay-1", "url": "tcp://192.168.1.50:9100", "paper_mm": 58},
        {"name": "sanh", "url": "usb://04b8:0202", "agent": "pc-le-tan"},
    ],
    "scanners": [
        {"name": "sanh-scanner", "url": "/dev/ttyACM0", "use": "kiosk:sanh", "agent": "pc-le-tan"},
        {"name": "quay-2-scanner", "url": "/dev/ttyACM1", "use": "counter:2", "baudrate": 115200},
    ],
    "kiosks": [{"name": "sanh", "printer": "sanh"}, {"name": "tang-2"}],
}


def centre(**devices) -> dict:
    return {**read_centre_file(TEST_CENTRE), **devices}


def test_the_centre_file_seeds_the_devices_once(ctx):
    assert device_config.devices_of(ctx).version == 0  # never loaded: nothing stored
    assert device_config.seed_from_file(ctx, centre(**DEVICES)) is True
    setup = device_config.devices_of(ctx)
    assert setup.version == 1
    assert setup.printer("quay-1") == Printer("quay-1", "tcp://192.168.1.50:9100", paper_mm=58)
    assert setup.printer("sanh").agent == "pc-le-tan"
    assert setup.scanner("quay-2-scanner").options == {"baudrate": 115200}
    assert setup.kiosk_printers == {"sanh": "sanh"}
    assert [a.name for a in setup.agents] == ["pc-le-tan"]

    # A second start with another file changes nothing: the admin pages own the devices now.
    assert device_config.seed_from_file(ctx, centre(printers=[], kiosks=[])) is False
    assert device_config.devices_of(ctx) == setup


def test_a_centre_without_kiosks_has_kiosk_1(ctx):
    device_config.seed_from_file(ctx, centre())
    assert device_config.devices_of(ctx).kiosk_names == ["kiosk-1"]


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"printers": [{"name": "x", "url": "ftp://x"}]}, "invalid_printer_url"),
        (
            {"printers": [{"name": "x", "url": "tcp://h:9100", "paper_mm": 72}]},
            "invalid_printer_setting",
        ),
        ({"printers": [{"name": "x", "url": "tcp://h:9100", "agent": "nobody"}]}, "unknown_agent"),
        ({"printers": [{"name": "x", "url": "dummy://"}] * 2}, "duplicate_device_name"),
        ({"printers": [{"name": "máy in 1", "url": "dummy://"}]}, "invalid_device_name"),
        (
            {"scanners": [{"name": "s", "url": "/dev/ttyACM0", "use": "quay 3"}]},
            "invalid_scanner_use",
        ),
        (
            {"scanners": [{"name": "s", "url": "/dev/x", "use": "counter:1", "baud": 9600}]},
            "invalid_scanner_setting",
        ),
        ({"kiosks": [{"name": "k", "printer": "missing"}]}, "unknown_printer"),
    ],
)
def test_a_wrong_device_in_the_centre_file_is_refused_and_nothing_stored(ctx, change, code):
    with pytest.raises(InvalidInput) as refused:
        device_config.seed_from_file(ctx, centre(**change))
    assert refused.value.code == code
    assert device_config.version(ctx) == 0


def test_each_owner_gets_its_own_printers_and_scanners(ctx):
    device_config.seed_from_file(ctx, centre(**DEVICES))
    hub_side = device_config.for_owner(ctx)
    assert [p.name for p in hub_side.printers] == ["quay-1"]
    assert [s.name for s in hub_side.scanners] == ["quay-2-scanner"]
    agent = device_config.for_owner(ctx, agent="pc-le-tan")
    assert [p.name for p in agent.printers] == ["sanh"]
    assert [s.name for s in agent.scanners] == ["sanh-scanner"]
    assert agent.kiosk_names == ["sanh", "tang-2"]  # a kiosk scanner's place is checked there
    with pytest.raises(NotFound) as unknown:
        device_config.for_owner(ctx, agent="pc-khac")
    assert unknown.value.code == "unknown_agent"


def test_an_admin_change_is_audited_stored_and_told_to_the_owners(ctx):
    device_config.seed_from_file(ctx, centre(**DEVICES))
    ctx.publisher.sent.clear()

    version = admin_devices.save(ctx, Printer("quay-3", "file:///tmp/q3.bin"), 7, adding=True)
    assert version == 2 and device_config.version(ctx) == 2
    changed = ctx.publisher.sent[-1]
    assert changed.name == "devices_changed" and changed.payload == {"version": 2}
    assert set(changed.rooms) == {
        rooms.device_owner(ctx.centre_id),
        rooms.agent(ctx.centre_id, "pc-le-tan"),
    }

    admin_devices.save(ctx, Kiosk("tang-2", "quay-3"), 7, adding=False)
    take(ctx, kiosk="tang-2")  # the next number prints there, no restart
    with ctx.store.read() as session:
        assert session.execute(select(PrintJobRow.printer)).scalars().all() == ["quay-3"]
        audit = session.execute(
            select(AuditRow.user_id, AuditRow.action, AuditRow.target, AuditRow.details).order_by(
                AuditRow.id
            )
        ).all()
    assert [tuple(a) for a in audit[-2:]] == [
        (
            7,
            "printer.add",
            "quay-3",
            {"url": "file:///tmp/q3.bin", "paper_mm": 80}
            | {"text_mode": "raster", "timeout_s": 5.0, "codepage": 52},
        ),
        (7, "kiosk.update", "tang-2", {"printer": [None, "quay-3"]}),
    ]

    moved = Scanner(
        "quay-2-scanner", "/dev/ttyACM1", "counter:3", "pc-le-tan", {"baudrate": 115200}
    )
    admin_devices.save(ctx, moved, 7, adding=False)
    assert device_config.devices_of(ctx).scanner("quay-2-scanner") == moved
    assert [s.name for s in device_config.for_owner(ctx).scanners] == []


def test_refused_changes_leave_the_set_up_as_it_was(ctx):
    device_config.seed_from_file(ctx, centre(**DEVICES))
    before = device_config.devices_of(ctx)
    attempts = [
        (
            lambda: admin_devices.save(ctx, Printer("quay-1", "dummy://"), 1, adding=True),
            Conflict,
            "duplicate_device_name",
        ),
        (
            lambda: admin_devices.save(ctx, Printer("khong-co", "dummy://"), 1, adding=False),
            NotFound,
            "unknown_device",
        ),
        (
            lambda: admin_devices.save(ctx, Printer("quay-1", "tcp://"), 1, adding=False),
            InvalidInput,
            "invalid_printer_url",
        ),
        (
            lambda: admin_devices.save(
                ctx, Scanner("s", "/dev/x", "kiosk:khong-co"), 1, adding=True
            ),
            NotFound,
            "unknown_kiosk",
        ),
        (
            lambda: admin_devices.save(ctx, Scanner("s", "/dev/x", "counter:99"), 1, adding=True),
            NotFound,
            "unknown_counter",
        ),
        (lambda: admin_devices.remove(ctx, "printer", "sanh", 1), Conflict, "device_in_use"),
        (lambda: admin_devices.remove(ctx, "agent", "pc-le-tan", 1), Conflict, "device_in_use"),
        (lambda: admin_devices.remove(ctx, "kiosk", "sanh", 1), Conflict, "device_in_use"),
    ]
    for attempt, error, code in attempts:
        with pytest.raises(error) as refused:
            attempt()
        assert refused.value.code == code
    assert device_config.devices_of(ctx) == before  # the version did not move either


def test_removing_a_device_forgets_its_status(ctx):
    device_config.seed_from_file(ctx, centre(**DEVICES))
    device_status.report(
        ctx, "printer:quay-1", {"kind": "printer", "name": "quay-1", "state": "online"}
    )
    admin_devices.remove(ctx, "printer", "quay-1", 3)
    admin_devices.save(ctx, Agent("pc-tang-2"), 3, adding=True)
    setup = device_config.devices_of(ctx)
    assert setup.printer("quay-1") is None and setup.agent("pc-tang-2") is not None
    with ctx.store.read() as session:
        assert session.get(DeviceStatusRow, (ctx.centre_id, "printer:quay-1")) is None
        actions = session.execute(select(AuditRow.action, AuditRow.target)).all()
    assert ("printer.remove", "quay-1") in actions and ("agent.add", "pc-tang-2") in actions
