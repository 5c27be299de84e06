"""A reconnect storm is admitted a few snapshots at a time, in every async mode
(kiosk/runtime/admission.py): each screen is answered, the builds never exceed the
gate, waiting at the gate does not freeze the hub's loop, and a screen that asked
again while it waited gets one snapshot, not two.

Each mode runs in its own interpreter (subscribe_gate_probe.py): monkey-patching must
come first.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.probes import run_in_mode

HERE = Path(__file__).resolve().parent


@pytest.mark.parametrize("mode", ["gevent", "eventlet", "threading"])
def test_a_storm_of_subscribes_passes_the_gate_a_few_at_a_time(mode):
    result = run_in_mode(mode, [str(HERE / "subscribe_gate_probe.py"), mode])
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
