#!/usr/bin/python3
"""Compare the OOM phase of the captured guest /init (a real kernel's capture folder:
pre_oom.meminfo.txt, oom.result.txt, post_oom.dmesg.txt, ...) with kmmsim's output of
examples/scenarios/{oom,zram,filecache}-hog.kmm, or two captures with each other.

Both sides become named blocks: a capture folder's files NAME.txt, or the text kmmsim printed
between "@@@BEGIN NAME@@@" and "@@@END NAME@@@". From them:

  * the headline figures: MemTotal and MemAvailable before the hog (pre_oom.meminfo), the
    MiB the hog touched (oom.result's last hog_mb_touched=), its exit status, and the MiB it
    touched beyond MemAvailable;
  * the vmstat deltas of oom.result (and read.result when there is one);
  * the OOM report of the kernel log (post_oom.dmesg), parsed line by line: the "invoked
    oom-killer" line, Mem-Info, the per-zone lines (free, min, low, high, free_cma,
    lowmem_reserve[]), the free areas, the swap and RAM lines, the tasks table, the
    oom-kill summary and the "Killed process" line.

Checks (--check plain|zram|filecache):
  plain:  hog killed (137); MiB touched beyond MemAvailable within max(16 MiB, 2% of
          MemTotal) of the reference's; allocstall (all zones) exactly the reference's;
          the report has every part in the kernel's order, the victim is the hog in the
          table, the summary and the kill line; the zone lines show the watermark failure
          (free, less CMA for a non-movable request, below min + lowmem_reserve of the
          request's highest zone) in at least one zone.
  zram, filecache: the same structure checks; the counters side by side must have the same
          order of magnitude (within a factor of 10) and the same sign.

Usage:
    scripts/reclaim_compare.py REFERENCE OTHER [--check plain|zram|filecache]
    scripts/reclaim_compare.py REFERENCE OTHER --side-by-side   (docs/reclaim.md's tables)
REFERENCE and OTHER: a capture folder, or a file of kmmsim output. Exit status 0 when every
check passes, 1 otherwise, 2 on unreadable input. Python 3 standard library only.
"""
import argparse
import math
import re
import sys
from pathlib import Path

BEGIN = re.compile(r"^@@@BEGIN (\S+)@@@$")
STAMP = re.compile(r"^\[\s*\d+\.\d+\] ")

# The counters the side-by-side tables show, in /proc/vmstat's order.
SIDE_COUNTERS = [
    "nr_free_pages", "nr_zone_inactive_anon", "nr_zone_active_anon", "nr_free_cma",
    "nr_inactive_anon", "nr_active_anon", "nr_anon_pages", "nr_file_pages",
    "nr_page_table_pages", "nr_vmscan_write", "pswpin", "pswpout", "pgpgin", "pgpgout",
    "pgalloc_dma", "pgalloc_normal", "allocstall_normal", "allocstall_movable", "pgfree",
    "pgactivate", "pgfault", "pgmajfault", "pgsteal_kswapd", "pgsteal_direct",
    "pgscan_kswapd", "pgscan_direct", "pgscan_anon", "pgscan_file", "pgsteal_anon",
    "pgsteal_file", "slabs_scanned", "pageoutrun", "oom_kill", "thp_fault_alloc",
]


class Side:
    """One run: its blocks, and the facts read from them."""

    def __init__(self, blocks, name):
        self.name = name
        self.blocks = blocks
        self.meminfo = kv_kb(blocks.get("pre_oom.meminfo", ""))
        self.oom = parse_result(blocks.get("oom.result", ""))
        self.read = parse_result(blocks.get("read.result", "")) if "read.result" in blocks \
            else None
        self.report = parse_report(blocks.get("post_oom.dmesg", ""))

    @property
    def memtotal_mb(self):
        return self.meminfo.get("MemTotal", 0) / 1024

    @property
    def beyond_mb(self):
        """MiB the hog touched beyond MemAvailable at the start."""
        return self.oom["mb_touched"] - self.meminfo.get("MemAvailable", 0) / 1024

    def allocstall(self):
        return sum(v for k, v in self.oom["delta"].items() if k.startswith("allocstall_"))


def read_side(path):
    p = Path(path)
    if p.is_dir():
        blocks = {f.name[:-4]: f.read_text() for f in p.glob("*.txt")}
        return Side(blocks, p.name)
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
    return Side(blocks, p.name)


def kv_kb(text):
    out = {}
    for line in text.splitlines():
        m = re.match(r"^(\S+):\s+(\d+)", line)
        if m:
            out[m.group(1)] = int(m.group(2))
    return out


def parse_result(text):
    """oom.result / read.result: the status line, hog_mb_touched (the last), the deltas."""
    res = {"exit": None, "mb_touched": 0, "delta": {}, "finished": False}
    in_delta = False
    for line in text.splitlines():
        if line.startswith("--- vmstat delta"):
            in_delta = True
            continue
        m = re.search(r"hog_exit_status=(\S+)", line)
        if m:
            res["exit"] = m.group(1)
        m = re.match(r"^hog_mb_touched=(\d+)$", line)
        if m:
            res["mb_touched"] = int(m.group(1))
        if line.startswith("hog_finished_without_kill"):
            res["finished"] = True
        if in_delta:
            m = re.match(r"^(\w+) (-?\d+)$", line)
            if m:
                res["delta"][m.group(1)] = int(m.group(2))
    return res


ZONE = re.compile(r"^Node (\d+) (\w+) free:(\d+)kB boost:(\d+)kB min:(\d+)kB low:(\d+)kB "
                  r"high:(\d+)kB reserved_highatomic:\d+KB .* free_cma:(\d+)kB$")
TASK = re.compile(r"^\[\s*(\d+)\]\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(-?\d+) (.+)$")
KILLED = re.compile(r"^Out of memory.*: Killed process (\d+) \((.+)\) total-vm:(\d+)kB, "
                    r"anon-rss:(\d+)kB, file-rss:(\d+)kB, shmem-rss:(\d+)kB, UID:(\d+) "
                    r"pgtables:(\d+)kB oom_score_adj:(-?\d+)$")
INVOKED = re.compile(r"^(.+) invoked oom-killer: gfp_mask=(0x[0-9a-f]+)\((.*)\), order=(-?\d+), "
                     r"oom_score_adj=(-?\d+)$")
SUMMARY = re.compile(r"^oom-kill:constraint=(\w+),nodemask=\(null\),cpuset=/,mems_allowed=[\d,-]+,"
                     r"global_oom,task_memcg=/,task=(.+),pid=(\d+),uid=(\d+)$")
FREE_AREA = re.compile(r"^Node \d+ \w+: (\d+\*\d+kB (\([UMEHCI]+\) )?)+= \d+kB$")

# The parts of the report, in the order the kernel prints them: (name, pattern of the line).
PARTS = [
    ("invoked", INVOKED),
    ("call trace", re.compile(r"^Call trace:$")),
    ("Mem-Info", re.compile(r"^Mem-Info:$")),
    ("global counts", re.compile(r"^active_anon:\d+ inactive_anon:\d+ isolated_anon:\d+$")),
    ("node line", re.compile(r"^Node \d+ active_anon:\d+kB inactive_anon:")),
    ("zone line", ZONE),
    ("lowmem_reserve", re.compile(r"^lowmem_reserve\[\]:( \d+)+$")),
    ("free areas", FREE_AREA),
    ("hugepages", re.compile(r"^Node \d+ hugepages_total=")),
    ("pagecache", re.compile(r"^\d+ total pagecache pages$")),
    ("swap cache", re.compile(r"^\d+ pages in swap cache$")),
    ("free swap", re.compile(r"^Free swap  = \d+kB$")),
    ("total swap", re.compile(r"^Total swap = \d+kB$")),
    ("pages RAM", re.compile(r"^\d+ pages RAM$")),
    ("tasks header", re.compile(r"^Tasks state \(memory values in pages\):$")),
    ("tasks columns", re.compile(r"^\[  pid  \]   uid  tgid total_vm      rss pgtables_bytes "
                                 r"swapents oom_score_adj name$")),
    ("task row", TASK),
    ("summary", SUMMARY),
    ("killed", KILLED),
]


def parse_report(text):
    """The first OOM report of a kernel log: its lines (time stamps cut) and what they say."""
    lines = [STAMP.sub("", l) for l in text.splitlines()]
    start = next((i for i, l in enumerate(lines) if INVOKED.match(l)), None)
    rep = {"present": start is not None, "order": [], "zones": [], "reserve": [], "tasks": [],
           "invoked": None, "summary": None, "killed": None, "lines": []}
    if start is None:
        return rep
    end = next((i for i in range(start, len(lines)) if KILLED.match(lines[i])), len(lines) - 1)
    rep["lines"] = lines[start:end + 1]
    for line in rep["lines"]:
        for name, pat in PARTS:
            m = pat.match(line)
            if not m:
                continue
            if name not in rep["order"]:
                rep["order"].append(name)
            if name == "invoked":
                rep["invoked"] = {"comm": m.group(1), "gfp": m.group(2), "flags": m.group(3),
                                  "order": int(m.group(4)), "adj": int(m.group(5))}
            elif name == "zone line":
                rep["zones"].append({"name": m.group(2), "free": int(m.group(3)),
                                     "min": int(m.group(5)), "low": int(m.group(6)),
                                     "high": int(m.group(7)), "free_cma": int(m.group(8))})
            elif name == "lowmem_reserve":
                rep["reserve"].append([int(x) for x in line.split(":")[1].split()])
            elif name == "task row":
                rep["tasks"].append({"pid": int(m.group(1)), "rss": int(m.group(5)),
                                     "swapents": int(m.group(7)), "adj": int(m.group(8)),
                                     "name": m.group(9)})
            elif name == "summary":
                rep["summary"] = {"constraint": m.group(1), "task": m.group(2),
                                  "pid": int(m.group(3))}
            elif name == "killed":
                rep["killed"] = {"pid": int(m.group(1)), "comm": m.group(2),
                                 "anon_kb": int(m.group(4)), "file_kb": int(m.group(5))}
            break
    return rep


def watermark_failures(rep):
    """The zones whose line shows the allocation failing at min: free (less CMA unless the
    request is movable) below min + lowmem_reserve[the request's highest zone], in kB."""
    inv = rep["invoked"] or {"flags": ""}
    movable = "MOVABLE" in inv["flags"]
    highest = 3 if movable else 2   # gfp_zone: ZONE_MOVABLE, else ZONE_NORMAL (DMA, DMA32, ..)
    out = []
    for z, res in zip(rep["zones"], rep["reserve"]):
        free = z["free"] - (0 if movable else z["free_cma"])
        reserve_kb = res[min(highest, len(res) - 1)] * 4
        if free < z["min"] + reserve_kb:
            out.append(z["name"])
    return out


def structure_problems(side):
    """What is missing or wrong in the OOM report and the result block of @side."""
    probs = []
    rep, oom = side.report, side.oom
    if oom["exit"] != "137":
        probs.append(f"hog_exit_status is {oom['exit']}, not 137 (killed by SIGKILL)")
    if not rep["present"]:
        return probs + ["no 'invoked oom-killer' line in post_oom.dmesg"]
    want = [n for n, _ in PARTS if n != "call trace"]
    got = [n for n in rep["order"] if n != "call trace"]
    if got != want:
        probs.append(f"report parts {got} differ from the kernel's order {want}")
    k, s = rep["killed"], rep["summary"]
    if not k or not s:
        return probs + ["no summary or Killed process line"]
    if k["comm"] != "hog" or s["task"] != "hog" or k["pid"] != s["pid"]:
        probs.append(f"victim {k} / summary {s} is not the hog")
    if s["constraint"] != "CONSTRAINT_NONE":
        probs.append(f"constraint {s['constraint']}")
    if not any(t["pid"] == k["pid"] and t["name"] == "hog" for t in rep["tasks"]):
        probs.append("the victim is not in the tasks table")
    if not watermark_failures(rep):
        probs.append("no zone line shows free below min (+ lowmem_reserve): "
                     f"{rep['zones']}")
    if oom["delta"].get("oom_kill") != 1:
        probs.append(f"oom_kill delta {oom['delta'].get('oom_kill')}, not 1")
    return probs


def magnitude_problems(ref, other, names):
    """Counters whose sign differs or whose size differs by more than a factor of 10."""
    probs = []
    for n in names:
        a, b = ref.get(n, 0), other.get(n, 0)
        if a == 0 and b == 0:
            continue
        if (a > 0) != (b > 0) or (a < 0) != (b < 0):
            probs.append(f"{n}: {a} vs {b} (direction)")
        elif a and b and abs(math.log10(abs(a)) - math.log10(abs(b))) > 1:
            probs.append(f"{n}: {a} vs {b} (order of magnitude)")
    return probs


def check(ref, other, kind):
    probs = structure_problems(other)
    if kind == "plain":
        tol = max(16.0, 0.02 * ref.memtotal_mb)
        d = other.beyond_mb - ref.beyond_mb
        if abs(d) > tol:
            probs.append(f"MiB touched beyond MemAvailable {other.beyond_mb:.1f} vs "
                         f"{ref.beyond_mb:.1f}: off by {d:.1f} > {tol:.1f}")
        if other.allocstall() != ref.allocstall():
            probs.append(f"allocstall {other.allocstall()} vs {ref.allocstall()}")
    else:
        names = ["allocstall_normal", "allocstall_movable", "pswpout", "pswpin",
                 "pgsteal_anon", "pgsteal_file", "pgscan_anon", "pgscan_file", "oom_kill"]
        probs += magnitude_problems(ref.oom["delta"], other.oom["delta"], names)
        if ref.read and other.read:
            probs += [f"read.result {p}" for p in magnitude_problems(
                ref.read["delta"], other.read["delta"], ["pgpgin", "nr_file_pages"])]
    return probs


def side_by_side(ref, other):
    out = [f"| | {ref.name} | {other.name} |", "|---|---:|---:|"]
    rows = [("MemTotal kB", ref.meminfo.get("MemTotal"), other.meminfo.get("MemTotal")),
            ("MemAvailable kB (before)", ref.meminfo.get("MemAvailable"),
             other.meminfo.get("MemAvailable")),
            ("hog_mb_touched", ref.oom["mb_touched"], other.oom["mb_touched"]),
            ("MiB beyond MemAvailable", f"{ref.beyond_mb:.1f}", f"{other.beyond_mb:.1f}"),
            ("hog_exit_status", ref.oom["exit"], other.oom["exit"])]
    for r in (ref, other):
        k = r.report["killed"] or {}
        r.killed_anon = k.get("anon_kb")
    rows.append(("Killed: anon-rss kB", ref.killed_anon, other.killed_anon))
    rows.append(("invoked: gfp", (ref.report["invoked"] or {}).get("flags"),
                 (other.report["invoked"] or {}).get("flags")))
    for name in SIDE_COUNTERS:
        a, b = ref.oom["delta"].get(name), other.oom["delta"].get(name)
        if a is not None or b is not None:
            rows.append((f"vmstat {name}", a or 0, b or 0))
    if ref.read or other.read:
        for name in ("pgpgin", "pgmajfault", "nr_file_pages", "nr_inactive_file"):
            a = (ref.read or {"delta": {}})["delta"].get(name, 0)
            b = (other.read or {"delta": {}})["delta"].get(name, 0)
            rows.append((f"read.result {name}", a, b))
    for label, a, b in rows:
        out.append(f"| {label} | {a} | {b} |")
    return "\n".join(out)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("reference")
    ap.add_argument("other")
    ap.add_argument("--check", choices=["plain", "zram", "filecache"], default="plain")
    ap.add_argument("--side-by-side", action="store_true")
    args = ap.parse_args(argv)
    try:
        ref, other = read_side(args.reference), read_side(args.other)
    except OSError as e:
        print(f"reclaim_compare: {e}", file=sys.stderr)
        return 2
    if args.side_by_side:
        print(side_by_side(ref, other))
        return 0
    probs = check(ref, other, args.check)
    for p in probs:
        print(f"DIFF {p}")
    print(f"{len(probs)} problem(s); beyond MemAvailable {other.beyond_mb:.1f} MiB "
          f"(reference {ref.beyond_mb:.1f}), allocstall {other.allocstall()} "
          f"(reference {ref.allocstall()})")
    return 1 if probs else 0


if __name__ == "__main__":
    sys.exit(main())
