"""kmm.Machine: one simulated machine (libkmm's struct kmm_machine) driven from Python."""
import collections
import operator

import numpy as np

from . import views
from ._ffi import CONSTANTS, ffi, lib
from .errors import InvalidArgument, error_for
from .series import TimeSeries

ZONE_NAMES = ("DMA", "DMA32", "Normal", "Movable")
MIGRATETYPES = views.MIGRATETYPES
MAX_ORDER = CONSTANTS["KMM_MAX_ORDER"]

# kmmsim's machine options, as keyword arguments: name -> option.
OPTIONS = {
    "m": "-m", "memory": "-m", "smp": "-smp", "cpu": "-cpu", "numa": "-numa",
    "append": "-append", "reserve": "-reserve", "ram": "-ram", "mmio": "-mmio", "M": "-M",
    "board": "-M", "sysctl": "-sysctl", "seed": "-seed", "kmalloc_minalign": "-kmalloc-minalign",
    "cpu_mhz": "-cpu-mhz", "cost": "-cost", "host_mem": "-host-mem",
    "host_granule": "-host-granule",
}

Report = collections.namedtuple("Report", "seq kind origin function condition time_ns cpu text")
TraceEvent = collections.namedtuple("TraceEvent", "event line")
Zone = collections.namedtuple(
    "Zone", "node zone name start_pfn spanned_pages present_pages managed_pages cma_pages "
    "free_pages wmark_min wmark_low wmark_high watermark_boost nr_reserved_highatomic "
    "free_blocks free_blocks_mt pageblocks_mt pcp_pages pcp_high pcp_batch")


def _index(value, what, lo=0, hi=(1 << 64) - 1):
    """An integer argument: TypeError if it is not one, ValueError if out of [lo, hi]."""
    if isinstance(value, bool):
        raise TypeError(f"{what} must be an integer, not bool")
    try:
        value = operator.index(value)
    except TypeError:
        raise TypeError(f"{what} must be an integer, not {type(value).__name__}") from None
    if not lo <= value <= hi:
        raise ValueError(f"{what} {value} is out of range [{lo}, {hi}]")
    return value


def _text(value, what):
    if not isinstance(value, str):
        raise TypeError(f"{what} must be a str, not {type(value).__name__}")
    if "\0" in value:
        raise ValueError(f"{what} contains a NUL character")
    return value.encode()


def _option_value(value, what):
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise TypeError(f"{what} must be a str or an int, not {type(value).__name__}")
    return _text(str(value), what)


def _size(value, what):
    """A size: an int, or a string with a K/M/G suffix as kmmsim takes it ("2M")."""
    if isinstance(value, str):
        out = ffi.new("uint64_t *")
        st = lib.kmm_parse_size(_text(value, what), out)
        if st:
            raise ValueError(f"{what} {value!r} is not a size (a number with K, M, G, ...)")
        return out[0]
    return _index(value, what)


def _last_error(m=ffi.NULL):
    return ffi.string(lib.kmm_last_error(m)).decode(errors="replace")


def _check(st, m=ffi.NULL, call=None):
    if st:
        raise error_for(st, _last_error(m), call)


_GFP_CACHE = {}


def gfp(flags):
    """GFP flags from an int or the kernel's text ("GFP_KERNEL|__GFP_ZERO")."""
    if isinstance(flags, str):
        cached = _GFP_CACHE.get(flags)
        if cached is not None:
            return cached
        out = ffi.new("kmm_gfp_t *")
        st = lib.kmm_gfp_parse(_text(flags, "gfp"), out)
        if st:
            raise InvalidArgument(st, _last_error() or f"bad GFP flags {flags!r}")
        if len(_GFP_CACHE) < 256:
            _GFP_CACHE[flags] = out[0]
        return out[0]
    return _index(flags, "gfp", 0, 0xFFFFFFFF)


class Config:
    """A machine description built from kmmsim's options (kwargs or (option, value) pairs)."""

    def __init__(self, options=(), **kwargs):
        self._cfg = ffi.new("struct kmm_config *")
        lib.kmm_config_init(self._cfg)
        self.options = []
        for name, value in list(options) + self._from_kwargs(kwargs):
            self.option(name, value)

    @staticmethod
    def _from_kwargs(kwargs):
        pairs = []
        for key, value in kwargs.items():
            if key not in OPTIONS:
                raise TypeError(f"unknown machine option {key!r} (options: "
                                f"{', '.join(sorted(OPTIONS))})")
            opt = OPTIONS[key]
            if value is None:
                continue
            if isinstance(value, dict):
                pairs += [(opt, f"{k}={v}") for k, v in value.items()]
            elif isinstance(value, (list, tuple)):
                pairs += [(opt, v) for v in value]
            else:
                pairs.append((opt, value))
        return pairs

    def option(self, name, value):
        """Applies one option as kmm_config_option does ("-m", "2G")."""
        bname = _text(name, "option name")
        if not lib.kmm_config_is_option(bname):
            raise ValueError(f"unknown machine option {name!r}")
        st = lib.kmm_config_option(self._cfg, bname, _option_value(value, name))
        if st:
            raise error_for(st, _last_error(), "kmm_config_option")
        self.options.append((name, str(value)))

    @property
    def ram_bytes(self):
        return lib.kmm_config_ram_size(self._cfg)


class Machine:
    """A simulated machine, booted at construction.

    Options are kmmsim's (``kmm.Machine(m="2G", smp=2, seed=7, sysctl={"vm.min_free_kbytes":
    8192})``, or ``options=[("-m", "2G")]``). Use it as a context manager, or call close().
    Runs are deterministic for the same options and seed.
    """

    def __init__(self, options=(), *, progress=None, **kwargs):
        self.config = Config(options, **kwargs)
        self._m = ffi.NULL
        self._handles = []
        self._trace_lines = collections.deque(maxlen=1 << 16)
        self._trace_cb = None
        self._report_cb = None
        self._trace_user = None
        self._report_user = None
        self._progress_cb = None
        if progress is not None:
            if not callable(progress):
                raise TypeError("progress must be callable(what, done, total)")

            @ffi.callback("void(void *, const char *, uint64_t, uint64_t)")
            def _progress(arg, what, done, total):
                progress(ffi.string(what).decode() if what != ffi.NULL else None, done, total)
            self._progress_cb = _progress
            self.config._cfg.progress = _progress
        out = ffi.new("struct kmm_machine **")
        _check(lib.kmm_machine_create(self.config._cfg, out), call="kmm_machine_create")
        self._m = out[0]

    # ---- lifetime -----------------------------------------------------------------------
    def close(self):
        """Destroys the machine (idempotent)."""
        if self._m != ffi.NULL:
            lib.kmm_machine_destroy(self._m)
            self._m = ffi.NULL

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass

    @property
    def m(self):
        if self._m == ffi.NULL:
            raise ValueError("the machine is closed")
        return self._m

    def _check(self, st, call=None):
        if st:
            raise error_for(st, _last_error(self.m), call)

    @property
    def dead(self):
        return bool(lib.kmm_machine_dead(self.m))

    # ---- descriptions -------------------------------------------------------------------
    @property
    def nr_cpus(self):
        return lib.kmm_machine_config(self.m).nr_cpus

    @property
    def ram_bytes(self):
        return lib.kmm_config_ram_size(lib.kmm_machine_config(self.m))

    @property
    def clock_ns(self):
        """Simulated time since power-on, in ns."""
        return lib.kmm_clock_ns(self.m)

    def summary(self):
        """A dict describing the machine now (what the reprs show)."""
        if self._m == ffi.NULL:
            return {"closed": True}
        vm = self.vmstat()
        return {"ram_mib": self.ram_bytes >> 20, "cpus": self.nr_cpus,
                "zones": [f"{z.node}:{z.name}" for z in self.zones()],
                "clock_ms": self.clock_ns / 1e6, "nr_free_pages": vm.get("nr_free_pages"),
                "dead": self.dead, "options": self.config.options}

    def __repr__(self):
        if self._m == ffi.NULL:
            return "<kmm.Machine (closed)>"
        s = self.summary()
        return (f"<kmm.Machine {s['ram_mib']} MiB, {s['cpus']} CPUs, zones "
                f"{' '.join(s['zones'])}, clock {s['clock_ms']:.3f} ms, "
                f"{s['nr_free_pages']} free pages{', DEAD' if s['dead'] else ''}>")

    def _repr_html_(self):
        if self._m == ffi.NULL:
            return "<b>kmm.Machine</b> (closed)"
        s = self.summary()
        rows = "".join(
            f"<tr><td>{z.node}</td><td>{z.name}</td><td>{z.managed_pages}</td>"
            f"<td>{z.free_pages}</td>" + "".join(f"<td>{n}</td>" for n in z.free_blocks)
            + "</tr>" for z in self.zones())
        head = "".join(f"<th>{o}</th>" for o in range(MAX_ORDER))
        return (f"<b>kmm.Machine</b>: {s['ram_mib']} MiB, {s['cpus']} CPUs, clock "
                f"{s['clock_ms']:.3f} ms{' <b>DEAD</b>' if s['dead'] else ''}"
                f"<table><tr><th>node</th><th>zone</th><th>managed</th><th>free</th>{head}"
                f"</tr>{rows}</table>")

    # ---- views ----------------------------------------------------------------------------
    def views(self):
        """Every view path the machine serves."""
        paths = []

        @ffi.callback("void(void *, const char *)")
        def add(arg, path):
            paths.append(ffi.string(path).decode())
        lib.kmm_proc_list(self.m, add, ffi.NULL)
        return paths

    def proc(self, path, parsed=False):
        """The text of view @path ("/proc/buddyinfo"); with parsed=True its parsed form
        (kmm.views.PARSERS says which views have one)."""
        chunks = []

        @ffi.callback("void(void *, const char *, size_t)")
        def sink(arg, text, n):
            chunks.append(ffi.unpack(text, n))
        self._check(lib.kmm_proc_show(self.m, _text(path, "path"), sink, ffi.NULL),
                    "kmm_proc_show")
        text = b"".join(chunks).decode(errors="replace")
        return views.parse(path, text) if parsed else text

    def vmstat(self):
        return self.proc("/proc/vmstat", parsed=True)

    def meminfo(self):
        return self.proc("/proc/meminfo", parsed=True)

    def slabinfo(self):
        return self.proc("/proc/slabinfo", parsed=True)

    def buddyinfo(self):
        return self.proc("/proc/buddyinfo", parsed=True)

    def unusable_index(self):
        return self.proc("/sys/kernel/debug/extfrag/unusable_index", parsed=True)

    def extfrag_index(self):
        return self.proc("/sys/kernel/debug/extfrag/extfrag_index", parsed=True)

    def extfrag(self):
        """{"unusable": {(node, zone): array}, "extfrag": {...}} per order."""
        return {"unusable": self.unusable_index(), "extfrag": self.extfrag_index()}

    def plot_zone_map(self, out, columns=64):
        """PNG @out: one cell per pageblock coloured by migratetype (kmm.plot.zone_map)."""
        from . import plot
        return plot.zone_map(self, out, columns)

    # ---- the stats API ------------------------------------------------------------------
    def zones(self):
        """Every populated zone, from the C stats API (kmm_stats_zone), as Zone tuples whose
        free_blocks (per order) and free_blocks_mt ([order, migratetype]) are NumPy arrays."""
        out = []
        zs = ffi.new("struct kmm_zone_stats *")
        for i in range(lib.kmm_stats_nr_zones(self.m)):
            self._check(lib.kmm_stats_zone(self.m, i, zs), "kmm_stats_zone")
            out.append(Zone(
                zs.node, zs.zone, ffi.string(zs.name).decode(), zs.start_pfn, zs.spanned_pages,
                zs.present_pages, zs.managed_pages, zs.cma_pages, zs.free_pages, zs.wmark_min,
                zs.wmark_low, zs.wmark_high, zs.watermark_boost, zs.nr_reserved_highatomic,
                np.frombuffer(ffi.buffer(zs.free_blocks), dtype=np.uint64).copy(),
                np.frombuffer(ffi.buffer(zs.free_blocks_mt), dtype=np.uint64)
                .reshape(MAX_ORDER, len(MIGRATETYPES)).copy(),
                np.frombuffer(ffi.buffer(zs.pageblocks_mt), dtype=np.uint64).copy(),
                zs.pcp_pages, zs.pcp_high, zs.pcp_batch))
        return out

    def free_areas(self):
        """Free blocks as one array [zone, order, migratetype] (zones as zones() lists them)."""
        zones = self.zones()
        if not zones:
            return np.zeros((0, MAX_ORDER, len(MIGRATETYPES)), dtype=np.uint64)
        return np.stack([z.free_blocks_mt for z in zones])

    def pcp(self, zone_index, cpu):
        """One CPU's pcp lists in zone @zone_index: dict with count/high/batch/list_pages."""
        ps = ffi.new("struct kmm_pcp_stats *")
        self._check(lib.kmm_stats_pcp(self.m, _index(zone_index, "zone_index", 0, 1 << 31),
                                      _index(cpu, "cpu", 0, 1 << 31), ps), "kmm_stats_pcp")
        return {"node": ps.node, "zone": ps.zone, "cpu": ps.cpu, "count": ps.count,
                "high": ps.high, "batch": ps.batch, "free_factor": ps.free_factor,
                "list_pages": list(ps.list_pages)}

    def slab_caches(self):
        """{name: dict of struct kmm_slab_info} for every slab cache (kmm_stats_slab_caches)."""
        out = {}
        fields = [f for f, _ in ffi.typeof("struct kmm_slab_info").fields]

        @ffi.callback("void(void *, const struct kmm_slab_info *)")
        def add(arg, info):
            d = {f: getattr(info, f) for f in fields if f != "name"}
            out[ffi.string(info.name).decode()] = d
        self._check(lib.kmm_stats_slab_caches(self.m, add, ffi.NULL), "kmm_stats_slab_caches")
        return out

    def tlb_stats(self, cpu=None):
        """TLB counters (every CPU summed, or one): dict of per-level arrays and totals."""
        ts = ffi.new("struct kmm_tlb_stats *")
        if cpu is None:
            self._check(lib.kmm_stats_tlb(self.m, ts), "kmm_stats_tlb")
        else:
            self._check(lib.kmm_tlb_stats(self.m, _index(cpu, "cpu", 0, 1 << 31), ts),
                        "kmm_tlb_stats")
        levels = ("l1i", "l1d", "l2", "walk", "s2")
        d = {k: dict(zip(levels, getattr(ts, k))) for k in
             ("hits", "misses", "fills", "invalidations")}
        d.update(walks=ts.walks, walk_reads=ts.walk_reads, conflicts=ts.conflicts)
        return d

    def counter(self, name):
        """One counter by name (kmm_stats_counter: vmstat fields, free_order_N, ...)."""
        out = ffi.new("int64_t *")
        self._check(lib.kmm_stats_counter(self.m, _text(name, "counter"), out),
                    "kmm_stats_counter")
        return out[0]

    def sample(self, counters, every_us=None, every_ns=None):
        """Starts sampling @counters (a list or comma-separated str) every @every_us
        simulated microseconds; returns a TimeSeries (a context manager: it stops on exit)."""
        if isinstance(counters, (list, tuple)):
            counters = ",".join(counters)
        if (every_us is None) == (every_ns is None):
            raise TypeError("give one of every_us, every_ns")
        ns = _index(every_ns, "every_ns", 1) if every_ns is not None else \
            _index(every_us, "every_us", 1) * 1000
        self._check(lib.kmm_sample_start(self.m, ns, _text(counters, "counters")),
                    "kmm_sample_start")
        return TimeSeries(self, ns)

    # ---- control ------------------------------------------------------------------------
    def check(self):
        """Runs every invariant check; raises Corrupt naming the first violation."""
        self._check(lib.kmm_check(self.m), "kmm_check")

    def sysctl(self, name, value):
        self._check(lib.kmm_sysctl(self.m, _text(name, "name"), _option_value(value, name)),
                    "kmm_sysctl")

    def set_cpu(self, cpu):
        self._check(lib.kmm_cpu_set(self.m, _index(cpu, "cpu", 0, 1 << 31)), "kmm_cpu_set")

    def idle(self, ns):
        """Lets simulated time pass (kernel threads and timers run)."""
        self._check(lib.kmm_idle(self.m, _index(ns, "ns")), "kmm_idle")

    def drain(self):
        self._check(lib.kmm_drain_all_pages(self.m), "kmm_drain_all_pages")

    def dmesg(self):
        chunks = []

        @ffi.callback("void(void *, const char *, size_t)")
        def sink(arg, text, n):
            chunks.append(ffi.unpack(text, n))
        lib.kmm_dmesg(self.m, sink, ffi.NULL)
        return b"".join(chunks).decode(errors="replace")

    # ---- pages, slab, vmalloc -------------------------------------------------------------
    def alloc_pages(self, order=0, gfp_flags="GFP_KERNEL", node=None):
        """alloc_pages(): the first PFN of a 2^order block."""
        pfn = ffi.new("kmm_pfn_t *")
        order = _index(order, "order", 0, 64)
        g = gfp(gfp_flags)
        if node is None:
            self._check(lib.kmm_alloc_pages(self.m, g, order, pfn), "kmm_alloc_pages")
        else:
            self._check(lib.kmm_alloc_pages_node(self.m, _index(node, "node", -1, 1 << 30), g,
                                                 order, pfn), "kmm_alloc_pages_node")
        return pfn[0]

    def free_pages(self, pfn, order=0):
        self._check(lib.kmm_free_pages(self.m, _index(pfn, "pfn"), _index(order, "order", 0, 64)),
                    "kmm_free_pages")

    def page_info(self, pfn):
        pi = ffi.new("struct kmm_page_info *")
        self._check(lib.kmm_page_info(self.m, _index(pfn, "pfn"), pi), "kmm_page_info")
        return {f: getattr(pi, f) for f, _ in ffi.typeof("struct kmm_page_info").fields}

    def kmalloc(self, size, gfp_flags="GFP_KERNEL"):
        """kmalloc(): the object's kernel virtual address."""
        va = ffi.new("kmm_va_t *")
        self._check(lib.kmm_kmalloc(self.m, _index(size, "size"), gfp(gfp_flags), va),
                    "kmm_kmalloc")
        return va[0]

    def kfree(self, va):
        self._check(lib.kmm_kfree(self.m, _index(va, "va")), "kmm_kfree")

    def kmem_cache_create(self, name, size, align=0, flags=0):
        """kmem_cache_create(): a Cache with alloc()/free()/info()/destroy()."""
        h = ffi.new("kmm_cache_t *")
        self._check(lib.kmm_kmem_cache_create(
            self.m, _text(name, "name"), _index(size, "size", 0, 0xFFFFFFFF),
            _index(align, "align", 0, 0xFFFFFFFF), _index(flags, "flags", 0, 0xFFFFFFFF),
            ffi.NULL, ffi.NULL, h), "kmm_kmem_cache_create")
        return Cache(self, h[0], name)

    def vmalloc(self, size, zero=False):
        va = ffi.new("kmm_va_t *")
        fn = lib.kmm_vzalloc if zero else lib.kmm_vmalloc
        self._check(fn(self.m, _size(size, "size"), va), "kmm_vmalloc")
        return va[0]

    def vfree(self, va):
        self._check(lib.kmm_vfree(self.m, _index(va, "va")), "kmm_vfree")

    def phys_read(self, pa, n):
        buf = ffi.new("uint8_t[]", _index(n, "n", 0, 1 << 30))
        self._check(lib.kmm_phys_read(self.m, _index(pa, "pa"), buf, n), "kmm_phys_read")
        return bytes(ffi.buffer(buf))

    def phys_write(self, pa, data):
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise TypeError("data must be bytes-like")
        data = bytes(data)
        self._check(lib.kmm_phys_write(self.m, _index(pa, "pa"), data, len(data)),
                    "kmm_phys_write")

    # ---- tasks --------------------------------------------------------------------------
    def task(self, comm="task", cpu=0, exec_image=False):
        """A new user task (kmm_task_create: an address space laid out as an exec of a small
        static binary); exec_image=True execs the default image once more."""
        pid = ffi.new("kmm_pid_t *")
        self._check(lib.kmm_task_create(self.m, _text(comm, "comm"),
                                        _index(cpu, "cpu", 0, 1 << 31), pid), "kmm_task_create")
        if exec_image:
            self._check(lib.kmm_task_exec(self.m, pid[0], ffi.NULL), "kmm_task_exec")
        return Task(self, pid[0])

    # ---- reports and trace events ---------------------------------------------------------
    def reports(self):
        """The reports still in the ring, oldest first, as Report tuples."""
        out = []
        r = ffi.new("struct kmm_report *")
        total = lib.kmm_report_count(self.m)
        for seq in range(max(1, total - CONSTANTS["KMM_REPORT_RING"] + 1), total + 1):
            if lib.kmm_report_get(self.m, seq, r) == 0:
                out.append(_report(r))
        return out

    def on_report(self, fn):
        """Calls fn(Report) for each report as it is raised (None: stop)."""
        if fn is None:
            lib.kmm_set_report_handler(self.m, ffi.NULL, ffi.NULL)
            self._report_cb = None
            return

        @ffi.callback("void(void *, const struct kmm_report *)")
        def handler(arg, r):
            fn(_report(r))
        self._report_cb = handler
        lib.kmm_set_report_handler(self.m, handler, ffi.NULL)

    def trace_enable(self, name="all", on=True):
        """Switches trace events (an event, a subsystem such as "kmem", or "all")."""
        self._check(lib.kmm_trace_enable(self.m, _text(name, "event"), bool(on)),
                    "kmm_trace_enable")
        if on and self._trace_cb is None:
            self._install_trace()

    def _install_trace(self):
        @ffi.callback("void(void *, const char *, const char *, size_t)")
        def handler(arg, event, line, n):
            ev = TraceEvent(ffi.string(event).decode(), ffi.unpack(line, n).decode().rstrip("\n"))
            if self._trace_user is not None:
                self._trace_user(ev)
            else:
                self._trace_lines.append(ev)
        self._trace_cb = handler
        lib.kmm_trace_set_handler(self.m, handler, ffi.NULL)

    def on_trace(self, fn):
        """Calls fn(TraceEvent) for each enabled event as it fires (None: buffer them for
        trace_events() again)."""
        self._trace_user = fn
        if self._trace_cb is None:
            self._install_trace()

    def trace_events(self):
        """Iterates over (and consumes) the events buffered since the last call."""
        while self._trace_lines:
            yield self._trace_lines.popleft()


def _report(r):
    s = lambda p: ffi.string(p).decode(errors="replace") if p != ffi.NULL else ""
    kinds = ("info", "warning", "error", "bug")
    return Report(r.seq, kinds[r.kind] if 0 <= r.kind < 4 else str(r.kind), s(r.origin),
                  s(r.function), s(r.condition), r.time_ns, r.cpu, s(r.text))


class Cache:
    """A slab cache made by Machine.kmem_cache_create."""

    def __init__(self, machine, handle, name):
        self.machine, self.handle, self.name = machine, handle, name

    def alloc(self, gfp_flags="GFP_KERNEL"):
        va = ffi.new("kmm_va_t *")
        self.machine._check(lib.kmm_kmem_cache_alloc(self.machine.m, self.handle,
                                                     gfp(gfp_flags), va), "kmm_kmem_cache_alloc")
        return va[0]

    def free(self, va):
        self.machine._check(lib.kmm_kmem_cache_free(self.machine.m, self.handle,
                                                    _index(va, "va")), "kmm_kmem_cache_free")

    def info(self):
        si = ffi.new("struct kmm_slab_info *")
        self.machine._check(lib.kmm_kmem_cache_info(self.machine.m, self.handle, si),
                            "kmm_kmem_cache_info")
        d = {f: getattr(si, f) for f, _ in ffi.typeof("struct kmm_slab_info").fields}
        d["name"] = ffi.string(si.name).decode()
        return d

    def destroy(self):
        self.machine._check(lib.kmm_kmem_cache_destroy(self.machine.m, self.handle),
                            "kmm_kmem_cache_destroy")

    def __repr__(self):
        return f"<kmm.Cache {self.name}>"


PROT = {"r": CONSTANTS["KMM_PROT_READ"], "w": CONSTANTS["KMM_PROT_WRITE"],
        "x": CONSTANTS["KMM_PROT_EXEC"]}


def _prot(prot):
    if isinstance(prot, str):
        value = 0
        for c in prot.replace("-", ""):
            if c not in PROT:
                raise ValueError(f"protection {prot!r}: use the letters r, w, x")
            value |= PROT[c]
        return value
    return _index(prot, "prot", 0, 0xFFFFFFFF)


class Task:
    """A user task: mmap/munmap/madvise/touch/read/write, fork and exit."""

    def __init__(self, machine, pid):
        self.machine, self.pid = machine, pid

    def _check(self, st, call):
        self.machine._check(st, call)

    def mmap(self, length, prot="rw", flags=None, addr=0, fd=-1, offset=0):
        """mmap(): anonymous private by default; returns the address."""
        if flags is None:
            flags = CONSTANTS["KMM_MAP_PRIVATE"] | CONSTANTS["KMM_MAP_ANONYMOUS"]
        out = ffi.new("kmm_va_t *")
        self._check(lib.kmm_mmap(self.machine.m, self.pid, _index(addr, "addr"),
                                 _size(length, "length"), _prot(prot),
                                 _index(flags, "flags", 0, 0xFFFFFFFF),
                                 _index(fd, "fd", -1, 1 << 30), _index(offset, "offset"), out),
                    "kmm_mmap")
        return out[0]

    def munmap(self, addr, length):
        self._check(lib.kmm_munmap(self.machine.m, self.pid, _index(addr, "addr"),
                                   _size(length, "length")), "kmm_munmap")

    def madvise(self, addr, length, advice):
        if isinstance(advice, str):
            key = "KMM_MADV_" + advice.upper().removeprefix("MADV_")
            if key not in CONSTANTS:
                raise ValueError(f"unknown advice {advice!r}")
            advice = CONSTANTS[key]
        self._check(lib.kmm_madvise(self.machine.m, self.pid, _index(addr, "addr"),
                                    _size(length, "length"), _index(advice, "advice", 0, 255)),
                    "kmm_madvise")

    def touch(self, addr, length, write=True, stride=4096, order="seq", pattern=0):
        """Touches [addr, addr+length) every @stride bytes (faulting pages in); returns the
        number of accesses done."""
        orders = {"seq": 0, "strided": 1, "random": 2}
        if order not in orders:
            raise ValueError(f"order must be one of {', '.join(orders)}")
        done = ffi.new("uint64_t *")
        self._check(lib.kmm_task_touch(self.machine.m, self.pid, 1 if write else 0,
                                       _index(addr, "addr"), _size(length, "length"),
                                       _index(stride, "stride", 1), orders[order],
                                       _index(pattern, "pattern"), done), "kmm_task_touch")
        return done[0]

    def write(self, addr, data):
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise TypeError("data must be bytes-like")
        data = bytes(data)
        fault = ffi.new("struct kmm_siginfo *")
        self._check(lib.kmm_task_access(self.machine.m, self.pid, 1, _index(addr, "addr"), data,
                                        len(data), fault), "kmm_task_access")

    def read(self, addr, n):
        buf = ffi.new("uint8_t[]", _index(n, "n", 0, 1 << 30))
        fault = ffi.new("struct kmm_siginfo *")
        self._check(lib.kmm_task_access(self.machine.m, self.pid, 0, _index(addr, "addr"), buf,
                                        n, fault), "kmm_task_access")
        return bytes(ffi.buffer(buf))

    def fork(self):
        child = ffi.new("kmm_pid_t *")
        self._check(lib.kmm_task_fork(self.machine.m, self.pid, child), "kmm_task_fork")
        return Task(self.machine, child[0])

    def exit(self, code=0):
        self._check(lib.kmm_task_exit(self.machine.m, self.pid, _index(code, "code", -(1 << 31),
                                                                        (1 << 31) - 1)),
                    "kmm_task_exit")

    def info(self):
        ti = ffi.new("struct kmm_task_info *")
        self._check(lib.kmm_task_info(self.machine.m, self.pid, ti), "kmm_task_info")
        return {"pid": ti.pid, "ppid": ti.ppid, "comm": ffi.string(ti.comm).decode(),
                "cpu": ti.cpu, "state": ti.state.decode(), "min_flt": ti.min_flt,
                "maj_flt": ti.maj_flt}

    def proc(self, name, parsed=False):
        """/proc/<pid>/<name> (maps, smaps, status, ...)."""
        return self.machine.proc(f"/proc/{self.pid}/{name}", parsed)

    def __repr__(self):
        return f"<kmm.Task pid {self.pid}>"
