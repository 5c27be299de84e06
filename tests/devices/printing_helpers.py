"""Shared test helpers for the printing tests: sample tickets and OCR through tesseract."""

from __future__ import annotations

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
    done = subprocess.run(cmd, input=buf.getvalue(), capture_output=True, timeout=60, check=True)
    return done.stdout.decode("utf-8")


needs_tesseract = pytest.mark.skipif(
    shutil.which("tesseract") is None, reason="needs tesseract-ocr"
)
needs_socat = pytest.mark.skipif(shutil.which("socat") is None, reason="needs socat")
