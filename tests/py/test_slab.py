"""kmmsim and the slab allocator: /proc/slabinfo against the real kernel's cache set, the
shipped mixed-workload scenario, the slab scenario steps and their errors.

The real /proc/slabinfo (shared/oracles/linux) lists 119 caches, most of them from
subsystems the model does not have; the kmalloc caches and the two bootstrap caches are
compared (name, objsize, objperslab, pagesperslab), per CPU count.
"""
import re

import pytest

BOOT_CACHES = re.compile(r"^(kmem_cache|kmem_cache_node|(dma-)?kmalloc-(cg-|rcl-)?\w+) ")


def geometry(slabinfo):
    rows = {}
    for line in slabinfo.splitlines()[2:]:
        if BOOT_CACHES.match(line):
            f = line.split()
            rows[f[0]] = (int(f[3]), int(f[4]), int(f[5]))
    return rows


@pytest.mark.parametrize("config,options", [
    ("a57-smp1-1G", ["-m", "1G", "-smp", "1"]),
    ("a57-smp4-512M", ["-m", "512M", "-smp", "4"]),
])
def test_slabinfo_matches_real_kernel(kmmsim, capture, config, options):
    ours = kmmsim(*options, "proc", "/proc/slabinfo").stdout
    theirs = capture(config, "boot.slabinfo.txt")
    assert ours.splitlines()[:2] == theirs.splitlines()[:2]  # the two header lines
    assert geometry(ours) == geometry(theirs)
    assert len(geometry(ours)) == 30


def test_slab_scenario_runs_and_checks(kmmsim):
    from conftest import SOURCE_DIR
    out = kmmsim("run", str(SOURCE_DIR / "examples/scenarios/slab.kmm")).stdout
    assert "kmalloc mixed: 4000 of 4000 objects allocated" in out
    assert "kmem-cache-alloc dentries: 3000 of 3000 objects allocated" in out
    assert re.search(r"\ndentry_like +\d+ +\d+ +192 +21 +1 : tunables", out)
    assert re.search(r"\nSReclaimable: +[1-9]\d* kB", out)
    assert out.count("check: all invariants hold") == 2
    # the scenario is deterministic
    assert out == kmmsim("run", str(SOURCE_DIR / "examples/scenarios/slab.kmm")).stdout


def test_slab_steps_report_bad_use(kmmsim):
    out = kmmsim("-m", "256M", "run", "-", input=(
        "kmem-cache-create c 100\n"
        "kmem-cache-alloc s c 10\n"
        "kfree s every=2\n"
        "kmem-cache-destroy c\n"
        "show /proc/slabinfo\n"
        "dmesg\n"
        "check\n")).stdout
    assert "kfree s: 5 objects freed, 5 kept" in out
    assert "Objects remaining in c on __kmem_cache_shutdown()" in out
    assert "kmem_cache_destroy c: Slab cache still has objects" in out
    assert re.search(r"\nc +\d+ +\d+ +104 ", out)
    assert "check: all invariants hold" in out


@pytest.mark.parametrize("script,message", [
    ("kmem-cache-create c 0\n", "size 0 is not in 1.."),
    ("kmem-cache-create c 64 flags=SLAB_BOGUS\n", "unknown flag"),
    ("kmem-cache-alloc s nosuch 1\n", "no cache 'nosuch'"),
    ("kmalloc s 1 size=10-5\n", "is empty"),
    ("kfree nosuch\n", "no set 'nosuch'"),
])
def test_slab_step_errors(kmmsim, script, message):
    proc = kmmsim("-m", "256M", "run", "-", input=script, check=False)
    assert proc.returncode == 1
    assert message in proc.stderr


def test_slub_debug_boot_parameter(kmmsim):
    out = kmmsim("-m", "256M", "-smp", "4", "-append", "slub_debug", "proc",
                 "/proc/slabinfo").stdout
    # kmalloc-128 with red zones, poison and tracking: 384-byte objects, 21 in 2 pages
    assert re.search(r"\nkmalloc-128 +\d+ +\d+ +384 +21 +2 : tunables", out)
