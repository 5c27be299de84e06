"""/admin/remote: numbers taken by phone (issue 17, docs/remote.md): per field on or
off, its share of the daily cap and what to bring; when a number loses its place;
when "your turn is near"; the centre's network; the webhook.  Saved through
kiosk/usecases/remote.py, which audits every change (`remote.update`)."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, PasswordField, StringField, TextAreaField

from kiosk.admin.blueprint import bp
from kiosk.admin.forms import Form, WholeNumberField, number, optional
from kiosk.admin.guard import actor_id, ctx, page_role, shown, submit
from kiosk.core import remote as rules_core
from kiosk.store import repository as repo
from kiosk.usecases import remote


def _form_class(codes: list[str]) -> type[Form]:
    class RemoteForm(Form):
        lose_place_after = WholeNumberField(
            _l("A number not checked in loses its place after this many later calls"),
            number(1, rules_core.MAX_LOSE_PLACE_AFTER, needed=True),
        )
        near_ahead = WholeNumberField(
            _l('"Your turn is near" when this many people or fewer are ahead'),
            number(0, rules_core.MAX_NEAR_AHEAD, needed=True),
        )
        networks = TextAreaField(
            _l("The centre's network (one address range per line)"), optional(2000)
        )
        webhook_url = StringField(_l("Webhook address"), optional(500))
        webhook_secret = PasswordField(
            _l("Webhook secret (empty: keep the one saved)"), optional(200)
        )

    for code in codes:
        setattr(RemoteForm, f"on_{code}", BooleanField(_l("Numbers by phone")))
        setattr(
            RemoteForm,
            f"share_{code}",
            WholeNumberField(_l("Share of the daily cap (%)"), number(0, 100)),
        )
        setattr(
            RemoteForm,
            f"bring_{code}",
            StringField(_l("What to bring (Vietnamese)"), optional(300)),
        )
        setattr(
            RemoteForm,
            f"bring_en_{code}",
            StringField(_l("What to bring (English)"), optional(300)),
        )
    return RemoteForm


def _services() -> list:
    with ctx().store.read() as session:
        return [s for s in repo.services_of(session, ctx().centre_id) if s.active]


@bp.route("/remote", methods=["GET", "POST"])
@page_role("admin")
def remote_settings():
    services = _services()
    rules = remote.settings_rules(ctx())
    data = {
        "lose_place_after": rules.lose_place_after,
        "near_ahead": rules.near_ahead,
        "networks": "\n".join(rules.networks),
        "webhook_url": rules.webhook_url,
    }
    for s in services:
        rule = rules.field(s.code)
        data.update(
            {
                f"on_{s.code}": rule.enabled,
                f"share_{s.code}": rule.share_pct,
                f"bring_{s.code}": rule.bring,
                f"bring_en_{s.code}": rule.bring_en,
            }
        )
    form = _form_class([s.code for s in services])(data=data)

    def save() -> str:
        fields = dict(rules.fields)  # fields no longer offered keep their settings
        for s in services:
            share = getattr(form, f"share_{s.code}").data
            fields[s.code] = rules_core.FieldRule(
                enabled=bool(getattr(form, f"on_{s.code}").data),
                share_pct=rules_core.DEFAULT_SHARE_PCT if share is None else share,
                bring=(getattr(form, f"bring_{s.code}").data or "").strip(),
                bring_en=(getattr(form, f"bring_en_{s.code}").data or "").strip(),
            )
        new = rules_core.RemoteRules(
            fields=fields,
            lose_place_after=form.lose_place_after.data,
            near_ahead=form.near_ahead.data,
            networks=tuple(
                line.strip() for line in (form.networks.data or "").splitlines() if line.strip()
            ),
            webhook_url=(form.webhook_url.data or "").strip(),
            webhook_secret=form.webhook_secret.data or rules.webhook_secret,
        )
        remote.update_settings(ctx(), actor_id(), new)
        return _("Settings of numbers by phone saved.")

    page = shown("admin/remote.html", form=form, services=services)
    return submit(form, save, "admin.remote_settings", page)
