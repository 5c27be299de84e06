"""The application factory: wires the Flask app, its config, extensions,
blueprints and hooks to a running hub, nothing else.

Opening the hub (store, migrations, seeding, closing earlier days) is
`kiosk.runtime.bootstrap.open_hub`; starting devices is
`kiosk.runtime.device_startup.start_devices`.  Both are separate steps."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

import static as static_package
from kiosk import asyncmode, centre_routing, hosts, http_hooks, payloads, socket_transport
from kiosk.config import Config
from kiosk.extensions import babel, csrf, login_manager, socketio
from kiosk.i18n import select_locale
from kiosk.runtime import message_queue
from kiosk.runtime.bootstrap import open_hub
from kiosk.runtime.hub import Hub

PACKAGE_DIR = Path(__file__).resolve().parent
STATIC_DIR = Path(static_package.__file__).resolve().parent


def create_app(config: Config | None = None, hub: Hub | None = None) -> Flask:
    """The Flask app serving `hub` (opened from `config` when not given)."""
    config = config or (hub.config if hub is not None else Config.from_env())
    if hub is None:
        hub = open_hub(config)
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
    # First hook: a foreign Host name is refused before anything (a centre's own are served).
    hosts.init_app(app, config, also_allowed=lambda name: hub.centre_for_host(name) is not None)
    app.json.ensure_ascii = False
    app.json.sort_keys = False

    # Imported before init_app: its @socketio.on handlers then join the list every
    # init_app installs, so a second app in one process (tests) has them too.
    import kiosk.realtime  # noqa: F401
    import kiosk.realtime_agent  # noqa: F401  (namespace /agent: device agents)

    # One Redis message per publish (runtime/message_queue.py); an earlier app's
    # manager, in a process that made one (tests), is not this one's.
    socketio.server_options.pop("client_manager", None)
    socketio.init_app(
        app,
        async_mode=asyncmode.current(),
        **message_queue.client_manager(config.message_queue, config.message_channel),
        ping_interval=config.ping_interval_s,  # a dead screen is noticed within ~15 s
        ping_timeout=config.ping_timeout_s,
        max_http_buffer_size=payloads.MAX_SOCKET_BYTES,  # larger messages are refused
        serializer=payloads.GuardedPacket,  # too deep: `ok: false`, not a lost event
        # No cors_allowed_origins: engine.io's default accepts only the hub's own origin
        # (an empty list would switch the check off).
    )
    socket_transport.install(socketio.server)  # a dropped client's TCP connection is closed
    centre_routing.init_app(app)  # /c/{code}/… prefixes (outermost) and each request's centre
    hub.init_app(app)  # after socketio: what opening the hub published goes out now
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
    http_hooks.register(app, config)
    return app
