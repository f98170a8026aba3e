"""kmm.Machine: options, lifetime, pages/slab/vmalloc/tasks, parsed views and the stats API.

Expected values come from the machine's description (1 GiB at 0x40000000: 262144 pages,
512 pageblocks), the allocator's rules (an order-5 block bypasses the pcp lists) and the text
views, which the library renders by other code than the stats API.
"""
import numpy as np
import pytest

import kmm


def test_import_names_the_library_and_constants():
    assert kmm.LIBRARY_PATH
    assert kmm.__version__.count(".") == 2
    assert kmm.PAGE_SIZE == 4096
    assert kmm.MAX_ORDER == 11
    assert kmm.gfp("GFP_KERNEL") == kmm.GFP_KERNEL


def test_machine_options_and_repr():
    with kmm.Machine(m="512M", smp=3, seed=5) as m:
        assert m.ram_bytes == 512 << 20
        assert m.nr_cpus == 3
        r = repr(m)
        assert "512 MiB" in r and "3 CPUs" in r
        assert "<table>" in m._repr_html_()
    assert repr(m) == "<kmm.Machine (closed)>"
    with pytest.raises(ValueError, match="closed"):
        m.vmstat()


def test_same_seed_same_run():
    def run():
        with kmm.Machine(m="256M", smp=2, seed=42) as m:
            t = m.task()
            a = t.mmap(1 << 20)
            t.touch(a, 1 << 20, order="random")
            return m.proc("/proc/vmstat"), m.clock_ns
    assert run() == run()


def test_zones_match_the_machine_and_buddyinfo(machine):
    zones = machine.zones()
    assert [(z.node, z.name) for z in zones] == [(0, "DMA")]
    z = zones[0]
    assert z.start_pfn == 0x40000000 >> 12
    assert z.spanned_pages == (1 << 30) >> 12
    assert int(z.pageblocks_mt.sum()) == 512
    assert isinstance(z.free_blocks, np.ndarray) and z.free_blocks.shape == (11,)
    assert z.free_blocks_mt.shape == (11, 6)
    assert (z.free_blocks_mt.sum(axis=1) == z.free_blocks).all()
    assert int((z.free_blocks << np.arange(11, dtype=np.uint64)).sum()) == z.free_pages
    buddy = machine.buddyinfo()
    assert list(buddy) == [(0, "DMA")]
    assert (buddy[(0, "DMA")] == z.free_blocks).all()
    pti = machine.proc("/proc/pagetypeinfo", parsed=True)
    assert (pti["blocks"][(0, "DMA")] == z.pageblocks_mt).all()
    assert (pti["free"][(0, "DMA")].T == z.free_blocks_mt).all()
    assert pti["pageblock_order"] == 9
    fa = machine.free_areas()
    assert fa.shape == (1, 11, 6)


def test_order5_allocation_moves_free_pages_by_32(machine):
    before = machine.zones()[0].free_pages
    pfn = machine.alloc_pages(order=5)
    assert pfn % 32 == 0
    assert before - machine.zones()[0].free_pages == 32
    assert machine.vmstat()["nr_free_pages"] == machine.counter("nr_free_pages")
    info = machine.page_info(pfn)
    assert info["refcount"] == 1 and not info["buddy"] and info["zone"] == 0
    machine.free_pages(pfn, order=5)
    assert machine.zones()[0].free_pages == before


def test_unusable_index_by_hand(machine):
    z = machine.zones()[0]
    orders = np.arange(11, dtype=np.uint64)
    free = int((z.free_blocks << orders).sum())
    for order in (0, 3, 9, 10):
        suitable = int((z.free_blocks[order:] << orders[order:]).sum())
        assert machine.counter(f"unusable_index_{order}") == (free - suitable) * 1000 // free
    view = machine.unusable_index()[(0, "DMA")]
    assert round(view[9] * 1000) == machine.counter("unusable_index_9")


def test_meminfo_vmstat_slabinfo(machine):
    mi = machine.meminfo()
    assert mi["MemTotal"] <= 1 << 20  # kB
    assert mi["MemFree"] * 1024 // 4096 <= machine.vmstat()["nr_free_pages"] + 4096
    caches = machine.slab_caches()
    si = machine.slabinfo()
    assert set(caches) == set(si)
    assert caches["kmalloc-128"]["object_size"] == 128
    assert si["kmalloc-128"]["objsize"] == 128


def test_kmalloc_and_caches(machine):
    before = machine.slab_caches()["kmalloc-256"]
    vas = [machine.kmalloc(200) for _ in range(100)]
    assert len(set(vas)) == 100
    assert all(va % 128 == 0 for va in vas)  # ARCH_KMALLOC_MINALIGN on arm64
    after = machine.slab_caches()["kmalloc-256"]
    # SLUB counts a CPU slab's free objects as active: at least the 100 are.
    assert after["active_objs"] >= 100 and after["objs"] > before["objs"]
    for va in vas:
        machine.kfree(va)
    c = machine.kmem_cache_create("pyobj", 72)
    objs = [c.alloc() for _ in range(10)]
    info = c.info()
    assert info["name"] == "pyobj" and info["object_size"] == 72 and info["active_objs"] >= 10
    for o in objs:
        c.free(o)
    c.destroy()
    va = machine.vmalloc("64K")
    machine.vfree(va)


def test_task_touch_counts_faults_and_tlb(machine):
    t = machine.task("toucher", cpu=1)
    a = t.mmap(64 << 10)
    faults = machine.counter("pgfault")
    walks = machine.tlb_stats()["walks"]
    assert t.touch(a, 64 << 10, stride=8) == 8192
    assert machine.counter("pgfault") - faults == 16  # one fault per 4 KiB page
    tlb = machine.tlb_stats()
    assert tlb["walks"] - walks >= 16
    assert tlb["hits"]["l1d"] > 0
    t.write(a + 100, b"hello")
    assert t.read(a + 100, 5) == b"hello"
    child = t.fork()
    assert child.read(a + 100, 5) == b"hello"
    assert child.info()["ppid"] == t.pid
    assert "toucher" in t.proc("status")
    child.exit()
    t.munmap(a, 64 << 10)


def test_pcp_lists(machine):
    machine.set_cpu(1)
    pfn = machine.alloc_pages()
    machine.free_pages(pfn)
    pcp = machine.pcp(0, 1)
    assert pcp["cpu"] == 1 and pcp["count"] >= 1
    assert sum(pcp["list_pages"]) == pcp["count"]


def test_trace_events_iterate_and_call_back(machine):
    machine.trace_enable("kmem")
    pfn = machine.alloc_pages(order=4)
    machine.free_pages(pfn, order=4)
    events = list(machine.trace_events())
    names = {e.event for e in events}
    assert "mm_page_alloc" in names and "mm_page_free" in names
    assert any(f"order=4" in e.line for e in events if e.event == "mm_page_alloc")
    assert list(machine.trace_events()) == []
    seen = []
    machine.on_trace(seen.append)
    machine.free_pages(machine.alloc_pages(order=2), order=2)
    assert any(e.event == "mm_page_alloc" for e in seen)


def test_proc_text_and_views(machine):
    assert "/proc/buddyinfo" in machine.views()
    assert machine.proc("/proc/buddyinfo").startswith("Node 0, zone")
    zi = machine.proc("/proc/zoneinfo", parsed=True)[(0, "DMA")]
    assert zi["spanned"] == 262144
    assert len(zi["pagesets"]) == 2
