"""The `motcua` command line (CONTRACT.md): run, db upgrade, user add,
devices, printer test.  Each sub-command is a thin shell over the store,
the use cases or the device layer."""

from __future__ import annotations

import argparse
import getpass
import logging
import os
import sys

from kiosk.config import Config


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="motcua", description="Queue hub for one-stop centres")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="serve the hub (one process)")
    run.add_argument("--config", help="centre file (TOML) that seeds an empty database")
    run.add_argument("--host", default=os.environ.get("MOTCUA_HOST", "127.0.0.1"))
    run.add_argument("--port", type=int, default=int(os.environ.get("MOTCUA_PORT", "5000")))

    db = sub.add_parser("db", help="database migrations")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    db_sub.add_parser("upgrade", help="migrate the database to the latest schema")

    user = sub.add_parser("user", help="staff accounts")
    user_sub = user.add_subparsers(dest="user_command", required=True)
    add = user_sub.add_parser("add", help="add a user or reset their password and role")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=["admin", "supervisor", "clerk"])
    add.add_argument("--counter", type=int)
    add.add_argument("--display-name", default="")
    add.add_argument("--config", help="centre file, if the database is still empty")

    devices = sub.add_parser("devices", help="configured devices and the serial ports seen")
    devices.add_argument("--config")
    devices_sub = devices.add_subparsers(dest="devices_command")
    devices_run = devices_sub.add_parser(
        "run", help="own this centre's printers and scanners (one process per centre)"
    )
    devices_run.add_argument("--config")
    devices_pair = devices_sub.add_parser(
        "pair", help="issue a pairing link for a kiosk, display or counter screen"
    )
    devices_pair.add_argument("kind", choices=["kiosk", "display", "counter_screen"])
    devices_pair.add_argument("name", help="kiosk name, display name, or counter number")
    devices_pair.add_argument("--config")

    printer = sub.add_parser("printer", help="printers")
    printer_sub = printer.add_subparsers(dest="printer_command", required=True)
    test = printer_sub.add_parser("test", help="print a test ticket")
    test.add_argument("target", help="a configured printer name or a printer URL")
    test.add_argument("--config")
    test.add_argument("--paper-mm", type=int, default=80, choices=[58, 80])
    return parser


def _config(args) -> Config:
    return Config.from_env(centre_file=getattr(args, "config", None) or None)


def cmd_run(args) -> int:
    from kiosk import asyncmode
    from kiosk.app import create_app
    from kiosk.extensions import socketio

    if not _port_free(args.host, args.port):
        # Checked before anything starts: a second hub must not open the scanners of the
        # first one, nor mark them offline in the database when it gives up.
        print(
            f"motcua: {args.host}:{args.port} is already in use (another hub running?); "
            "nothing was started",
            file=sys.stderr,
        )
        return 1
    config = _config(args)
    if not config.public_url:
        config.public_url = _default_public_url(args.host, args.port)
    app = create_app(config)
    hub = app.extensions["motcua"]
    mode = asyncmode.current()
    print(
        f"motcua: serving {hub.ctx.centre_id and _centre_name(hub)} on http://{args.host}:{args.port} "
        f"(async mode {mode}, database {_safe_url(config.database_url)}); "
        f"ticket QR codes open {config.public_url}/t/… (MOTCUA_PUBLIC_URL to change)",
        flush=True,
    )
    for user in hub.centre_file.get("users", []):
        if "demo" in str(user.get("password", "")):
            print(
                f"  demo login: {user['username']} / {user['password']} ({user['role']})",
                flush=True,
            )
    from kiosk.devices_runtime import start_devices, stop_devices

    start_devices(app)
    kwargs = {"allow_unsafe_werkzeug": True} if mode == "threading" else {}
    if mode == "gevent":
        kwargs["handler_class"] = _no_delay_gevent_handler()
    try:
        socketio.run(
            app, host=args.host, port=args.port, use_reloader=False, log_output=False, **kwargs
        )
    finally:
        stop_devices(app)  # Ctrl-C: release the serial ports, mark scanners as not read
    return 0


def _default_public_url(host: str, port: int) -> str:
    """Where phones reach a hub started without MOTCUA_PUBLIC_URL: the address it listens
    on, or this machine's LAN address when it listens on all of them."""
    import socket

    if host in ("", "0.0.0.0", "::"):
        probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            probe.connect(("192.0.2.1", 9))  # picks the outgoing interface; sends nothing
            host = probe.getsockname()[0]
        except OSError:
            host = "127.0.0.1"
        finally:
            probe.close()
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


def _port_free(host: str, port: int) -> bool:
    import errno
    import socket

    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except OSError:
        return True  # let the server report a bad host in its own words
    probe = socket.socket(family, kind, proto)
    try:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server will
        probe.bind(address)
        return True
    except OSError as error:  # only "in use" is ours to report; the server explains the rest
        return error.errno != errno.EADDRINUSE
    finally:
        probe.close()


def _no_delay_gevent_handler():
    """gevent's pywsgi sends headers and body in separate writes; with Nagle's algorithm and
    delayed ACKs every request after the first on a kept-alive connection waited ~40 ms
    (measured: 45 ms vs 5 ms).  TCP_NODELAY removes the stall (gunicorn sets it itself)."""
    import socket

    from gevent.pywsgi import WSGIHandler

    class NoDelayHandler(WSGIHandler):
        def handle(self):
            try:
                self.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            except OSError:  # not TCP (a UNIX socket): nothing to tune
                pass
            return super().handle()

    return NoDelayHandler


def _centre_name(hub) -> str:
    from kiosk.store.tables import CentreRow

    with hub.store.read() as session:
        return session.get(CentreRow, hub.centre_id).name


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def cmd_db(args) -> int:
    from kiosk.store import migrate

    config = _config(args)
    migrate.upgrade(config.database_url)
    print(f"database at {_safe_url(config.database_url)} is up to date")
    return 0


def cmd_user(args) -> int:
    from kiosk.store import Store, migrate
    from kiosk.store import repository as repo
    from kiosk.store.seed import CentreFileError, add_user, read_centre_file, seed

    config = _config(args)
    password = os.environ.get("MOTCUA_PASSWORD")
    if not password:
        if sys.stdin.isatty():
            password = getpass.getpass(f"Password for {args.name}: ")
            if password != getpass.getpass("Again: "):
                print("passwords differ", file=sys.stderr)
                return 2
        else:
            password = sys.stdin.readline().rstrip("\n")
    store = Store(config.database_url)
    migrate.upgrade(store.url)
    try:
        with store.write() as session:
            centre = repo.centre_by_code(session, config.centre_code or None)
            if centre is None and config.centre_file:
                centre = seed(session, read_centre_file(config.centre_file))
            if centre is None:
                print("no centre in the database: pass --config FILE", file=sys.stderr)
                return 2
            if args.counter is not None:
                repo.counter_row(session, centre.id, args.counter)
            add_user(
                session,
                centre.id,
                args.name,
                password,
                args.role,
                counter=args.counter,
                display_name=args.display_name,
            )
    except CentreFileError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except Exception as error:  # e.g. unknown counter
        from kiosk.core.errors import DomainError

        if isinstance(error, DomainError):
            print(f"error: {error.code} {error.params}", file=sys.stderr)
            return 2
        raise
    print(f"user {args.name} ({args.role}) saved")
    return 0


def cmd_devices(args) -> int:
    from kiosk.devices_runtime import describe_devices

    if getattr(args, "devices_command", None) == "run":
        from kiosk.app import create_app
        from kiosk.devices_runtime import run_device_worker

        run_device_worker(create_app(_config(args)))
        return 0
    if getattr(args, "devices_command", None) == "pair":
        return _pair_device(args)
    print(describe_devices(_config(args)))
    return 0


def _pair_device(args) -> int:
    from kiosk.app import create_app
    from kiosk.core.errors import DomainError
    from kiosk.usecases import device_tokens

    config = _config(args)
    hub = create_app(config).extensions["motcua"]
    try:
        paired = device_tokens.pair(hub.ctx, args.kind, args.name)
    except DomainError as error:
        print(f"error: {error.params.get('detail', error.code)}", file=sys.stderr)
        return 2
    base = config.public_url or "http://HUB:5000"
    print(f"{args.kind} {args.name}: open this link once on the device (keep it secret):")
    print(f"  {base.rstrip('/')}{paired['pair_path']}")
    return 0


def cmd_printer(args) -> int:
    from kiosk.devices_runtime import print_test_ticket

    return print_test_ticket(_config(args), args.target, paper_mm=args.paper_mm)


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(
        level=os.environ.get("MOTCUA_LOG_LEVEL", "INFO"),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger("alembic").setLevel(
        logging.WARNING
    )  # one line per migration is noise on every start
    args = _parser().parse_args(argv)
    handlers = {
        "run": cmd_run,
        "db": cmd_db,
        "user": cmd_user,
        "devices": cmd_devices,
        "printer": cmd_printer,
    }
    try:
        return handlers[args.command](args) or 0
    except KeyboardInterrupt:
        return 0
    except SystemExit:
        raise
    except Exception as error:
        from kiosk.store.seed import CentreFileError

        if isinstance(error, CentreFileError):
            print(f"error: {error}", file=sys.stderr)
            return 2
        raise
