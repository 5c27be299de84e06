"""Every API error is JSON {error, message} in the request's language, with
the right status; unexpected failures are logged and answered as JSON too."""

from __future__ import annotations

from flask import current_app, jsonify, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException

from kiosk.core.errors import DomainError
from kiosk.messages import message
from kiosk.payloads import MAX_DEPTH

HTTP_CODES = {
    400: "bad_request",
    401: "login_required",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    429: "rate_limited",
}


def error_response(code: str, http_status: int, /, **params):
    """A JSON error; `params` fill the message (a ticket's `status` among them)."""
    body = {"error": code, "message": message(code, **params)}
    response = jsonify(body)
    response.status_code = http_status
    return response


def wants_json() -> bool:
    return (
        request.path.startswith("/api/")
        or request.path == "/healthz"
        or (request.accept_mimetypes.best == "application/json")
    )


MAX_ID = 2**31 - 1


def register(app) -> None:
    @app.before_request
    def ids_in_range():
        """/counters/99999999999999999999/… names nothing; answer 404 before a database
        driver overflows on it."""
        from werkzeug.exceptions import NotFound

        for value in (request.view_args or {}).values():
            if isinstance(value, int) and not 0 <= value <= MAX_ID:
                raise NotFound()

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        from kiosk.access import DeviceNotPaired

        if not wants_json():
            from flask import render_template

            if isinstance(error, DeviceNotPaired):
                return render_template("not_paired.html", bad_token=False), 401
            text = message(error.code, **error.params)
            return render_template("refused.html", text=text), error.status
        response = error_response(error.code, error.status, **error.params)
        if getattr(error, "retry_after", None):  # a 429 says when to try again
            response.headers["Retry-After"] = str(error.retry_after)
        return response

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return error_response("csrf_failed", 400)

    @app.errorhandler(OperationalError)
    @app.errorhandler(DBAPIError)
    @app.errorhandler(PoolTimeout)  # every pooled connection busy: the same answer, 503
    def database_down(error):
        current_app.logger.warning("database unavailable: %s", error)
        return error_response("database_unavailable", 503)

    @app.errorhandler(RecursionError)
    def too_deep(error: RecursionError):
        """A safety net: JSON is scanned before it is decoded (kiosk/api/body.py), so this
        means some other decoder met deeply nested input.  Bad input, not a hub failure."""
        current_app.logger.warning("recursion limit on %s %s", request.method, request.path)
        if not wants_json():
            from flask import render_template

            return render_template("refused.html", text=message("too_deep", max=MAX_DEPTH)), 400
        return error_response("too_deep", 400, max=MAX_DEPTH)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if not wants_json():
            return error
        code = HTTP_CODES.get(error.code or 500, "bad_request")
        if code == "bad_request":
            return error_response(code, error.code or 400, detail=error.description or "")
        return error_response(code, error.code or 400)

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        current_app.logger.exception("unexpected error on %s %s", request.method, request.path)
        return error_response("internal_error", 500)
