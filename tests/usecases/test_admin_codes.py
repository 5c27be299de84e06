"""A field or a priority group added with a code already taken, or not a code at all,
is refused in words that name the code (it used to end in a server error)."""

from __future__ import annotations

import pytest

from kiosk.core.errors import Conflict, InvalidInput
from kiosk.messages import message
from kiosk.usecases import admin_priority, admin_setup, admin_views


@pytest.fixture
def ctx_in_app(day, app):
    """The use cases' context, in a request of a Vietnamese page (Flask-Babel: the texts)."""
    ctx, _, _ = day
    with app.test_request_context("/admin"):
        yield ctx


def test_a_taken_field_code_is_refused_and_named(ctx_in_app):
    ctx = ctx_in_app
    taken = admin_views.services(ctx)[0]["code"]
    values = admin_setup.ServiceValues(name="Đất đai", name_en="Land", prefix="Q")
    with pytest.raises(Conflict) as refused:
        admin_setup.add_service(ctx, None, taken.lower(), values)
    assert message(refused.value.code, **refused.value.params) == f"Mã {taken} đã được dùng."
    with pytest.raises(InvalidInput) as refused:
        admin_setup.add_service(ctx, None, "A B", values)
    assert "(không phải A B)" in message(refused.value.code, **refused.value.params)
    assert [s["code"] for s in admin_views.services(ctx)].count(taken) == 1


def test_a_taken_priority_group_code_is_refused_and_named(ctx_in_app):
    ctx = ctx_in_app
    values = admin_priority.GroupValues(name="Thương binh")
    admin_priority.add_group(ctx, None, "veteran", values)
    with pytest.raises(Conflict) as refused:
        admin_priority.add_group(ctx, None, "Veteran", values)
    assert message(refused.value.code, **refused.value.params) == "Mã veteran đã được dùng."
    with pytest.raises(InvalidInput) as refused:
        admin_priority.add_group(ctx, None, "war veteran", values)
    assert "(không phải war veteran)" in message(refused.value.code, **refused.value.params)
