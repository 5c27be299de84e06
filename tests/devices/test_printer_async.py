"""Under gevent and eventlet a stuck printer must not freeze the hub's event loop.

Each mode runs in its own interpreter (async_probe.py), because monkey-patching
has to happen before anything else is imported.  The virtual printers run
here, in plain threads.
"""

from __future__ import annotations

from pathlib import Path

import escpos_decode
import pytest

from tests.support.probes import run_in_mode

HERE = Path(__file__).resolve().parent


@pytest.mark.parametrize("mode", ["gevent", "eventlet"])
def test_event_loop_keeps_ticking_while_a_printer_hangs(vprinter_factory, mode):
    hung, good = vprinter_factory(), vprinter_factory()
    hung.hang = True
    result = run_in_mode(mode, [str(HERE / "async_probe.py"), mode, str(hung.port), str(good.port)])
    # The other printer printed its three tickets, in order, while the first one hung.
    assert result["printed"] == ["g0", "g1", "g2"]
    assert len(escpos_decode.cuts(good.received)) == 3
    # The hung printer was really hung (timed out, nothing printed) ...
    assert any("timeout" in e for e in result["hung_errors"]), result
    assert result["hung_pending"] == 3
    # ... and the 10 ms ticker never stalled: a blocking socket call would show up as a gap of
    # the printer's whole 1 s timeout.  Shorter gaps (180 ms seen on a loaded CI machine)
    # are the other core's load and the GIL while a ticket image renders, not a block.
    assert result["max_gap_ms"] < 500, result
    assert result["ticks"] > 100, result
