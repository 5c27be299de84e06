"""A short soak in the suite (the long one is bench/soak.py): a busy morning
compressed into 45 seconds, 40 counters and 50 screens, no error, no call
missed by any screen, memory flat."""

from __future__ import annotations

from bench.soak import run_soak


def test_busy_morning_compressed(postgres_url):
    result = run_soak(
        minutes=0.75, counters=40, screens=50, visitors=450, hours=3, database_url=postgres_url
    )
    assert result["errors"] == []
    # ~450 arrivals are scheduled; a loaded CI machine may fall a little behind, but a
    # busy morning it stays (the throughput itself is measured in bench/, not here)
    assert result["issued"] > 260 and result["calls"] > 110
    assert result["missed_calls"] == 0, "a lobby screen missed a call"
    memory = [kb for _, kb in result["memory_kb"]]
    settled = memory[len(memory) // 3]
    assert memory[-1] < settled * 1.25, f"hub memory grew: {memory}"
