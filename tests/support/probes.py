"""Probes that must run in an interpreter of their own: monkey-patching for an async
mode has to come before anything else is imported."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_in_mode(mode: str, argv: list[str], *, also_importable: tuple[Path, ...] = ()) -> dict:
    """`python -W ignore ARGV…` in a fresh interpreter with MOTCUA_ASYNC_MODE=mode; the
    JSON object its last line of output prints (it must say {"mode": mode, …})."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), *map(str, also_importable)]),
        "MOTCUA_ASYNC_MODE": mode,
    }
    done = subprocess.run(
        [sys.executable, "-W", "ignore", *argv],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["mode"] == mode
    return result
