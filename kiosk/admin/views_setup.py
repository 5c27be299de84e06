"""/admin/services, /admin/counters, /admin/priority: the queue's set-up."""

from __future__ import annotations

from flask import abort, render_template, request
from flask_babel import gettext as _

from kiosk.admin import bp
from kiosk.admin.forms import ButtonForm, CounterForm, GroupForm, PolicyForm, ServiceForm
from kiosk.admin.guard import actor_id, ctx, done, explain, page_role
from kiosk.core.errors import DomainError, InvalidInput
from kiosk.usecases import admin_priority, admin_setup, admin_views

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


@bp.route("/services", methods=["GET", "POST"])
@page_role("admin")
def services():
    form = ServiceForm()
    error = None
    if form.validate_on_submit():
        try:
            code = admin_setup.add_service(
                ctx(), actor_id(), form.code.data or "", _service_values(form)
            )
            return done(_("Field %(code)s added.", code=code), "admin.services")
        except DomainError as refused:
            error = explain(refused)
    status = 400 if form.errors or error else 200
    return render_template(
        "admin/services.html", services=admin_views.services(ctx()), form=form, error=error
    ), status


@bp.route("/services/<code>", methods=["GET", "POST"])
@page_role("admin")
def service(code: str):
    current = next((s for s in admin_views.services(ctx()) if s["code"] == code), None)
    if current is None:
        abort(404)
    form = ServiceForm(data=current)
    error = None
    if form.validate_on_submit():
        try:
            admin_setup.update_service(ctx(), actor_id(), code, _service_values(form))
            return done(_("Field %(code)s saved.", code=code), "admin.services")
        except DomainError as refused:
            error = explain(refused)
    status = 400 if form.errors or error else 200
    return render_template("admin/service.html", service=current, form=form, error=error), status


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


def _counters_page(form: CounterForm, error: str | None, status: int):
    return render_template(
        "admin/counters.html",
        counters=admin_views.counters(ctx()),
        services=admin_views.services(ctx()),
        form=form,
        remove_form=ButtonForm(),
        error=error,
    ), status


@bp.route("/counters", methods=["GET", "POST"])
@page_role("admin")
def counters():
    form = CounterForm()
    error = None
    if form.validate_on_submit():
        try:
            if form.number.data is None:
                raise InvalidInput("invalid_counter_number", counter="")
            admin_setup.add_counter(
                ctx(), actor_id(), form.number.data, form.name.data or "", _chosen_services()
            )
            return done(_("Counter %(n)s added.", n=form.number.data), "admin.counters")
        except DomainError as refused:
            error = explain(refused)
    return _counters_page(form, error, 400 if form.errors or error else 200)


@bp.route("/counters/<int:number>", methods=["GET", "POST"])
@page_role("admin")
def counter(number: int):
    current = next((c for c in admin_views.counters(ctx()) if c["number"] == number), None)
    if current is None:
        abort(404)
    form = CounterForm(data=current)
    error = None
    if form.validate_on_submit():
        try:
            admin_setup.update_counter(
                ctx(), actor_id(), number, form.name.data or "", _chosen_services()
            )
            return done(_("Counter %(n)s saved.", n=number), "admin.counters")
        except DomainError as refused:
            error = explain(refused)
    status = 400 if form.errors or error else 200
    return render_template(
        "admin/counter.html",
        counter=current,
        services=admin_views.services(ctx()),
        form=form,
        error=error,
    ), status


@bp.post("/counters/<int:number>/remove")
@page_role("admin")
def remove_counter(number: int):
    form = ButtonForm()
    error = None
    if form.validate_on_submit():
        try:
            admin_setup.remove_counter(ctx(), actor_id(), number)
            return done(_("Counter %(n)s removed.", n=number), "admin.counters")
        except DomainError as refused:
            error = explain(refused)
    return _counters_page(CounterForm(formdata=None), error or _("Please try again."), 400)


# -- priority -------------------------------------------------------------------------------


def _group_values(form: GroupForm) -> admin_priority.GroupValues:
    return admin_priority.GroupValues(
        name=form.name.data or "",
        name_en=form.name_en.data or "",
        description=form.description.data or "",
        description_en=form.description_en.data or "",
        position=form.position.data or 0,
    )


def _priority_page(policy_form, group_form, error: str | None, status: int):
    return render_template(
        "admin/priority.html",
        groups=admin_views.priority_groups(ctx()),
        policy_form=policy_form,
        form=group_form,
        remove_form=ButtonForm(),
        error=error,
    ), status


@bp.get("/priority")
@page_role("admin")
def priority():
    policy_form = PolicyForm(data=_policy_data())
    return _priority_page(policy_form, GroupForm(formdata=None), None, 200)


def _policy_data() -> dict:
    current = admin_views.centre(ctx())
    return {"mode": current["policy_mode"], "normal_per_priority": current["normal_per_priority"]}


@bp.post("/priority/policy")
@page_role("admin")
def save_policy():
    form = PolicyForm()
    error = None
    if form.validate_on_submit():
        try:
            admin_priority.save_policy(
                ctx(), actor_id(), form.mode.data, form.normal_per_priority.data or 3
            )
            return done(_("Priority rule saved."), "admin.priority")
        except DomainError as refused:
            error = explain(refused)
    return _priority_page(form, GroupForm(formdata=None), error, 400)


@bp.post("/priority")
@page_role("admin")
def add_group():
    form = GroupForm()
    error = None
    if form.validate_on_submit():
        try:
            admin_priority.add_group(ctx(), actor_id(), form.code.data or "", _group_values(form))
            return done(_("Priority group added."), "admin.priority")
        except DomainError as refused:
            error = explain(refused)
    return _priority_page(PolicyForm(data=_policy_data(), formdata=None), form, error, 400)


@bp.route("/priority/<code>", methods=["GET", "POST"])
@page_role("admin")
def group(code: str):
    current = next((g for g in admin_views.priority_groups(ctx()) if g["code"] == code), None)
    if current is None:
        abort(404)
    form = GroupForm(data=current)
    error = None
    if form.validate_on_submit():
        try:
            admin_priority.update_group(ctx(), actor_id(), code, _group_values(form))
            return done(_("Priority group saved."), "admin.priority")
        except DomainError as refused:
            error = explain(refused)
    status = 400 if form.errors or error else 200
    return render_template("admin/group.html", group=current, form=form, error=error), status


@bp.post("/priority/<code>/remove")
@page_role("admin")
def remove_group(code: str):
    form = ButtonForm()
    error = None
    if form.validate_on_submit():
        try:
            admin_priority.remove_group(ctx(), actor_id(), code)
            return done(_("Priority group removed."), "admin.priority")
        except DomainError as refused:
            error = explain(refused)
    return _priority_page(
        PolicyForm(data=_policy_data(), formdata=None),
        GroupForm(formdata=None),
        error or _("Please try again."),
        400,
    )
