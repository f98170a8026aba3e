"""The OOM oracle: scripts/reclaim_compare.py on the real kernel's captures, and kmmsim's
examples/scenarios/oom-hog.kmm against captures/a57-smp1-1G and a57-smp1-4G (docs/reclaim.md).

The reference numbers are read from the captures by the comparator, never written here,
except where a test pins the figures docs/reclaim.md quotes (checked against the files).
"""
import importlib.util
import os
import re
import time

import pytest

from conftest import DATA_DIR, SOURCE_DIR

CAPTURES = DATA_DIR / "oracles/linux/captures"
SCENARIOS = SOURCE_DIR / "examples/scenarios"
CONFIGS = ["a57-smp1-1G", "a57-smp1-4G", "zram-smp1-1G", "filecache-smp1-1G"]
SHAPES = {"a57-smp1-1G": ["-m", "1G", "-smp", "1"], "a57-smp1-4G": ["-m", "4G", "-smp", "1"]}


def _load_compare():
    spec = importlib.util.spec_from_file_location(
        "reclaim_compare", SOURCE_DIR / "scripts/reclaim_compare.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


rc = _load_compare()


def capture(config):
    path = CAPTURES / config
    if not (path / "oom.result.txt").is_file():
        pytest.fail(f"test data {path} cannot be read (tests/data/README.md)")
    return rc.read_side(path)


@pytest.mark.parametrize("config", CONFIGS)
def test_capture_parses_and_passes_against_itself(config):
    ref = capture(config)
    assert ref.oom["exit"] == "137"
    assert ref.report["present"]
    assert ref.report["killed"]["comm"] == "hog"
    assert ref.report["summary"]["pid"] == ref.report["killed"]["pid"]
    assert rc.structure_problems(ref) == []
    assert rc.check(ref, ref, "plain") == []
    # the watermark failure the report shows: free (less CMA for GFP_KERNEL) below min
    assert rc.watermark_failures(ref.report)


def test_capture_figures_docs_quote():
    one, four = capture("a57-smp1-1G"), capture("a57-smp1-4G")
    assert one.meminfo["MemAvailable"] == 924476 and one.oom["mb_touched"] == 904
    assert four.meminfo["MemAvailable"] == 3878328 and four.oom["mb_touched"] == 3840
    assert one.allocstall() == 17 and four.allocstall() == 17
    assert one.oom["delta"]["thp_fault_alloc"] == 341
    # 1G: GFP_KERNEL_ACCOUNT (a page table) fails in DMA: 43688 - 21952 CMA < 22528 min
    assert one.report["invoked"]["flags"] == "GFP_KERNEL_ACCOUNT|__GFP_ZERO"
    assert rc.watermark_failures(one.report) == ["DMA"]


def test_a_changed_capture_is_caught(tmp_path):
    src = CAPTURES / "a57-smp1-1G"
    for name in ("pre_oom.meminfo.txt", "post_oom.dmesg.txt"):
        (tmp_path / name).write_text((src / name).read_text())
    text = (src / "oom.result.txt").read_text()
    (tmp_path / "oom.result.txt").write_text(
        text.replace("allocstall_normal 17", "allocstall_normal 18")
            .replace("hog_mb_touched=904", "hog_mb_touched=940"))
    probs = rc.check(capture("a57-smp1-1G"), rc.read_side(tmp_path), "plain")
    assert any("allocstall 18 vs 17" in p for p in probs)
    assert any("beyond MemAvailable" in p for p in probs)
    # a report without its tasks table, or with the victim elsewhere, is caught too
    dm = (src / "post_oom.dmesg.txt").read_text()
    (tmp_path / "post_oom.dmesg.txt").write_text(
        re.sub(r".*Tasks state.*\n", "", dm).replace("task=hog,", "task=sh,"))
    probs = rc.structure_problems(rc.read_side(tmp_path))
    assert any("order" in p for p in probs) and any("not the hog" in p for p in probs)


def run_scenario(kmmsim, shape, name="oom-hog.kmm"):
    t0 = time.monotonic()
    out = kmmsim(*SHAPES[shape], "-cpu", "cortex-a57", "run", str(SCENARIOS / name)).stdout
    return out, time.monotonic() - t0


@pytest.fixture(scope="module")
def sim_1g(kmmsim, tmp_path_factory):
    out, _ = run_scenario(kmmsim, "a57-smp1-1G")
    path = tmp_path_factory.mktemp("oom") / "oom-1G.txt"
    path.write_text(out)
    side = rc.read_side(path)
    side.text = out
    return side


def test_scenario_1g_report_and_kill_match_the_kernel(sim_1g):
    ref = capture("a57-smp1-1G")
    assert rc.structure_problems(sim_1g) == []
    tol = max(16.0, 0.02 * ref.memtotal_mb)
    assert abs(sim_1g.beyond_mb - ref.beyond_mb) <= tol, (sim_1g.beyond_mb, ref.beyond_mb)
    assert sim_1g.oom["delta"]["oom_kill"] == 1
    # the victim held what the hog touched (anon-rss within a chunk of hog_mb_touched)
    assert abs(sim_1g.report["killed"]["anon_kb"] - sim_1g.oom["mb_touched"] * 1024) <= 8192


def test_scenario_1g_allocstall_is_the_kernels(sim_1g):
    """17 = MAX_RECLAIM_RETRIES + 1: with no swap and no file cache, 6.1.192's
    zone_reclaimable_pages reports the free pages, should_reclaim_retry's watermark check
    passes on free + free, and the slow path stalls until no_progress_loops exceeds 16."""
    assert sim_1g.allocstall() == capture("a57-smp1-1G").allocstall() == 17
    # ... and kswapd has given up by then, as the kernel's node line says
    dmesg = (CAPTURES / "a57-smp1-1G/post_oom.dmesg.txt").read_text()
    assert re.findall(r"all_unreclaimable\? (\w+)", sim_1g.text) == \
        re.findall(r"all_unreclaimable\? (\w+)", dmesg) == ["yes"]


@pytest.mark.skipif(not os.environ.get("KMM_SLOW_TESTS"),
                    reason="writes 4 GiB of simulated RAM (4 GiB of host memory, ~22 s CPU); "
                           "set KMM_SLOW_TESTS=1")
def test_scenario_4g_report_and_kill_match_the_kernel(kmmsim, tmp_path):
    out, secs = run_scenario(kmmsim, "a57-smp1-4G")
    path = tmp_path / "oom-4G.txt"
    path.write_text(out)
    sim, ref = rc.read_side(path), capture("a57-smp1-4G")
    assert rc.structure_problems(sim) == []
    tol = max(16.0, 0.02 * ref.memtotal_mb)
    assert abs(sim.beyond_mb - ref.beyond_mb) <= tol, (sim.beyond_mb, ref.beyond_mb)
    print(f"4G OOM scenario: {secs:.1f} s host time")


@pytest.fixture(scope="module")
def sim_filecache(kmmsim, tmp_path_factory):
    out = kmmsim("-m", "1G", "-smp", "1", "-cpu", "cortex-a57", "run",
                 str(SCENARIOS / "filecache-hog.kmm")).stdout
    path = tmp_path_factory.mktemp("oom") / "filecache-1G.txt"
    path.write_text(out)
    return rc.read_side(path)


def test_scenario_filecache_reads_640M_then_kills_the_hog(sim_filecache):
    # 640 MiB is 163840 pages, all of them now in the page cache (inactive file)
    assert sim_filecache.read["delta"]["nr_file_pages"] == 163840
    assert rc.structure_problems(sim_filecache) == []


@pytest.mark.xfail(reason="the counters match (pgsteal_file 163840 vs 163872) but the kernel's "
                          "18 stalls are allocstall_movable (its hog faults THPs and falls back "
                          "to order-0 movable pages) where the model's 18 are allocstall_normal "
                          "(page tables): THP is issue 16")
def test_scenario_filecache_counters_side_by_side(sim_filecache):
    assert rc.check(capture("filecache-smp1-1G"), sim_filecache, "filecache") == []


def test_scenario_zram_pool_takes_ram_like_the_kernels(kmmsim, tmp_path):
    """zsmalloc's pages come from the buddy allocator in the kernel and in the model, so the
    hog gets as far beyond MemAvailable as the kernel's (within max(16 MiB, 2 % of RAM));
    swap-outs land within a factor of 2 of the kernel's. The hog's THPs go out whole into
    free swap clusters as the kernel's do (thp_swpout: the kernel 180, the model 182)."""
    out = kmmsim("-m", "1G", "-smp", "1", "-cpu", "cortex-a57", "run",
                 str(SCENARIOS / "zram-hog.kmm")).stdout
    path = tmp_path / "zram-1G.txt"
    path.write_text(out)
    sim, ref = rc.read_side(path), capture("zram-smp1-1G")
    assert rc.structure_problems(sim) == []
    tol = max(16.0, 0.02 * ref.memtotal_mb)
    assert abs(sim.beyond_mb - ref.beyond_mb) <= tol, (sim.beyond_mb, ref.beyond_mb)
    a, b = ref.oom["delta"]["pswpout"], sim.oom["delta"]["pswpout"]
    assert a / 2 <= b <= 2 * a, (a, b)
