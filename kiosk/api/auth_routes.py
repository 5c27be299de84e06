"""POST /api/v1/auth/token: user name and password in, a bearer token out."""

from flask import jsonify, request

from kiosk.api import bp
from kiosk.api.body import json_body, text
from kiosk.api.common import hub
from kiosk.auth import TOKEN_MAX_AGE_S, Unauthorized, check_credentials, issue_token
from kiosk.core.errors import DomainError


class TooManyRequests(DomainError):
    status = 429


@bp.post("/auth/token")
def auth_token():
    if not hub().login_limiter.allow(request.remote_addr or "?"):
        raise TooManyRequests("rate_limited")
    data = json_body()
    username = text(data, "username", required=True, max_len=64)
    password = text(data, "password", required=True, max_len=256)
    user = check_credentials(username, password)
    if user is None:
        raise Unauthorized("bad_credentials")
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
