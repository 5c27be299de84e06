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
    add.add_argument(
        "--role",
        required=True,
        choices=["admin", "supervisor", "clerk", "province_admin", "province_supervisor"],
        help="province_admin / province_supervisor: no centre, signs in at every centre",
    )
    add.add_argument("--counter", type=int)
    add.add_argument("--display-name", default="")
    add.add_argument("--config", help="centre file, if the database is still empty")

    centre = sub.add_parser("centre", help="the centres this installation serves")
    centre_sub = centre.add_subparsers(dest="centre_command", required=True)
    centre_add = centre_sub.add_parser(
        "add", help="create a centre from a centre file; running hubs serve it within 5 s"
    )
    centre_add.add_argument("file", help="the new centre's file (TOML, [centre] code = ...)")
    centre_sub.add_parser("list", help="code, name and host names of every centre")

    devices = sub.add_parser("devices", help="configured devices and the serial ports seen")
    devices.add_argument("--config")
    devices_sub = devices.add_subparsers(dest="devices_command")
    devices_run = devices_sub.add_parser(
        "run", help="own this centre's printers and scanners (one process per centre)"
    )
    devices_run.add_argument("--config")
    devices_pair = devices_sub.add_parser(
        "pair", help="issue a pairing link for a kiosk, display, counter screen or device agent"
    )
    devices_pair.add_argument("kind", choices=["kiosk", "display", "counter_screen", "agent"])
    devices_pair.add_argument(
        "name", help="kiosk name, display name, counter number, or agent name ([[agents]])"
    )
    devices_pair.add_argument("--config")

    agent = sub.add_parser(
        "agent", help="drive this centre's printers and scanners for a hub elsewhere"
    )
    agent.add_argument("--hub", required=True, help="the hub's address, e.g. https://hub.example")
    agent.add_argument(
        "--token",
        default=os.environ.get("MOTCUA_AGENT_TOKEN"),
        help="the agent's device token (motcua devices pair agent NAME); or MOTCUA_AGENT_TOKEN",
    )
    agent.add_argument(
        "--journal", help="the print journal (SQLite); default: one per hub in $STATE_DIRECTORY"
    )

    voice = sub.add_parser("voice", help="voice packs recorded at the hub (docs/voice.md)")
    voice_sub = voice.add_subparsers(dest="voice_command", required=True)
    export = voice_sub.add_parser("export", help="write one recorded pack to one file")
    export.add_argument("pack", help="the pack's language code, e.g. hmn")
    export.add_argument("file", help="the file to write (a ZIP)")
    imported = voice_sub.add_parser("import", help="add a pack from an exported file")
    imported.add_argument("file")
    imported.add_argument("--as", dest="code", help="under this language code instead")
    imported.add_argument("--name", help="the name the lobby shows for it")
    imported.add_argument("--replace", action="store_true", help="replace a pack of that code")

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
    from kiosk import asyncmode, hosts
    from kiosk.app import create_app
    from kiosk.extensions import socketio
    from kiosk.runtime.bootstrap import open_hub
    from kiosk.runtime.device_startup import start_devices, stop_devices

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
        if not config.allowed_hosts:  # nothing configured: the names of this machine
            config.allowed_hosts = hosts.this_machine(args.host, config.public_url)
    hub = open_hub(config)
    app = create_app(config, hub)
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
    start_devices(hub)
    kwargs = {"allow_unsafe_werkzeug": True} if mode == "threading" else {}
    if mode == "gevent":
        from kiosk.runtime.http_handler import CommuneBoxHandler

        kwargs["handler_class"] = CommuneBoxHandler
    try:
        socketio.run(
            app, host=args.host, port=args.port, use_reloader=False, log_output=False, **kwargs
        )
    finally:
        stop_devices(hub)  # Ctrl-C: release the serial ports, mark scanners as not read
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
            password = sys.stdin.readline().rstrip("\r\n")
    store = Store(config.database_url)
    migrate.upgrade(store.url)
    province = args.role.startswith("province_")
    if province and args.counter is not None:
        print("a province user works at no counter: leave out --counter", file=sys.stderr)
        return 2
    try:
        with store.write() as session:
            centre = repo.centre_by_code(session, config.centre_code or None)
            if centre is None and config.centre_file:
                centre = seed(session, read_centre_file(config.centre_file))
            if centre is None and not province:
                print("no centre in the database: pass --config FILE", file=sys.stderr)
                return 2
            if args.counter is not None:
                repo.counter_row(session, centre.id, args.counter)
            # The admin pages' name rules: `Admin` is the user `admin` (its password and
            # role are reset); a name with a control character, or one that looks like
            # another user's (`admin.`, `аdmin`), is refused.
            saved = add_user(
                session,
                None if province else centre.id,  # a province user belongs to no centre
                args.name,
                password,
                args.role,
                counter=args.counter,
                display_name=args.display_name,
            ).username
    except CentreFileError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except Exception as error:  # e.g. unknown counter
        from kiosk.core.errors import DomainError

        if isinstance(error, DomainError):
            print(f"error: {error.code} {error.params}", file=sys.stderr)
            return 2
        raise
    print(f"user {saved} ({args.role}) saved")
    return 0


def cmd_centre(args) -> int:
    """`motcua centre add FILE.toml` / `motcua centre list` on MOTCUA_DATABASE_URL: the
    running hub processes find a new centre by themselves (kiosk/runtime/hub.py)."""
    from kiosk.core.errors import DomainError
    from kiosk.messages import message
    from kiosk.store import Store, migrate
    from kiosk.store.seed import CentreFileError, read_centre_file
    from kiosk.usecases import centres

    config = Config.from_env()
    store = Store(config.database_url)
    try:
        migrate.upgrade_if_behind(store.url, store.engine)
        if args.centre_command == "add":
            try:
                added = centres.add_centre(store, read_centre_file(args.file, config.instance_path))
            except CentreFileError as error:
                print(f"error: {error}", file=sys.stderr)
                return 2
            except DomainError as error:
                detail = error.params.get("detail") if error.code == "bad_request" else None
                print(
                    f"error: {args.file}: {detail or message(error.code, **error.params)}",
                    file=sys.stderr,
                )
                return 2
            hosts = ", ".join(added["hosts"]) or "none"
            print(
                f"centre {added['code']} ({added['name']}) added; host names: {hosts}. "
                f"Running hubs serve it within 5 s at /c/{added['code']}/ "
                f"(e.g. /c/{added['code']}/kiosk, /api/v1/c/{added['code']}/services)."
            )
            return 0
        rows = centres.list_centres(store)
        width = max([len("code"), *(len(r["code"]) for r in rows)])
        print(f"{'code':<{width}}  name  (host names)")
        for row in rows:
            hosts = f"  ({', '.join(row['hosts'])})" if row["hosts"] else ""
            print(f"{row['code']:<{width}}  {row['name']}{hosts}")
        return 0
    finally:
        store.dispose()


def cmd_devices(args) -> int:
    from kiosk.runtime.device_health import describe_devices

    if getattr(args, "devices_command", None) == "run":
        from kiosk.app import create_app
        from kiosk.runtime.bootstrap import open_hub
        from kiosk.runtime.device_startup import run_device_worker

        hub = open_hub(_config(args))
        create_app(hub.config, hub)  # texts of scan events are translated in its context
        run_device_worker(hub)
        return 0
    if getattr(args, "devices_command", None) == "pair":
        return _pair_device(args)
    print(describe_devices(_config(args)))
    return 0


def _pair_device(args) -> int:
    from kiosk.core.errors import DomainError
    from kiosk.runtime.bootstrap import open_hub
    from kiosk.usecases import device_tokens

    config = _config(args)
    hub = open_hub(config)
    try:
        paired = device_tokens.pair(hub.ctx, args.kind, args.name)
    except DomainError as error:
        print(f"error: {error.params.get('detail', error.code)}", file=sys.stderr)
        return 2
    base = config.public_url or "http://HUB:5000"
    if args.kind == "agent":
        print(f"agent {args.name}: its token (keep it secret); on the centre's machine run")
        print(f"  motcua agent --hub {base.rstrip('/')} --token {paired['token']}")
        return 0
    print(f"{args.kind} {args.name}: open this link once on the device (keep it secret):")
    print(f"  {base.rstrip('/')}{paired['pair_path']}")
    return 0


def cmd_agent(args) -> int:
    """`motcua agent`: imports devices/ and python-socketio's client only (no web stack)."""
    from devices.agent.client import main as agent_main

    if not args.token:
        print("error: --token (or MOTCUA_AGENT_TOKEN) is required", file=sys.stderr)
        return 2
    return agent_main(args.hub, args.token, args.journal)


def cmd_voice(args) -> int:
    """`motcua voice export PACK FILE` / `motcua voice import FILE [--as CODE] [--name NAME]`
    on MOTCUA_DATABASE_URL (kiosk/usecases/voice_packs.py)."""
    from datetime import UTC, datetime
    from pathlib import Path

    from kiosk.core.errors import DomainError
    from kiosk.messages import message
    from kiosk.store import Store, migrate
    from kiosk.usecases import voice_packs

    config = Config.from_env()
    store = Store(config.database_url)
    try:
        migrate.upgrade_if_behind(store.url, store.engine)
        if args.voice_command == "export":
            data = voice_packs.export_pack(store, args.pack)
            Path(args.file).write_bytes(data)
            print(f"voice pack {args.pack} written to {args.file} ({len(data) // 1024} KiB)")
            return 0
        pack = voice_packs.import_pack(
            store,
            datetime.now(UTC),
            Path(args.file).read_bytes(),
            args.code,
            args.name,
            replace=args.replace,
        )
        print(f"voice pack {pack.code} ({pack.name}) imported: {len(pack.clips)} clips")
        return 0
    except DomainError as error:
        print(f"error: {message(error.code, **error.params)}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    finally:
        store.dispose()


def cmd_printer(args) -> int:
    from kiosk.runtime.print_service import print_test_ticket

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
        "centre": cmd_centre,
        "devices": cmd_devices,
        "printer": cmd_printer,
        "voice": cmd_voice,
        "agent": cmd_agent,
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
