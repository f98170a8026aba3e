"""munmap with unaligned lengths (the old fuzz report in notes/note14.md: "an unaligned munmap
leaving a PTE outside every VMA"). 6.1's rule (do_vmi_munmap): the start must be page
aligned (else -EINVAL), the length is rounded up to a page, and [start, start + PAGE_ALIGN(len))
loses its VMAs and its PTEs, splitting the VMAs at both ends, also where the range crosses a
VMA boundary.

Each case is a fresh task with 64 KiB written (16 pages) and split into three VMAs by
mprotect of pages 4..7 read-only; then one munmap at page K of length L. Expected: exactly the
pages outside [K, K + ceil(L / 4096)) keep a PTE (read from the task's page-table dump, not
from the model's books), every PTE lies inside a VMA of /proc/PID/maps, and kmm_check holds.
"""
import re

PAGE = 4096
BASE = 0xfffff7fed000  # norandmaps: a 64 KiB first mapping ends at [vvar] 0xfffff7ffd000
STARTS = (0, 1, 3, 4, 5, 7, 8, 15)
LENGTHS = (1, 0x800, 0x1000, 0x1001, 0x1800, 0x2fff, 0x4001, 0x7001)

PT = re.compile(r"^0x([0-9a-f]{16})-0x([0-9a-f]{16})\s+\S+ PTE\s+USR", re.M)
MAPS = re.compile(r"^([0-9a-f]+)-([0-9a-f]+) ", re.M)


def sections(out):
    """{header: text} for every '== PATH' block of the output."""
    parts = re.split(r"^== (.*)$", out, flags=re.M)
    return {parts[i]: parts[i + 1] for i in range(1, len(parts) - 1, 2)}


def test_unaligned_munmap_leaves_no_pte_outside_a_vma(kmmsim):
    cases = [(k, length) for k in STARTS for length in LENGTHS]
    for chunk in (cases[:32], cases[32:]):
        lines = ["append norandmaps"]
        for i, (k, length) in enumerate(chunk):
            t = f"t{i}"
            lines += [f"task {t}", f"mmap {t} r 64K", f"touch {t} r 64K op=write",
                      f"protect {t} r+16K 16K PROT_READ",
                      f"munmap {t} r+{k * PAGE} {length:#x}", "check"]
        lines += [f"show /proc/{i + 1}/maps /sys/kernel/debug/kmm/ptdump/{i + 1}"
                  for i in range(len(chunk))]
        out = kmmsim("run", "-", input="\n".join(lines) + "\n").stdout
        assert out.count("check: all invariants hold") == len(chunk)
        sec = sections(out)
        for i, (k, length) in enumerate(chunk):
            pid = i + 1
            vmas = [(int(a, 16), int(b, 16)) for a, b in MAPS.findall(sec[f"/proc/{pid}/maps"])]
            ptes = set()
            for a, b in PT.findall(sec[f"/sys/kernel/debug/kmm/ptdump/{pid}"]):
                for va in range(int(a, 16), int(b, 16), PAGE):
                    assert any(lo <= va < hi for lo, hi in vmas), (k, length, hex(va))
                    if BASE <= va < BASE + 16 * PAGE:
                        ptes.add((va - BASE) // PAGE)
            gone = set(range(k, min(16, k + (length + PAGE - 1) // PAGE)))
            assert ptes == set(range(16)) - gone, (k, length)
