"""Bench: two trees' hub CPU per request, measured in interleaved rounds.

    .venv/bin/python bench/interleaved.py BEFORE_TREE AFTER_TREE [--n 300] [--rounds 6]
        [--database sqlite|postgres] [--screens 10]

Starts one hub (`motcua run`, gevent) from each tree (a clean `git archive` copy, as
bench/ab.sh makes them), each with --screens lobby screens, and then, round after
round, sends each hub --n requests of each kind from one client: a request the app
answers 404 (the shell alone: pywsgi, Flask, the hooks), an issue (`POST
/api/v1/tickets`) and a clerk's press (next + finish at counter 1, a bearer token;
every ticket it calls is issued before the screens connect).  The hubs take turns within a round (the order alternates), so
both meet the same load on a shared machine: the ratio of the two trees is what to
read, per round and as the median.  CPU is the hub's utime + stime from /proc.

Made for changes of a few percent, which a machine shared with other work hides in
bench/ab.sh's back-to-back runs.
"""

from gevent import monkey

monkey.patch_all()  # before anything opens a socket: every client is a greenlet

import argparse  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
from contextlib import ExitStack  # noqa: E402
from pathlib import Path  # noqa: E402

import requests  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import Screens, cpu_s  # noqa: E402
from bench.scale_out import scratch_database  # noqa: E402
from tests.conftest import HubProcess  # noqa: E402


def press(clerk, url: str) -> None:
    """A clerk's next + finish at counter 1."""
    clerk.post(f"{url}/api/v1/counters/1/next").raise_for_status()
    clerk.post(f"{url}/api/v1/counters/1/finish").raise_for_status()


REQUESTS = {
    "404 (the shell)": lambda s, clerk, url: s.get(f"{url}/api/v1/nothing"),
    "issue": lambda s, clerk, url: s.post(f"{url}/api/v1/tickets", json={"service": "HT"}),
    "press (next + finish)": lambda s, clerk, url: press(clerk, url),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("before")
    parser.add_argument("after")
    parser.add_argument("--n", type=int, default=300, help="requests of each kind a round")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--screens", type=int, default=10)
    args = parser.parse_args()
    trees = (args.before, args.after)
    with ExitStack() as stack:
        hubs = []
        for tree in trees:
            tmp = Path(stack.enter_context(tempfile.TemporaryDirectory()))
            url = stack.enter_context(scratch_database()) if args.database == "postgres" else None
            hub = HubProcess(
                tmp, async_mode="gevent", database_url=url, env={"PYTHONPATH": tree}
            ).start()
            stack.callback(hub.stop)
            session = requests.Session()
            clerk = hub.session()
            # warm-up (first queries, imports) and a ticket for every press to call
            for _ in range(30 + args.n * args.rounds):
                REQUESTS["issue"](session, clerk, hub.url).raise_for_status()
            for _ in range(3):
                press(clerk, hub.url)
            screens = Screens(hub.url, args.screens)
            stack.callback(screens.close)
            hubs.append((tree, hub, session, clerk))
        cpu = {(tree, kind): [] for tree in trees for kind in REQUESTS}
        for round_ in range(args.rounds):
            for kind, send in REQUESTS.items():
                for tree, hub, session, clerk in hubs if round_ % 2 == 0 else hubs[::-1]:
                    before = cpu_s(hub.process.pid)
                    for _ in range(args.n):
                        send(session, clerk, hub.url)
                    cpu[(tree, kind)].append((cpu_s(hub.process.pid) - before) * 1000 / args.n)
            print(f"  round {round_ + 1} done", file=sys.stderr)
    print(f"\nHub CPU per request, {args.database}, {args.screens} lobby screens, ", end="")
    print(f"{args.rounds} rounds of {args.n}:\n")
    print("| request | before (median) | after (median) | after / before, median | per round |")
    print("| --- | ---: | ---: | ---: | --- |")
    for kind in REQUESTS:
        a, b = (cpu[(tree, kind)] for tree in trees)
        ratios = ", ".join(f"{y / x:.2f}" for x, y in zip(a, b, strict=True) if x)
        print(
            f"| {kind} | {statistics.median(a):.2f} ms | {statistics.median(b):.2f} ms "
            f"| {statistics.median(b) / statistics.median(a):.2f}× | {ratios} |"
        )


if __name__ == "__main__":
    main()
