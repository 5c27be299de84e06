"""Counter routes: next, call, recall, start, finish, no-show, transfer, pause, resume."""

from __future__ import annotations

from flask import jsonify

from kiosk.api.blueprint import bp
from kiosk.api.body import integer, json_body, text
from kiosk.api.common import ctx
from kiosk.auth import require_counter
from kiosk.usecases import counters

SIMPLE_ACTIONS = {
    "recall": counters.recall,
    "start": counters.start,
    "finish": counters.finish,
    "no-show": counters.no_show,
}


@bp.post("/counters/<int:number>/next")
def counter_next(number: int):
    user = require_counter(number)
    ticket = counters.call_next(ctx(), number, user_id=user.id)
    if ticket is None:
        return "", 204
    return jsonify(ticket)


@bp.post("/counters/<int:number>/call")
def counter_call(number: int):
    user = require_counter(number)
    data = json_body()
    ticket = counters.call_number(
        ctx(), number, text(data, "ticket", required=True, max_len=16), user_id=user.id
    )
    return jsonify(ticket)


@bp.post("/counters/<int:number>/<any(recall, start, finish, 'no-show'):action>")
def counter_action(number: int, action: str):
    user = require_counter(number)
    return jsonify(SIMPLE_ACTIONS[action](ctx(), number, user_id=user.id))


@bp.post("/counters/<int:number>/transfer")
def counter_transfer(number: int):
    user = require_counter(number)
    data = json_body()
    ticket = counters.transfer(
        ctx(),
        number,
        to_service=text(data, "service", max_len=16),
        to_counter=integer(data, "counter", low=1, high=100_000),
        note=text(data, "note", max_len=300) or "",
        user_id=user.id,
    )
    return jsonify(ticket)


@bp.post("/counters/<int:number>/pause")
def counter_pause(number: int):
    user = require_counter(number)
    data = json_body()
    return jsonify(
        counters.pause(ctx(), number, text(data, "reason", max_len=200) or "", user_id=user.id)
    )


@bp.post("/counters/<int:number>/resume")
def counter_resume(number: int):
    user = require_counter(number)
    return jsonify(counters.resume(ctx(), number, user_id=user.id))
