"""The OpenAPI document describes exactly the routes the hub serves."""

from __future__ import annotations

import re

import requests

from kiosk.api.openapi import SPEC
from tests.support.routes import SAMPLE


def _flask_to_openapi(rule: str) -> list[str]:
    """/api/v1/counters/<int:number>/<any(recall, start):action> → concrete OpenAPI paths."""
    any_match = re.search(r"<any\(([^)]*)\):\w+>", rule)
    if any_match:
        options = [o.strip().strip("'\"") for o in any_match.group(1).split(",")]
        return [p for o in options for p in _flask_to_openapi(rule.replace(any_match.group(0), o))]
    return [re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule)]


def test_openapi_document_matches_the_route_table(hub):
    served = requests.get(f"{hub.url}/api/v1/openapi.json", timeout=10).json()
    assert served["openapi"].startswith("3.")
    from kiosk.api import bp  # noqa: F401  (routes are registered on import)
    from kiosk.app import create_app
    from kiosk.config import Config
    from tests.conftest import TEST_CENTRE

    app = create_app(
        Config.from_env(
            instance_path=hub.tmp / "openapi-instance",
            database_url=f"sqlite:///{hub.tmp / 'openapi.db'}",
            centre_file=str(TEST_CENTRE),
            secret_key="x",
        )
    )
    routes = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1"):
            continue
        for path in _flask_to_openapi(rule.rule):
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                routes.add((path, method.lower()))
    documented = {(path, method) for path, item in SPEC["paths"].items() for method in item}
    assert routes == documented, {
        "undocumented": routes - documented,
        "not served": documented - routes,
    }
    assert served["paths"].keys() == SPEC["paths"].keys()


def _concrete(path: str) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: SAMPLE[m.group(1)], path)


def _operations():
    for path, item in SPEC["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


def test_every_route_documents_the_refusal_of_a_foreign_host(client):
    for path, method, operation in _operations():
        answer = client.open(
            _concrete(path), method=method.upper(), headers={"Host": "evil.example"}
        )
        assert answer.status_code == 400, (path, method)
        assert answer.get_json()["error"] == "host_not_allowed"
        assert "host_not_allowed" in operation["responses"]["400"]["description"], path


def test_every_json_body_documents_and_gets_the_body_refusals(client, bearer):
    headers = bearer()
    deep = "[" * 40 + "]" * 40
    reading = [(p, m, o) for p, m, o in _operations() if "requestBody" in o]
    assert len(reading) > 10
    for path, method, operation in reading:
        documented = operation["responses"]["400"]["description"]
        if "application/json" not in operation["requestBody"]["content"]:
            continue  # the CSV import: its limits are its own (test_input_hardening)
        for code in ("too_deep", "body_too_large", "control_character"):
            assert f"`{code}`" in documented, (path, code)
        answer = client.open(
            _concrete(path),
            method=method.upper(),
            data='{"a": ' + deep + "}",
            content_type="application/json",
            headers=headers,
        )
        assert (answer.status_code, answer.get_json()["error"]) == (400, "too_deep"), path


def test_login_limits_and_rating_proofs_are_documented():
    token = SPEC["paths"]["/api/v1/auth/token"]["post"]
    assert "Retry-After" in token["responses"]["429"]["headers"]
    assert "account_locked" in token["description"]
    by_id = SPEC["paths"]["/api/v1/tickets/{ticket_id}/rating"]["post"]
    body = by_id["requestBody"]["content"]["application/json"]["schema"]["properties"]
    assert {"score", "reasons", "comment", "token", "key"} <= body.keys()
    assert "rating_not_allowed" in by_id["responses"]["403"]["description"]
    by_token = SPEC["paths"]["/api/v1/tickets/by-token/{token}/rating"]["post"]
    assert "201" in by_token["responses"] and "security" not in by_token
