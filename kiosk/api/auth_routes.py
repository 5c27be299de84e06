"""POST /api/v1/auth/token: user name and password in, a bearer token out.

Two limits: attempts per address (in this process, `login_limiter`) and wrong
passwords per account (in the database, kiosk.auth.log_in); both answer 429 with
Retry-After."""

from flask import jsonify, request

from kiosk.api.blueprint import bp
from kiosk.api.body import json_body, secret, text
from kiosk.auth import TOKEN_MAX_AGE_S, issue_token, log_in
from kiosk.core.errors import DomainError
from kiosk.runtime import current_hub


class TooManyRequests(DomainError):
    status = 429
    retry_after = 60  # the address limits count attempts per minute


@bp.post("/auth/token")
def auth_token():
    if not current_hub().login_limiter.allow(request.remote_addr or "?"):
        raise TooManyRequests("rate_limited")
    data = json_body()
    username = text(data, "username", required=True, max_len=64)
    user = log_in(username, secret(data, "password", max_len=256))
    return jsonify(
        {
            "token": issue_token(user),
            "expires_in": TOKEN_MAX_AGE_S,
            "user": {
                "username": user.username,
                "role": user.role,
                "counter": user.counter_number,
                "name": user.display_name,
            },
        }
    )
