"""A citizen who took the number in English gets an English ticket; in Vietnamese, a
Vietnamese one (kiosk.usecases.print_jobs.job_content, kiosk.messages.ticket_labels).

The paper is built as every printer owner builds it: the stored job's content, sent as
JSON (to a device agent over Socket.IO), read back by devices/rendering/wire.py."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from devices.rendering import TicketPrint, info_lines, render_ticket
from devices.rendering.wire import ticket_from_wire
from kiosk.store.tables import PrintJobRow
from kiosk.usecases import print_jobs
from tests.support.hubs import DUMMY_KIOSK_PRINTER

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "centre.toml"


def take_number(client, lang: str, priority: str | None = None) -> dict:
    body = {"service": "HT", "kiosk": "kiosk-1"}
    if priority:
        body["priority"] = priority
    answer = client.post(f"/api/v1/tickets?lang={lang}", json=body)
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()


def test_the_ticket_is_printed_in_the_language_the_number_was_taken_in(app_factory, tmp_path):
    centre = tmp_path / "centre.toml"
    centre.write_text(FIXTURE.read_text(encoding="utf-8") + DUMMY_KIOSK_PRINTER, encoding="utf-8")
    app = app_factory(centre_file=centre)
    hub = app.extensions["motcua"]
    client = app.test_client()
    english = take_number(client, "en", priority="pregnant")
    vietnamese = take_number(client, "vi")

    with hub.store.read() as session:
        jobs = {
            job.ticket_id: (job.id, job.language)
            for job in session.execute(select(PrintJobRow)).scalars()
        }
    assert jobs[english["id"]][1] == "en" and jobs[vietnamese["id"]][1] == "vi"

    def paper(job_id: int) -> TicketPrint:
        content = print_jobs.job_content(hub.ctx, job_id)
        assert content["job"] == job_id and content["printer"] == "kiosk-1"
        return ticket_from_wire(json.loads(json.dumps(content))["ticket"])

    paper_en = paper(jobs[english["id"]][0])
    paper_vi = paper(jobs[vietnamese["id"]][0])

    assert info_lines(paper_en)[:2] == ["People ahead of you: 0", "You will be called very soon"]
    assert info_lines(paper_en)[2].startswith("Number taken at ")
    assert paper_en.labels.qr_caption == "Scan to follow your turn on your phone"
    assert paper_en.priority_label == "Pregnant women or mothers of a baby under 12 months"

    assert info_lines(paper_vi)[0] == "Số người đang chờ trước Ông/Bà: 1"  # the priority one
    assert info_lines(paper_vi)[2].startswith("Thời gian lấy số: ")
    assert paper_vi.labels.qr_caption == "Quét mã để theo dõi lượt của Ông/Bà trên điện thoại"
    # "khoảng", never "~", on paper
    assert (
        paper_vi.labels.estimated_wait.format(minutes=12) == "Thời gian chờ dự kiến: khoảng 12 phút"
    )
    assert paper_en.labels.estimated_wait.format(minutes=12) == "Estimated wait: about 12 minutes"
    for paper in (paper_en, paper_vi):
        assert render_ticket(paper, 576).width == 576  # the labels fit the renderer
