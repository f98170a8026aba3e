"""The faults oracle: scripts/faults_compare.py on the real kernel's captures, and kmmsim's
examples/scenarios/faults-oracle.kmm against captures/faults-smp1-1G (docs/fidelity.md,
"User address spaces and faults").

What the real kernel does not repeat is computed from the two captures of the same
configuration (faults-smp1-1G and faults-smp1-1G-repeat), never written here; what the model
does differently is the comparator's ALLOWED list, each entry with its reason.
"""
import importlib.util
import re

import pytest

from conftest import DATA_DIR, SOURCE_DIR

CAPTURES = DATA_DIR / "oracles/linux/captures"
REF = CAPTURES / "faults-smp1-1G/faults.result.txt"
REPEAT = CAPTURES / "faults-smp1-1G-repeat/faults.result.txt"
SCENARIO = SOURCE_DIR / "examples/scenarios/faults-oracle.kmm"


def _load_compare():
    spec = importlib.util.spec_from_file_location(
        "faults_compare", SOURCE_DIR / "scripts/faults_compare.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


fc = _load_compare()


def side(path):
    if not path.is_file():
        pytest.fail(f"test data {path} cannot be read (tests/data/README.md)")
    return fc.Side(path.read_text(), path.parent.name)


def test_capture_parses_into_every_experiment_and_step():
    ref = side(REF)
    assert ref.experiments == [
        "0_baseline", "1_anon_read_then_write_4M_nohuge", "2_anon_write_4M_nohuge",
        "3_thp_write_8M", "3b_thp_read_then_write_4M_aligned", "4_fork_cow_4M_nohuge",
        "5_mprotect_split_merge", "6_munmap_middle_mremap", "7_populate_dontneed_free_mlock",
        "8_brk_and_stack", "9_file_tmpfs_private_shared_1M", "10_final_self"]
    # faults.c calls step() 71 times (the child's three included); the two ".munmap" steps
    # of experiment 7 are told apart
    assert len(ref.steps) == 71
    key = "7_populate_dontneed_free_mlock|step 7_populate_dontneed_free_mlock.munmap#2"
    assert ref.facts[key + "|vmstat|pgfree"] == "17"
    # the numbers README.md quotes
    k1 = "1_anon_read_then_write_4M_nohuge|step 1_anon_read_then_write_4M_nohuge.write_touch"
    assert ref.facts[k1 + "|rusage|minflt"] == "1024"
    assert ref.facts[k1 + "|status_delta|VmRSS"] == "4092"     # the rss cache lags
    assert ref.facts[k1 + "|rollup_delta|Rss"] == "4096"       # the walk is exact
    assert fc.value_of(ref, k1 + "|vmstat|pgreuse") == "0"     # absent delta = 0
    smaps = "3_thp_write_8M|smaps unaligned"
    assert ref.facts[smaps + "|AnonHugePages"] == "6144 kB"
    assert ref.facts[smaps + "|VmFlags"] == "rd wr mr mw me ac "
    # a dumped file ends at its byte count, not at the next marker
    assert ref.facts["9_file_tmpfs_private_shared_1M|file /proc/mounts|lines"] == "6"
    assert ref.facts["10_final_self|file /proc/self/status|VmHWM"] == "9196 kB"


def test_capture_against_itself_has_no_difference():
    res = fc.compare(side(REF), side(REF))
    assert res["unexplained"] == [] and res["allowed"] == [] and res["varies"] == []


def test_run_to_run_variation_is_computed_from_the_repeat():
    ref, rep = side(REF), side(REPEAT)
    var = fc.Variation(ref, rep)
    # by hand from `diff` of the two files: pgfree moves in five steps (3 vs 0, 0 vs 3,
    # 1154 vs 1144, 1031 vs 1028, 2 vs 0), pgalloc_dma in one (1 vs 2), and the final
    # status's two ctxt_switches lines
    assert var.noisy == {"pgfree": 10, "pgalloc_dma": 1}
    assert var.keys == {"10_final_self|file /proc/self/status|voluntary_ctxt_switches",
                        "10_final_self|file /proc/self/status|nonvoluntary_ctxt_switches"}
    res = fc.compare(ref, rep, var, allowed=[])
    assert res["unexplained"] == [] and len(res["varies"]) == 8
    # without the repeat every one of them is a difference
    assert len(fc.compare(ref, rep, None, allowed=[])["unexplained"]) == 8


def test_a_changed_fault_count_or_smaps_line_is_caught(tmp_path):
    text = REF.read_text()
    step = "--- step 2_anon_write_4M_nohuge.write_touch\nrusage minflt=1024"
    assert step in text
    bad = tmp_path / "bad.txt"
    bad.write_text(text.replace(step, step[:-4] + "1023", 1)
                   .replace("  Referenced:         8192 kB", "  Referenced:         8188 kB", 1))
    ref = side(REF)
    res = fc.compare(ref, fc.Side(bad.read_text(), "bad"), fc.Variation(ref, side(REPEAT)),
                     allowed=[])
    keys = [k for k, _, _ in res["unexplained"]]
    assert keys == ["2_anon_write_4M_nohuge|step 2_anon_write_4M_nohuge.write_touch|rusage|minflt",
                    "3_thp_write_8M|smaps unaligned|Referenced"]
    # the command line agrees (exit 1 on an unexplained difference)
    assert fc.main([str(REF), str(bad), "--repeat", str(REPEAT), "--no-allow"]) == 1
    assert fc.main([str(REF), str(REPEAT), "--repeat", str(REPEAT)]) == 0


def test_kmmsim_output_is_cut_at_its_markers():
    text = ("noise\n@@@BEGIN faults.result@@@\n@@@EXP e@@@\n--- step e.a\n"
            "rusage minflt=3 majflt=0\nvmstat (none)\n@@@END faults.result@@@\nmore noise\n")
    s = fc.Side(text, "x")
    assert s.experiments == ["e"] and s.facts["e|step e.a|rusage|minflt"] == "3"
    assert not any("noise" in k or "noise" in v for k, v in s.facts.items())


def test_every_allowed_difference_has_a_reason_and_a_valid_pattern():
    for pattern, reason in fc.ALLOWED:
        re.compile(pattern)
        assert len(reason) > 20, pattern


SHAPES = {
    "1G-smp1": ["-m", "1G", "-smp", "1"],
    "2G-smp2": ["-m", "2G", "-smp", "2"],
    "numa2-smp4-2G": ["-m", "2G", "-smp", "4",
                      "-numa", "node,nodeid=0,mem=1G,cpus=0-1",
                      "-numa", "node,nodeid=1,mem=1G,cpus=2-3"],
}


def run_scenario(kmmsim, shape):
    out = kmmsim(*SHAPES[shape], "-cpu", "cortex-a57", "-append", "norandmaps", "run",
                 str(SCENARIO)).stdout
    assert "@@@BEGIN faults.result@@@" in out and "@@@END faults.result@@@" in out
    assert out.rstrip().endswith("check: all invariants hold")
    return fc.Side(out, shape)


@pytest.fixture(scope="module")
def sim_1g(kmmsim):
    return run_scenario(kmmsim, "1G-smp1")


def test_scenario_matches_the_capture_where_the_kernel_is_deterministic(sim_1g):
    ref, rep = side(REF), side(REPEAT)
    res = fc.compare(ref, sim_1g, fc.Variation(ref, rep))
    assert res["unexplained"] == [], "\n".join(f"{k}: {a} vs {b}"
                                               for k, a, b in res["unexplained"][:40])
    # the must-match facts were compared, not allowed away: fault counts, rss walks
    must = [k for k in ref.facts if any(re.search(m, k) for m in fc.MUST_MATCH)]
    assert len(must) >= 90  # 23 steps: minflt, pgfault, the rollup deltas ...
    for k in must:
        assert fc.value_of(sim_1g, k) == fc.value_of(ref, k), k


def test_scenario_reports_the_figures_of_the_readme(sim_1g):
    """README.md, "The faults workload": numbers read off the capture by hand."""
    f = sim_1g.facts
    e1 = "1_anon_read_then_write_4M_nohuge|step 1_anon_read_then_write_4M_nohuge."
    assert f[e1 + "read_touch|rusage|minflt"] == "1024"          # zero-page reads
    assert fc.value_of(sim_1g, e1 + "read_touch|rollup_delta|Rss") == "0"
    assert f[e1 + "write_touch|rollup_delta|Rss"] == "4096"
    assert fc.value_of(sim_1g, e1 + "write_touch|vmstat|pgreuse") == "0"  # copies, no reuse
    e4 = "4_fork_cow_4M_nohuge|step 4_fork_cow_4M_nohuge."
    assert f[e4 + "child.child_write|rusage|minflt"] == "1024"
    assert f[e4 + "parent_write_after_child_cow|vmstat|pgreuse"] == "1024"
    assert fc.value_of(sim_1g, e4 + "parent_write_after_child_cow|vmstat|pgalloc_dma") == "0"
    assert f["4_fork_cow_4M_nohuge|info child after its write:|fnv1a"] == "2f9f2c9c9aa22325"
    assert f["4_fork_cow_4M_nohuge|info parent after its write:|fnv1a"] == "5cbffc8e9aa22325"
    e9 = "9_file_tmpfs_private_shared_1M|step 9_file_tmpfs_private_shared_1M."
    assert f[e9 + "write_private|rusage|minflt"] == "256"            # 256 anon COW pages
    assert f[e9 + "write_private|rollup_delta|Anonymous"] == "1024"
    assert f[e9 + "write_shared|rusage|minflt"] == "256"             # dirty-bit faults (a57)
    assert fc.value_of(sim_1g, e9 + "write_shared|vmstat|pgalloc_dma") == "0"
    assert f[e9 + "munmap_both|vmstat|pgactivate"] == "256"          # shmem mapped young
    e8 = "8_brk_and_stack|step 8_brk_and_stack."
    assert f[e8 + "stack_touch_512K|rusage|minflt"] == "120"
    assert f[e8 + "stack_touch_512K|status_delta|VmStk"] == "384"



def test_scenario_runs_experiments_5_6_7_as_the_kernel_rules_say(sim_1g):
    """Experiments 5-7 and the msync step, expected values derived from 6.1's rules."""
    f, v = sim_1g.facts, lambda k: fc.value_of(sim_1g, k)
    e5 = "5_mprotect_split_merge|"
    # mprotect of pages 6..9 read-only splits the VMA in three; VmData loses 16 kB (a
    # read-only private mapping is not data: is_data_mapping); mprotect back merges them
    assert [f[e5 + f"maps after_mprotect_ro|line|{i}"].split()[1] for i in range(3)] == [
        "rw-p", "r--p", "rw-p"]
    assert v(e5 + "step 5_mprotect_split_merge.mprotect_pages6to9_ro|status_delta|VmData") == "-16"
    assert f[e5 + "maps after_mprotect_rw|line|0"].startswith(
        f[e5 + "maps after_write|line|0"].split()[0])
    # the pages stayed writable-dirty in the PTEs: rewriting them takes no fault
    assert v(e5 + "step 5_mprotect_split_merge.write_pages6to9|rusage|minflt") == "0"
    e6 = "6_munmap_middle_mremap|step 6_munmap_middle_mremap."
    assert v(e6 + "mremap_grow_in_place|status_delta|VmSize") == "64"     # 16 pages more
    assert "(in place)" in f["6_munmap_middle_mremap|text|"]
    assert "(moved)" in f["6_munmap_middle_mremap|text#2|"]
    assert v(e6 + "mremap_move.read_first_16|rusage|minflt") == "0"       # PTEs moved along
    assert v(e6 + "mremap_move.write_grown_16|rusage|minflt") == "16"
    e7 = "7_populate_dontneed_free_mlock|step 7_populate_dontneed_free_mlock."
    assert v(e7 + "mmap_populate_2M|rusage|minflt") == "512"             # populate faults
    assert v(e7 + "write_after_populate|rusage|minflt") == "0"
    assert v(e7 + "madv_dontneed_first_1M|rollup_delta|Rss") == "-1024"
    assert v(e7 + "read_after_dontneed|vmstat|pgfault") == "256"         # zero-page reads
    # MADV_FREE: 256 clean lazy-free pages; the last one still waits in the CPU's
    # lru_lazyfree batch (15 entries), so LazyFree shows 255 pages
    assert v(e7 + "madv_free_second_1M|rollup_delta|LazyFree") == "1020"
    assert v(e7 + "write_after_free|rollup_delta|Private_Dirty") == "1024"
    # mlock faults the 16 pages in, straight onto the unevictable list (the populate's
    # lru_add_drain() empties the mlock batch)
    assert v(e7 + "mlock_64K|vmstat|unevictable_pgs_mlocked") == "16"
    assert v(e7 + "mlock_64K|vmstat|nr_zone_unevictable") == "16"
    assert v(e7 + "mlock_64K|status_delta|VmLck") == "64"
    assert v(e7 + "munlock|vmstat|unevictable_pgs_munlocked") == "16"
    assert f["7_populate_dontneed_free_mlock|info status|VmLck"] == "64"
    assert f["9_file_tmpfs_private_shared_1M|info msync|msync"] == "0"
    # exec of the captured layout (read off the capture's final maps by hand): the RELRO
    # part r--p at file offset 0x8c000, data rw-p after it, bss + heap from 0x4a3000
    maps = [f[f"10_final_self|file /proc/self/maps|line|{i}"].split()[:3] for i in range(4)]
    assert maps == [["00400000-00484000", "r-xp", "00000000"],
                    ["0049c000-004a0000", "r--p", "0008c000"],
                    ["004a0000-004a3000", "rw-p", "00090000"],
                    ["004a3000-0050e000", "rw-p", "00000000"]]
    assert f["0_baseline|info personality|sbrk0"] == "0x530000"          # 0x50e000 + 0x22000
    assert f["10_final_self|file /proc/self/status|VmPeak"] == "11504 kB"  # exp 3's 10 MiB
    # mincore's bounce page: one page allocated and freed per rw-p mapping (4 of them)
    e4 = "4_fork_cow_4M_nohuge|step 4_fork_cow_4M_nohuge."
    assert v(e4 + "parent_retouch_rw_pages|vmstat|pgalloc_dma") == "4"


@pytest.mark.parametrize("shape", ["2G-smp2", "numa2-smp4-2G"])
def test_scenario_runs_unchanged_on_other_machine_shapes(kmmsim, sim_1g, shape):
    """README: on more CPUs and RAM the fault, allocation and RSS numbers stay the same."""
    other = run_scenario(kmmsim, shape)
    assert other.experiments == sim_1g.experiments
    same = [k for k in sim_1g.facts if re.search(
        r"\|(rusage\|minflt|vmstat\|(pgfault|pgreuse|nr_anon_pages)|rollup_delta\|.*|"
        r"status_delta\|Vm(Size|Data|Stk|PTE))$", k)]
    assert len(same) >= 180
    for k in same:
        assert fc.value_of(other, k) == fc.value_of(sim_1g, k), k
