"""Device status rows are shared by every hub process: a burst of first reports for a
new device (status poll, first job, another process) must all land, none fail."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from kiosk.store import Store, device_status, migrate
from kiosk.store.seed import read_centre_file, seed
from tests.conftest import TEST_CENTRE


def test_many_first_reports_of_a_new_device_at_once(database_url):
    store = Store(database_url)
    migrate.upgrade(store.url)
    with store.write() as session:
        centre_id = seed(session, read_centre_file(TEST_CENTRE)).id
    try:

        def report(n: int) -> None:
            device_status.save(
                store, centre_id, "printer:kiosk-1", {"state": "online", "report": n}
            )

        with ThreadPoolExecutor(8) as pool:
            list(pool.map(report, range(40)))  # raises if any save failed
        stored = device_status.load_all(store, centre_id)
        assert stored["printer:kiosk-1"]["state"] == "online"
        device_status.save(store, centre_id, "printer:kiosk-1", {"state": "paper_out"})
        assert device_status.load_all(store, centre_id)["printer:kiosk-1"] == {"state": "paper_out"}
    finally:
        store.dispose()
