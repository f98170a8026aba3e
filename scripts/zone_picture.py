#!/usr/bin/python3
"""The zone picture: one cell per 2 MiB pageblock, coloured by what holds its pages, for the
kernel's /bin/pfnscan dumps (a capture's NAME.pfnscan.txt) and the model's
/sys/kernel/debug/kmm/pageblocks (kmmsim's `dump NAME.pfnscan ...` blocks) alike.

Each pageblock gets one class, the first of these that holds (observations.md section 11's
legend; reserved goes before "half free", as its maps show for a block half of each, so the
text map below reproduces the capture author's maps character for character):
    .  free: 511 or 512 pages in the buddy           R  at least half PG_reserved
    ,  at least half free                            S  at least 128 slab pages
    A  at least half anonymous                       L  at least half on an LRU
    H  at least half hugetlb                         k  at least half with no flags
    m  mixed (none of the above)                     (blank: a hole, no memory map)
The model's records also carry the pageblock's migratetype (Unmovable, Movable, Reclaimable,
HighAtomic, CMA, Isolate); the picture draws it as a thin strip under each cell row.

Usage:
    scripts/zone_picture.py SOURCE PHASE [SOURCE PHASE ...] -o out.png [--title T]
                            [--labels L1,L2,...]
    scripts/zone_picture.py SOURCE PHASE --text      (the observations.md text map)
SOURCE: a capture folder (reads PHASE.pfnscan.txt) or a file of kmmsim output (reads the
block PHASE.pfnscan). Each SOURCE PHASE pair is one panel, side by side, in the order given.
Needs matplotlib (Debian python3-matplotlib) for PNGs; --text needs only the standard library.
"""
import argparse
import re
import sys
from pathlib import Path

PER_ROW = 64            # pageblocks per picture row (128 MiB), as observations.md's maps
PB = 512

# class -> (colour, label), in the legend's order
CLASSES = {
    ".": ("#f2f2f2", "free"),
    ",": ("#b8e0b8", ">= half free"),
    "R": ("#404040", "reserved"),
    "S": ("#e6a000", "slab"),
    "A": ("#c0392b", "anonymous"),
    "L": ("#2e86c1", "LRU"),
    "H": ("#8e44ad", "hugetlb"),
    "k": ("#7f8c8d", "no flags (kernel)"),
    "m": ("#f1c40f", "mixed"),
    " ": ("#ffffff", "hole"),
}
MIGRATETYPES = {
    "Unmovable": "#000000", "Movable": "#27ae60", "Reclaimable": "#d35400",
    "HighAtomic": "#e74c3c", "CMA": "#3498db", "Isolate": "#ff00ff",
}
BEGIN = re.compile(r"^@@@BEGIN (\S+)@@@$")


class Record:
    """One pageblock: its first PFN, the counts by column name, and the model's extras."""

    def __init__(self, pfn, counts, migratetype=None, zone=None, node=None):
        self.pfn, self.counts = pfn, counts
        self.migratetype, self.zone, self.node = migratetype, zone, node

    def cls(self):
        c = self.counts
        pages = PB - c.get("nopage", 0)
        if pages <= 0:
            return " "
        # observations.md's maps draw a block of 511 free pages as free too
        if c.get("buddy", 0) >= PB - 1:
            return "."
        for key, cls, least in (("reserved", "R", PB // 2), ("buddy", ",", PB // 2),
                                ("slab", "S", 128), ("anon", "A", PB // 2),
                                ("lru", "L", PB // 2), ("hugetlb", "H", PB // 2),
                                ("noflags", "k", PB // 2)):
            if c.get(key, 0) >= least:
                return cls
        return "m"


def pfnscan_text(source, phase):
    """The text of PHASE's pfnscan dump in @source (a capture folder or kmmsim output)."""
    p = Path(source)
    if p.is_dir():
        return (p / f"{phase}.pfnscan.txt").read_text()
    want, lines, cur = f"{phase}.pfnscan", [], None
    for line in p.read_text().splitlines():
        m = BEGIN.match(line)
        if m:
            cur = m.group(1)
        elif line == f"@@@END {cur}@@@":
            if cur == want:
                return "\n".join(lines) + "\n"
            cur = None
        elif cur == want:
            lines.append(line)
    raise OSError(f"{source}: no block {want}")


def parse(text):
    """The records of a pfnscan dump, in PFN order (a PFN printed twice, once per zone a
    boundary cuts, is merged by adding its counts)."""
    cols, recs = None, {}
    for line in text.splitlines():
        if line.startswith("# pfn_start"):
            cols = line[2:].split()[1:]
            continue
        if line.startswith("# error"):
            raise ValueError(line)
        if not line.startswith("0x"):
            continue
        if cols is None:
            raise ValueError("record before the column header")
        f = line.split()
        if len(f) != len(cols) + 1:
            raise ValueError(f"record of {len(f) - 1} values, {len(cols)} columns: {line}")
        counts, extra = {}, {}
        for name, val in zip(cols, f[1:]):
            if name in ("zone", "migratetype"):
                extra[name] = val
            else:
                counts[name] = int(val)
        pfn = int(f[0], 16)
        if pfn in recs:
            for k, v in counts.items():
                if k not in ("node", "skip"):
                    recs[pfn].counts[k] = recs[pfn].counts.get(k, 0) + v
            recs[pfn].counts["nopage"] -= PB
            continue
        recs[pfn] = Record(pfn, counts, extra.get("migratetype"), extra.get("zone"),
                           counts.get("node"))
    if cols is None:
        raise ValueError("no '# pfn_start' header")
    return [recs[k] for k in sorted(recs)]


def text_map(records):
    """observations.md's map: one line per PER_ROW pageblocks, the line's physical address."""
    if not records:
        return ""
    out, line, start = [], [], None
    first = records[0].pfn
    by_pfn = {r.pfn: r for r in records}
    last = records[-1].pfn
    for pfn in range(first, last + PB, PB):
        if start is None:
            start = pfn
        r = by_pfn.get(pfn)
        line.append(r.cls() if r else " ")
        if len(line) == PER_ROW:
            out.append(f"{start << 12:#011x} {''.join(line)}")
            line, start = [], None
    if line:
        out.append(f"{start << 12:#011x} {''.join(line)}")
    return "\n".join(out)


def grid(records):
    """Rows x PER_ROW classes (and migratetypes) of the records, PFN order."""
    first, last = records[0].pfn, records[-1].pfn
    n = (last - first) // PB + 1
    rows = (n + PER_ROW - 1) // PER_ROW
    cls = [[" "] * PER_ROW for _ in range(rows)]
    mts = [[None] * PER_ROW for _ in range(rows)]
    for r in records:
        i = (r.pfn - first) // PB
        cls[i // PER_ROW][i % PER_ROW] = r.cls()
        mts[i // PER_ROW][i % PER_ROW] = r.migratetype
    return cls, mts, first


def render(panels, out, title=None, dpi=100):
    """Draws @panels [(label, records)] side by side into the PNG @out; returns its size."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.colors import to_rgb
    from matplotlib.patches import Patch

    grids = [grid(recs) for _, recs in panels]
    rows = max(len(g[0]) for g in grids)
    width, height = 3.2 * len(panels) + 1.6, 0.9 + 0.32 * rows
    fig, axes = plt.subplots(1, len(panels), figsize=(width, height), dpi=dpi, squeeze=False)
    for ax, (label, _), (cls, mts, first) in zip(axes[0], panels, grids):
        img = [[to_rgb(CLASSES[c][0]) for c in row] for row in cls]
        # each row of cells is 4 pixel rows high: 3 for the class, 1 for the migratetype strip
        tall = []
        for row, mrow in zip(img, mts):
            tall += [row, row, row]
            tall.append([to_rgb(MIGRATETYPES.get(m, "#ffffff")) if m else (1.0, 1.0, 1.0)
                         for m in mrow])
        ax.imshow(tall, interpolation="nearest", aspect="auto")
        ax.set_title(label, fontsize=8)
        ax.set_xticks([])
        ax.set_yticks([4 * i + 1 for i in range(len(cls))])
        ax.set_yticklabels([f"{(first + i * PER_ROW * PB) << 12:#x}" for i in range(len(cls))],
                           fontsize=5)
    handles = [Patch(color=c, label=l) for k, (c, l) in CLASSES.items() if k != " "]
    if any(any(m for row in g[1] for m in row) for g in grids):
        handles += [Patch(color=c, label=f"mt {m}") for m, c in MIGRATETYPES.items()]
    fig.legend(handles=handles, loc="center right", fontsize=5, frameon=False)
    if title:
        fig.suptitle(title, fontsize=9)
    fig.subplots_adjust(left=0.9 / width, right=1 - 1.5 / width, top=1 - 0.45 / height,
                        bottom=0.1 / height, wspace=0.35)
    fig.savefig(out, dpi=dpi)
    plt.close(fig)
    return round(width * dpi), round(height * dpi)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("pairs", nargs="+", help="SOURCE PHASE [SOURCE PHASE ...]")
    ap.add_argument("-o", "--output")
    ap.add_argument("--title")
    ap.add_argument("--labels", help="the panels' titles, comma-separated (default: "
                    "SOURCE's name and PHASE)")
    ap.add_argument("--text", action="store_true")
    args = ap.parse_args(argv)
    if len(args.pairs) % 2:
        ap.error("SOURCE and PHASE come in pairs")
    if not args.text and not args.output:
        ap.error("-o FILE.png or --text")
    panels = []
    try:
        for src, phase in zip(args.pairs[::2], args.pairs[1::2]):
            panels.append((f"{Path(src).name} {phase}", parse(pfnscan_text(src, phase))))
    except (OSError, ValueError) as e:
        print(f"zone_picture: {e}", file=sys.stderr)
        return 2
    if args.labels:
        labels = args.labels.split(",")
        if len(labels) != len(panels):
            ap.error(f"{len(labels)} labels for {len(panels)} panels")
        panels = [(label, recs) for label, (_, recs) in zip(labels, panels)]
    if args.text:
        for label, recs in panels:
            print(f"{label}:\n{text_map(recs)}")
        return 0
    w, h = render(panels, args.output, args.title)
    print(f"zone_picture: {args.output} ({w}x{h})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
