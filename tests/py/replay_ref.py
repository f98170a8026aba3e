"""An independent reference for trace replay: its own reader of both trace formats (written from
docs/replay.md, not from src/sim/trace_format.c), a plain two-level LRU TLB (fully associative
L1 per side, set-associative unified L2 indexed by the page number) and a first-touch fault
model of anonymous memory. Nothing here uses libkmm: the tests compare kmmsim's counters with
what these few lines compute from the same trace.

The TLB model is what the hardware description says (docs/mmu.md, kmm/mmu.h): every page an
access touches is one lookup; an L1 miss looks in L2 (a hit fills the L1), an L2 miss walks and
fills both; LRU replacement everywhere. It holds only for a warm replay (no faults, no TLB
maintenance), which is what kmmsim replay --warm measures.

The fault model is the kernel's rule for private anonymous memory (mm/memory.c
do_anonymous_page, do_wp_page): the first read or fetch of a page maps the shared zero page (one
fault, no RSS); the first write maps a new page (one fault, one RSS page), also after the zero
page was mapped (a write-protect fault)."""
import gzip
from collections import OrderedDict

LOAD, STORE, MODIFY, IFETCH, MMAP, MUNMAP = range(6)
PAGE = 12


def _open(path):
    with open(path, "rb") as f:
        magic = f.read(2)
    return gzip.open(path, "rb") if magic == b"\x1f\x8b" else open(path, "rb")


def _binary(data):
    if data[:8] != b"KMMTRACE" or data[8:16] != bytes([1, 0, 0, 0, 0, 0, 0, 0]):
        raise ValueError("not a version-1 KMMTRACE file")
    pos, n, prev = 16, len(data), 0
    while pos < n:
        tag = data[pos]
        pos += 1
        vals = []
        want = 2 if tag & 0x20 else (2 if (tag >> 2) & 7 == 7 else 1)
        for _ in range(want):
            x = shift = 0
            while True:
                b = data[pos]
                pos += 1
                x |= (b & 0x7F) << shift
                shift += 7
                if b < 0x80:
                    break
            vals.append(x)
        if tag & 0x20:
            yield (MUNMAP if tag & 1 else MMAP), vals[0], vals[1]
            continue
        size = vals[0] if len(vals) == 2 else 1 << ((tag >> 2) & 7)
        z = vals[-1]
        prev = (prev + ((z >> 1) ^ -(z & 1))) & (2**64 - 1)
        yield tag & 3, prev, size


_OPS = {"I": IFETCH, "L": LOAD, "S": STORE, "M": MODIFY}


def _lackey(lines):
    for raw in lines:
        line = raw.decode("ascii").rstrip("\r\n")
        if not line or line.startswith("==") or line.startswith("--"):
            continue
        if line.startswith("@"):
            word, rest = line.split(" ", 1)
            a, b = rest.split(",")
            yield (MMAP if word == "@mmap" else MUNMAP), int(a, 16), int(b, 16)
            continue
        op = _OPS[line[:3].strip()]
        a, b = line[3:].split(",")
        yield op, int(a, 16), int(b)


def records(path):
    """(op, va, size) for every record of a trace file (binary or lackey, plain or gzipped)."""
    with _open(path) as f:
        data = f.read()
    if data[:8] == b"KMMTRACE":
        yield from _binary(data)
    else:
        yield from _lackey(data.splitlines())


def pages(path):
    """(side, page, write) per page touched, in order: side 0 for fetches, 1 for data."""
    out = []
    for op, va, size in records(path):
        if op >= MMAP:
            continue
        side = 0 if op == IFETCH else 1
        write = op in (STORE, MODIFY)
        for p in range(va >> PAGE, ((va + size - 1) >> PAGE) + 1):
            out.append((side, p, write))
    return out


def count_ops(path):
    n = [0] * 6
    for op, _va, _size in records(path):
        n[op] += 1
    return n


class LruTlb:
    def __init__(self, l1i=48, l1d=32, l2_sets=256, l2_ways=4):
        self.l1 = [OrderedDict(), OrderedDict()]
        self.cap = [l1i, l1d]
        self.sets = [OrderedDict() for _ in range(l2_sets)]
        self.ways = l2_ways
        self.hits = [0, 0, 0]  # L1I, L1D, L2
        self.misses = [0, 0, 0]
        self.last = [None, None]

    def access(self, side, page):
        if self.last[side] == page:  # the most recently used entry stays so: order unchanged
            self.hits[side] += 1
            return
        self.last[side] = page
        l1 = self.l1[side]
        if page in l1:
            self.hits[side] += 1
            l1.move_to_end(page)
            return
        self.misses[side] += 1
        s = self.sets[page & (len(self.sets) - 1)]
        if page in s:
            self.hits[2] += 1
            s.move_to_end(page)
        else:
            self.misses[2] += 1
            if len(s) >= self.ways:
                s.popitem(last=False)
            s[page] = True
        if len(l1) >= self.cap[side]:
            l1.popitem(last=False)
        l1[page] = True


def tlb_counts(page_list, **geometry):
    t = LruTlb(**geometry)
    for side, page, _w in page_list:
        t.access(side, page)
    return {"l1i": (t.hits[0], t.misses[0]), "l1d": (t.hits[1], t.misses[1]),
            "l2": (t.hits[2], t.misses[2]), "walks": t.misses[2]}


def fault_counts(page_list):
    """(faults, rss_pages) of a cold replay over anonymous memory."""
    state = {}  # page -> 1 zero page mapped, 2 own page
    faults = 0
    for _side, page, write in page_list:
        s = state.get(page, 0)
        if s == 2 or (s == 1 and not write):
            continue
        faults += 1
        state[page] = 2 if write else 1
    return faults, sum(1 for s in state.values() if s == 2)
