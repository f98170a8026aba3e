"""Pictures with matplotlib: the zone map and the time series of a sampler.

    kmm.plot.zone_map(machine, "zone.png")          one cell per pageblock
    kmm.plot.free_orders(series, "orders.png")      free pages per order over time
    kmm.plot.fragmentation(series, "frag.png")      fragmentation score, unusable index
    kmm.plot.tlb(series, "tlb.png")                 TLB hit rate per interval
    kmm.plot.activity(series, "activity.png")       reclaim/compaction/migration per interval

``series`` is a TimeSeries, a dict as TimeSeries.to_dict() or a `kmmsim --json run` result
(its samples block) gives, or a path to such a JSON or to a sample-stop CSV. Every picture is
FIGSIZE at DPI (800 x 450 pixels) with fixed colours (MIGRATETYPE_COLOURS, ORDER_COLOURS) so a
test can look for them. From a shell: ``python3 -m kmm plot KIND INPUT [-o OUT.png]`` (what
``kmmsim plot`` runs).
"""
import argparse
import csv
import io
import json
import os
import sys

import numpy as np

FIGSIZE = (8, 4.5)
DPI = 100

# One colour per migratetype (pageblock map), the free ones drawn paler.
MIGRATETYPE_COLOURS = {
    "Unmovable": "#d62728", "Movable": "#2ca02c", "Reclaimable": "#1f77b4",
    "HighAtomic": "#ff7f0e", "CMA": "#9467bd", "Isolate": "#7f7f7f",
}
FREE_ALPHA = 0.35
HOLE_COLOUR = "#000000"
# Orders 0..10 from dark to light along viridis.
ORDER_COLOURS = None  # filled on first use (needs matplotlib)


def _pyplot():
    import matplotlib
    if not os.environ.get("DISPLAY") and "MPLBACKEND" not in os.environ:
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def _order_colours():
    global ORDER_COLOURS
    if ORDER_COLOURS is None:
        from matplotlib import cm
        ORDER_COLOURS = [cm.viridis(i / 10) for i in range(11)]
    return ORDER_COLOURS


# ---- inputs ------------------------------------------------------------------------------
class Series:
    """Sampled columns as arrays: ``t_ns``, ``columns``, ``[name]``."""

    def __init__(self, columns, t_ns, rows):
        self.columns = list(columns)
        self.t_ns = np.asarray(t_ns, dtype=np.int64)
        self.values = np.asarray(rows, dtype=np.int64).reshape(len(self.t_ns), len(columns))

    def __contains__(self, name):
        return name in self.columns

    def __getitem__(self, name):
        return self.values[:, self.columns.index(name)]

    @property
    def t_ms(self):
        return (self.t_ns - self.t_ns[0]) / 1e6 if len(self.t_ns) else self.t_ns


def _from_dict(d, block=None):
    if d.get("schema") == "kmm-run/1":
        samples = d.get("samples") or {}
        if not samples:
            raise ValueError("the kmmsim --json run result has no sample-stop block")
        d = samples[block] if block else next(iter(samples.values()))
    if not {"columns", "t_ns", "rows"} <= set(d):
        raise ValueError("not a time series: needs columns, t_ns and rows")
    return Series(d["columns"], d["t_ns"], d["rows"])


def _from_csv(text):
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or rows[0][:1] != ["t_ns"]:
        raise ValueError("not a sample CSV: the first line must start with t_ns")
    body = [[int(v) for v in r] for r in rows[1:] if r]
    return Series(rows[0][1:], [r[0] for r in body], [r[1:] for r in body])


def series(source, block=None):
    """A Series from a TimeSeries, a dict, a JSON or CSV path, or CSV/JSON text."""
    if isinstance(source, Series):
        return source
    if hasattr(source, "to_dict"):
        return _from_dict(source.to_dict())
    if isinstance(source, dict):
        return _from_dict(source, block)
    if isinstance(source, (str, os.PathLike)):
        text = str(source)
        if "\n" not in text and os.path.exists(text):
            with open(text) as f:
                text = f.read()
        if text.lstrip().startswith("{"):
            return _from_dict(json.loads(text), block)
        if "@@@BEGIN" in text:
            begin = text.index("@@@BEGIN")
            text = text[text.index("\n", begin) + 1:text.index("@@@END", begin)]
        return _from_csv(text)
    raise TypeError(f"cannot read a time series from {type(source).__name__}")


def _save(fig, out):
    fig.savefig(out, dpi=DPI)
    _pyplot().close(fig)
    return out


def _deltas(s, name):
    v = s[name].astype(np.float64)
    return np.diff(v, prepend=v[:1])


# ---- time series pictures -----------------------------------------------------------------
def free_orders(source, out):
    """Stacked free pages per order (columns free_order_0..free_order_10) over time."""
    s = series(source)
    orders = [o for o in range(11) if f"free_order_{o}" in s]
    if not orders:
        raise ValueError("free_orders needs free_order_N columns (sample free_order_0,...)")
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=FIGSIZE)
    colours = _order_colours()
    ax.stackplot(s.t_ms, *[s[f"free_order_{o}"] << o for o in orders],
                 labels=[f"order {o}" for o in orders], colors=[colours[o] for o in orders])
    ax.set_xlabel("simulated time (ms)")
    ax.set_ylabel("free pages")
    ax.set_title("Free pages per order")
    ax.legend(loc="upper right", fontsize="small", ncol=2)
    fig.tight_layout()
    return _save(fig, out)


def fragmentation(source, out):
    """The fragmentation score (0..100) and unusable_index_N (shown as percent) over time."""
    s = series(source)
    names = [c for c in s.columns if c == "fragmentation_score" or
             c.startswith("unusable_index_")]
    if not names:
        raise ValueError("fragmentation needs fragmentation_score or unusable_index_N columns")
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=FIGSIZE)
    for name in names:
        v = s[name] / 10.0 if name.startswith("unusable") else s[name]
        ax.plot(s.t_ms, v, label=name.replace("unusable_index_", "unusable index, order "),
                drawstyle="steps-post")
    ax.set_ylim(0, 100)
    ax.set_xlabel("simulated time (ms)")
    ax.set_ylabel("percent")
    ax.set_title("Fragmentation")
    ax.legend(loc="best", fontsize="small")
    fig.tight_layout()
    return _save(fig, out)


def tlb(source, out):
    """TLB hit rate per sampling interval: hits / (hits + misses) of the interval."""
    s = series(source)
    if "tlb_hits" not in s or "tlb_misses" not in s:
        raise ValueError("tlb needs the tlb_hits and tlb_misses columns")
    h, m = _deltas(s, "tlb_hits"), _deltas(s, "tlb_misses")
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.where(h + m > 0, 100.0 * h / (h + m), np.nan)
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=FIGSIZE)
    ax.plot(s.t_ms, rate, color="#1f77b4", marker=".", label="hit rate")
    ax.set_ylim(0, 100)
    ax.set_xlabel("simulated time (ms)")
    ax.set_ylabel("TLB hits per access (%)")
    ax.set_title("TLB hit rate per interval")
    fig.tight_layout()
    return _save(fig, out)


ACTIVITY_PREFIXES = ("pgscan_", "pgsteal_", "compact_", "pgmigrate_", "thp_", "pswp",
                     "pgfault", "pgmajfault", "allocstall", "kswapd_")


def activity(source, out):
    """Per-interval increments of the reclaim, compaction, migration and fault counters
    sampled (any column starting with ACTIVITY_PREFIXES)."""
    s = series(source)
    names = [c for c in s.columns if c.startswith(ACTIVITY_PREFIXES)]
    if not names:
        raise ValueError("activity needs reclaim/compaction columns (pgscan_kswapd, "
                         "compact_stall, pgmigrate_success, ...)")
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=FIGSIZE)
    for name in names:
        ax.plot(s.t_ms, _deltas(s, name), label=name, drawstyle="steps-post")
    ax.set_xlabel("simulated time (ms)")
    ax.set_ylabel("events per interval")
    ax.set_title("Reclaim and compaction activity")
    ax.legend(loc="best", fontsize="small")
    fig.tight_layout()
    return _save(fig, out)


# ---- the zone map ------------------------------------------------------------------------
def parse_pageblocks(text):
    """/sys/kernel/debug/kmm/pageblocks: a list of dicts, one per pageblock (pfn, zone,
    migratetype, buddy, ... every column of the header)."""
    header, blocks = None, []
    for line in text.splitlines():
        if line.startswith("# pfn_start "):
            header = line[2:].split()
        elif line.startswith("0x") and header:
            vals = line.split()
            rec = {}
            for k, v in zip(header, vals):
                rec[k] = int(v, 0) if v[:1].isdigit() else v
            blocks.append(rec)
    if header is None:
        raise ValueError("not the pageblocks view: no '# pfn_start' header")
    return blocks


def zone_map(source, out, columns=64):
    """One cell per pageblock, @columns to a row, coloured by migratetype; a pageblock whose
    every page is free is drawn paler. @source: a Machine, the view's text or a path to it."""
    if hasattr(source, "proc"):
        text = source.proc("/sys/kernel/debug/kmm/pageblocks")
    elif isinstance(source, str) and "\n" not in source and os.path.exists(source):
        with open(source) as f:
            text = f.read()
        if text.lstrip().startswith("{"):
            text = json.loads(text)["views"]["/sys/kernel/debug/kmm/pageblocks"]
    else:
        text = source
    blocks = parse_pageblocks(text)
    from matplotlib.colors import to_rgba
    n = len(blocks)
    rows = max(1, -(-n // columns))
    img = np.zeros((rows, columns, 4))
    img[:, :] = to_rgba(HOLE_COLOUR)
    for i, b in enumerate(blocks):
        colour = MIGRATETYPE_COLOURS.get(b.get("migratetype"), HOLE_COLOUR)
        pages = 512 - b.get("nopage", 0)
        free = b.get("buddy", 0) >= pages > 0
        rgba = np.array(to_rgba(colour))
        if free:  # blend with white, opaque, so the PNG has the pale colour itself
            rgba[:3] = 1 - FREE_ALPHA * (1 - rgba[:3])
        img[i // columns, i % columns] = rgba
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=FIGSIZE)
    ax.imshow(img, aspect="auto", interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks(range(rows))
    ax.set_yticklabels([f"{r * columns * 2} MiB" for r in range(rows)], fontsize="small")
    ax.set_ylabel(f"pageblocks, {columns} (x 2 MiB) a row")
    zones = sorted({(b.get("node", 0), b.get("zone", "?")) for b in blocks})
    ax.set_title("Pageblocks by migratetype (pale: all free) - " +
                 ", ".join(f"node {nd} {z}" for nd, z in zones))
    from matplotlib.patches import Patch
    ax.legend(handles=[Patch(color=c, label=mt) for mt, c in MIGRATETYPE_COLOURS.items()],
              loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize="small")
    fig.tight_layout()
    return _save(fig, out)


KINDS = {"zone-map": zone_map, "free-orders": free_orders, "fragmentation": fragmentation,
         "tlb": tlb, "activity": activity}


def main(argv=None):
    p = argparse.ArgumentParser(prog="kmmsim plot", description="Draw a kmm picture (PNG).")
    p.add_argument("kind", choices=sorted(KINDS))
    p.add_argument("input", help="kmmsim --json run result, sample-stop CSV or scenario "
                   "output (time series); pageblocks view text or kmmsim --json proc result "
                   "(zone-map)")
    p.add_argument("-o", "--output", help="PNG to write (default: KIND.png)")
    args = p.parse_args(argv)
    if not os.path.exists(args.input):
        p.error(f"{args.input}: no such file")
    out = args.output or f"{args.kind}.png"
    try:
        KINDS[args.kind](args.input, out)
    except ValueError as e:
        print(f"kmmsim plot: {e}", file=sys.stderr)
        return 1
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
