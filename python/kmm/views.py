"""Parsers for the text views (the same text the kernel's /proc and debugfs files show).

Each parser takes the view's text and returns plain dicts, lists and NumPy arrays; the
Machine's ``proc(path, parsed=True)`` picks the parser by path (PARSERS).
"""
import re

import numpy as np

MIGRATETYPES = ("Unmovable", "Movable", "Reclaimable", "HighAtomic", "CMA", "Isolate")
MAX_ORDER = 11


def parse_vmstat(text):
    """/proc/vmstat: {name: int}."""
    out = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 2:
            out[parts[0]] = int(parts[1])
    return out


def parse_meminfo(text):
    """/proc/meminfo: {name: value}, values in kB where the line says kB (as the file)."""
    out = {}
    for line in text.splitlines():
        m = re.match(r"^([\w()]+):\s+(-?\d+)(?:\s+kB)?\s*$", line)
        if m:
            out[m.group(1)] = int(m.group(2))
    return out


def _zone_rows(text, conv):
    rows = {}
    for line in text.splitlines():
        m = re.match(r"^Node\s+(\d+),\s+zone\s+(\S+)\s+(.*)$", line)
        if m:
            rows[(int(m.group(1)), m.group(2))] = np.array([conv(v) for v in m.group(3).split()])
    return rows


def parse_buddyinfo(text):
    """/proc/buddyinfo: {(node, zone): array of free blocks per order}."""
    return _zone_rows(text, int)


def parse_unusable_index(text):
    """debugfs extfrag/unusable_index: {(node, zone): array of floats per order}."""
    return _zone_rows(text, float)


parse_extfrag_index = parse_unusable_index


def parse_pagetypeinfo(text):
    """/proc/pagetypeinfo: {"free": {(node, zone): array [migratetype, order]},
    "blocks": {(node, zone): array [migratetype]}, "pageblock_order": int}."""
    free, blocks, pb_order = {}, {}, None
    for line in text.splitlines():
        m = re.match(r"^Page block order:\s+(\d+)", line)
        if m:
            pb_order = int(m.group(1))
            continue
        m = re.match(r"^Node\s+(\d+),\s+zone\s+(\S+),\s+type\s+(\S+)\s+(.*)$", line)
        if m:
            key = (int(m.group(1)), m.group(2))
            arr = free.setdefault(key, np.zeros((len(MIGRATETYPES), MAX_ORDER), dtype=np.int64))
            mt = MIGRATETYPES.index(m.group(3))
            arr[mt] = [int(v.lstrip(">")) for v in m.group(4).split()]
            continue
        m = re.match(r"^Node\s+(\d+),\s+zone\s+(\S+)\s+([\d\s]+)$", line)
        if m:
            blocks[(int(m.group(1)), m.group(2))] = np.array(
                [int(v) for v in m.group(3).split()], dtype=np.int64)
    return {"free": free, "blocks": blocks, "pageblock_order": pb_order}


def parse_zoneinfo(text):
    """/proc/zoneinfo: {(node, zone): {field: int, "protection": [...], "pagesets": [...]}}."""
    zones, cur, pageset = {}, None, None
    for line in text.splitlines():
        m = re.match(r"^Node (\d+), zone\s+(\S+)", line)
        if m:
            cur = zones.setdefault((int(m.group(1)), m.group(2)), {"pagesets": []})
            pageset = None
            continue
        if cur is None:
            continue
        s = line.strip()
        m = re.match(r"^cpu:\s+(\d+)$", s)
        if m:
            pageset = {"cpu": int(m.group(1))}
            cur["pagesets"].append(pageset)
            continue
        m = re.match(r"^protection:\s+\((.*)\)$", s)
        if m:
            cur["protection"] = [int(v) for v in m.group(1).split(",")]
            continue
        m = re.match(r"^(?:pages free|per-node stats)?\s*(\w+)[:\s]\s*(-?\d+)$", s)
        if m:
            (pageset if pageset is not None else cur)[m.group(1)] = int(m.group(2))
    return zones


def parse_slabinfo(text):
    """/proc/slabinfo: {cache name: {active_objs, num_objs, objsize, objperslab,
    pagesperslab, active_slabs, num_slabs}}."""
    out = {}
    for line in text.splitlines():
        if line.startswith("slabinfo") or line.startswith("#"):
            continue
        parts = line.replace(":", " ").split()
        if len(parts) < 6:
            continue
        nums = [p for p in parts[1:] if re.fullmatch(r"\d+", p)]
        if len(nums) < 5:
            continue
        entry = dict(zip(("active_objs", "num_objs", "objsize", "objperslab", "pagesperslab"),
                         map(int, nums[:5])))
        if len(nums) >= 10:
            entry["active_slabs"], entry["num_slabs"] = int(nums[8]), int(nums[9])
        out[parts[0]] = entry
    return out


PARSERS = {
    "/proc/vmstat": parse_vmstat,
    "/proc/meminfo": parse_meminfo,
    "/proc/buddyinfo": parse_buddyinfo,
    "/proc/pagetypeinfo": parse_pagetypeinfo,
    "/proc/zoneinfo": parse_zoneinfo,
    "/proc/slabinfo": parse_slabinfo,
    "/sys/kernel/debug/extfrag/unusable_index": parse_unusable_index,
    "/sys/kernel/debug/extfrag/extfrag_index": parse_extfrag_index,
}


def parse(path, text):
    """The parsed form of view @path's @text; ValueError if there is no parser for it."""
    try:
        return PARSERS[path](text)
    except KeyError:
        raise ValueError(f"no parser for {path} (parsed views: {', '.join(sorted(PARSERS))})")
