"""Bench: a province's centres on two hub processes (issue 13).

    .venv/bin/python bench/province.py [--centres 200] [--tickets 20000] [--minutes 10]
        [--probes 40] [--postgres postgresql://postgres@127.0.0.1:5432/test]
        [--redis URL|private]

Stores --centres centres (2 fields, 4 counters, a clerk per counter each; through
kiosk.store.seed, as `motcua centre add` does) in a scratch PostgreSQL database and
starts two hub processes on it (`motcua run`, gevent, MOTCUA_MESSAGE_QUEUE on a
throw-away `redis-server`: tests/support/hubs.py HubProcess), so that both serve every
centre.  Every centre gets a kiosk, a lobby TV and 4 clerk consoles (each clerk logged
in at its centre), python-socketio clients on gevent greenlets in this process that
subscribe with `centre: CODE`: 6 sockets a centre.  A centre's sockets are on one
process (nginx's ip_hash keeps a centre's devices on one); its kiosk's and clerks' HTTP
requests go to the other process, so every event crosses Redis.  Then

1. the hubs' memory with every socket subscribed;
2. a province morning compressed into --minutes: --tickets citizens arrive at random
   centres (open loop, Poisson), the clerks call when their console says someone
   waits (the `queue` events it receives), serve 4–12 minutes of a 4-hour morning
   scaled down to --minutes, and finish.  Errors (any non-2xx answer), calls a centre's
   lobby screen missed, numbers given twice in a centre (in the database), the hubs'
   memory every 5 s and their own CPU;
3. SIGKILL to both hubs and `motcua run` again: the time until every socket has
   reconnected and been sent a snapshot, how many snapshots show the state the centre
   had before the kill (centre, waiting counts, what each counter holds: as
   GET /api/v1/c/{code}/queue answered then), subscribes refused and PostgreSQL
   refusals in the hubs' logs;
4. meanwhile, in the first centre (kept out of the morning's load), --probes presses
   of "next" spread over the morning: latency from just before the request to the
   lobby screen's `call`, while the other centres are busy.

Prints a Markdown table for docs/benchmarks.md.  The load generator and the 1,200
sockets run in this one process on the same cores as the hubs, PostgreSQL and Redis.
"""

from gevent import monkey

monkey.patch_all()  # before anything opens a socket: every client is a greenlet

import argparse  # noqa: E402
import collections  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import shutil  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from contextlib import nullcontext  # noqa: E402
from pathlib import Path  # noqa: E402

import gevent  # noqa: E402
import gevent.event  # noqa: E402
import requests  # noqa: E402
import socketio  # noqa: E402
from gevent.pool import Pool  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import cpu_s, percentile, rss_kib  # noqa: E402
from bench.reports import scratch_postgres  # noqa: E402
from bench.scale_out import private_redis  # noqa: E402
from tests.support.hubs import MIGRATED, HubProcess, _quick_password_hashes  # noqa: E402

FIELDS = (("HT", "A"), ("DD", "B"))
COUNTERS = 4
CLERK_PASSWORD = "bench-clerk-pass"
CONNECT_AT_ONCE = 20  # sockets waiting for their snapshot at a time (pooled connections)
MORNING_MIN = 240  # the real morning the run compresses (service times scale with it)
LOG_REFUSALS = ("too many clients", "OperationalError", "database unavailable")


def centre_data(n: int) -> dict:
    return {
        "centre": {"code": f"xa-{n:03d}", "name": f"Trung tâm Phục vụ hành chính công xã {n:03d}"},
        "services": [{"code": c, "name": f"Lĩnh vực {c}", "prefix": p} for c, p in FIELDS],
        "counters": [
            {"number": k, "services": [c for c, _ in FIELDS]} for k in range(1, COUNTERS + 1)
        ],
        "users": [
            {"username": f"clerk{k}", "password": CLERK_PASSWORD, "role": "clerk", "counter": k}
            for k in range(1, COUNTERS + 1)
        ],
    }


def centre_file(path: Path, data: dict) -> Path:
    """The first centre as a TOML file, for `motcua run --config` (already stored)."""
    info = data["centre"]
    lines = [f'[centre]\ncode = "{info["code"]}"\nname = "{info["name"]}"\n']
    for s in data["services"]:
        lines.append(
            f'[[services]]\ncode = "{s["code"]}"\nname = "{s["name"]}"\nprefix = "{s["prefix"]}"\n'
        )
    for c in data["counters"]:
        services = ", ".join(f'"{code}"' for code in c["services"])
        lines.append(f"[[counters]]\nnumber = {c['number']}\nservices = [{services}]\n")
    for u in data["users"]:
        lines.append(
            f'[[users]]\nusername = "{u["username"]}"\npassword = "{u["password"]}"\n'
            f'role = "{u["role"]}"\ncounter = {u["counter"]}\n'
        )
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def store_centres(url: str, n: int) -> float:
    """Migrate and store the centres as `motcua db upgrade` and `centre add` would."""
    from kiosk.store import Store, migrate
    from kiosk.store.seed import seed

    started = time.perf_counter()
    store = Store(url)
    migrate.upgrade(store.url)
    with store.write() as session, _quick_password_hashes():
        for i in range(1, n + 1):
            seed(session, centre_data(i))
    store.dispose()
    MIGRATED.add(url)  # HubProcess: no `db upgrade` again
    return time.perf_counter() - started


def summary(snapshot: dict) -> tuple:
    """What a screen shows of its centre: name, waiting counts, each counter's number."""
    held = tuple(
        (c["number"], (c.get("current") or {}).get("number")) for c in snapshot["counters"]
    )
    return snapshot["centre"]["name"], tuple(sorted(snapshot["waiting"].items())), held


class Province:
    """Every centre's sockets (python-socketio over WebSocket, one greenlet each)."""

    def __init__(self):
        self.fresh: dict[int, tuple] = {}  # socket → summary of its latest snapshot
        self.since: dict[int, float] = {}  # socket → when that snapshot came
        self.centre_of: dict[int, str] = {}
        self.calls: dict[str, dict[str, float]] = collections.defaultdict(dict)  # lobby
        self.waiting: dict[str, int] = collections.defaultdict(int)
        self.changed: dict[str, gevent.event.Event] = collections.defaultdict(gevent.event.Event)
        self.refusals: collections.Counter = collections.Counter()
        self.drops = 0
        self.drop_reasons: collections.Counter = collections.Counter()  # by socket and why
        self.closing = False
        self.clients: list[socketio.Client] = []

    def connect(self, url: str, code: str, subscription: dict, token: str | None = None):
        i = len(self.centre_of)
        self.centre_of[i] = code
        client = socketio.Client(reconnection=True, reconnection_delay_max=2)
        payload = {**subscription, "centre": code}

        connects = [0]  # a subscribe loop ends when its connection does

        def subscribe() -> None:
            """As static/js/hub.js: asked again on `database_unavailable` or no answer in
            10 s, after 1, 2, 4… up to 15 s with jitter; another refusal is final."""
            attempt, mine = 0, connects[0]
            deadline = time.monotonic() + 10  # `connected` is set after the connect handler
            while not client.connected and time.monotonic() < deadline:
                gevent.sleep(0.01)
            while client.connected and connects[0] == mine:
                try:
                    answer = client.call("subscribe", payload, timeout=10)
                except socketio.exceptions.TimeoutError:
                    answer = {"error": "no answer in 10 s"}
                except socketio.exceptions.SocketIOError:
                    return  # disconnected meanwhile: the next connect asks again
                if isinstance(answer, dict) and answer.get("ok"):
                    return
                error = answer.get("error") if isinstance(answer, dict) else repr(answer)
                self.refusals[error] += 1
                if error not in ("database_unavailable", "no answer in 10 s"):
                    return
                attempt += 1
                gevent.sleep(min(15, 2 ** (attempt - 1)) * random.uniform(0.75, 1.25))

        def on_connect() -> None:
            connects[0] += 1
            gevent.spawn(subscribe)

        def on_snapshot(data) -> None:
            self.fresh[i], self.since[i] = summary(data), time.monotonic()
            self._waiting(code, data)

        def on_disconnect(*reason) -> None:
            if not self.closing:
                self.drops += 1
                kind = next(iter(subscription))
                self.drop_reasons[f"{kind} {reason[0] if reason else '?'}"] += 1

        client.on("connect", on_connect)
        client.on("snapshot", on_snapshot)
        client.on("queue", lambda data: self._waiting(code, data))
        client.on("disconnect", on_disconnect)
        if subscription.get("display") == "lobby":
            client.on(
                "call",
                lambda data: self.calls[code].setdefault(data["number"], time.perf_counter()),
            )
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        client.connect(url, headers=headers, transports=["websocket"], wait_timeout=30)
        self.clients.append(client)
        deadline = time.monotonic() + 60  # devices come one after another, not all at once
        while i not in self.fresh and time.monotonic() < deadline:
            gevent.sleep(0.01)

    def _waiting(self, code: str, data) -> None:
        if isinstance(data, dict) and isinstance(data.get("waiting"), dict):
            self.waiting[code] = sum(data["waiting"].values())
            self.changed[code].set()

    def wait_fresh(self, n: int, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while len(self.fresh) < n:
            if time.monotonic() > deadline:
                return False
            gevent.sleep(0.01)
        return True

    def close(self) -> None:
        self.closing = True
        Pool(50).map(lambda c: c.disconnect(), self.clients)


class Load:
    """The morning's kiosks and clerks over HTTP (requests on greenlets)."""

    def __init__(self, province: Province, http: dict[str, str], tokens: dict):
        self.province, self.http, self.tokens = province, http, tokens
        self.issued = collections.Counter()
        self.called: dict[str, set[str]] = collections.defaultdict(set)
        self.finished = 0
        self.errors: list = []
        self.stop = False
        self.sessions = collections.defaultdict(requests.Session)

    def post(self, code: str, path: str, counter: int | None = None, **kwargs):
        session = self.sessions[(code, counter)]
        if counter is not None and "Authorization" not in session.headers:
            session.headers["Authorization"] = f"Bearer {self.tokens[code, counter]}"
        try:
            return session.post(f"{self.http[code]}/api/v1/c/{code}{path}", timeout=30, **kwargs)
        except requests.RequestException as error:
            self.errors.append((path, "exception", str(error)[:200]))
            return None

    def ok(self, response, path: str, *good: int) -> bool:
        if response is not None and response.status_code not in good:
            self.errors.append((path, response.status_code, response.text[:200]))
        return response is not None and response.status_code in good

    def issue(self, code: str, rng: random.Random) -> str | None:
        r = self.post(code, "/tickets", json={"service": rng.choice(FIELDS)[0]})
        if self.ok(r, "issue", 201):
            self.issued[code] += 1
            return r.json()["number"]
        return None

    def arrivals(self, codes: list[str], tickets: int, duration: float, rng: random.Random):
        """Open loop: citizens come on their own schedule, however slow the hubs are."""
        pool = Pool(200)
        next_at, deadline = time.monotonic(), time.monotonic() + duration
        for _ in range(tickets):
            next_at += rng.expovariate(tickets / duration)
            if next_at >= deadline:
                break
            gevent.sleep(max(0.0, next_at - time.monotonic()))
            pool.spawn(self.issue, rng.choice(codes), rng)
        pool.join()

    def clerk(self, code: str, counter: int, service_s: tuple[float, float], seed: int):
        rng = random.Random(seed)
        while not self.stop:
            if self.province.waiting[code] <= 0:
                self.province.changed[code].clear()
                self.province.changed[code].wait(timeout=5)  # the console shows a new ticket
                continue
            r = self.post(code, f"/counters/{counter}/next", counter)
            if r is not None and r.status_code == 204:
                self.province.waiting[code] = 0  # another counter took the last one
                continue
            if r is not None and r.status_code == 409 and "counter_busy" in r.text:
                # An earlier finish failed (counted then): the clerk finishes it now.
                self.post(code, f"/counters/{counter}/finish", counter)
                gevent.sleep(1)
                continue
            if not self.ok(r, "next", 200):
                gevent.sleep(1)
                continue
            self.called[code].add(r.json()["number"])
            gevent.sleep(rng.uniform(*service_s))
            if self.ok(self.post(code, f"/counters/{counter}/finish", counter), "finish", 200):
                self.finished += 1

    def probe(self, code: str, presses: int, gap_s: float, rng: random.Random) -> list[float]:
        """next → the lobby's `call` in a centre of its own, `presses` times."""
        latencies = []
        for _ in range(presses):
            gevent.sleep(gap_s)
            if self.issue(code, rng) is None:
                continue
            started = time.perf_counter()
            r = self.post(code, "/counters/1/next", 1)
            if not self.ok(r, "next", 200):
                continue
            number = r.json()["number"]
            self.called[code].add(number)
            deadline = time.monotonic() + 30
            while number not in self.province.calls[code] and time.monotonic() < deadline:
                gevent.sleep(0.002)
            if number in self.province.calls[code]:
                latencies.append((self.province.calls[code][number] - started) * 1000)
            self.ok(self.post(code, "/counters/1/finish", 1), "finish", 200)
        return latencies


def error_kinds(errors: list) -> dict:
    return dict(collections.Counter(f"{what} {status}" for what, status, _ in errors))


def say(what: str) -> None:
    print(f"{time.strftime('%H:%M:%S')} {what}", file=sys.stderr, flush=True)


def hub_rss_mib(hubs) -> float:
    return sum(rss_kib(h.process.pid) for h in hubs) / 1024


def hub_cpu(hubs) -> float:
    return sum(cpu_s(h.process.pid) for h in hubs)


def start_hubs(hubs: list[HubProcess]) -> None:
    gevent.joinall([gevent.spawn(h.start, 120) for h in hubs], raise_error=True)


def log_refusals(hubs, offsets: list[int]) -> collections.Counter:
    found: collections.Counter = collections.Counter()
    for hub, offset in zip(hubs, offsets, strict=True):
        text = hub.log_path.read_text(errors="replace")[offset:]
        for needle in LOG_REFUSALS:
            found[needle] += text.count(needle)
    return found


def duplicated_numbers(url: str) -> tuple[int, int]:
    """(tickets stored, numbers given twice on one day in one centre)."""
    from sqlalchemy import text

    from kiosk.store import Store

    store = Store(url)
    with store.read() as session:
        stored = session.execute(text("SELECT count(*) FROM tickets")).scalar()
        twice = session.execute(
            text(
                "SELECT count(*) FROM (SELECT centre_id, business_day, number FROM tickets"
                " GROUP BY 1, 2, 3 HAVING count(*) > 1) AS d"
            )
        ).scalar()
    store.dispose()
    return stored, twice


def run(args, url: str, redis_url: str) -> dict:
    result: dict = {"store_s": store_centres(url, args.centres)}
    codes = [centre_data(i)["centre"]["code"] for i in range(1, args.centres + 1)]
    rng = random.Random(13)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        config = centre_file(tmp / "xa-001.toml", centre_data(1))
        # The province layout's pings (deploy/motcua.env.example), unless set in the
        # environment (MOTCUA_PING_TIMEOUT_S=5: the default, for a comparison).
        pings = {"MOTCUA_PING_INTERVAL_S": "10", "MOTCUA_PING_TIMEOUT_S": "20"}
        env = {**pings, "MOTCUA_MESSAGE_QUEUE": redis_url, "MOTCUA_DEVICES": "0"}
        env.update({k: os.environ[k] for k in pings if k in os.environ})

        def hub(k: int, port: int | None = None) -> HubProcess:
            folder = tmp / f"hub{k}"
            folder.mkdir(exist_ok=True)
            return HubProcess(
                folder, async_mode="gevent", database_url=url, config=config, env=env, port=port
            )

        hubs = [hub(0), hub(1)]
        say(f"{args.centres} centres stored in {result['store_s']:.0f} s; starting 2 hubs")
        ports = [h.port for h in hubs]
        province = Province()
        try:
            start_hubs(hubs)
            socket_hub = {code: hubs[i % 2].url for i, code in enumerate(codes)}
            http = {code: hubs[(i + 1) % 2].url for i, code in enumerate(codes)}

            def login(key):
                code, k = key
                r = requests.post(
                    f"{http[code]}/api/v1/c/{code}/auth/token",
                    json={"username": f"clerk{k}", "password": CLERK_PASSWORD},
                    timeout=30,
                )
                r.raise_for_status()
                return key, r.json()["token"]

            keys = [(code, k) for code in codes for k in range(1, COUNTERS + 1)]
            say("hubs up; clerks log in")
            tokens = dict(Pool(20).map(login, keys))
            devices = [(code, {"display": "kiosk"}, None) for code in codes]
            devices += [(code, {"display": "lobby"}, None) for code in codes]
            devices += [(code, {"counter": k}, tokens[code, k]) for code, k in keys]
            cpu0, started = hub_cpu(hubs), time.monotonic()
            Pool(CONNECT_AT_ONCE).map(lambda d: province.connect(socket_hub[d[0]], *d), devices)
            if not province.wait_fresh(len(devices), 120):
                tails = "\n".join(h.logs()[-1500:] for h in hubs)
                raise SystemExit(
                    f"only {len(province.fresh)} of {len(devices)} sockets subscribed, "
                    f"refused: {dict(province.refusals)}\n{tails}"
                )
            result.update(
                sockets=len(devices),
                connect_s=time.monotonic() - started,
                connect_cpu_s=hub_cpu(hubs) - cpu0,
            )
            gevent.sleep(5)  # settled
            result["rss_connected"] = [rss_kib(h.process.pid) / 1024 for h in hubs]

            # 2 and 4: the morning, with the first centre probed
            say(f"{len(province.fresh)} sockets subscribed; the morning")
            load = Load(province, http, tokens)
            duration = args.minutes * 60
            scale = MORNING_MIN / args.minutes
            service_s = (240 / scale, 720 / scale)
            busy = codes[1:]
            clerks = [
                gevent.spawn(load.clerk, code, k, service_s, n)
                for n, (code, k) in enumerate(keys)
                if code != codes[0]
            ]
            memory = [(0.0, hub_rss_mib(hubs))]
            cpu0, started = hub_cpu(hubs), time.monotonic()
            own_cpu0 = time.process_time()  # this process: its sockets, clerks and kiosks
            arrivals = gevent.spawn(load.arrivals, busy, args.tickets, duration, rng)
            gap = duration / (args.probes + 1)
            probe = gevent.spawn(load.probe, codes[0], args.probes, gap, random.Random(1))
            while not arrivals.ready():
                gevent.sleep(5)
                memory.append((time.monotonic() - started, hub_rss_mib(hubs)))
                if len(memory) % 12 == 0:
                    say(f"issued {load.issued.total()}, errors {error_kinds(load.errors)}")
            arrivals_s = time.monotonic() - started
            # Then the clerks call whoever is still waiting (and no one new comes).
            drain_until = time.monotonic() + max(60, duration / 2)
            while time.monotonic() < drain_until and sum(
                len(c) for c in load.called.values()
            ) < sum(load.issued.values()):
                gevent.sleep(5)
                memory.append((time.monotonic() - started, hub_rss_mib(hubs)))
            load.stop = True
            for code in busy:
                province.changed[code].set()
            gevent.joinall(clerks + [probe], timeout=60)
            morning_s = time.monotonic() - started
            morning_cpu = hub_cpu(hubs) - cpu0
            result["bench_cpu"] = time.process_time() - own_cpu0
            gevent.sleep(3)  # the last calls reach the screens
            memory.append((time.monotonic() - started, hub_rss_mib(hubs)))
            missed = sum(len(load.called[code] - set(province.calls[code])) for code in codes)
            stored, twice = duplicated_numbers(url)
            result.update(load=load, memory=memory, latencies=probe.value or [])
            result.update(missed=missed, stored=stored, twice=twice, probe_centre=codes[0])
            result.update(arrivals_s=arrivals_s, morning_s=morning_s, morning_cpu=morning_cpu)
            result.update(drops_morning=province.drops, refused_morning=province.refusals.total())
            result.update(drop_reasons=dict(province.drop_reasons))

            # 3: SIGKILL both hubs, start them again
            say("morning over; SIGKILL both hubs")
            expected = {}
            for code in codes:
                r = requests.get(f"{http[code]}/api/v1/c/{code}/queue", timeout=30)
                r.raise_for_status()
                expected[code] = summary(r.json())
            offsets = [len(h.log_path.read_text(errors="replace")) for h in hubs]
            province.refusals.clear()
            province.fresh.clear()
            killed = time.monotonic()
            for h in hubs:
                h.process.kill()
                h.process.wait()
                h.log.close()
            hubs = [hub(k, ports[k]) for k in range(2)]
            start_hubs(hubs)
            result["restart_up_s"] = time.monotonic() - killed
            all_back = province.wait_fresh(len(devices), 120)
            result.update(restart_all=all_back, resubscribed=len(province.fresh))
            if all_back:
                result["restart_s"] = max(province.since.values()) - killed
            right = [seen == expected[province.centre_of[i]] for i, seen in province.fresh.items()]
            result["right_state"] = sum(right)
            result["restart_refusals"] = dict(province.refusals)
            result["log_refusals"] = dict(log_refusals(hubs, offsets))
            everything = log_refusals(hubs, [0, 0])
            result["log_refusals_morning"] = dict(everything - log_refusals(hubs, offsets))
            for n, hub in enumerate(hubs):  # kept for a look after the run
                shutil.copyfile(hub.log_path, Path(tempfile.gettempdir()) / f"province-hub-{n}.log")
        finally:
            province.close()
            for h in hubs:
                h.stop()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--centres", type=int, default=200)
    parser.add_argument("--tickets", type=int, default=20_000)
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--probes", type=int, default=40)
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument(
        "--redis", default="private", help="URL, or `private`: a throw-away redis-server"
    )
    args = parser.parse_args()
    url, drop = scratch_postgres(args.postgres)
    redis_cm = private_redis() if args.redis == "private" else nullcontext(args.redis)
    try:
        with redis_cm as redis_url:
            r = run(args, url, redis_url)
    finally:
        drop()
    print_table(args, r)


def print_table(args, r: dict) -> None:
    memory = [m for _, m in r["memory"]]
    load, probed = r["load"], r["probe_centre"]
    busy_issued = load.issued.total() - load.issued[probed]
    busy_called = sum(len(c) for code, c in load.called.items() if code != probed)
    lat = r["latencies"]
    cores = os.cpu_count()
    print(
        f"\nProvince: {args.centres} centres, {r['sockets']} sockets, 2 hub processes, "
        f"{cores} CPUs, load average {os.getloadavg()[0]:.1f} at the end\n"
    )
    print("| measure | target | value |\n| --- | --- | --- |")
    rows = [
        ("centres stored (seed, 4 clerks each)", "", f"{args.centres} in {r['store_s']:.1f} s"),
        (
            "sockets subscribed (kiosk, lobby TV, 4 clerk consoles a centre)",
            "",
            f"{r['sockets']:,} in {r['connect_s']:.1f} s, hubs' CPU {r['connect_cpu_s']:.1f} s",
        ),
        (
            "hub RSS with every socket subscribed",
            "≤ 400 MB",
            f"{sum(r['rss_connected']):.0f} MiB ({' + '.join(f'{m:.0f}' for m in r['rss_connected'])})",
        ),
        (
            "morning: tickets issued / called / finished",
            f"{args.tickets:,} in {args.minutes:g} min",
            f"{busy_issued:,} / {busy_called:,} / {load.finished:,}; arrivals over "
            f"{r['arrivals_s'] / 60:.1f} min, clerks stopped at {r['morning_s'] / 60:.1f} min",
        ),
        ("errors (any non-2xx answer, or none)", "0", f"{len(load.errors)}"),
        ("calls missed by a lobby screen", "0", f"{r['missed']}"),
        (
            "numbers given twice in a centre (database)",
            "0",
            f"{r['twice']} (of {r['stored']:,} tickets)",
        ),
        (
            "sockets that dropped / subscribes refused during the morning",
            "0",
            f"{r['drops_morning']} / {r['refused_morning']}",
        ),
        (
            "hub RSS over the morning: start / end / max",
            "flat",
            f"{memory[0]:.0f} / {memory[-1]:.0f} / {max(memory):.0f} MiB",
        ),
        (
            "hubs' own CPU over the morning",
            "",
            f"{r['morning_cpu']:.0f} s in {r['morning_s']:.0f} s wall "
            f"({r['morning_cpu'] / r['morning_s'] / cores:.0%} of {cores} cores), "
            f"{r['morning_cpu'] / max(1, load.issued.total()) * 1000:.0f} ms per ticket",
        ),
        (
            f"next → lobby `call`, one quiet centre ({len(lat)} presses): median / p99",
            "",
            f"{statistics.median(lat):.0f} / {percentile(lat, 99):.0f} ms" if lat else "none",
        ),
        ("SIGKILL both → both answer /healthz", "", f"{r['restart_up_s']:.1f} s"),
        (
            "SIGKILL both → every socket subscribed again",
            "≤ 30 s",
            f"{r['restart_s']:.1f} s" if r["restart_all"] else f"not all: {r['resubscribed']}",
        ),
        (
            "snapshots after the restart showing the state before it",
            "all",
            f"{r['right_state']:,} of {r['sockets']:,}",
        ),
        (
            "subscribes refused during the restart",
            "0",
            ", ".join(f"{k} {v}" for k, v in r["restart_refusals"].items()) or "0",
        ),
        (
            "PostgreSQL refusals in the hubs' logs after the restart",
            "0",
            ", ".join(f'"{k}" {v}' for k, v in r["log_refusals"].items()),
        ),
    ]
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print("\n| minute | " + " | ".join(f"{at / 60:.0f}" for at, _ in r["memory"][::12]) + " |")
    print("| --- |" + " ---: |" * len(r["memory"][::12]))
    print("| hub RSS MiB | " + " | ".join(f"{m:.0f}" for _, m in r["memory"][::12]) + " |")
    print("\nPostgreSQL refusals in the logs before the kill:", r["log_refusals_morning"] or 0)
    print("drops during the morning by socket and reason:", r.get("drop_reasons") or 0)
    print(
        "this bench's own CPU over the morning (its sockets, clerks and kiosks): "
        f"{r['bench_cpu']:.0f} s in {r['morning_s']:.0f} s wall"
    )
    print("errors by request and answer:", error_kinds(load.errors))
    for error in load.errors[:5]:
        print("error:", error)


if __name__ == "__main__":
    main()
