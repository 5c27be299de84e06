"""Schemathesis against /api/v1/openapi.json on a real hub, as an admin (who may
call everything): no 500, every answer's status, content type and body as the
document says.  A fixed seed keeps CI repeatable; `make fuzz` runs it longer."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import need

CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_schema_conformance",
    ]
)


def _schemathesis() -> str | None:
    local = Path(sys.executable).parent / "schemathesis"
    return str(local) if local.exists() else shutil.which("schemathesis")


def test_fuzzing_the_api_finds_no_server_error_and_no_schema_violation(hub, tmp_path):
    tool = _schemathesis()
    need(tool is not None, "schemathesis is not installed (pip install -e '.[test]')")
    examples = os.environ.get("MOTCUA_FUZZ_EXAMPLES", "25")
    report = tmp_path / "report.json"
    result = subprocess.run(
        [
            tool,
            "run",
            f"{hub.url}/api/v1/openapi.json",
            "--url",
            hub.url,
            "-H",
            f"Authorization: {hub.auth()['Authorization']}",
            "--checks",
            CHECKS,
            "--max-examples",
            examples,
            "--seed",
            "20261123",
            "--phases",
            "examples,coverage,fuzzing",
            "--workers",
            "1",
            "--request-timeout",
            "10",
            "--no-color",
            "--generation-database",
            "none",
            "--report",
            "json",
            "--report-json-path",
            str(report),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,  # schemathesis keeps a cache folder where it runs
    )
    tail = (result.stdout + result.stderr)[-6000:]
    assert result.returncode == 0, tail
    assert "operations" in result.stdout.lower() or report.exists(), tail
    if report.exists():
        json.loads(report.read_text())  # the run wrote a readable report
    served = hub.log_path.read_text(errors="replace")
    assert "unexpected error" not in served, served[served.find("unexpected error") :][:3000]
