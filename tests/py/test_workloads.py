"""Workloads kernel engineers run, rebuilt as scenarios (examples/scenarios), each citing what
it mirrors: usemem (vm-scalability), pft and stress-highalloc (mmtests). The expected counts
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
