"""/admin/services, /admin/counters, /admin/priority: the queue's set-up."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import abort, request
from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from kiosk.admin.blueprint import bp
from kiosk.admin.forms import CounterForm, Form, GroupForm, PolicyForm, ServiceForm
from kiosk.admin.guard import Page, actor_id, ctx, page_role, press_row, shown, submit
from kiosk.core.errors import InvalidInput
from kiosk.usecases import admin_priority, admin_setup, admin_views

# -- a row's own page (a field, a priority group) -------------------------------------------


@dataclass(frozen=True)
class RowPage:
    """A list whose rows (keyed by code) each have a page: the row's form, filled with it;
    Save changes it through the use case, Cancel goes back to the list."""

    rows: Callable  # ctx → the list's rows (dicts)
    form: type[Form]
    update: Callable  # (ctx, actor, code, the form's values) → None
    values: Callable  # the form → the values `update` takes
    back: str  # the list's endpoint, where Save and Cancel go
    fields: str  # the macro of admin/_form.html that draws the form's fields
    title: LazyString  # the page's title, %(code)s filled in
    saved: LazyString  # what Save says, %(code)s filled in


def _row_page(page: RowPage, code: str):
    form = page.form(data=_one(page.rows(ctx()), "code", code))

    def save() -> str:
        page.update(ctx(), actor_id(), code, page.values(form))
        return str(page.saved) % {"code": code}

    title = str(page.title) % {"code": code}
    shown_page = shown("admin/row.html", form=form, title=title, fields=page.fields, back=page.back)
    return submit(form, save, page.back, shown_page)


def _one(rows: list[dict], key: str, value) -> dict:
    """The row of an admin list whose `key` is `value`; a page of its own, or 404."""
    row = next((r for r in rows if r[key] == value), None)
    if row is None:
        abort(404)
    return row


# -- fields ---------------------------------------------------------------------------------


def _service_values(form: ServiceForm) -> admin_setup.ServiceValues:
    return admin_setup.ServiceValues(
        name=form.name.data or "",
        name_en=form.name_en.data or "",
        prefix=(form.prefix.data or "").upper(),
        daily_cap=form.daily_cap.data,
        target_wait_min=form.target_wait_min.data,
        hours_text=form.hours_text.data or "",
        active=form.active.data,
        position=form.position.data or 0,
    )


SERVICE = RowPage(
    admin_views.services,
    ServiceForm,
    admin_setup.update_service,
    _service_values,
    "admin.services",
    "service_fields",
    _l("Field %(code)s"),
    _l("Field %(code)s saved."),
)


@bp.route("/services", methods=["GET", "POST"])
@page_role("admin")
def services():
    form = ServiceForm()

    def add() -> str:
        code = form.code.data or ""
        code = admin_setup.add_service(ctx(), actor_id(), code, _service_values(form))
        return _("Field %(code)s added.", code=code)

    return submit(
        form,
        add,
        "admin.services",
        shown("admin/services.html", services=admin_views.services(ctx()), form=form),
    )


@bp.route("/services/<code>", methods=["GET", "POST"])
@page_role("admin")
def service(code: str):
    return _row_page(SERVICE, code)


# -- counters -------------------------------------------------------------------------------


def _chosen_services() -> list[str]:
    """order-CODE inputs: a number puts the field in the counter's list at that place."""
    chosen = []
    for key, value in request.form.items():
        if not key.startswith("order-") or not value.strip():
            continue
        try:
            place = int(value)
        except ValueError as error:
            raise InvalidInput("invalid_order", value=value[:10]) from error
        chosen.append((place, key[len("order-") :]))
    return [code for _, code in sorted(chosen)]


def _counters_page(form: CounterForm | None = None) -> Page:
    """The counters with the new-counter form (blank unless given)."""

    def read() -> dict:
        return {"counters": admin_views.counters(ctx()), "services": admin_views.services(ctx())}

    return shown(
        "admin/counters.html", read, form=form if form is not None else CounterForm(formdata=None)
    )


@bp.route("/counters", methods=["GET", "POST"])
@page_role("admin")
def counters():
    form = CounterForm()

    def add() -> str:
        if form.number.data is None:
            raise InvalidInput("invalid_counter_number", counter="")
        name, services = form.name.data or "", _chosen_services()
        admin_setup.add_counter(
            ctx(), actor_id(), form.number.data, name, services, name_en=form.name_en.data or ""
        )
        return _("Counter %(n)s added.", n=form.number.data)

    return submit(form, add, "admin.counters", _counters_page(form))


@bp.route("/counters/<int:number>", methods=["GET", "POST"])
@page_role("admin")
def counter(number: int):
    current = _one(admin_views.counters(ctx()), "number", number)
    form = CounterForm(data=current)

    def save() -> str:
        name, services = form.name.data or "", _chosen_services()
        admin_setup.update_counter(
            ctx(), actor_id(), number, name, services, name_en=form.name_en.data or ""
        )
        return _("Counter %(n)s saved.", n=number)

    def read() -> dict:
        return {"services": admin_views.services(ctx())}

    return submit(
        form, save, "admin.counters", shown("admin/counter.html", read, counter=current, form=form)
    )


@bp.post("/counters/<int:number>/remove")
@page_role("admin")
def remove_counter(number: int):
    said = _("Counter %(n)s removed.", n=number)
    return press_row(admin_setup.remove_counter, number, said, "admin.counters", _counters_page())


# -- priority -------------------------------------------------------------------------------


def _group_values(form: GroupForm) -> admin_priority.GroupValues:
    return admin_priority.GroupValues(
        name=form.name.data or "",
        name_en=form.name_en.data or "",
        description=form.description.data or "",
        description_en=form.description_en.data or "",
        position=form.position.data or 0,
        min_age=form.min_age.data,
    )


GROUP = RowPage(
    admin_views.priority_groups,
    GroupForm,
    admin_priority.update_group,
    _group_values,
    "admin.priority",
    "group_fields",
    _l("Priority group %(code)s"),
    _l("Priority group saved."),
)


def _priority_page(policy_form=None, group_form=None) -> Page:
    """The priority page with the policy and the new-group form (blank unless given)."""

    def read() -> dict:
        policy = policy_form
        if policy is None:
            policy = PolicyForm(data=_policy_data(), formdata=None)
        return {"groups": admin_views.priority_groups(ctx()), "policy_form": policy}

    return shown(
        "admin/priority.html",
        read,
        form=group_form if group_form is not None else GroupForm(formdata=None),
    )


@bp.get("/priority")
@page_role("admin")
def priority():
    return _priority_page(PolicyForm(data=_policy_data()))(None, 200)


def _policy_data() -> dict:
    current = admin_views.centre(ctx())
    return {"mode": current["policy_mode"], "normal_per_priority": current["normal_per_priority"]}


@bp.post("/priority/policy")
@page_role("admin")
def save_policy():
    form = PolicyForm()

    def save() -> str:
        per_priority = form.normal_per_priority.data or 3
        admin_priority.save_policy(ctx(), actor_id(), form.mode.data, per_priority)
        return _("Priority rule saved.")

    return submit(form, save, "admin.priority", _priority_page(policy_form=form))


@bp.post("/priority")
@page_role("admin")
def add_group():
    form = GroupForm()

    def add() -> str:
        admin_priority.add_group(ctx(), actor_id(), form.code.data or "", _group_values(form))
        return _("Priority group added.")

    return submit(form, add, "admin.priority", _priority_page(group_form=form))


@bp.route("/priority/<code>", methods=["GET", "POST"])
@page_role("admin")
def group(code: str):
    return _row_page(GROUP, code)


@bp.post("/priority/<code>/remove")
@page_role("admin")
def remove_group(code: str):
    said = _("Priority group removed.")
    return press_row(admin_priority.remove_group, code, said, "admin.priority", _priority_page())
