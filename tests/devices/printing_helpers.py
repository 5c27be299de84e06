"""Shared test helpers for the printing tests: sample tickets and OCR through tesseract."""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import datetime
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest

from devices.rendering import TicketPrint

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def make_ticket(**overrides) -> TicketPrint:
    """A realistic ticket; any field can be overridden."""
    fields = dict(
        centre_name="Bộ phận Một cửa UBND huyện Than Uyên",
        service_name="Tư pháp - Hộ tịch",
        service_name_en="Justice - Civil status",
        number="A012",
        priority_label="Người cao tuổi",
        issued_at=datetime(2025, 3, 8, 9, 15, tzinfo=HCM),
        people_ahead=7,
        estimated_wait_s=1260,
        status_url="http://192.168.1.10:5000/t/Xy12abCD34efGH56",
        footer="Cảm ơn quý khách. Vui lòng chờ đến lượt.",
    )
    fields.update(overrides)
    return TicketPrint(**fields)


def ocr(image, *, lang: str = "vie", psm: int = 3, whitelist: str | None = None) -> str:
    """Text that tesseract reads from a PIL image: a user-level check of what is on paper."""
    cmd = ["tesseract", "stdin", "stdout", "-l", lang, "--psm", str(psm)]
    if whitelist:
        cmd += ["-c", f"tessedit_char_whitelist={whitelist}"]
    buf = BytesIO()
    image.convert("L").save(buf, format="PNG")
    # One OpenMP thread: the same image then always reads the same, on a busy machine too.
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    done = subprocess.run(
        cmd, input=buf.getvalue(), capture_output=True, timeout=60, check=True, env=env
    )
    return done.stdout.decode("utf-8")


def reads_number(image, number: str) -> bool:
    """The big number is on the paper: tesseract's page layout sometimes groups the huge
    glyphs with the QR code next to them, so a second layout mode (sparse text) is asked
    before concluding it is not there."""
    for psm in (3, 11):
        if number in ocr(image, psm=psm, whitelist="ABCDEFGHKLMNPQRSTUVXY0123456789").replace(
            " ", ""
        ):
            return True
    return False


needs_tesseract = pytest.mark.skipif(
    shutil.which("tesseract") is None, reason="needs tesseract-ocr"
)
needs_socat = pytest.mark.skipif(shutil.which("socat") is None, reason="needs socat")
