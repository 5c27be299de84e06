"""The application factory: wires extensions and blueprints, nothing else."""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask, has_request_context, jsonify, request

import static as static_package
from kiosk import asyncmode
from kiosk.config import Config
from kiosk.extensions import babel, csrf, login_manager, socketio
from kiosk.hub import Hub
from kiosk.i18n import remember_language, select_locale
from kiosk.store import Store, migrate
from kiosk.store import repository as repo
from kiosk.store.seed import read_centre_file, seed
from kiosk.usecases.context import QueueContext

log = logging.getLogger("motcua")
PACKAGE_DIR = Path(__file__).resolve().parent
STATIC_DIR = Path(static_package.__file__).resolve().parent


class NoCentre(SystemExit):
    pass


def _request_base_url() -> str:
    """The hub's address as the current request reached it; outside a request (a scanner's
    ticket) a relative link.  Only used when MOTCUA_PUBLIC_URL is not set."""
    return request.host_url if has_request_context() else ""


def _centre_timezone(store: Store, centre_id: int) -> str:
    with store.read() as session:
        return session.get(repo.CentreRow, centre_id).timezone


def _open_store(config: Config) -> tuple[Store, int, dict]:
    store = Store(config.database_url, config.db_pool_size, config.db_max_overflow)
    if config.auto_migrate:
        migrate.upgrade(store.url)
    centre_file = (
        read_centre_file(config.centre_file, config.instance_path) if config.centre_file else {}
    )
    with store.write() as session:
        centre = repo.centre_by_code(session, config.centre_code or None)
        if centre is None and centre_file:
            centre = seed(session, centre_file)
            log.info("loaded centre %s from %s", centre.code, config.centre_file)
        if centre is None:
            raise NoCentre(
                "No centre in the database. Start with --config examples/demo-centre.toml "
                "(or set MOTCUA_CONFIG) to load one."
            )
        return store, centre.id, centre_file


def create_app(config: Config | None = None) -> Flask:
    config = config or Config.from_env()
    app = Flask(
        "kiosk",
        root_path=str(PACKAGE_DIR),
        template_folder=str(PACKAGE_DIR / "pages" / "templates"),
        static_folder=str(STATIC_DIR),
        static_url_path="/static",
        instance_path=str(config.instance_path),
    )
    app.config.update(
        SECRET_KEY=config.secret_key,
        WTF_CSRF_CHECK_DEFAULT=False,  # checked in before_request: cookie-authenticated writes only
        WTF_CSRF_TIME_LIMIT=None,  # a clerk console stays open all day
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=config.public_url.startswith("https://"),
        REMEMBER_COOKIE_SAMESITE="Lax",
        BABEL_DEFAULT_LOCALE="vi",
        BABEL_DEFAULT_TIMEZONE="Asia/Ho_Chi_Minh",
        BABEL_TRANSLATION_DIRECTORIES=str(PACKAGE_DIR / "translations"),
        MAX_CONTENT_LENGTH=1024 * 1024,
        TESTING=config.testing,
        VOICE_DIR=str(config.instance_path / "voices"),
    )
    if config.trusted_proxies:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # Behind nginx every request comes from 127.0.0.1: take the kiosk's address (rate
        # limits) and the scheme (secure cookies) from the proxy's headers, and only then.
        app.wsgi_app = ProxyFix(
            app.wsgi_app,
            x_for=config.trusted_proxies,
            x_proto=config.trusted_proxies,
            x_host=config.trusted_proxies,
        )
    app.json.ensure_ascii = False
    app.json.sort_keys = False

    store, centre_id, centre_file = _open_store(config)
    mode = asyncmode.current()
    # Imported before init_app: its @socketio.on handlers then join the list every
    # init_app installs, so a second app in one process (tests) has them too.
    from kiosk.realtime import SocketIOPublisher

    socketio.init_app(
        app,
        async_mode=mode,
        message_queue=config.message_queue or None,
        channel=config.message_channel,
        ping_interval=10,  # a dead screen is noticed within ~15 s
        ping_timeout=5,
        # No cors_allowed_origins: engine.io's default accepts only the hub's own origin
        # (an empty list would switch the check off).
    )
    with store.read() as session:
        centre = session.get(repo.CentreRow, centre_id)
        timezone = centre.timezone
        languages = tuple((centre.settings or {}).get("languages", ("vi", "en")))
    ctx = QueueContext(
        store=store,
        publisher=SocketIOPublisher(socketio),
        centre_id=centre_id,
        timezone=timezone,
        public_url=config.public_url,
        public_url_fallback=_request_base_url,
        languages=languages,
        timezone_loader=lambda: _centre_timezone(store, centre_id),
        kiosk_printers={
            k["name"]: k["printer"] for k in centre_file.get("kiosks", []) if k.get("printer")
        },
    )
    app.extensions["motcua"] = Hub(
        config=config, store=store, centre_id=centre_id, ctx=ctx, centre_file=centre_file
    )

    from kiosk.devices_runtime import print_hint

    ctx.after_issue.append(print_hint(app.extensions["motcua"]))
    from kiosk import supervision

    supervision.init_app(app)  # device problems become supervisor alerts
    from kiosk.usecases.closing import close_earlier_days

    close_earlier_days(ctx)  # yesterday's waiting tickets are marked, never called today

    babel.init_app(app, locale_selector=select_locale)
    login_manager.init_app(app)
    login_manager.login_view = "pages.login"
    csrf.init_app(app)

    from display.pages import bp as display_bp
    from display.voice import voice_bp
    from kiosk.admin import bp as admin_bp
    from kiosk.api import bp as api_bp
    from kiosk.api import errors
    from kiosk.pages import bp as pages_bp

    app.register_blueprint(api_bp)
    app.register_blueprint(pages_bp)
    app.register_blueprint(display_bp)
    app.register_blueprint(voice_bp)
    app.register_blueprint(admin_bp)
    errors.register(app)
    _register_hooks(app, config)
    return app


def _register_hooks(app: Flask, config: Config) -> None:
    from kiosk.auth import bearer_token

    @app.before_request
    def check_csrf():
        if request.method in ("POST", "PUT", "PATCH", "DELETE") and not bearer_token():
            from flask_login import current_user

            # Cookie-authenticated writes need the CSRF token; anonymous kiosk issuing has no session to steal.
            if current_user.is_authenticated or request.path.startswith(("/login", "/logout")):
                csrf.protect()

    @app.after_request
    def headers(response):
        response = remember_language(response)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if response.mimetype == "text/html":
            response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        return response

    @app.context_processor
    def page_globals():
        from flask_babel import get_locale

        return {
            "lang": str(get_locale() or "vi"),
            "other_lang": "en" if str(get_locale()) == "vi" else "vi",
        }

    @app.get("/healthz")
    def healthz():
        hub = app.extensions["motcua"]
        try:
            hub.store.ping()
            db = "ok"
        except Exception as error:  # any driver error means the same to the operator
            db = f"error: {type(error).__name__}"
        from kiosk.devices_runtime import all_device_status

        body = {"db": db, "devices": all_device_status(hub), "async_mode": asyncmode.current()}
        return jsonify(body), 200 if db == "ok" else 503
