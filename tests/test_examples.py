"""The example centre files: each loads into a fresh database as `motcua run --config`
would, and they describe centres as they are since 1 July 2025 (two-tier local
government, Decree 118/2025/NĐ-CP)."""

from __future__ import annotations

import tomllib

import pytest
from sqlalchemy import select

from kiosk.store import Store, migrate
from kiosk.store.seed import read_centre_file, seed
from kiosk.store.tables import PriorityGroupRow, ServiceRow
from tests.support.hubs import ROOT

EXAMPLES = sorted((ROOT / "examples").glob("*.toml"))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_every_example_seeds_a_centre_with_an_elderly_age(path, tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'hub.db'}")
    migrate.upgrade(store.url)
    with store.write() as session:
        centre = seed(session, read_centre_file(path))
        centre_id = centre.id
    with store.read() as session:
        ages = session.execute(
            select(PriorityGroupRow.code, PriorityGroupRow.min_age).where(
                PriorityGroupRow.centre_id == centre_id
            )
        ).all()
        fields = session.execute(select(ServiceRow.name)).scalars().all()
    store.dispose()
    assert ("elderly", 60) in ages  # a citizen ID card of someone 60 or over proposes it
    assert not any("Lao động - Thương binh" in name for name in fields)


def test_the_demo_is_a_commune_centre_of_lai_chau():
    demo = tomllib.loads((ROOT / "examples/demo-centre.toml").read_text(encoding="utf-8"))
    centre = demo["centre"]
    assert centre["code"] == "xa-than-uyen"
    assert centre["name"] == "Trung tâm Phục vụ hành chính công xã Than Uyên"
    assert "0213" in centre["ticker"] and "0214" not in centre["ticker"]  # Lai Châu's code
    text = (ROOT / "examples/demo-centre.toml").read_text(encoding="utf-8")
    uncommented = "\n".join(line.split("#")[0] for line in text.splitlines())
    for gone in ("huyện", "UBND", "Thương binh và Xã hội"):
        assert gone not in uncommented, gone
    province = tomllib.loads((ROOT / "examples/province-centre.toml").read_text("utf-8"))
    assert province["centre"]["name"] == "Trung tâm Phục vụ hành chính công tỉnh Lai Châu"
