"""/admin (overview and "close the day"), /admin/centre, /admin/display."""

from __future__ import annotations

from flask import render_template
from flask_babel import gettext as _

from kiosk.admin.blueprint import bp
from kiosk.admin.forms import ButtonForm, CentreForm, DisplayForm
from kiosk.admin.guard import actor_id, ctx, done, page_role, shown, submit
from kiosk.usecases import admin_centre, admin_views, closing
from kiosk.usecases.read_models import QueueReader


@bp.get("")
@bp.get("/")
@page_role("admin")
def index():
    return render_template("admin/index.html", waiting=_waiting(), close_form=ButtonForm())


def _waiting() -> int:
    with ctx().store.read() as session:
        return len(QueueReader(ctx(), session).waiting)


@bp.post("/close-day")
@page_role("admin")
def close_day():
    form = ButtonForm()
    if not form.validate_on_submit():
        return render_template("admin/index.html", waiting=_waiting(), close_form=form), 400
    closed = closing.close_day(ctx(), actor_id())
    return done(
        _("Day closed: %(n)s waiting tickets were marked as not served.", n=closed),
        "admin.index",
    )


@bp.route("/centre", methods=["GET", "POST"])
@page_role("admin")
def centre():
    form = CentreForm(data=admin_views.centre(ctx()))

    def save() -> str:
        values = admin_centre.CentreValues(
            form.name.data,
            form.timezone.data,
            form.hours_text.data or "",
            form.holidays_text.data or "",
            form.rating_window_min.data,
        )
        admin_centre.update_centre(ctx(), actor_id(), values)
        return _("Centre settings saved.")

    return submit(form, save, "admin.centre", shown("admin/centre.html", form=form))


@bp.route("/display", methods=["GET", "POST"])
@page_role("admin")
def display():
    form = DisplayForm(data=admin_views.centre(ctx()))
    from display.voice import override_root
    from display.voice_pack import packs_by_language

    packs = packs_by_language(override_root())
    form.voice_vi.choices = [(name, name) for name in packs.get("vi", ["vi"])]
    form.voice_en.choices = [(name, name) for name in packs.get("en", ["en"])]

    def save() -> str:
        values = admin_centre.DisplayValues(
            ticker=form.ticker.data or "",
            footer=form.footer.data or "",
            voice=form.voice.data,
            languages=tuple(form.languages.data or ()),
            repeat=form.repeat.data,
            voice_packs={"vi": form.voice_vi.data, "en": form.voice_en.data},
            number_reading=form.number_reading.data,
        )
        admin_centre.update_display(ctx(), actor_id(), values)
        return _("Display settings saved. Screens show them now.")

    return submit(form, save, "admin.display", shown("admin/display.html", form=form))
