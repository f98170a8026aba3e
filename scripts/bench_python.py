#!/usr/bin/python3
"""Host cost of the Python binding: a kmalloc + kfree pair and an alloc_pages + free_pages
pair from Python, against the same work done inside the library by scenario steps (one
step for N objects: the C side's own cost), on the same machine options.

    PYTHONPATH=build/python scripts/bench_python.py [N]

Prints one line per figure (ns per pair, host time) and the binding's overhead, the
difference. Host time varies with the host: compare figures from one run only."""
import sys
import time

import kmm

N = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
OPTS = dict(m="1G", smp=1, seed=1)


def per_pair(fn):
    with kmm.Machine(**OPTS) as m:
        fn(m, 1000)  # warm the caches and pcp lists
        t0 = time.perf_counter()
        fn(m, N)
        return (time.perf_counter() - t0) * 1e9 / N


def py_kmalloc(m, n):
    kmalloc, kfree = m.kmalloc, m.kfree
    for _ in range(n):
        kfree(kmalloc(64))


def py_pages(m, n):
    alloc, free = m.alloc_pages, m.free_pages
    for _ in range(n):
        free(alloc())


def raw_kmalloc(m, n):
    # the cffi call alone, no argument checking: what a tight binding could reach
    from kmm import ffi, lib
    va = ffi.new("kmm_va_t *")
    mm, g = m.m, kmm.GFP_KERNEL
    for _ in range(n):
        lib.kmm_kmalloc(mm, 64, g, va)
        lib.kmm_kfree(mm, va[0])


def scenario_ns(steps):
    """ns per object of @steps (for N objects) run inside the library, boot excluded."""
    base = "boot\nkmalloc warm 1000 size=64\nkfree warm\n"
    t0 = time.perf_counter()
    kmm.run_scenario(base, **OPTS)
    t1 = time.perf_counter()
    kmm.run_scenario(base + steps, **OPTS)
    t2 = time.perf_counter()
    return ((t2 - t1) - (t1 - t0)) * 1e9 / N


def main():
    rows = [
        ("python kmalloc(64)+kfree", per_pair(py_kmalloc)),
        ("python kmalloc+kfree, raw cffi", per_pair(raw_kmalloc)),
        ("library kmalloc+kfree (scenario steps)",
         scenario_ns(f"kmalloc s {N} size=64\nkfree s\n")),
        ("python alloc_pages(0)+free_pages", per_pair(py_pages)),
        ("library alloc_pages(0)+free_pages (scenario steps)",
         scenario_ns(f"alloc-pages p {N}\nfree-pages p\n")),
    ]
    for name, ns in rows:
        print(f"{name:55s} {ns:9.0f} ns/pair")
    print(f"{'binding overhead per kmalloc+kfree pair':55s} {rows[0][1] - rows[2][1]:9.0f} ns")
    print(f"{'binding overhead per page pair':55s} {rows[3][1] - rows[4][1]:9.0f} ns")


if __name__ == "__main__":
    main()
