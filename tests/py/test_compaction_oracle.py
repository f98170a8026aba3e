"""The fragmentation/compaction oracle (issue 16): scripts/compaction_compare.py on the real
kernel's captures, kmmsim's examples/scenarios/frag-oracle.kmm against captures a57-smp1-1G,
a57-smp1-4G, a57-smp4-512M and numa2-smp4-2G, the model's per-pageblock view
(/sys/kernel/debug/kmm/pageblocks) and scripts/zone_picture.py (docs/compaction.md).

Reference numbers come from the captures through the comparator; the figures pinned here are
observations.md's tables (written by the capture's author from the raw files), checked against
what the comparator reads. A comparison the model cannot make yet (no vm.nr_hugepages before
hugetlb.c, no vm.compact_memory before compaction.c) is an xfail that names the missing piece,
decided from kmmsim's own output: once the tunable exists, the same test asserts.
"""
import importlib.util
import os
import re
import shutil

import pytest

from conftest import DATA_DIR, SOURCE_DIR

CAPTURES = DATA_DIR / "oracles/linux/captures"
OBSERVATIONS = DATA_DIR / "oracles/linux/observations.md"
SCENARIO = SOURCE_DIR / "examples/scenarios/frag-oracle.kmm"
CONFIGS = ["a57-smp1-1G", "a57-smp1-4G", "a57-smp4-512M", "numa2-smp4-2G"]
SHAPES = {
    "a57-smp1-1G": ["-m", "1G", "-smp", "1"],
    "a57-smp1-4G": ["-m", "4G", "-smp", "1"],
    "a57-smp4-512M": ["-m", "512M", "-smp", "4"],
    "numa2-smp4-2G": ["-m", "2G", "-smp", "4", "-numa", "node,nodeid=0,cpus=0-1,mem=1G",
                      "-numa", "node,nodeid=1,cpus=2-3,mem=1G",
                      "-numa", "dist,src=0,dst=1,val=20"],
}
SLOW = {"a57-smp1-4G": "touches 2.3 GiB of simulated RAM (2.5 GiB host memory, ~25-50 s)"}


def _load(name):
    spec = importlib.util.spec_from_file_location(name, SOURCE_DIR / f"scripts/{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


cc = _load("compaction_compare")
zp = _load("zone_picture")


def capture(config):
    path = CAPTURES / config
    if not (path / "compact_memory.result.txt").is_file():
        pytest.fail(f"test data {path} cannot be read (tests/data/README.md)")
    return cc.read_side(path)


# ---- the comparator on the kernel's own captures ----------------------------------------------

@pytest.mark.parametrize("config", CONFIGS)
def test_capture_passes_against_itself(config):
    ref = capture(config)
    rows = cc.compare(ref, ref)
    assert rows and all(r.status == "PASS" for r in rows), [r for r in rows if r.status != "PASS"]
    # every acceptance check has at least one row
    assert {r.check for r in rows} == {"frag", "hp_after ratio", "unusable o9", "pgmigrate x2",
                                       "direction"}


def test_capture_figures_observations_quote():
    """observations.md section 8's tables, read back through the comparator."""
    want = {  # config: (hp before got/asked, hp after got/asked, compact pgmigrate_success)
        "a57-smp1-1G": ((269, 324), (316, 327), 35035),
        "a57-smp1-4G": ((1284, 1342), (1237, 1347), 118050),
        "a57-smp4-512M": ((124, 155), (109, 156), 6003),
        "numa2-smp4-2G": ((436, 663), (453, 663), 16213),
    }
    for config, (before, after, migrated) in want.items():
        side = capture(config)
        hp_b, hp_a = side.hp["hp_before_compaction"], side.hp["hp_after_compaction"]
        assert (hp_b["obtained"], hp_b["requested"]) == before, config
        assert (hp_a["obtained"], hp_a["requested"]) == after, config
        assert side.compact["delta"]["pgmigrate_success"] == migrated, config
    numa = capture("numa2-smp4-2G")
    assert numa.hp["hp_after_compaction"]["nodes"] == {0: 30, 1: 423}
    # the unusable index at order 9 before -> after compact_memory (observations.md)
    four = capture("a57-smp1-4G")
    assert four.unusable9("frag2", (0, "Normal")) == 0.978
    assert four.unusable9("compacted", (0, "Normal")) == 0.504
    assert capture("a57-smp1-1G").unusable9("compacted", (0, "DMA")) == 0.043


def test_compacted_zones_are_those_whose_index_fell():
    # from observations.md's table: numa2's node 0 stays at 0.979 (its free memory was left
    # in order-0 pieces), every other zone drops
    assert capture("a57-smp1-1G").compacted_zones() == [(0, "DMA")]
    assert capture("a57-smp1-4G").compacted_zones() == [(0, "DMA"), (0, "Normal")]
    assert capture("a57-smp4-512M").compacted_zones() == [(0, "DMA")]
    assert capture("numa2-smp4-2G").compacted_zones() == [(1, "DMA")]


def _copy_phases(src, dst):
    for f in src.glob("*.txt"):
        if f.name.split(".")[0] in ("frag1", "frag2", "compact_memory", "compacted",
                                    "hp_before_compaction", "hp_after_compaction"):
            shutil.copy(f, dst / f.name)


def test_a_changed_capture_is_caught(tmp_path):
    src = CAPTURES / "a57-smp1-1G"
    _copy_phases(src, tmp_path)
    hp = tmp_path / "hp_after_compaction.hugepages_result.txt"
    hp.write_text(hp.read_text().replace("obtained=316", "obtained=260"))
    cm = tmp_path / "compact_memory.result.txt"
    cm.write_text(cm.read_text().replace("pgmigrate_success 35035", "pgmigrate_success 17000")
                  .replace("compact_isolated 70145", "compact_isolated -3"))
    ex = tmp_path / "compacted.extfrag.txt"
    ex.write_text(ex.read_text().replace(" 0.039 0.043 ", " 0.039 0.200 "))
    rows = {(r.check, r.what): r for r in cc.compare(capture("a57-smp1-1G"),
                                                     cc.read_side(tmp_path))}
    # 260/327 = 0.795 < 0.85 * 316/327 = 0.821
    assert rows[("hp_after ratio", "obtained/requested")].status == "FAIL"
    assert rows[("unusable o9", "n0/DMA order-9 unusable index after compaction")].status == \
        "FAIL"   # 0.200 - 0.043 > 0.1
    assert rows[("pgmigrate x2", "compact_memory pgmigrate_success")].status == "FAIL"
    assert rows[("direction", "compact_memory compact_isolated")].status == "FAIL"
    assert rows[("direction", "compact_memory pgmigrate_success")].status == "PASS"


def test_missing_tunables_wait_and_never_pass(tmp_path):
    """kmmsim's output for a machine without hugetlb pools and compaction: WAIT rows that name
    the piece, no number compared; --strict fails on them, the default does not."""
    out = tmp_path / "sim.txt"
    text = []
    for name in ("frag1.frag_result", "frag2.frag_result"):
        text += [f"@@@BEGIN {name}@@@", "memfree_kb_before=1000000 fragpct=60",
                 "frag_mb=585 pages_touched=149760 pages_freed=74880 pages_kept=74880 "
                 "elapsed_s=0.10", f"@@@END {name}@@@"]
    for tag in cc.HP_TAGS:
        text += [f"@@@BEGIN {tag}.hugepages_result@@@",
                 "requested=300 obtained=<missing: /proc/sys/vm/nr_hugepages> "
                 "uptime_before=1.00 uptime_after=1.00", "--- vmstat delta (nonzero)",
                 f"@@@END {tag}.hugepages_result@@@"]
    # the fragmenter's own row compares frag2's index: the kernel's, so that row passes
    frag2 = (CAPTURES / "a57-smp1-1G/frag2.extfrag.txt").read_text().splitlines()
    text += ["@@@BEGIN frag2.extfrag@@@", *frag2, "@@@END frag2.extfrag@@@"]
    text += ["@@@BEGIN compact_memory.result@@@", "uptime_before=2.00 uptime_after=2.00",
             "<missing: /proc/sys/vm/compact_memory>", "@@@END compact_memory.result@@@"]
    out.write_text("\n".join(text) + "\n")
    rows = cc.compare(capture("a57-smp1-1G"), cc.read_side(out))
    waits = [r for r in rows if r.status == "WAIT"]
    assert not [r for r in rows if r.status == "FAIL"]
    assert {r.check for r in waits} == {"hp_after ratio", "unusable o9", "pgmigrate x2",
                                        "direction"}
    assert all("hugetlb" in r.note or "compaction" in r.note for r in waits)
    ref = str(CAPTURES / "a57-smp1-1G")
    assert cc.main([ref, str(out)]) == 0
    assert cc.main([ref, str(out), "--strict"]) == 1


# ---- the zone picture ------------------------------------------------------------------------

def test_text_map_reproduces_observations_maps():
    """Every map of observations.md section 11, drawn by zone_picture from the raw dumps."""
    maps = re.findall(r"^(\S+) (\w+):\n```\n(.*?)```", OBSERVATIONS.read_text(), re.M | re.S)
    assert len(maps) >= 9
    for config, phase, body in maps:
        recs = zp.parse(zp.pfnscan_text(CAPTURES / config, phase))
        assert zp.text_map(recs) == body.strip(), (config, phase)


def test_picture_renders_with_the_legend_colours(tmp_path):
    pytest.importorskip("matplotlib", reason="python3-matplotlib (scripts/install-deps)")
    import matplotlib.image
    from matplotlib.colors import to_rgb

    src = CAPTURES / "a57-smp1-1G"
    png = tmp_path / "zones.png"
    panels = [(f"kernel {p}", zp.parse(zp.pfnscan_text(src, p))) for p in ("frag1", "compacted")]
    w, h = zp.render(panels, png, "a57-smp1-1G")
    img = matplotlib.image.imread(png)
    assert img.shape[:2] == (h, w) and w > 2 * h
    # the panels only: the legend (the right 1.5 inches) shows every colour
    pixels = {tuple(round(float(c) * 255) for c in px[:3])
              for row in img[::2] for px in row[:w - 150:2]}

    def has(colour):
        want = tuple(round(c * 255) for c in to_rgb(colour))
        return want in pixels
    # frag1 has free, half-free, reserved, slab and anonymous blocks (observations.md's map)
    for cls in ".,RSA":
        assert has(zp.CLASSES[cls][0]), cls
    # no hugetlb block in either phase, and no migratetype strip (the kernel has none)
    assert not has(zp.CLASSES["H"][0])
    assert not has(zp.MIGRATETYPES["Isolate"])


# ---- the model: frag-oracle.kmm on the captured shapes ---------------------------------------

_runs = {}


def simulate(kmmsim, config, tmp_path_factory):
    if config not in _runs:
        out = kmmsim(*SHAPES[config], "-cpu", "cortex-a57", "run", str(SCENARIO)).stdout
        path = tmp_path_factory.mktemp("frag") / f"{config}.txt"
        path.write_text(out)
        _runs[config] = path
    return _runs[config]


def sim_params():
    for config in CONFIGS:
        marks = []
        if config in SLOW:
            marks.append(pytest.mark.skipif(not os.environ.get("KMM_SLOW_TESTS"),
                                            reason=f"{SLOW[config]}; set KMM_SLOW_TESTS=1"))
        yield pytest.param(config, marks=marks)


@pytest.fixture(scope="module", params=list(sim_params()))
def sim(request, kmmsim, tmp_path_factory):
    config = request.param
    path = simulate(kmmsim, config, tmp_path_factory)
    return config, path, cc.read_side(path)


def test_scenario_runs_every_phase_and_keeps_the_data(sim):
    config, path, side = sim
    text = path.read_text()
    for name in ("frag1.frag_result", "frag1.extfrag", "frag1.pfnscan", "frag2.frag_result",
                 "compact_memory.result", "compacted.extfrag", "compacted.pfnscan",
                 "hp_before_compaction.hugepages_result", "hp_after_compaction.hugepages_result",
                 "hp_before_compaction.hugepages_released"):
        assert name in side.blocks, name
    # frag-check read back every kept page twice (before each exit), kmm_check after each step
    assert len(re.findall(r"frag-check: frag: \d+ kept pages hold what frag wrote", text)) == 2
    assert "check: all invariants hold" in text
    rows = cc.check_frag(capture(config), side)
    assert all(r.status == "PASS" for r in rows), rows


def test_pageblock_view_agrees_with_the_free_lists(sim):
    """The view's buddy pages per zone equal buddyinfo's free blocks (sum of count << order),
    taken at the same instant; every record counts each of its PFNs once."""
    config, path, side = sim
    for phase in ("frag1", "compacted"):
        text = side.blocks[f"{phase}.pfnscan"]
        assert "# error" not in text
        cols = re.search(r"^# pfn_start (.*)$", text, re.M).group(1).split()
        places = [i for i, c in enumerate(cols) if c.startswith("place:")]
        buddy = {}
        for line in text.splitlines():
            if not line.startswith("0x"):
                continue
            f = line.split()[1:]
            rec = dict(zip(cols, f))
            assert sum(int(f[i]) for i in places) + int(rec["nopage"]) <= 512
            key = (int(rec["node"]), rec["zone"])
            buddy[key] = buddy.get(key, 0) + int(rec["buddy"])
        lists = {z: sum(n << o for o, n in enumerate(v["free"]))
                 for z, v in side.extfrag[phase].items()}
        assert buddy == lists, (phase, buddy, lists)


def _xfail_waiting(rows):
    """Rows that can be compared must pass; then an xfail naming what the others wait for."""
    assert not [r for r in rows if r.status == "FAIL"], rows
    waits = [r for r in rows if r.status == "WAIT"]
    if waits:
        pytest.xfail("; ".join(sorted({r.note for r in waits})))


# Known differences, not waiting for a piece: on the two smp4 captures the kernel's
# compact_memory stopped early (observations.md: a57-smp4-512M n0/DMA 0.444 -> 0.328 with 6003
# pages moved; numa2-smp4-2G n0/DMA not compacted at all, where its hugetlb direct compaction
# also failed 653 of 682 times), while the model's scanners meet in the middle and compact
# those zones fully. The cause in the kernel is not found yet; the rows xfail only while they
# FAIL, and pass again the day the model stops where the kernel does.
KNOWN_DIFFERENCES = {
    ("a57-smp4-512M", "unusable o9"), ("a57-smp4-512M", "pgmigrate x2"),
    ("numa2-smp4-2G", "pgmigrate x2"),
}


def _xfail_known(config, rows):
    fails = [r for r in rows if r.status == "FAIL" and (config, r.check) in KNOWN_DIFFERENCES]
    if fails and all(r.status == "PASS" or r in fails for r in rows):
        pytest.xfail(f"{config}: the kernel's compact_memory stopped early here, the model's "
                     f"does not (KNOWN_DIFFERENCES): {fails}")


def test_huge_pages_after_compaction_reach_85_percent_of_the_kernels(sim):
    config, _, side = sim
    rows = cc.check_hp_after(capture(config), side)
    _xfail_waiting(rows)
    assert all(r.status == "PASS" for r in rows), rows


def test_unusable_index_after_compaction_within_0_1(sim):
    config, _, side = sim
    rows = cc.check_unusable(capture(config), side)
    _xfail_known(config, rows)
    _xfail_waiting(rows)
    assert all(r.status == "PASS" for r in rows), rows


def test_pgmigrate_success_within_a_factor_of_2(sim):
    config, _, side = sim
    rows = cc.check_migrate(capture(config), side)
    _xfail_known(config, rows)
    _xfail_waiting(rows)
    assert all(r.status == "PASS" for r in rows), rows


def test_every_effect_goes_the_kernels_way(sim):
    config, _, side = sim
    rows = cc.check_directions(capture(config), side)
    _xfail_waiting(rows)
    assert all(r.status == "PASS" for r in rows), rows


def test_picture_of_the_model_shows_migratetypes(sim, tmp_path):
    pytest.importorskip("matplotlib", reason="python3-matplotlib (scripts/install-deps)")
    import matplotlib.image
    from matplotlib.colors import to_rgb

    config, path, _ = sim
    recs = zp.parse(zp.pfnscan_text(path, "frag1"))
    assert all(r.migratetype in zp.MIGRATETYPES for r in recs)
    png = tmp_path / "model.png"
    w, h = zp.render([("model frag1", recs)], png)
    img = matplotlib.image.imread(png)
    assert img.shape[:2] == (h, w)
    pixels = {tuple(round(float(c) * 255) for c in px[:3]) for row in img for px in row[:w - 150]}
    # every class the model's blocks fall in is drawn in its colour; frag's user memory shows
    # as anonymous blocks ("A") or, where the binaries' tmpfs pages share a block with frag's
    # anonymous pages (a57-smp4-512M since exec faults the image in), as LRU blocks ("L")
    classes = {r.cls() for r in recs}
    assert {",", "."} <= classes and classes & {"A", "L"}, classes
    for colour in [zp.MIGRATETYPES["Movable"]] + [zp.CLASSES[c][0] for c in sorted(classes)]:
        assert tuple(round(c * 255) for c in to_rgb(colour)) in pixels, colour


# ---- the steps' bad input --------------------------------------------------------------------

def test_frag_steps_refuse_bad_input(kmmsim):
    def fails(script):
        p = kmmsim("-m", "256M", "run", "-", input=script, check=False)
        assert p.returncode != 0, script
        return p.stderr + p.stdout
    assert "pct" in fails("frag f pct=0\n")
    assert "pct" in fails("frag f pct=101\n")
    assert "no frag region named 'nope'" in fails("task nope\nfrag-check nope\n")
    assert "unknown option 'color=red'" in fails("compact-memory color=red\n")
