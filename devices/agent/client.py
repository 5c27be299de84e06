"""`motcua agent --hub URL --token TOKEN`: a centre's printers and scanners, driven from
the centre's own network for a hub that cannot reach them (a province's central hub).

The agent connects out to the hub's Socket.IO namespace `/agent` (a WebSocket through
nginx and HTTPS, so nothing is opened at the centre), shows its device token of kind
"agent", and asks the hub which printers and scanners are its own.  It drives them
with the same workers as the hub (devices.printer.PrinterWorker,
devices.scanner.ScannerWorker; tickets rendered from the hub's JSON by
devices.rendering.wire) and tells the hub what happens:

    hub → agent   print_job {job, printer, ticket}, devices_changed, revoked {message}
    agent → hub   hello {now} → {printers, scanners}; jobs → [print_job…]; printed {job};
                  failed {job, error}; status {kind, name, status}; scan {scanner, code, at}

`now` and `at` are this machine's clock in UTC: the hub compares them to tell how old a
scan is, whatever the two clocks say (kiosk/realtime_agent.py, MAX_SCAN_AGE_S).

Nothing printed twice, nothing lost: a job's progress is in a local SQLite journal
(devices/agent/journal.py).  On every (re)connect the agent first reports the jobs it
printed that the hub has not acknowledged, then asks for the pending ones; a job its
journal marks printed is acknowledged without printing.  A scan made while the hub is
away is logged and dropped: the citizen has moved on by the time it is back; so is one
the hub receives late (a hub that froze), which the hub refuses by its time.  An
unreachable hub is tried again after 1 s, then 2, 4 … up to 10 s between tries
(environment MOTCUA_AGENT_RETRY_MAX_S sets that longest wait; default 10).

This module imports the standard library, devices/ and python-socketio's client only
(no Flask, SQLAlchemy, PostgreSQL or Redis driver): it runs on a Raspberry Pi.
"""

from __future__ import annotations

import hashlib
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from devices.agent.journal import Journal
from devices.printer import PrinterConfigError, PrinterStatus, PrinterWorker, open_from_table
from devices.rendering.wire import marked_reprint, ticket_from_wire
from devices.scanner import ScannerConfig, ScannerConfigError, ScannerWorker
from devices.scanner.privacy import loggable

log = logging.getLogger("motcua.agent")
NAMESPACE = "/agent"
POLL_S = 2.0  # also ask for pending jobs this often (reprints and test prints are not pushed)
# The hub away: retried after 1 s, doubling up to this (MOTCUA_AGENT_RETRY_MAX_S; the
# tests shorten it so that a restarted hub is found again at once).
RETRY_MAX_S = 10.0
CALL_TIMEOUT_S = 5.0
EXIT_REFUSED = 3  # the hub refused or revoked the token: restarting will not help

# What the hub's refusal codes mean to whoever reads the agent's log.
REFUSALS = {
    "device_revoked": (
        "the hub revoked this agent's token; pair it again (motcua devices pair agent NAME)",
        "trung tâm đã thu hồi mã của máy này; cần ghép nối lại (motcua devices pair agent TÊN)",
    ),
    "device_not_paired": (
        "the hub does not know this token (wrong token or another centre's hub)",
        "máy chủ không nhận mã này (sai mã hoặc mã của trung tâm khác)",
    ),
}


def load_socketio():
    """python-socketio's client, without the message-queue back ends its package imports
    (an agent never uses Redis, Kafka or ZeroMQ: 90 ms and several MB saved)."""
    for backend in ("redis", "kombu", "kafka", "zmq", "aio_pika"):
        sys.modules.setdefault(backend, None)  # `import redis` now fails: socketio skips it
    import socketio

    return socketio


def default_journal(hub_url: str) -> Path:
    """One journal per hub: job numbers are the hub's own."""
    base = os.environ.get("STATE_DIRECTORY") or Path.home() / ".local" / "state" / "motcua"
    digest = hashlib.sha256(hub_url.rstrip("/").encode()).hexdigest()[:12]
    return Path(base) / f"agent-{digest}.db"


def utc_now() -> str:
    """This machine's clock, UTC, ISO 8601 with milliseconds (a scan's `at`, hello's `now`)."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def _match(kind: str, tables: list, workers: dict, configs: dict, start: Callable) -> None:
    """Stop the workers of `kind` whose table changed or went, start those that are new."""
    wanted = {str(t.get("name")): t for t in tables if isinstance(t, dict)}
    for name in list(workers):
        if configs.get(name) != wanted.get(name):
            log.info("agent: %s %s stopped (changed or removed)", kind, name)
            workers.pop(name).stop()
            configs.pop(name, None)
    for name, table in wanted.items():
        if name not in workers:
            start(name, table)


class _JournalledPrinter:
    """A printer whose first byte of each job is written to the journal before it leaves:
    the worker composes a job right before sending it."""

    def __init__(self, agent: Agent, name: str, printer) -> None:
        self._agent, self._name, self._printer = agent, name, printer

    def compose(self, ticket):
        job = self._agent.job_of(ticket)
        if job is not None:
            self._agent.journal.mark(job, self._name, "printing")
        return self._printer.compose(ticket)

    def __getattr__(self, name):  # send, status, close, last_status: the real printer's
        return getattr(self._printer, name)


class Agent:
    def __init__(self, hub_url: str, token: str, journal: str | Path | None = None) -> None:
        self.hub_url = hub_url.rstrip("/")
        self.token = token
        self.journal = Journal(journal or default_journal(self.hub_url))
        self.retry_max_s = float(os.environ.get("MOTCUA_AGENT_RETRY_MAX_S") or RETRY_MAX_S)
        self.sio = None
        self.name = ""
        self.printer_config: dict[str, dict] = {}
        self.scanner_config: dict[str, dict] = {}
        self.printers: dict[str, PrinterWorker] = {}
        self.scanners: dict[str, ScannerWorker] = {}
        self.status: dict[str, dict] = {}  # device key → last status, sent again on reconnect
        self.exit_code = 0
        self._stop = threading.Event()
        self._tickets: dict[int, tuple[int, object]] = {}  # id(ticket) → (job, ticket)
        self._queued: set[int] = set()  # jobs in a printer's queue now
        self._lock = threading.Lock()
        self._sync_lock = threading.Lock()

    # -- life cycle ---------------------------------------------------------------------------
    def run(self) -> int:
        socketio = load_socketio()
        sio = socketio.Client(
            reconnection=True,
            reconnection_delay=min(1, self.retry_max_s),
            reconnection_delay_max=self.retry_max_s,
            randomization_factor=0.5,
            handle_sigint=False,
        )
        self.sio = sio
        sio.on("connect", self._connected, namespace=NAMESPACE)
        sio.on("connect_error", self._refused, namespace=NAMESPACE)
        sio.on("disconnect", self._disconnected, namespace=NAMESPACE)
        sio.on("print_job", self._offered, namespace=NAMESPACE)
        sio.on("devices_changed", lambda *_: self._background(self._sync), namespace=NAMESPACE)
        sio.on("revoked", self._revoked, namespace=NAMESPACE)
        if (
            threading.current_thread() is threading.main_thread()
        ):  # `motcua agent`, not a test's thread
            signal.signal(signal.SIGTERM, lambda *_: self._stop.set())
        log.info("agent: connecting to %s", self.hub_url)
        threading.Thread(target=self._connect, daemon=True, name="agent-connect").start()
        threading.Thread(target=self._poll, daemon=True, name="agent-poll").start()
        try:
            while not self._stop.wait(0.5):
                pass
        except KeyboardInterrupt:
            pass
        self._shutdown()
        return self.exit_code

    def stop(self, code: int = 0) -> None:
        self.exit_code = code
        self._stop.set()

    def _connect(self) -> None:
        delay = min(1.0, self.retry_max_s)
        while not self._stop.is_set():
            try:
                # retry: an unreachable hub is retried with the backoff of later reconnects.
                self.sio.connect(
                    self.hub_url,
                    auth={"token": self.token},
                    namespaces=[NAMESPACE],
                    transports=["websocket"],
                    wait_timeout=10,
                    retry=True,
                )
                return
            except ValueError as error:  # a bad URL: nothing to retry
                log.error("agent: cannot connect to %s: %s", self.hub_url, error)
                self.stop(2)
            except Exception as error:  # refused (connect_error decides) or gone again
                log.debug("agent: connecting failed: %s", error)
                self._stop.wait(delay)
                delay = min(delay * 2, self.retry_max_s)

    def _shutdown(self) -> None:
        # Only a connection the hub accepted is closed here.  After a refusal the connecting
        # thread closes its own: two threads closing one python-engineio client at once
        # leave its writer waiting ping interval + timeout (15 s) before the agent can exit.
        if self.online:
            try:
                self.sio.disconnect()
            except Exception:  # already gone
                pass
        for worker in [*self.scanners.values(), *self.printers.values()]:
            worker.stop()
        self.journal.close()

    @property
    def online(self) -> bool:
        sio = self.sio
        return sio is not None and sio.connected and NAMESPACE in sio.namespaces

    # -- connection events (python-socketio's thread: never wait for the hub here) -------------
    def _connected(self) -> None:
        log.info("agent: connected to %s", self.hub_url)
        self._background(self._sync)

    def _disconnected(self, *reason) -> None:
        if self._stop.is_set():
            return
        log.warning(
            "agent: the hub at %s is unreachable (%s); retrying; scans are dropped until it "
            "is back, tickets print when it is",
            self.hub_url,
            reason[0] if reason else "connection lost",
        )

    def _refused(self, data=None) -> None:
        """{message, data: {error, message}} from the hub's connect handler."""
        detail = data.get("data") if isinstance(data, dict) else None
        code = detail.get("error") if isinstance(detail, dict) else None
        if code in REFUSALS:
            self._fatal(code, detail.get("message"))
        elif detail:
            log.warning("agent: the hub did not accept the connection: %s", detail)
        else:
            log.info("agent: the hub is still unreachable; retrying")

    def _revoked(self, data=None) -> None:
        data = data if isinstance(data, dict) else {}
        mine = hashlib.sha256(self.token.encode()).hexdigest()[:16]
        if data.get("token") not in (None, mine):
            return  # another token of an agent of the same name
        self._fatal("device_revoked", data.get("message"))

    def _fatal(self, code: str, message: str | None) -> None:
        english, vietnamese = REFUSALS[code]
        log.error("agent: stopped: %s%s", english, f" ({message})" if message else "")
        log.error("agent: đã dừng: %s", vietnamese)
        self.stop(EXIT_REFUSED)

    def _background(self, fn, *args) -> None:
        threading.Thread(target=fn, args=args, daemon=True).start()

    # -- agreeing with the hub ----------------------------------------------------------------
    def _sync(self) -> None:
        """After each (re)connect or a device change: configuration, then printed jobs the hub
        has not acknowledged, then the statuses, then the pending jobs."""
        with self._sync_lock:
            try:
                hello = self._call("hello", {"now": utc_now()})
                if not hello.get("ok"):
                    log.warning("agent: hello refused: %s", hello)
                    return
                self.name = hello.get("agent", self.name)
                self._configure(hello.get("printers", []), hello.get("scanners", []))
                for job in self.journal.unacknowledged():
                    self._report_printed(job)
                for key, entry in list(self.status.items()):
                    self._send_status(key, entry)
                self._fetch_jobs()
            except Exception as error:  # the hub went away again: the next connect retries
                log.warning("agent: could not agree with the hub: %s", error)

    def _poll(self) -> None:
        while not self._stop.wait(POLL_S):
            if self.online and not self._sync_lock.locked():
                try:
                    self._fetch_jobs()
                except Exception as error:
                    log.debug("agent: asking for jobs failed: %s", error)

    def _fetch_jobs(self) -> None:
        answer = self._call("jobs", {})
        for job in answer.get("jobs", []):
            self._offered(job)

    def _call(self, event: str, data: dict) -> dict:
        answer = self.sio.call(event, data, namespace=NAMESPACE, timeout=CALL_TIMEOUT_S)
        return answer if isinstance(answer, dict) else {}

    # -- printing -----------------------------------------------------------------------------
    def job_of(self, ticket) -> int | None:
        with self._lock:
            entry = self._tickets.get(id(ticket))
        return entry[0] if entry else None

    def _offered(self, data: dict) -> None:
        """A job from the hub (pushed, or in the answer to `jobs`)."""
        try:
            job, printer = int(data["job"]), str(data["printer"])
        except (KeyError, TypeError, ValueError):
            log.warning("agent: ignored a malformed job %r", data)
            return
        with self._lock:
            if job in self._queued:
                return
            state = self.journal.state(job)
            if state in ("printed", "acked"):
                # Printed before the hub heard of it: acknowledge, never print it again.
                self._background(self._report_printed, job)
                return
            worker = self.printers.get(printer)
            if worker is None:
                log.warning("agent: job %s is for printer %s, which is not mine", job, printer)
                return
            try:
                ticket = ticket_from_wire(data["ticket"])
            except (KeyError, TypeError, ValueError) as error:
                log.error("agent: job %s cannot be printed: %s", job, error)
                self._background(self._report_failed, job, f"bad ticket data: {error}")
                return
            if state == "printing":
                # Killed while it was printing: it may be on paper already. Say so on this one.
                log.warning(
                    "agent: job %s was interrupted while printing; printing it again, "
                    "marked as a reprint",
                    job,
                )
                ticket = marked_reprint(ticket)
            self._queued.add(job)
            self._tickets[id(ticket)] = (job, ticket)
            self.journal.mark(job, printer, "received")
            # Queued under the lock: a job pushed by the hub and the next one in the answer
            # to `jobs` (two threads) reach the printer in the order they were taken, not
            # the order the threads woke (A003 was seen printed before A002).
            worker.submit(str(job), ticket)

    def _printed(self, job_id: str) -> None:
        job = int(job_id)
        printer = self._forget(job)
        self.journal.mark(job, printer, "printed")  # before anything else: never print twice
        self._report_printed(job)

    def _failed(self, job_id: str, error: Exception) -> None:
        job = int(job_id)
        self._forget(job)
        self.journal.forget(job)
        log.warning("agent: job %s dropped: %s", job, error)
        self._report_failed(job, str(error)[:300])

    def _forget(self, job: int) -> str:
        """No longer queued here; the printer the journal recorded for it."""
        with self._lock:
            self._queued.discard(job)
            for key, (queued, _) in list(self._tickets.items()):
                if queued == job:
                    del self._tickets[key]
        return self.journal.printer(job)

    def _report_printed(self, job: int) -> None:
        if not self.online:
            return  # reported on the next connect
        try:
            answer = self._call("printed", {"job": job})
        except Exception as error:
            log.info("agent: job %s printed; the hub will be told on reconnect (%r)", job, error)
            return
        if answer.get("ok"):
            self.journal.mark(job, self.journal.printer(job), "acked")
        else:
            log.warning("agent: the hub did not take job %s as printed: %s", job, answer)

    def _report_failed(self, job: int, error: str) -> None:
        if self.online:
            try:
                self._call("failed", {"job": job, "error": error})
            except Exception:  # the hub gives up old jobs itself
                pass

    # -- devices ------------------------------------------------------------------------------
    def _configure(self, printers: list[dict], scanners: list[dict]) -> None:
        """Start, restart or stop workers so they match what the hub says is ours."""
        _match("printer", printers, self.printers, self.printer_config, self._start_printer)
        _match("scanner", scanners, self.scanners, self.scanner_config, self._start_scanner)

    def _start_printer(self, name: str, cfg: dict) -> None:
        self.printer_config[name] = cfg
        try:
            printer = open_from_table(cfg)
        except (PrinterConfigError, KeyError, ValueError) as error:
            log.error("agent: printer %s: %s", name, error)
            self._set_status("printer", name, {"state": "error", "error": str(error)})
            return
        log.info("agent: printer %s at %s", name, cfg["url"])
        self.printers[name] = PrinterWorker(
            name,
            _JournalledPrinter(self, name, printer),
            on_printed=self._printed,
            on_failed=self._failed,
            on_status=self._printer_status,
        ).start()

    def _start_scanner(self, name: str, table: dict) -> None:
        self.scanner_config[name] = table
        try:
            config = ScannerConfig.from_table({k: v for k, v in table.items() if k != "agent"})
        except ScannerConfigError as error:
            log.error("agent: %s", error)
            self._set_status("scanner", name, {"state": "error", "error": str(error)})
            return
        log.info("agent: scanner %s at %s (%s)", name, config.url, config.use)
        self.scanners[name] = ScannerWorker(
            config, on_scan=self._scanned, on_status=self._scanner_status
        ).start()

    def _printer_status(self, name: str, status: PrinterStatus) -> None:
        self._set_status("printer", name, status.to_dict())

    def _scanner_status(self, name: str, status: dict) -> None:
        self._set_status("scanner", name, status)

    def _set_status(self, kind: str, name: str, status: dict) -> None:
        key = f"{kind}:{name}"
        self.status[key] = status
        self._send_status(key, status)

    def _send_status(self, key: str, status: dict) -> None:
        if not self.online:
            return  # sent again on the next connect
        kind, name = key.split(":", 1)
        try:
            self.sio.emit("status", {"kind": kind, "name": name, "status": status}, NAMESPACE)
        except Exception as error:
            log.debug("agent: status of %s not sent: %s", key, error)

    def _scanned(self, name: str, code: str) -> None:
        at = utc_now()
        if not self.online:
            # Applied later it would be wrong: the citizen has moved on.  Say so and drop it.
            log.warning(
                "agent: scanner %s: %s dropped: the hub is unreachable", name, loggable(code)
            )
            return
        try:
            answer = self._call("scan", {"scanner": name, "code": code, "at": at})
        except Exception as error:
            log.warning(
                "agent: scanner %s: %s dropped: the hub did not answer (%s)",
                name,
                loggable(code),
                error,
            )
            return
        if answer.get("error") == "scan_too_old":
            log.warning(
                "agent: scanner %s: %s dropped: it reached the hub too late", name, loggable(code)
            )
            return
        log.info(
            "agent: scanner %s: %s → %s",
            name,
            loggable(code),
            answer.get("error") or answer.get("kind") or answer,
        )


def main(hub_url: str, token: str, journal: str | None = None) -> int:
    """Run until stopped (SIGTERM, Ctrl-C) or refused; the exit code says which."""
    return Agent(hub_url, token, journal).run()
