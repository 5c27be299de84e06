"""Schemathesis against /api/v1/openapi.json on a real hub, as an admin (who may
call everything): no 500, every answer's status, content type and body as the
document says.  A fixed seed keeps CI repeatable.  The suite draws 5 examples per
operation after the examples and coverage phases (every operation is called; the
coverage phase's 1,000-odd boundary cases do not depend on that count, and 10 examples
added 3 s and no finding); MOTCUA_FUZZ_EXAMPLES=200 runs it longer.

Schemathesis draws bodies close to the document; it never nests 100,000 deep or
sends half a megabyte.  So every JSON route the document lists also gets a fixed
set of deep, large and odd bodies, and wrong types and control characters in each
of its fields (Flask's test client, a few seconds): each answer is a documented
status below 500 with a JSON {error, message}."""

from __future__ import annotations

import itertools
import json
import math
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.api.openapi import SPEC
from kiosk.payloads import MAX_JSON_BYTES
from tests.conftest import need
from tests.support.routes import SAMPLE

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
    examples = os.environ.get("MOTCUA_FUZZ_EXAMPLES", "5")
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
        summary = json.loads(report.read_text())  # the run wrote a readable report
        operations = summary.get("operations", {})
        # 5 examples per operation still call every operation the document lists
        assert operations.get("tested") == operations.get("total"), operations
    served = hub.log_path.read_text(errors="replace")
    assert "unexpected error" not in served, served[served.find("unexpected error") :][:3000]


DEEP = 100_000
ODD_BODIES = [
    "[" * DEEP + "]" * DEEP,
    "[" * DEEP,  # never closed
    '{"a":' * 10_000 + "1" + "}" * 10_000,
    '{"a": "' + "x" * (MAX_JSON_BYTES + 10) + '"}',  # too large
    "",
    "not json",
    "null",
    "[]",
    '"text"',
    "1e999",
    "NaN",
    '{"a": ' + "9" * 5000 + "}",  # beyond Python's int-from-text limit
    '{"a": "\\ud800"}',  # a lone surrogate
    b"\xff\xfe{}",  # not UTF-8
]
ODD_VALUES = [
    None,
    True,
    -1,
    2**64,
    10**99,
    1.5,
    math.inf,
    math.nan,
    "",
    "x" * 20_000,
    "\x00",
    "a\tb",
    "\u202e\u2028",
    [],
    ["x", {"y": None}],
    {},
    {"nested": [[[]]]},
]


def _json_operations():
    for path, item in SPEC["paths"].items():
        for method, operation in item.items():
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if body is not None:
                concrete = re.sub(r"\{(\w+)\}", lambda m: SAMPLE[m.group(1)], path)
                yield pytest.param(
                    concrete, method, operation, body["schema"], id=f"{method} {path}"
                )


def _fields(schema: dict) -> list[str]:
    return sorted(schema.get("properties", {})) + ["unknown_key"]


_addresses = (f"10.77.{i // 250}.{i % 250 + 1}" for i in itertools.count())


@pytest.mark.parametrize(("path", "method", "operation", "schema"), list(_json_operations()))
def test_deep_large_and_odd_bodies_get_a_documented_answer_never_a_500(
    client, bearer, path, method, operation, schema
):
    headers = bearer()
    documented = {int(code) for code in operation["responses"] if code.isdigit()}
    sent = [(raw, "application/json") for raw in ODD_BODIES]
    sent.append(('{"a": 1}', "text/plain"))  # not JSON by its type
    for field in _fields(schema):
        for value in ODD_VALUES:
            sent.append((json.dumps({field: value}), "application/json"))
    for raw, content_type in sent:
        answer = client.open(
            path,
            method=method.upper(),
            data=raw if isinstance(raw, bytes) else raw.encode(),
            content_type=content_type,
            headers=headers,
            environ_base={"REMOTE_ADDR": next(_addresses)},  # past the per-address limits
        )
        shown = f"{method.upper()} {path} {raw[:60]!r}"
        assert answer.status_code < 500, (shown, answer.get_data(as_text=True)[:300])
        assert answer.status_code in documented, (shown, answer.status_code)
        if answer.status_code >= 400:
            error = answer.get_json()
            assert error["error"] and error["message"].strip(), shown
