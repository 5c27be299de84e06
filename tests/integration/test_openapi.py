"""The OpenAPI document describes exactly the routes the hub serves."""

from __future__ import annotations

import re

import requests

from kiosk.api.openapi import SPEC


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
