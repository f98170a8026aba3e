"""examples/scenarios/tlb-asid-contig.kmm: TLB hit rates with 4 KiB pages against 64 KiB
hugetlb pages (contiguous PTEs), for an access pattern whose counts follow by hand from the
default TLB geometry (docs/mmu.md: 32-entry fully associative L1D, 1024-entry 4-way L2 of
256 sets indexed by the page number of the entry's size) and from the Arm ARM's rule that a
descriptor with the contiguous bit may be cached as one entry for its 16-entry range.

The pattern: TLBI VMALLE1, then two passes of one 8-byte load per 4 KiB page over 2 MiB
(512 loads a pass, 1024 in all), with every page already mapped (no fault, so no kernel
access in between).

4 KiB pages, 512 entries:
  pass 1: each load misses the L1D and the L2 and walks: 512 walks, 512 L2 misses.
  The L2 keeps all of them (2 pages per set, 4 ways). The L1D keeps 32 and replaces one per
  fill; pass 2 fills 480 before it comes back to the last 32, so none of pass 1's survives:
  pass 2: 512 L1D misses, 512 L2 hits.
  hits (L1D + L2) 512, misses 512: hit rate 0.5.
64 KiB pages, 32 entries:
  pass 1: the first load of each 64 KiB walks (32 walks, 32 L2 misses); the 15 others hit
  the entry the walk put in the L1D (480 L1D hits).
  pass 2: the 32 entries fill the L1D exactly: 512 L1D hits.
  hits 992, misses 32: hit rate 992 / 1024 = 0.96875.
"""
import re

from conftest import SOURCE_DIR

STATS = re.compile(r"tlb cpu0: L1D hits (\d+) L1I hits (\d+) L2 hits (\d+) misses (\d+) "
                   r"walks (\d+) hit rate ([0-9.]+)")


def fnv1a(data, h=0xcbf29ce484222325):
    for b in data:
        h = ((h ^ b) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return f"{h:016x}"


def run(kmmsim):
    return kmmsim("run", str(SOURCE_DIR / "examples/scenarios/tlb-asid-contig.kmm")).stdout


def deltas(out):
    rows = [tuple(int(x) for x in m.groups()[:5]) for m in STATS.finditer(out)]
    assert len(rows) == 4, out
    return [tuple(b - a for a, b in zip(rows[i], rows[i + 1])) for i in (0, 2)]


def rate(d):
    l1d, l1i, l2, misses, _ = d
    return (l1d + l1i + l2) / (l1d + l1i + l2 + misses)


def test_4k_pages_against_contiguous_64k(kmmsim):
    out = run(kmmsim)
    small, contig = deltas(out)
    # (L1D hits, L1I hits, L2 hits, L2 misses, walks)
    assert small == (0, 0, 512, 512, 512)
    assert contig == (992, 0, 0, 32, 32)
    assert rate(small) == 0.5
    assert rate(contig) == 992 / 1024
    # the step's own "since the last" part, after each measured pair of passes
    assert "; since the last: hits 512 misses 512 hit rate 0.5000" in out
    assert "; since the last: hits 992 misses 32 hit rate 0.9688" in out
    assert "check: all invariants hold" in out


def test_contig_scenario_faults_and_data(kmmsim):
    out = run(kmmsim)
    assert re.search(r"touch a \S+ write seq: 512 accesses, 512 minor and 0 major", out)
    # one fault per 64 KiB hugetlb page: 16 of the 512 one-per-page stores fault
    assert re.search(r"touch a \S+ write seq: 512 accesses, 32 minor and 0 major", out)
    assert "KernelPageSize:       64 kB" in out
    page = bytes([0x5a]) * 8 + bytes(4096 - 8)
    sums = re.findall(r"checksum a \S+: ([0-9a-f]{16})", out)
    assert sums == [fnv1a(page * 512)] * 2
