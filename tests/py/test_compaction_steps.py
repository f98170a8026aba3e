"""kmmsim's compaction step and tunables: `compact` over every node, one node or one zone,
printing the compact_*/pgmigrate_* vmstat deltas; bad nodes and zones refused before anything
runs; the 6.1 defaults of vm.extfrag_threshold (500), vm.compaction_proactiveness (20) and
vm.compact_unevictable_allowed (1)."""
import re

LINE = re.compile(r"^compact node=(\S+) zone=(\S+): pgmigrate_success=(\d+) pgmigrate_fail=(\d+)"
                  r" compact_migrate_scanned=(\d+) compact_free_scanned=(\d+)"
                  r" compact_isolated=(\d+) compact_stall=(\d+) compact_fail=(\d+)"
                  r" compact_success=(\d+) compact_daemon_wake=(\d+) time_us=(\d+)$", re.M)


def run(kmmsim, text, *opts, check=True):
    return kmmsim("-m", "256M", "-smp", "1", *opts, "run", "-", input=text, check=check)


def test_compact_every_node_one_node_one_zone(kmmsim):
    out = run(kmmsim, "compact\ncompact node=0\ncompact node=0 zone=DMA\ncheck\n").stdout
    rows = LINE.findall(out)
    assert [(r[0], r[1]) for r in rows] == [("all", "all"), ("0", "all"), ("0", "DMA")]
    for r in rows:
        # A full compaction is no allocation: no stall, success or failure is counted, and
        # the migrate scanner looks at the zone (65536 pages: at least one PFN per block).
        assert r[7:10] == ("0", "0", "0")
        assert int(r[4]) >= 127
    assert "check: all invariants hold" in out


def test_compact_refuses_bad_nodes_and_zones(kmmsim):
    for step, text in (("compact node=1", "node 1 is not online"),
                       ("compact node=0 zone=Normal", "node 0 has no Normal memory"),
                       ("compact node=0 zone=Highmem", "no zone type named 'Highmem'"),
                       ("compact zone=DMA", "zone=DMA needs node=N"),
                       ("compact node=x", "bad node 'x'"),
                       ("compact size=3", "size")):
        proc = run(kmmsim, "boot\n" + step + "\n", check=False)
        assert proc.returncode == 1, step
        assert text in proc.stderr, (step, proc.stderr)
        assert "compact node=" not in proc.stdout


def test_compaction_tunables_defaults_and_ranges(kmmsim):
    out = run(kmmsim, "show /proc/sys/vm/extfrag_threshold /proc/sys/vm/compaction_proactiveness"
              " /proc/sys/vm/compact_unevictable_allowed\n"
              "sysctl vm.extfrag_threshold 1000\nshow /proc/sys/vm/extfrag_threshold\n"
              "sysctl vm.compact_memory 1\nsysctl /sys/devices/system/node/node0/compact 1\n"
              "check\n").stdout
    nums = re.findall(r"^(\d+)$", out, re.M)
    assert nums[:4] == ["500", "20", "1", "1000"]
    proc = run(kmmsim, "boot\nsysctl vm.compaction_proactiveness 101\n", check=False)
    assert proc.returncode == 1 and "invalid value" in proc.stderr
