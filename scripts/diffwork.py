#!/usr/bin/python3
"""The seeded differential workload: run the same random page, slab and vmalloc scenarios
on several machine shapes and seeds, and print (or save) everything kmmsim says.

Used to show that a refactoring changes nothing a user can see: run it before and after,
then compare the two outputs.  Trace and kernel-log timestamps are replaced by a marker
(--keep-times keeps them), since the simulated clock is allowed to change.

    scripts/diffwork.py build/kmmsim --out /tmp/before
    ... change the code, rebuild ...
    scripts/diffwork.py build/kmmsim --out /tmp/after
    diff -r /tmp/before /tmp/after

Each case is one file, <shape>-seed<N>.txt: the scenario, then kmmsim's exit status,
standard output and standard error.  The scenarios come from Python's seeded Mersenne
Twister, so a case is the same on every run and every machine.
"""
import argparse
import os
import random
import re
import subprocess
import sys

SHAPES = {
    "virt1G-smp4": ["-m", "1G", "-smp", "4"],
    "256M-smp1": ["-m", "256M", "-smp", "1"],
    "numa2-2G": ["-m", "2G", "-smp", "4",
                 "-numa", "node,nodeid=0,mem=1G,cpus=0-1",
                 "-numa", "node,nodeid=1,mem=1G,cpus=2-3"],
    "512M-movable": ["-m", "512M", "-smp", "2", "-append", "movablecore=64M"],
    "minalign8-smp2": ["-m", "768M", "-smp", "2", "-kmalloc-minalign", "8"],
    "4G-mem3G": ["-m", "4G", "-smp", "2", "-append", "mem=3G"],
}

GFPS = ["GFP_KERNEL", "GFP_HIGHUSER_MOVABLE", "GFP_KERNEL|__GFP_RECLAIMABLE",
        "GFP_ATOMIC", "GFP_KERNEL|__GFP_ZERO", "GFP_DMA", "GFP_NOWAIT"]
SUBSYS = ["kmem", "all", "mm_page_alloc", "mm_page_free", "kmalloc"]
VIEWS = ["/proc/buddyinfo", "/proc/pagetypeinfo", "/proc/zoneinfo", "/proc/vmstat",
         "/proc/meminfo", "/proc/slabinfo", "/proc/vmallocinfo",
         "/sys/kernel/debug/extfrag/unusable_index",
         "/sys/kernel/debug/extfrag/extfrag_index",
         "/sys/kernel/debug/memblock/reserved"]


def scenario(shape, seed, nsteps):
    rnd = random.Random("%s/%d" % (shape, seed))
    ncpu = int(SHAPES[shape][SHAPES[shape].index("-smp") + 1])
    pages, objs, areas, caches = [], [], [], []
    lines = ["boot"]
    if rnd.random() < 0.7:
        lines.append("trace %s on" % rnd.choice(SUBSYS))
    for i in range(nsteps):
        r = rnd.random()
        if r < 0.20 and len(pages) < 16:
            name = "p%d" % i
            order = rnd.choice([0, 0, 0, 1, 2, 3, 4, 9, 10])
            count = rnd.choice(["%d" % rnd.randint(1, 300), "%d%%" % rnd.randint(1, 30)])
            if order >= 9:
                count = "%d" % rnd.randint(1, 4)
            lines.append("alloc-pages %s %s order=%d gfp=%s" % (name, count, order,
                                                                rnd.choice(GFPS)))
            pages.append(name)
        elif r < 0.30 and pages:
            name = rnd.choice(pages)
            lines.append("free-pages %s every=%d offset=%d" % (name, rnd.randint(1, 4),
                                                               rnd.randint(0, 3)))
        elif r < 0.45 and len(objs) < 16:
            name = "k%d" % i
            lo = rnd.choice([8, 16, 64, 96, 192, 500, 2000])
            hi = lo + rnd.choice([0, 0, 100, 4000, 20000])
            size = "%d" % lo if hi == lo else "%d-%d" % (lo, hi)
            lines.append("kmalloc %s %d size=%s gfp=%s" % (name, rnd.randint(1, 800), size,
                                                           rnd.choice(GFPS[:5])))
            objs.append(name)
        elif r < 0.55 and objs:
            lines.append("kfree %s every=%d offset=%d" % (rnd.choice(objs), rnd.randint(1, 3),
                                                         rnd.randint(0, 2)))
        elif r < 0.60:
            name = "c%d" % i
            flags = rnd.choice(["", " flags=SLAB_HWCACHE_ALIGN",
                                " flags=SLAB_RECLAIM_ACCOUNT", " align=64"])
            lines.append("kmem-cache-create %s %d%s" % (name, rnd.randint(8, 3000), flags))
            caches.append(name)
        elif r < 0.66 and caches and len(objs) < 16:
            name = "o%d" % i
            lines.append("kmem-cache-alloc %s %s %d" % (name, rnd.choice(caches),
                                                         rnd.randint(1, 500)))
            objs.append(name)
        elif r < 0.68 and caches:
            lines.append("kmem-cache-shrink %s" % rnd.choice(caches))
        elif r < 0.76:
            name = "v%d" % i
            size = rnd.choice(["4K", "16K", "100K", "1M", "2M", "3M"])
            extra = rnd.choice(["", " zero", " huge"])
            lines.append("vmalloc %s %s%s" % (name, size, extra))
            areas.append(name)
            lines.append("store64 %s+8 0x%x" % (name, rnd.getrandbits(64)))
            lines.append("load64 %s+8" % name)
        elif r < 0.81 and areas:
            name = areas.pop(rnd.randrange(len(areas)))
            lines.append("vfree %s" % name)
            if rnd.random() < 0.5:
                lines.append("load64 %s" % name)
        elif r < 0.83:
            lines.append("vpurge")
        elif r < 0.86:
            lines.append("ioremap io%d 0x%x %s" % (i, 0x09000000 + 0x1000 * rnd.randint(0, 15),
                                                  rnd.choice(["4K", "8K"])))
        elif r < 0.91:
            lines.append("cpu %d" % rnd.randrange(ncpu))
        elif r < 0.93:
            lines.append("drain")
        elif r < 0.95:
            lines.append("sysctl %s" % rnd.choice(["vm.min_free_kbytes %d" % rnd.randint(1024, 16384),
                                                   "vm.watermark_scale_factor %d" % rnd.randint(10, 200),
                                                   "vm.percpu_pagelist_high_fraction %d" % rnd.choice([0, 8, 100])]))
        elif r < 0.97:
            lines.append("show %s" % rnd.choice(VIEWS))
        else:
            lines.append("check")
    lines.append("show " + " ".join(VIEWS))
    lines.append("show /sys/kernel/debug/tracing/trace")
    lines.append("dmesg")
    lines.append("check")
    return "\n".join(lines) + "\n"


TRACE_TIME = re.compile(r"(\] [.a-zA-Z]{5} +)\d+\.\d{6}:")
KLOG_TIME = re.compile(r"^\[ *\d+\.\d{6}\]", re.M)


def run_case(kmmsim, shape, seed, nsteps, keep_times):
    text = scenario(shape, seed, nsteps)
    argv = [kmmsim, "-seed", str(seed)] + SHAPES[shape] + ["run", "-"]
    p = subprocess.run(argv, input=text, capture_output=True, text=True, timeout=600)
    out, err = p.stdout, p.stderr
    if not keep_times:
        out = KLOG_TIME.sub("[T]", TRACE_TIME.sub(r"\1T:", out))
        err = KLOG_TIME.sub("[T]", TRACE_TIME.sub(r"\1T:", err))
    return "%s\n== exit %d\n== stdout\n%s== stderr\n%s" % (text, p.returncode, out, err)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("kmmsim")
    ap.add_argument("--out", help="folder for one file per case (default: standard output)")
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--steps", type=int, default=60)
    ap.add_argument("--keep-times", action="store_true")
    args = ap.parse_args()
    if args.out:
        os.makedirs(args.out, exist_ok=True)
    for shape in SHAPES:
        for seed in range(1, args.seeds + 1):
            res = run_case(args.kmmsim, shape, seed, args.steps, args.keep_times)
            if args.out:
                with open(os.path.join(args.out, "%s-seed%d.txt" % (shape, seed)), "w") as f:
                    f.write(res)
            else:
                sys.stdout.write(res)
    return 0


if __name__ == "__main__":
    sys.exit(main())
