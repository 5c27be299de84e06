"""Device pairing routes (admin): issue, list and revoke device tokens."""

from __future__ import annotations

from flask import jsonify

from kiosk.api.blueprint import bp
from kiosk.api.body import json_body, text
from kiosk.api.common import ctx
from kiosk.auth import current_actor, require_role
from kiosk.usecases import device_tokens


@bp.get("/devices/tokens")
@require_role("admin")
def list_device_tokens():
    return jsonify(device_tokens.list_tokens(ctx()))


@bp.post("/devices/tokens")
@require_role("admin")
def pair_device():
    data = json_body()
    paired = device_tokens.pair(
        ctx(),
        text(data, "kind", required=True, max_len=16),
        text(data, "name", required=True, max_len=64),
        by_user=current_actor().id,
    )
    return jsonify(paired), 201


@bp.post("/devices/tokens/<int:token_id>/revoke")
@require_role("admin")
def revoke_device_token(token_id: int):
    return jsonify(device_tokens.revoke(ctx(), token_id, by_user=current_actor().id))
