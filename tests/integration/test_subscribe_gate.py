"""A reconnect storm is admitted a few snapshots at a time, in every async mode
(kiosk/runtime/admission.py): each screen is answered, the builds never exceed the
gate, waiting at the gate does not freeze the hub's loop, and a screen that asked
again while it waited gets one snapshot, not two.

Each mode runs in its own interpreter (subscribe_gate_probe.py): monkey-patching must
come first.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent


@pytest.mark.parametrize("mode", ["gevent", "eventlet", "threading"])
def test_a_storm_of_subscribes_passes_the_gate_a_few_at_a_time(mode):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MOTCUA_ASYNC_MODE": mode}
    done = subprocess.run(
        [sys.executable, "-W", "ignore", str(HERE / "subscribe_gate_probe.py"), mode],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["mode"] == mode
    storm = result["storm"]
    # Every screen got its snapshot, never more than the gate's 3 at a time ...
    assert storm["built"] == sorted(f"s{i}" for i in range(24))
    assert storm["most_at_once"] == 3, storm
    # ... in about 8 rounds of 20 ms (all 24 at once would be one round; one at a time 24),
    assert storm["took_s"] < 2.0, storm
    # and the screens waiting at the gate did not stop the loop (a blocking semaphore
    # under gevent or eventlet would stall it for the whole storm).
    assert storm["max_gap_ms"] < 150, storm
    late = result["superseded"]
    # The screen that asked twice got one snapshot (its newer subscribe); the one that
    # hung up while waiting got none; nothing else was skipped.
    assert late["built"] == ["holder", "a2"], late
    assert late["answers"] == {"a1": None, "b1": None, "a2": "a2"}, late
    assert late["skipped"] == 2, late
