"""Time series from Python (kmm_sample_*): rows on the simulated clock's grid, values that
follow the work done (faults counted by hand), CSV and JSON forms."""
import csv
import io
import json

import numpy as np
import pytest

import kmm


def test_samples_on_the_grid_and_faults_by_hand(machine):
    t = machine.task()
    a = t.mmap(1 << 20)
    t0 = machine.clock_ns
    with machine.sample(["pgfault", "nr_free_pages", "clock_ns"], every_us=50) as ts:
        t.touch(a, 1 << 20)          # 256 pages: 256 faults
        t1 = machine.clock_ns
        machine.idle(1_000_000)       # 1 ms: 20 intervals of 50 us
    times, values = ts.arrays()
    assert ts.columns == ["pgfault", "nr_free_pages", "clock_ns"]
    assert times[0] == t0
    assert (np.diff(times.astype(np.int64)) >= 0).all()
    assert (values[:, 2] == times.astype(np.int64)).all()
    assert values[-1, 0] - values[0, 0] == 256
    assert (np.diff(values[:, 0]) >= 0).all()
    # at most one row per interval; a row is taken at the first run point after a grid
    # point (inside the touch: when a fault yields), exactly on it while idling
    inner = times[1:-1]
    assert (np.diff(inner // 50_000) >= 1).all()
    idle = inner[inner > t1]
    assert len(idle) == (t1 + 1_000_000) // 50_000 - t1 // 50_000
    assert (idle % 50_000 == 0).all()
    assert ts["pgfault"][-1] == values[-1, 0]
    rows = list(csv.reader(io.StringIO(ts.to_csv())))
    assert rows[0] == ["t_ns", "pgfault", "nr_free_pages", "clock_ns"]
    assert len(rows) == len(times) + 1 and int(rows[-1][1]) == values[-1, 0]
    d = json.loads(ts.to_json())
    assert d["interval_ns"] == 50_000 and d["columns"] == ts.columns
    assert d["t_ns"] == [int(x) for x in times] and d["dropped"] == 0
    assert "stopped" in repr(ts)


def test_derived_counters_sample(machine):
    with machine.sample("free_order_10,unusable_index_9,fragmentation_score,tlb_hits",
                        every_us=100) as ts:
        held = [machine.alloc_pages(order=0) for _ in range(3000)]
        machine.idle(300_000)
    v = ts.values
    assert v[-1, 0] <= v[0, 0]  # order-10 blocks were split
    assert (v[:, 1] >= 0).all() and (v[:, 1] <= 1000).all()
    assert (v[:, 2] >= 0).all() and (v[:, 2] <= 100).all()
    for pfn in held:
        machine.free_pages(pfn)


def test_bad_sampling_arguments(machine):
    with pytest.raises(TypeError, match="one of every_us, every_ns"):
        machine.sample("pgfault")
    with pytest.raises(ValueError):
        machine.sample("pgfault", every_us=0)
    with pytest.raises(kmm.NotFound, match="no counter 'nope'"):
        machine.sample("pgfault,nope", every_us=10)
    with pytest.raises(kmm.InvalidArgument, match="more than 64"):
        machine.sample(["pgfree"] * 65, every_us=10)


def test_run_scenario():
    out = kmm.run_scenario("boot\nshow /proc/buddyinfo\ncheck\n", m="256M", smp=1)
    assert "Node 0, zone" in out
    with pytest.raises(kmm.KmmError) as e:
        kmm.run_scenario("boot\nno_such_step\n", name="bad", m="256M")
    assert "bad:2" in str(e.value)
