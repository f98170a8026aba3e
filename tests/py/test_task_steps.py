"""kmmsim's user-space steps: tasks, mappings, touches, fork with copy-on-write, and the two
shipped scenarios. Expected numbers follow from the kernel's rules (one minor fault per first
touch of an anonymous page, one COW fault per first write to a page shared after fork) and
from the capture's layout (norandmaps: the first mapping ends at the [vvar] start
0xfffff7ffd000)."""
import re

from conftest import SOURCE_DIR


def run(kmmsim, text, *opts):
    return kmmsim(*opts, "-append", "norandmaps", "run", "-", input=text).stdout


def test_first_mapping_sits_below_vvar(kmmsim):
    out = run(kmmsim, "task a\nmmap a r 64K\ncheck\n")
    assert "mmap a: r = 0xfffff7fed000-0xfffff7ffd000" in out


def test_touch_counts_one_fault_per_new_page(kmmsim):
    out = run(kmmsim, "task a\nmmap a r 1M\ntouch a r 1M op=write\n"
              "touch a r 1M op=read stride=8 order=random\ncheck\n")
    assert "touch a 0xfffff7efd000+0x100000 write seq: 256 accesses, 256 minor" in out
    assert "read random: 131072 accesses, 0 minor and 0 major faults" in out


def test_fork_cow_keeps_both_sides_data(kmmsim):
    out = run(kmmsim, "task p\nmmap p b 16K\ntouch p b 16K op=write pattern=1\n"
              "checksum p b 16K\nfork p c\ntouch c b 16K op=write pattern=2\n"
              "checksum p b 16K\nchecksum c b 16K\ncheck\n")
    sums = re.findall(r"checksum (\w) \S+: ([0-9a-f]{16})", out)
    assert sums[0][1] == sums[1][1]  # the parent's bytes, before and after the child wrote
    assert sums[2][1] != sums[0][1]
    assert "touch c 0xfffff7ff9000+0x4000 write seq: 4 accesses, 4 minor" in out


def test_segv_is_reported_and_expected(kmmsim):
    out = run(kmmsim, "task a\ntouch a 0x10000000 8 op=read expect=segv\ntask-info a\ncheck\n")
    assert "SIGSEGV (si_code 1) at 0x10000000" in out
    assert "state T" in out and "signal 11 code 1 addr 0x10000000" in out


def test_shipped_scenarios_run(kmmsim):
    for name in ("fork-cow.kmm", "tlb-asid.kmm"):
        out = kmmsim("run", str(SOURCE_DIR / "examples/scenarios" / name)).stdout
        assert "check: all invariants hold" in out


def test_help_lists_task_steps(kmmsim):
    out = kmmsim("--help").stdout
    for step in ("task NAME", "fork PARENT CHILD", "touch NAME ADDR LEN", "task-show NAME"):
        assert step in out


def test_exec_layout_reads_as_the_capture(kmmsim):
    # boot.maps_norand.txt of the faults-smp1-1G capture: the static binary /bin/maps, its
    # bss as [heap], [vvar] 2 pages + [vdso] 1 page below mmap_base, the 132 KiB [stack].
    out = run(kmmsim, "task maps\ntask-show maps maps\n")
    lines = [l.split() for l in out.splitlines() if l[:1] in "0123456789abcdef" and "-" in l]
    spans = [(l[0], l[1], l[-1] if len(l) > 5 else "") for l in lines]
    assert ("00400000-0047e000", "r-xp", "/bin/maps") in spans
    assert ("00493000-00498000", "rw-p", "[heap]") in spans
    assert ("fffff7ffd000-fffff7fff000", "r--p", "[vvar]") in spans
    assert ("fffff7fff000-fffff8000000", "r-xp", "[vdso]") in spans
    assert ("fffffffdf000-1000000000000", "rw-p", "[stack]") in spans


def test_protect_remap_advise_lock_steps(kmmsim):
    out = run(kmmsim, "task a\nmmap a r 16K\ntouch a r 16K op=write pattern=5\n"
              "checksum a r 16K\nprotect a r 4K PROT_READ\ntouch a r 8 op=write expect=segv\n"
              "task b\nmmap b s 16K\ntouch b s 16K op=write pattern=5\nchecksum b s 16K\n"
              "remap b s 1M\nchecksum b s 16K\nadvise b s 4K MADV_DONTNEED\n"
              "lock b s+4K 8K\nunlock b s+4K 8K\ncheck\n")
    sums = re.findall(r"checksum \w \S+: ([0-9a-f]{16})", out)
    assert sums[0] == sums[1] == sums[2]  # the same bytes, before and after the move
    assert "SIGSEGV (si_code 2)" in out
    assert re.search(r"remap b: s = 0x[0-9a-f]+-0x[0-9a-f]+ \(was 0xfffff7ff9000\)", out)
    assert "check: all invariants hold" in out
