"""kmmsim end to end: the default scenario, proc views, options and scenario errors.

Expected /proc/iomem lines come from the real kernel's captures (shared/oracles/linux);
"reserved" lines depend on every early allocation of the real kernel and are dropped on
both sides (test_iomem.c and test_boot_captures.c check reservations).
"""
import json
import re

import pytest


def modelled(iomem):
    return "".join(line for line in iomem.splitlines(keepends=True)
                   if not line.rstrip("\n").endswith(": reserved"))


def test_default_scenario_runs_and_checks(kmmsim):
    out = kmmsim("run").stdout
    assert "booted: 4 CPUs, 1024 MiB RAM in 1 bank, 1 node" in out
    assert "40000000-7fffffff : System RAM\n  40210000-4185ffff : Kernel code\n" in out
    assert "Node 0, zone      DMA" in out
    assert "CmaTotal:          65536 kB" in out
    assert "check: all invariants hold" in out


def test_default_scenario_file_matches_builtin(kmmsim):
    from conftest import SOURCE_DIR
    path = SOURCE_DIR / "examples/scenarios/default.kmm"
    assert kmmsim("run", str(path)).stdout == kmmsim("run").stdout


@pytest.mark.parametrize("config,options", [
    ("a57-smp1-1G", ["-m", "1G", "-smp", "1"]),
    ("a57-smp1-4G", ["-m", "4G", "-smp", "1"]),
    ("a57-smp4-512M", ["-m", "512M", "-smp", "4"]),
    ("numa2-smp4-2G", ["-m", "2G", "-smp", "4",
                       "-numa", "node,nodeid=0,mem=1G,cpus=0-1",
                       "-numa", "node,nodeid=1,mem=1G,cpus=2-3",
                       "-numa", "dist,src=0,dst=1,val=20"]),
])
def test_proc_iomem_matches_real_kernel(kmmsim, capture, config, options):
    out = kmmsim(*options, "proc", "/proc/iomem").stdout
    assert modelled(out) == modelled(capture(config, "boot.iomem.txt"))


def test_options_apply_before_scenario_lines(kmmsim):
    out = kmmsim("-m", "4G", "-append", "mem=2G", "run", "-",
                 input="machine -smp 2\nshow /proc/iomem\n").stdout
    assert "booted: 2 CPUs, 4096 MiB RAM" in out
    assert "command line: mem=2G" in out
    assert "40000000-bfffffff : System RAM\n" in out


@pytest.mark.parametrize("args,message", [
    (["-m", "lots", "run"], "-m lots"),
    (["-smp", "999", "run"], "1 to 256"),
    (["-append", "mem=12Q", "run"], "mem=12Q"),
    (["-numa", "node,nodeid=0,mem=1G", "-numa", "node,nodeid=1,mem=1G", "run"],
     "should equal RAM size"),
    (["-ram", "1G@0x40000000", "-ram", "1G@0x60000000", "run"], "overlap"),
    (["-ram", "0@0x40000000", "run"], "zero"),
    (["-ram", "1G@0x40000800", "run"], "aligned"),
    (["-reserve", "1M@0x10000000", "run"], "not inside one RAM bank"),
    (["-frobnicate", "run"], "unknown option"),
    (["fly"], "unknown command"),
])
def test_bad_machine_options_are_named(kmmsim, args, message):
    proc = kmmsim(*args, check=False)
    assert proc.returncode != 0
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr and "Sanitizer" not in proc.stderr


@pytest.mark.parametrize("text,message", [
    ("boot\nfrobnicate now\n", "-:2: unknown step 'frobnicate'"),
    ("# comment\n\nshow\n", "-:3: show: wrong number of arguments"),
    ("boot\nmachine -m 2G\n", "-:2: machine: machine settings must come before"),
    ("machine -m\n", "-:1: machine: -m needs an argument"),
    ("machine -m 2X\n", "-:1: machine: -m 2X"),
    ("phys-read64 zzz\n", "-:1: phys-read64: 'zzz' is not an address"),
    ("phys-read64 0x1000\n", "-:1: phys-read64: kmm_phys_read: pa 0x1000"),
    ("show /proc/nothing\n", "-:1: show: kmm_proc_show: /proc/nothing: no such view"),
    ("expect /proc/iomem contains \"Bogus RAM\"\n", "-:1: expect: /proc/iomem should contain"),
    ("expect /proc/iomem maybe x\n", "-:1: expect: second word"),
    ("append mem=garbage\nboot\n", "-:1: kernel command line: mem=garbage"),
])
def test_scenario_errors_name_the_line(kmmsim, text, message):
    proc = kmmsim("run", "-", input=text, check=False)
    assert proc.returncode == 1
    assert message in proc.stderr


def test_scenario_phys_and_expect_steps(kmmsim):
    text = ("machine -m 256M\n"
            "phys-write64 0x40001000 0xdeadbeef\n"
            "phys-read64 0x40001000\n"
            "expect /proc/iomem contains \"40000000-4fffffff : System RAM\"\n"
            "expect /proc/iomem lacks \"50000000\"\n"
            "echo \"all good\"\n")
    out = kmmsim("run", "-", input=text).stdout
    assert "phys 0x0000000040001000: 0x00000000deadbeef" in out
    assert "all good" in out


def test_scenario_missing_file(kmmsim):
    proc = kmmsim("run", "/nonexistent.kmm", check=False)
    assert proc.returncode == 2
    assert "cannot read scenario /nonexistent.kmm" in proc.stderr


def test_help_documents_options_and_steps(kmmsim):
    out = kmmsim("--help").stdout
    for word in ["-m", "-smp", "-numa", "-append", "-reserve", "run [SCENARIO]", "proc PATH",
                 "machine OPTION VALUE", "show PATH", "check", "expect PATH"]:
        assert word in out


def test_views_lists_iomem(kmmsim):
    assert "/proc/iomem" in kmmsim("views").stdout.split()


def test_dmesg_has_kernel_wording(kmmsim):
    out = kmmsim("-append", "mem=512M", "run", "-", input="dmesg\n").stdout
    assert re.search(r"^\[    0\.000000\] Memory limited to 512MB$", out, re.M)
    assert re.search(r"^\[    0\.000000\] Kernel command line: mem=512M$", out, re.M)


def test_kmmbench_lists_and_emits_json(kmmbench):
    assert "machine" in kmmbench("--list").stdout
    data = json.loads(kmmbench("machine", "--json", "--runs", "1").stdout)
    assert data["bench"] == "machine"
    rss = {r["metric"]: r for r in data["results"]}
    assert rss["host RSS added by -m 64G (untouched)"]["unit"] == "MiB"
    assert rss["host RSS added by -m 64G (untouched)"]["median"] < 64
    assert kmmbench("nonesuch", check=False).returncode == 2


def test_mmu_replay_reads_gzip_and_refuses_garbage(kmmsim, tmp_path):
    """mmu-replay (src/tools/mmu_replay.c, mmu_json.c): any corpus path, plain or gzipped."""
    import gzip
    from conftest import DATA_DIR
    corpus = gzip.decompress((DATA_DIR / "oracles/mmu/handwritten.jsonl.gz").read_bytes())
    plain = tmp_path / "hand.jsonl"
    plain.write_bytes(corpus)
    gz = tmp_path / "hand.jsonl.gz"
    gz.write_bytes(gzip.compress(corpus))
    for path in (plain, gz):
        out = kmmsim("mmu-replay", str(path)).stdout
        assert "67/67 queries match" in out
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"format": "arm-mmu-oracle-v1", "queries": [ {"i": 0, \n')
    proc = kmmsim("mmu-replay", str(bad), check=False)
    assert proc.returncode == 2
    assert proc.stderr.strip() and "Sanitizer" not in proc.stderr


def test_vmalloc_scenario_shows_areas_faults_and_purge(kmmsim):
    """The shipped vmalloc scenario. Addresses by hand: the 64 KiB between VMALLOC_START
    (0xffff800008000000, = KIMAGE_VADDR) and _stext hold the first areas; a 2 MiB-aligned
    huge area goes after the image's last area (0xffff80000a011000) at 0xffff80000a200000.
    A load of the guard page, or of a purged area, is a level-3 translation fault: ESR
    0x96000007 (EC 0x25 data abort at EL1, IL, DFSC 0b000111)."""
    from conftest import SOURCE_DIR
    out = kmmsim("run", str(SOURCE_DIR / "examples/scenarios/vmalloc.kmm")).stdout
    assert "vmalloc buf: 0xffff800008000000, 4 pages\n" in out
    assert "ioremap uart: 0xffff800008005000 -> pa 0x9000000\n" in out
    assert "vmalloc big: 0xffff80000a200000, 512 pages in 2 MiB blocks\n" in out
    assert ("0xffff800008005000-0xffff800008007000    8192 kmm_ioremap "
            "phys=0x0000000009000000 ioremap\n") in out
    guard = "load64 0xffff800008004000 on CPU 0: translation fault, level 3, ESR 0x96000007"
    assert guard in out
    after_vfree = out.split("vfree 0xffff800008000000\n", 1)[1]
    assert after_vfree.startswith(
        "load64 0xffff800008000000 on CPU 0: 0x1122334455667788\n"
        "load64 0xffff800008000000 on CPU 1: translation fault, level 3, ESR 0x96000007\n")
    assert "0xffff800008000000-0xffff800008005000   20480 unpurged vm_area\n" in out
    assert ("vpurge: 5 lazily freed pages purged\n"
            "load64 0xffff800008000000 on CPU 0: translation fault, level 3, "
            "ESR 0x96000007\n") in out
    assert "---[ vmalloc() area ]---\n" in out
    assert "check: all invariants hold" in out


@pytest.mark.parametrize("text,message", [
    ("vfree nosuch\n", "vfree: 'nosuch' is no name or address"),
    ("vmalloc a 0\n", "size 0"),
    ("ioremap r 0x40000000 4K\n", "is RAM"),
    ("vmalloc a 4K wide\n", "unknown option 'wide'"),
])
def test_vmalloc_steps_refuse_bad_input(kmmsim, text, message):
    proc = kmmsim("run", "-", input=text, check=False)
    assert proc.returncode == 1
    assert message in proc.stderr


def test_frag1_scenario_fragments_like_the_capture(kmmsim, capture):
    """The shipped frag1 scenario: every other page of 60% of free memory freed. Like the
    captured kernel, about 41% of the free memory ends up as isolated order-0 pages, which is
    what unusable_index reports for order 1 (docs/buddy.md)."""
    from conftest import SOURCE_DIR
    out = kmmsim("run", str(SOURCE_DIR / "examples/scenarios/frag1.kmm")).stdout
    after = out.split("== after")[1]
    buddy = re.search(r"Node 0, zone      DMA((?:\s+\d+){11})", after).group(1).split()
    free = sum(int(n) << o for o, n in enumerate(buddy))
    share = int(buddy[0]) / free
    assert 0.38 < share < 0.44
    unusable = re.search(r"unusable_index\nNode 0, zone      DMA ([\d. ]+)", after).group(1)
    assert abs(float(unusable.split()[1]) - share) < 0.0015
    real = capture("a57-smp1-1G", "frag1.extfrag.txt").splitlines()[2].split()[4:]
    assert abs(float(real[1]) - float(unusable.split()[1])) < 0.02
    assert "check: all invariants hold" in out


def test_page_steps_allocate_free_and_trace(kmmsim):
    text = ("alloc-pages a 10 order=2 gfp=GFP_KERNEL|__GFP_ZERO\n"
            "trace mm_page_free on\n"
            "free-pages a every=3 offset=1\n"
            "show /sys/kernel/debug/tracing/trace\n"
            "cpu 1\n"
            "drain\n"
            "check\n")
    out = kmmsim("-smp", "2", "run", "-", input=text).stdout
    assert "alloc-pages a: 10 of 10 order-2 blocks allocated" in out
    assert "free-pages a: 3 blocks freed, 7 kept" in out  # blocks 1, 4, 7
    assert out.count("mm_page_free: page=") == 3
    bad = kmmsim("run", "-", input="alloc-pages a 1 gfp=GFP_BOGUS\n", check=False)
    assert bad.returncode == 1 and "unknown GFP flag 'GFP_BOGUS'" in bad.stderr


def test_scenario_nul_byte_is_refused_with_line_and_column(kmmsim):
    # A NUL used to end the text early: the lines after it never ran and kmmsim exited 0.
    text = "boot\nshow /proc/iomem\ncheck\x00\necho never\n"
    proc = kmmsim("run", "-", input=text, check=False)
    assert proc.returncode == 2
    assert "-:3:6: NUL byte" in proc.stderr
    assert proc.stdout == ""


def test_khugepaged_scenario_collapses(kmmsim):
    """examples/scenarios/khugepaged.kmm: 4 MiB written (two whole 2 MiB ranges) with
    enabled=madvise; after MADV_HUGEPAGE one khugepaged pass collapses both ranges
    (pages_collapsed 2, one THP allocation each), max_ptes_none 0 keeps the empty ranges
    out, and MADV_COLLAPSE then collapses the range holding one written page: 3 THPs,
    AnonHugePages 6144 kB. The data written before the collapse reads back the same."""
    from conftest import SOURCE_DIR
    out = kmmsim("run", str(SOURCE_DIR / "examples/scenarios/khugepaged.kmm")).stdout
    sums = re.findall(r"^checksum app 0x40000000\+0x400000: ([0-9a-f]+)$", out, re.M)
    assert len(sums) == 2 and sums[0] == sums[1]
    assert re.search(r"^khugepaged scans=1: pages_collapsed=2 .*thp_collapse_alloc=2 "
                     r"thp_collapse_alloc_failed=0 ", out, re.M)
    assert "AnonHugePages:      6144 kB" in out
    assert "check: all invariants hold" in out
