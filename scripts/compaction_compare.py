#!/usr/bin/python3
"""Compare the fragmentation/compaction phases of the captured guest /init (the `full`
workload: frag1, hp_before_compaction, frag2, compact_memory, compacted, hp_after_compaction)
of a real kernel's capture folder with kmmsim's output of examples/scenarios/frag-oracle.kmm,
or two captures with each other.

Both sides become named blocks: a capture folder's files NAME.txt, or the text kmmsim printed
between "@@@BEGIN NAME@@@" and "@@@END NAME@@@". From them:

  * frag1/frag2.frag_result: MemFree before, MiB fragmented, pages touched/freed/kept;
  * hp_before/hp_after_compaction.hugepages_result: huge pages requested and obtained, per
    node, and the vmstat deltas of the request (direct compaction inside hugetlb's allocation);
  * compact_memory.result: the vmstat deltas of `echo 1 > /proc/sys/vm/compact_memory`;
  * PHASE.extfrag: per zone, /proc/buddyinfo's free blocks per order and the unusable free
    space index per order (debugfs extfrag/unusable_index), before (frag2) and after
    (compacted) compaction.

A value the other side could not produce (kmmsim prints "<missing: /proc/sys/vm/NAME>" where a
tunable does not exist yet) is WAIT, never a number: the row says which piece it waits for.

Checks (rows with PASS, FAIL or WAIT; issue 16's acceptance):
  hp_after ratio   obtained/requested after compact_memory >= 85 % of the reference's;
  unusable o9      for every zone the reference compacted (its order-9 unusable index fell by
                   more than 0.01 from frag2 to compacted), the other side's index after
                   compaction within 0.1 of the reference's;
  pgmigrate x2     compact_memory's pgmigrate_success within a factor of 2 of the reference's;
  direction        every effect goes the same way on both sides: compact_memory migrates
                   (pgmigrate_success, compact_migrate_scanned, compact_free_scanned,
                   compact_isolated > 0), lowers the order-9 unusable index and does not lower
                   the order-10 free blocks of each compacted zone; the first huge page request
                   stalls in direct compaction (compact_stall > 0) and misses some pages
                   (obtained < requested); htlb_buddy_alloc_success = pages obtained;
  frag             frag kept half of what it touched, and fragmented 60 % of MemFree (within
                   one MiB of the shell's rounding) on both sides; before compaction (frag2)
                   every zone's order-9 unusable index is within 0.1 of the reference's.

Usage:
    scripts/compaction_compare.py REFERENCE OTHER            (the check rows; exit 1 on FAIL)
    scripts/compaction_compare.py REFERENCE OTHER --side-by-side   (docs/compaction.md)
    scripts/compaction_compare.py REFERENCE OTHER --strict   (WAIT counts as failure too)
REFERENCE and OTHER: a capture folder, or a file of kmmsim output. Exit status 0 when no row
FAILs (and, with --strict, none WAITs), 1 otherwise, 2 on unreadable input. Python 3 standard
library only.
"""
import argparse
import re
import sys
from pathlib import Path

BEGIN = re.compile(r"^@@@BEGIN (\S+)@@@$")
MISSING = re.compile(r"<missing: (\S+)>")
BUDDY = re.compile(r"^Node (\d+), zone\s+(\w+)((?:\s+\d+)+)\s*$")
INDEX = re.compile(r"^Node (\d+), zone\s+(\w+)((?:\s+-?\d+\.\d+)+)\s*$")

HP_TAGS = ("hp_before_compaction", "hp_after_compaction")
COMPACT_COUNTERS = ["pgmigrate_success", "pgmigrate_fail", "compact_migrate_scanned",
                    "compact_free_scanned", "compact_isolated", "compact_stall",
                    "compact_success", "compact_fail", "compact_daemon_wake",
                    "nr_free_pages", "pgfree"]
HP_COUNTERS = ["htlb_buddy_alloc_success", "htlb_buddy_alloc_fail", "compact_stall",
               "compact_success", "compact_fail", "pgmigrate_success", "pgmigrate_fail",
               "compact_migrate_scanned", "compact_free_scanned", "compact_isolated",
               "allocstall_movable", "pgsteal_direct", "nr_free_pages"]
# Which piece of issue 16 a missing tunable waits for.
PIECES = {"/proc/sys/vm/nr_hugepages": "hugetlb pools (src/mm/hugetlb.c)",
          "/proc/sys/vm/compact_memory": "compaction (src/mm/compaction.c)"}

CHANGED_BY = 0.01      # a zone counts as compacted when its o9 unusable index fell this much
UNUSABLE_TOL = 0.1
HP_RATIO_MIN = 0.85
MIGRATE_FACTOR = 2.0


def read_blocks(path):
    """NAME -> text of every block of a capture folder or a kmmsim output file."""
    p = Path(path)
    if p.is_dir():
        return {f.name[:-4]: f.read_text() for f in p.glob("*.txt")}
    blocks, cur, lines = {}, None, []
    for line in p.read_text().splitlines():
        m = BEGIN.match(line)
        if m:
            cur, lines = m.group(1), []
        elif cur and line == f"@@@END {cur}@@@":
            blocks[cur] = "\n".join(lines) + "\n"
            cur = None
        elif cur:
            lines.append(line)
    return blocks


def parse_kv(text):
    """Every NAME=VALUE of @text (numbers as int or float when they parse)."""
    out = {}
    for k, v in re.findall(r"(\S+?)=(\S+)", text):
        try:
            out[k] = int(v)
        except ValueError:
            try:
                out[k] = float(v)
            except ValueError:
                out[k] = v
    return out


def parse_delta(text):
    """The "name delta" lines of /init's awk."""
    return {m.group(1): int(m.group(2))
            for m in re.finditer(r"^(\w+) (-?\d+)$", text, re.M)}


def parse_frag(text):
    if not text:
        return None
    kv = parse_kv(text)
    return {k: kv.get(k) for k in ("memfree_kb_before", "fragpct", "frag_mb", "pages_touched",
                                   "pages_freed", "pages_kept", "elapsed_s")}


def parse_hp(text):
    if not text:
        return None
    first = text.splitlines()[0] if text else ""
    miss = MISSING.search(first)
    kv = parse_kv(first.replace(miss.group(0), "MISSING") if miss else first)
    nodes = {int(m.group(1)): int(m.group(2)) for m in re.finditer(
        r"^/sys/devices/system/node/node(\d+)/hugepages/hugepages-2048kB/nr_hugepages=(\d+)$",
        text, re.M)}
    obtained = kv.get("obtained")
    return {"requested": kv.get("requested"),
            "obtained": obtained if isinstance(obtained, int) else None,
            "missing": miss.group(1) if miss else None,
            "seconds": (kv["uptime_after"] - kv["uptime_before"])
            if "uptime_after" in kv else None,
            "nodes": nodes,
            "delta": parse_delta(text.split("--- vmstat delta", 1)[1])
            if "--- vmstat delta" in text else {}}


def parse_compact(text):
    if text is None:
        return None
    miss = MISSING.search(text)
    kv = parse_kv(text.splitlines()[0] if text else "")
    return {"missing": miss.group(1) if miss else None,
            "seconds": (kv["uptime_after"] - kv["uptime_before"])
            if "uptime_after" in kv else None,
            "delta": parse_delta(text)}


def parse_extfrag(text):
    """(node, zone) -> {"free": [blocks per order], "unusable": [index per order]}."""
    zones = {}
    for line in (text or "").splitlines():
        m = BUDDY.match(line)
        if m:
            zones.setdefault((int(m.group(1)), m.group(2)), {})["free"] = \
                [int(x) for x in m.group(3).split()]
            continue
        m = INDEX.match(line)
        if m:
            z = zones.setdefault((int(m.group(1)), m.group(2)), {})
            # the first index line of a zone is unusable_index, the second extfrag_index
            z.setdefault("unusable", [float(x) for x in m.group(3).split()])
    return {k: v for k, v in zones.items() if "free" in v}


class Side:
    """One run: its blocks, and the facts read from them."""

    def __init__(self, blocks, name):
        self.name = name
        self.blocks = blocks
        self.frag = {t: parse_frag(blocks.get(f"{t}.frag_result")) for t in ("frag1", "frag2")}
        self.hp = {t: parse_hp(blocks.get(f"{t}.hugepages_result")) for t in HP_TAGS}
        self.compact = parse_compact(blocks.get("compact_memory.result"))
        self.extfrag = {p: parse_extfrag(blocks.get(f"{p}.extfrag"))
                        for p in ("frag1", "frag2", "compacted", *HP_TAGS)}

    def hp_ratio(self, tag):
        hp = self.hp.get(tag)
        if not hp or hp["obtained"] is None or not hp["requested"]:
            return None
        return hp["obtained"] / hp["requested"]

    def unusable9(self, phase, zone):
        z = self.extfrag.get(phase, {}).get(zone)
        return z["unusable"][9] if z and len(z.get("unusable", [])) > 9 else None

    def free10(self, phase, zone):
        z = self.extfrag.get(phase, {}).get(zone)
        return z["free"][10] if z and len(z["free"]) > 10 else None

    def compacted_zones(self):
        """The zones whose order-9 unusable index fell by more than CHANGED_BY."""
        out = []
        for zone in sorted(self.extfrag.get("frag2", {})):
            a, b = self.unusable9("frag2", zone), self.unusable9("compacted", zone)
            if a is not None and b is not None and a - b > CHANGED_BY:
                out.append(zone)
        return out


def read_side(path):
    return Side(read_blocks(path), Path(path).name)


def zname(zone):
    return f"n{zone[0]}/{zone[1]}"


class Row:
    """One comparison: a name, both values, PASS/FAIL/WAIT and why."""

    def __init__(self, check, what, ref, other, status, note=""):
        self.check, self.what, self.ref, self.other = check, what, ref, other
        self.status, self.note = status, note

    def __repr__(self):
        return (f"{self.status} {self.check}: {self.what}: reference {fmt(self.ref)}, "
                f"other {fmt(self.other)}" + (f" ({self.note})" if self.note else ""))


def fmt(v):
    if isinstance(v, float):
        return f"{v:.3f}"
    return "-" if v is None else str(v)


def waiting(missing):
    return f"waits for {PIECES.get(missing, missing)}: {missing} does not exist"


def check_hp_after(ref, other):
    tag = "hp_after_compaction"
    r, o = ref.hp_ratio(tag), other.hp_ratio(tag)
    hp = other.hp.get(tag)
    if hp is None:
        return [Row("hp_after ratio", "obtained/requested", r, None, "FAIL", "no block")]
    if hp["missing"] or compact_missing(other):  # the ratio after compaction needs both
        return [Row("hp_after ratio", "obtained/requested", r, None, "WAIT",
                    waiting(hp["missing"] or compact_missing(other)))]
    if r is None or o is None:
        return [Row("hp_after ratio", "obtained/requested", r, o, "FAIL", "unreadable")]
    ok = o >= HP_RATIO_MIN * r
    return [Row("hp_after ratio", "obtained/requested", r, o, "PASS" if ok else "FAIL",
                f"needs >= {HP_RATIO_MIN * r:.3f}")]


def compact_missing(side):
    c = side.compact
    if c is None:
        return "compact_memory.result"
    return c["missing"]


def check_unusable(ref, other):
    rows = []
    miss = compact_missing(other)
    for zone in ref.compacted_zones():
        r = ref.unusable9("compacted", zone)
        o = other.unusable9("compacted", zone)
        what = f"{zname(zone)} order-9 unusable index after compaction"
        if miss:
            rows.append(Row("unusable o9", what, r, o, "WAIT", waiting(miss)))
        elif o is None:
            rows.append(Row("unusable o9", what, r, o, "FAIL", "zone not in compacted.extfrag"))
        else:
            ok = abs(o - r) <= UNUSABLE_TOL
            rows.append(Row("unusable o9", what, r, o, "PASS" if ok else "FAIL",
                            f"within {UNUSABLE_TOL}"))
    return rows


def check_migrate(ref, other):
    what = "compact_memory pgmigrate_success"
    r = (ref.compact or {"delta": {}})["delta"].get("pgmigrate_success", 0)
    miss = compact_missing(other)
    if miss:
        return [Row("pgmigrate x2", what, r, None, "WAIT", waiting(miss))]
    o = other.compact["delta"].get("pgmigrate_success", 0)
    ok = r / MIGRATE_FACTOR <= o <= r * MIGRATE_FACTOR if r else o == 0
    return [Row("pgmigrate x2", what, r, o, "PASS" if ok else "FAIL",
                f"within x{MIGRATE_FACTOR:g}")]


def sign(v):
    return None if v is None else (v > 0) - (v < 0)


def direction_row(what, r, o, miss):
    if miss:
        return Row("direction", what, r, o, "WAIT", waiting(miss))
    if r is None or o is None:
        return Row("direction", what, r, o, "FAIL", "unreadable")
    return Row("direction", what, r, o, "PASS" if sign(r) == sign(o) else "FAIL",
               "same sign")


def check_directions(ref, other):
    rows = []
    miss = compact_missing(other)
    rd = (ref.compact or {"delta": {}})["delta"]
    od = (other.compact or {"delta": {}})["delta"]
    for name in ("pgmigrate_success", "compact_migrate_scanned", "compact_free_scanned",
                 "compact_isolated"):
        rows.append(direction_row(f"compact_memory {name}", rd.get(name, 0), od.get(name, 0),
                                  miss))
    for zone in ref.compacted_zones():
        def change(side, fn):
            a, b = fn("frag2", zone), fn("compacted", zone)
            return None if a is None or b is None else b - a
        ru, ou = change(ref, ref.unusable9), change(other, other.unusable9)
        rows.append(direction_row(f"{zname(zone)} order-9 unusable index change", ru, ou, miss))
        # "does not lower": a rise and no change are the same effect
        rf, of = change(ref, ref.free10), change(other, other.free10)
        rows.append(direction_row(f"{zname(zone)} order-10 free blocks change (>= 0)",
                                  None if rf is None else int(rf >= 0),
                                  None if of is None else int(of >= 0), miss))
    hp = other.hp.get("hp_before_compaction")
    rhp = ref.hp.get("hp_before_compaction") or {"delta": {}, "requested": 0, "obtained": 0}
    hmiss = hp["missing"] if hp else "hp_before_compaction.hugepages_result"
    od = hp["delta"] if hp else {}
    # direct compaction inside the pool's allocation needs compaction.c as well
    rows.append(direction_row("hp_before compact_stall", rhp["delta"].get("compact_stall", 0),
                              od.get("compact_stall", 0), hmiss or miss))
    rows.append(direction_row(
        "hp_before requested - obtained", rhp["requested"] - rhp["obtained"],
        None if not hp or hp["obtained"] is None else hp["requested"] - hp["obtained"], hmiss))
    for tag in HP_TAGS:
        h = other.hp.get(tag)
        if not h or h["missing"]:
            continue
        got = h["delta"].get("htlb_buddy_alloc_success", 0)
        rows.append(Row("direction", f"{tag} htlb_buddy_alloc_success = obtained",
                        None, got, "PASS" if got == h["obtained"] else "FAIL",
                        f"obtained {h['obtained']}"))
    return rows


def check_frag(ref, other):
    rows = []
    for tag in ("frag1", "frag2"):
        f = other.frag.get(tag)
        if not f or f["pages_touched"] is None:
            rows.append(Row("frag", f"{tag} result", None, None, "FAIL", "no frag_result"))
            continue
        ok = f["pages_kept"] * 2 == f["pages_touched"] and f["pages_freed"] == f["pages_kept"]
        rows.append(Row("frag", f"{tag} pages kept", (ref.frag.get(tag) or {}).get("pages_kept"),
                        f["pages_kept"], "PASS" if ok else "FAIL", "half of those touched"))
        want = f["memfree_kb_before"] * f["fragpct"] // 100 // 1024
        rows.append(Row("frag", f"{tag} MiB = {f['fragpct']} % of MemFree",
                        (ref.frag.get(tag) or {}).get("frag_mb"), f["frag_mb"],
                        "PASS" if abs(f["frag_mb"] - want) <= 1 else "FAIL",
                        f"{want} from MemFree {f['memfree_kb_before']} kB"))
    # the fragmenter leaves the zones as fragmented as the kernel's (before any compaction)
    for zone in sorted(ref.extfrag.get("frag2", {})):
        r, o = ref.unusable9("frag2", zone), other.unusable9("frag2", zone)
        what = f"{zname(zone)} order-9 unusable index before compaction (frag2)"
        ok = o is not None and abs(o - r) <= UNUSABLE_TOL
        rows.append(Row("frag", what, r, o, "PASS" if ok else "FAIL", f"within {UNUSABLE_TOL}"))
    return rows


def compare(ref, other):
    return (check_frag(ref, other) + check_hp_after(ref, other) + check_unusable(ref, other)
            + check_migrate(ref, other) + check_directions(ref, other))


def shown(part, value):
    """A counter of a phase: "-" when the phase could not run (missing tunable), else 0."""
    if not part or part.get("missing") or "delta" not in part:
        return None
    return value or 0


def side_by_side(ref, other):
    """docs/compaction.md's table for one capture: the phases' figures in two columns."""
    out = [f"| | {ref.name} | {other.name} |", "|---|---:|---:|"]

    def row(label, a, b):
        out.append(f"| {label} | {fmt(a)} | {fmt(b)} |")

    for tag in ("frag1", "frag2"):
        a, b = ref.frag.get(tag) or {}, other.frag.get(tag) or {}
        row(f"{tag}: MemFree kB before", a.get("memfree_kb_before"), b.get("memfree_kb_before"))
        row(f"{tag}: MiB fragmented / pages kept", f"{a.get('frag_mb')} / {a.get('pages_kept')}",
            f"{b.get('frag_mb')} / {b.get('pages_kept')}")
    for tag in HP_TAGS:
        a, b = ref.hp.get(tag), other.hp.get(tag)

        def got(h):
            if not h:
                return None
            o = h["obtained"] if h["obtained"] is not None else "missing"
            return f"{o}/{h['requested']}"
        row(f"{tag}: obtained/requested", got(a), got(b))
        nodes = sorted(set((a or {"nodes": {}})["nodes"]) | set((b or {"nodes": {}})["nodes"]))
        if len(nodes) > 1:
            row(f"{tag}: per node", " ".join(f"{n}={fmt(a['nodes'].get(n))}" for n in nodes)
                if a else None,
                " ".join(f"{n}={fmt(b['nodes'].get(n))}" for n in nodes) if b else None)
        for name in HP_COUNTERS:
            va = (a or {"delta": {}})["delta"].get(name)
            vb = (b or {"delta": {}})["delta"].get(name)
            if va is not None or vb is not None:
                row(f"{tag}: {name}", shown(a, va), shown(b, vb))
    ca, cb = ref.compact or {"delta": {}}, other.compact or {"delta": {}}
    if cb.get("missing"):
        row("compact_memory", "ran", "missing")
    for name in COMPACT_COUNTERS:
        va, vb = ca["delta"].get(name), cb["delta"].get(name)
        if va is not None or vb is not None:
            row(f"compact_memory: {name}", shown(ca, va), shown(cb, vb))
    zones = sorted(set(ref.extfrag.get("frag2", {})) | set(other.extfrag.get("frag2", {})))
    for zone in zones:
        for phase in ("frag2", "compacted"):
            row(f"{zname(zone)} {phase}: order-9 unusable index",
                ref.unusable9(phase, zone), other.unusable9(phase, zone))
            fa = ref.extfrag.get(phase, {}).get(zone, {}).get("free")
            fb = other.extfrag.get(phase, {}).get(zone, {}).get("free")
            row(f"{zname(zone)} {phase}: free blocks o0..o10",
                " ".join(map(str, fa)) if fa else None, " ".join(map(str, fb)) if fb else None)
    return "\n".join(out)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("reference")
    ap.add_argument("other")
    ap.add_argument("--side-by-side", action="store_true")
    ap.add_argument("--strict", action="store_true", help="WAIT rows fail too")
    args = ap.parse_args(argv)
    try:
        ref, other = read_side(args.reference), read_side(args.other)
    except OSError as e:
        print(f"compaction_compare: {e}", file=sys.stderr)
        return 2
    if not ref.hp.get("hp_after_compaction") or ref.compact is None:
        print(f"compaction_compare: {args.reference} has no full-workload phases",
              file=sys.stderr)
        return 2
    if args.side_by_side:
        print(side_by_side(ref, other))
        return 0
    rows = compare(ref, other)
    for r in rows:
        print(r)
    count = {s: sum(r.status == s for r in rows) for s in ("PASS", "FAIL", "WAIT")}
    print(f"rows: {count['PASS']} PASS, {count['FAIL']} FAIL, {count['WAIT']} WAIT")
    bad = count["FAIL"] or (args.strict and count["WAIT"])
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
