"""/admin/voices: voice packs recorded in the browser, the order calls are announced in,
and each field's pictogram.

The recording page lists every clip a pack needs at this centre (display/recorded.py)
with what to say; static/js/voice_recorder.js records each with the microphone
(MediaRecorder), turns it into a WAV and posts it here, where sox trims the
silence at both ends and brings it to the shipped clips' loudness
(display/audio.py) before kiosk/usecases/voice_packs.py stores it.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from flask import Response, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms import BooleanField, FileField, StringField

from display import recorded
from display.audio import AudioError, finish_clip
from display.voice_pack import find_pack
from kiosk import pictograms
from kiosk.admin.blueprint import bp
from kiosk.admin.guard import actor_id, ctx, done, explain, page_role
from kiosk.core.errors import DomainError
from kiosk.usecases import voice_packs

GROUP_TITLES = {
    "call": "Lời gọi",
    "letters": "Chữ cái",
    "digits": "Chữ số",
    "counters": "Số quầy",
    "kiosk": "Kiosk: lĩnh vực và lời hướng dẫn",
}


class PackForm(FlaskForm):
    code = StringField()
    name = StringField()


class OrderForm(FlaskForm):
    announce = StringField()


class ImportForm(FlaskForm):
    file = FileField()
    code = StringField()
    name = StringField()
    replace = BooleanField()


def _needs() -> recorded.CentreNeeds:
    with ctx().store.read() as session:
        return recorded.centre_needs(session, ctx().centre_id)


def _settings() -> dict:
    from kiosk.store.tables import CentreRow

    with ctx().store.read() as session:
        return dict(session.get(CentreRow, ctx().centre_id).settings or {})


def _overview(error: str | None = None, status: int = 200):
    needs = _needs()
    packs = [
        {
            "info": pack,
            "missing_calls": recorded.missing(needs, pack.clips, "calls"),
            "missing_kiosk": recorded.missing(needs, pack.clips, "kiosk"),
        }
        for pack in voice_packs.list_packs(ctx().store)
    ]
    settings = _settings()
    return (
        render_template(
            "admin/voices.html",
            packs=packs,
            order=", ".join(settings.get("languages") or ("vi", "en")),
            shipped=[find_pack(code) for code in ("vi", "en")],
            fields=needs.fields,
            chosen=pictograms.of_fields(settings),
            catalogue=pictograms.catalogue(),
            pack_form=PackForm(),
            order_form=OrderForm(),
            import_form=ImportForm(),
            error=error,
        ),
        status,
    )


@bp.get("/voices")
@page_role("admin")
def voices():
    return _overview()


@bp.post("/voices")
@page_role("admin")
def voice_create():
    form = PackForm()
    if not form.validate_on_submit():
        return _overview(_("The form expired; please try again."), 400)
    try:
        code = voice_packs.create_pack(ctx(), actor_id(), form.code.data, form.name.data)
    except DomainError as refused:
        return _overview(explain(refused), 400)
    return done(
        _("Voice pack %(code)s created: record its clips.", code=code),
        "admin.voice_pack",
        code=code,
    )


@bp.post("/voices/order")
@page_role("admin")
def voice_order():
    form = OrderForm()
    if not form.validate_on_submit():
        return _overview(_("The form expired; please try again."), 400)
    try:
        codes = (form.announce.data or "").replace(";", ",").split(",")
        order = voice_packs.set_announce_order(ctx(), actor_id(), codes)
    except DomainError as refused:
        return _overview(explain(refused), 400)
    return done(_("Calls are announced in: %(order)s.", order=", ".join(order)), "admin.voices")


@bp.post("/voices/pictograms")
@page_role("admin")
def voice_pictograms():
    if not PackForm().validate_on_submit():
        return _overview(_("The form expired; please try again."), 400)
    names = pictograms.catalogue()
    chosen = {
        code: request.form.get(f"pictogram-{code}")
        for code, _name, _en in _needs().fields
        if request.form.get(f"pictogram-{code}") in names
    }
    voice_packs.set_pictograms(ctx(), actor_id(), chosen)
    return done(_("Pictograms saved."), "admin.voices")


@bp.post("/voices/import")
@page_role("admin")
def voice_import():
    form = ImportForm()
    upload = request.files.get("file")
    if not form.validate_on_submit() or upload is None:
        return _overview(_("Choose an exported voice pack file."), 400)
    try:
        pack = voice_packs.import_pack(
            ctx().store,
            ctx().now(),
            upload.read(),
            form.code.data or None,
            form.name.data or None,
            replace=form.replace.data,
        )
    except DomainError as refused:
        return _overview(explain(refused), 400)
    return done(
        _("Voice pack %(code)s imported.", code=pack.code), "admin.voice_pack", code=pack.code
    )


@bp.get("/voices/<code>")
@page_role("admin")
def voice_pack(code: str):
    pack = voice_packs.find_pack(ctx().store, code)
    if pack is None:
        return _overview(explain(DomainError("unknown_voice_pack", code=code)), 404)
    specs = recorded.clip_list(_needs())
    groups: dict[str, list] = {}
    for spec in specs:
        clip = pack.clips.get(spec.slug)
        url = f"{recorded.RECORDED_URL}/{code}/{spec.slug}.wav?v={clip.digest}" if clip else ""
        groups.setdefault(spec.group, []).append({"spec": spec, "clip": clip, "url": url})
    missing = [s.slug for s in specs if s.required and s.slug not in pack.clips]
    return render_template(
        "admin/voice_pack.html",
        pack=pack,
        groups=[(GROUP_TITLES[g], rows) for g, rows in groups.items()],
        missing=missing,
        button_form=PackForm(),
    )


@bp.post("/voices/<code>/clips/<slug>")
@page_role("admin")
def voice_clip(code: str, slug: str):
    """A recording (WAV, from voice_recorder.js): trimmed and levelled, then stored."""
    specs = {s.slug: s for s in recorded.clip_list(_needs())}
    if slug not in specs:
        return jsonify(
            error="invalid_voice_clip",
            message=explain(DomainError("invalid_voice_clip", slug=slug)),
        ), 400
    with tempfile.TemporaryDirectory() as tmp:
        source, finished = Path(tmp) / "take.wav", Path(tmp) / "clip.wav"
        source.write_bytes(request.get_data()[: voice_packs.MAX_CLIP_BYTES * 8])
        try:
            finish_clip(source, finished)
        except AudioError as error:
            return jsonify(
                error="invalid_voice_audio",
                message=_("The recording cannot be used: %(why)s", why=str(error)),
            ), 400
        try:
            clip = voice_packs.save_clip(
                ctx(), actor_id(), code, slug, specs[slug].say, finished.read_bytes()
            )
        except DomainError as refused:
            return jsonify(error=refused.code, message=explain(refused)), refused.status
    return jsonify(
        slug=slug,
        duration_ms=clip.duration_ms,
        url=f"{recorded.RECORDED_URL}/{code}/{slug}.wav?v={clip.digest}",
    )


@bp.get("/voices/<code>/export")
@page_role("admin")
def voice_export(code: str):
    try:
        data = voice_packs.export_pack(ctx().store, code)
    except DomainError as refused:
        return _overview(explain(refused), 404)
    return Response(
        data,
        mimetype="application/zip",
        headers={"Content-Disposition": f'attachment; filename="motcua-voice-{code}.zip"'},
    )


@bp.post("/voices/<code>/delete")
@page_role("admin")
def voice_delete(code: str):
    if not PackForm().validate_on_submit():
        return _overview(_("The form expired; please try again."), 400)
    try:
        voice_packs.delete_pack(ctx(), actor_id(), code)
    except DomainError as refused:
        return _overview(explain(refused), 404)
    return done(_("Voice pack %(code)s deleted.", code=code), "admin.voices")
