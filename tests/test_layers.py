"""The import graph of kiosk/, devices/ and display/ points downward only.

    kiosk.core  ←  kiosk.store  ←  kiosk.usecases  ←  shells
    (queue rules)  (tables, rows)   (core + store,      (api, pages, admin, realtime,
                                     one event out)      runtime, display, app, cli)
    devices/ (printers, scanners, rendering) imports nothing of kiosk.

Every import counts for the direction rules: at the top of a module, inside a
function (lazy), or under `if TYPE_CHECKING:`.  The cycle check leaves out the
TYPE_CHECKING ones (annotations only, never executed), so a module may name
in a type hint the object that holds it.  A failure names the importing module, the line and the module
it reached, so the offending edge can be found in one step.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("kiosk", "devices", "display")
SHELLS = (
    "kiosk.api",
    "kiosk.pages",
    "kiosk.admin",
    "kiosk.realtime",
    "kiosk.runtime",
    "kiosk.app",
    "kiosk.cli",
    "kiosk.wsgi",
    "display",
)
IO_LIBRARIES = ("flask", "flask_socketio", "sqlalchemy", "socketio", "engineio", "serial", "escpos")


@dataclass(frozen=True)
class Edge:
    source: str  # importing module
    target: str  # imported module (ours: resolved to a module file) or top-level library
    line: int
    typing_only: bool = False  # under `if TYPE_CHECKING:`

    def __str__(self) -> str:
        return f"{self.source}:{self.line} → {self.target}"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.relative_to(ROOT).parts[1:2]:
                continue  # Alembic revisions are run by Alembic, not imported
            found[_module_name(path)] = path
    return found


MODULES = _modules()


def _ours(name: str) -> str | None:
    """The longest known module `name` names (a.b.c where c is a function → a.b)."""
    while name:
        if name in MODULES:
            return name
        name = name.rpartition(".")[0]
    return None


def _type_checking_lines(tree: ast.Module) -> set[int]:
    lines = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                lines.update(range(child.lineno, (child.end_lineno or child.lineno) + 1))
    return lines


def _imports(module: str, path: Path) -> Iterator[tuple[str, int, bool]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    typing_only = _type_checking_lines(tree)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno, node.lineno in typing_only
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")
                parent = parent[: len(parent) - (node.level - 1)]
                base = ".".join([*parent, *([base] if base else [])])
            for alias in node.names:
                # `from kiosk.store import repository` reaches the module kiosk.store.repository
                name = f"{base}.{alias.name}"
                yield name if name in MODULES else base, node.lineno, node.lineno in typing_only


def _edges() -> list[Edge]:
    edges = set()
    for module, path in MODULES.items():
        for name, line, typing_only in _imports(module, path):
            target = _ours(name) if name.split(".")[0] in PACKAGES else name.split(".")[0]
            if target and target != module:
                edges.add(Edge(module, target, line, typing_only))
    return sorted(edges, key=lambda e: (e.source, e.line, e.target))


EDGES = _edges()


def _within(module: str, *prefixes: str) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def _cycles() -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    graph: dict[str, set[str]] = {m: set() for m in MODULES}
    for edge in EDGES:
        if edge.target in MODULES and not edge.typing_only:
            graph[edge.source].add(edge.target)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10 * len(graph)))

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def _offending(source_prefixes: tuple[str, ...], rule) -> list[str]:
    return [str(e) for e in EDGES if _within(e.source, *source_prefixes) and rule(e.target)]


def test_the_walk_sees_the_code():
    """A guard for the guard: the modules and edges below really are found."""
    assert {"kiosk.core.policy", "kiosk.store.repository", "devices.printer"} <= set(MODULES)
    assert any(e.source == "kiosk.core.policy" and e.target == "kiosk.core.model" for e in EDGES)
    assert any(e.source == "kiosk.store.repository" and e.target == "sqlalchemy" for e in EDGES)


def test_no_import_cycle():
    cycles = _cycles()
    assert cycles == [], "modules importing each other:\n" + "\n".join(
        " ↔ ".join(c)
        + "\n  "
        + "\n  ".join(
            str(e) for e in EDGES if e.source in c and e.target in c and not e.typing_only
        )
        for c in cycles
    )


def test_devices_import_nothing_of_the_hub():
    offending = _offending(("devices",), lambda t: _within(t, "kiosk", "display"))
    assert offending == [], "\n".join(offending)


def test_core_imports_only_core_and_the_standard_library():
    def outside(target: str) -> bool:
        if _within(target, "kiosk.core"):
            return False
        if target in MODULES:
            return True
        return target in IO_LIBRARIES or target not in sys.stdlib_module_names

    offending = _offending(("kiosk.core",), outside)
    assert offending == [], "\n".join(offending)


def test_store_imports_no_use_case_or_shell():
    offending = _offending(("kiosk.store",), lambda t: _within(t, "kiosk.usecases", *SHELLS))
    assert offending == [], "\n".join(offending)


def test_use_cases_import_no_shell_and_no_flask():
    offending = _offending(
        ("kiosk.usecases",), lambda t: _within(t, *SHELLS) or t.startswith("flask")
    )
    assert offending == [], "\n".join(offending)


# -- one way for data: shells neither write nor publish -------------------------------
#
# A shell (route, socket handler, device service, CLI command) calls a use case; the use
# case writes and publishes after its commit.  So no shell module opens a write
# transaction on the store (`store.write()`), touches a publisher's `publish` (called or
# passed on: `ctx.publish`, `hub.ctx.publish`), or imports the store's device-status
# table (kiosk.usecases.device_status reports device status).  Reading is allowed.

# (module, top-level function or class) → why this shell's own concern is a write or a
# publish.  Every entry must still be needed: a stale one fails the test below.
SHELL_OWN = {
    ("kiosk.runtime.alerts", "AlertingPublisher"): (
        "a Publisher in the chain ctx.publish → AlertingPublisher → SocketIOPublisher: it "
        "forwards what a use case published, with the alert a device event implies"
    ),
    ("kiosk.runtime.province_feed", "ProvincePublisher"): (
        "a Publisher in the chain ctx.publish → ProvincePublisher → AlertingPublisher → "
        "SocketIOPublisher: it forwards what a use case published, with the small "
        "`province` event that change implies"
    ),
    ("kiosk.runtime.bootstrap", "open_hub"): (
        "opening the hub seeds an empty database from the centre file (store.seed) before "
        "any centre, context or publisher exists; nothing to publish"
    ),
    ("kiosk.cli", "cmd_user"): (
        "`motcua user add` works on a database no hub may be serving yet, like open_hub: "
        "the centre file's seed and the user row (store.seed), nothing to publish"
    ),
}


@dataclass(frozen=True)
class SideRoad:
    module: str
    owner: str  # the top-level function or class it is in ("" at module level)
    line: int
    what: str

    def __str__(self) -> str:
        return f"{self.module}:{self.line} ({self.owner or 'module'}) {self.what}"


def _receiver(node: ast.expr) -> str:
    """`hub.ctx.store` → "store": the last name of what an attribute is read from."""
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else ""


def _side_roads() -> list[SideRoad]:
    found = []
    for module, path in MODULES.items():
        if not _within(module, *SHELLS):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for top in tree.body:
            owner = getattr(top, "name", "")
            for node in ast.walk(top):
                if not isinstance(node, ast.Attribute):
                    continue
                if node.attr == "publish":
                    what = f"{ast.unparse(node)}: publishes (a use case publishes after commit)"
                elif node.attr == "write" and _receiver(node.value) == "store":
                    what = f"{ast.unparse(node)}(): writes (a use case writes)"
                else:
                    continue
                found.append(SideRoad(module, owner, node.lineno, what))
    return found


SIDE_ROADS = _side_roads()


def test_the_side_road_walk_sees_the_code():
    """A guard for the guard: the allowed publish and write really are found."""
    assert any(r.module == "kiosk.runtime.alerts" and "publish" in r.what for r in SIDE_ROADS)
    assert any(r.module == "kiosk.runtime.bootstrap" and "write" in r.what for r in SIDE_ROADS)


def test_shells_neither_write_nor_publish():
    offending = [str(r) for r in SIDE_ROADS if (r.module, r.owner) not in SHELL_OWN]
    offending += _offending(SHELLS, lambda t: t == "kiosk.store.device_status")
    assert offending == [], "call a use case instead:\n" + "\n".join(offending)


def test_every_allowed_side_road_is_still_taken():
    taken = {(r.module, r.owner) for r in SIDE_ROADS}
    stale = [f"{module}.{owner}" for module, owner in SHELL_OWN if (module, owner) not in taken]
    assert stale == [], "remove from SHELL_OWN:\n" + "\n".join(stale)


def test_no_test_module_imports_another():
    """Shared test helpers live in conftest.py or tests/support/: a test module imported by
    another runs its module-level set-up twice and ties two modules' fixtures together."""
    wrong = []
    for path in sorted((ROOT / "tests").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            for name in names:
                parts = name.split(".")
                if parts[0] == "tests" and parts[-1].startswith("test_"):
                    wrong.append(f"{path.relative_to(ROOT)} imports {name}")
    assert not wrong, "move the helpers to tests/support/: " + "; ".join(wrong)
