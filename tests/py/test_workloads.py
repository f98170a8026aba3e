"""Workloads kernel engineers run, rebuilt as scenarios (examples/scenarios), each citing what
it mirrors: usemem (vm-scalability), pft, stress-highalloc and thpscale (mmtests). The expected counts
follow from the kernel's rules: one minor fault per first write to a 4 KiB anonymous page
(MADV_NOHUGEPAGE), no fault on re-reading mapped pages; order-9 blocks only where a whole free
pageblock can exist."""
import re

from conftest import SOURCE_DIR

SCEN = SOURCE_DIR / "examples" / "scenarios"


def run(kmmsim, name):
    out = kmmsim("run", str(SCEN / f"{name}.kmm")).stdout
    assert "check: all invariants hold" in out
    return out


def test_usemem_one_fault_per_page(kmmsim):
    out = run(kmmsim, "usemem")
    writes = re.findall(r"write seq: (\d+) accesses, (\d+) minor and 0 major", out)
    assert writes == [("8192", "8192")] * 4  # 32 MiB / 4 KiB, per task
    assert "read seq: 524288 accesses, 0 minor and 0 major" in out  # 32 MiB / 64
    assert re.search(r"AnonHugePages:\s+0 kB", out)


def test_pft_faults_again_after_munmap(kmmsim):
    out = run(kmmsim, "pft")
    writes = re.findall(r"write seq: (\d+) accesses, (\d+) minor", out)
    assert writes == [("16384", "16384")] * 3  # 64 MiB / 4 KiB, the third after munmap


def test_stress_highalloc_bounded_by_fragmentation(kmmsim):
    out = run(kmmsim, "stress-highalloc")
    filler = int(re.search(r"alloc-pages filler: (\d+) of", out).group(1))
    got = int(re.search(r"alloc-pages huge: (\d+) of 64", out).group(1))
    # 90 % of the free pages taken, every other one freed: only the untouched 10 % (filler/9
    # pages) can hold whole free order-9 blocks (the filler's pages are not movable: no
    # mapping, not on an LRU), so at most filler / 9 / 512 of them, rounded up
    assert 0 < got <= filler // 9 // 512 + 1
    assert "alloc-pages huge2: 64 of 64 order-9 blocks allocated" in out


def thpscale(kmmsim, defrag):
    text = (SCEN / "thpscale.kmm").read_text().replace("defrag=always", f"defrag={defrag}")
    out = kmmsim("run", "-", input=text).stdout
    assert "check: all invariants hold" in out
    # compaction moved frag's pages: every one still holds what it wrote
    assert re.search(r"frag-check: frag: \d+ kept pages hold what frag wrote", out)
    block = out.split("@@@BEGIN thpscale.result@@@")[1].split("@@@END thpscale.result@@@")[0]
    return {k: int(v) for k, v in re.findall(r"^(\w+) (-?\d+)$", block, re.M)}


def test_thpscale_direct_compaction_with_defrag_always(kmmsim):
    d = thpscale(kmmsim, "always")
    # 256 MiB at a 4 KiB-aligned address (6.1 does not THP-align anonymous mmaps) holds 127
    # whole 2 MiB ranges: each one's first fault tries a THP once, then it is a huge PMD or,
    # after thp_fault_fallback, a PTE table
    assert d.get("thp_fault_alloc", 0) + d.get("thp_fault_fallback", 0) == 127
    # frag left ~5 % of the free memory unfragmented (< 30 huge pages): the rest needed
    # direct compaction (defrag=always: __GFP_DIRECT_RECLAIM on THP faults)
    assert d.get("compact_stall", 0) > 0 and d.get("pgmigrate_success", 0) > 0
    assert d["thp_fault_alloc"] > 100


def test_thpscale_no_compaction_with_defrag_never(kmmsim):
    d = thpscale(kmmsim, "never")
    assert d.get("thp_fault_alloc", 0) + d.get("thp_fault_fallback", 0) == 127
    # defrag=never: GFP_TRANSHUGE_LIGHT, no direct reclaim or compaction; only the
    # unfragmented ~5 % can give huge pages
    assert d.get("compact_stall", 0) == 0
    assert d.get("thp_fault_fallback", 0) > 127 - 30
