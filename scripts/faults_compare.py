#!/usr/bin/python3
"""Compare two runs of the faults workload: a real kernel's faults.result.txt and kmmsim's
output of examples/scenarios/faults-oracle.kmm, or two captures with each other.

Both sides are read the same way (kmmsim's output is cut at its "@@@BEGIN faults.result@@@"
and "@@@END faults.result@@@" lines; a capture is the text between them already). Each
side becomes a flat table of facts, one per number or line the workload printed:

    EXP | step LABEL[#n] | rusage        | minflt        -> the minflt delta of that step
    EXP | step LABEL[#n] | vmstat        | pgfault       -> a vmstat delta (absent = 0)
    EXP | step LABEL[#n] | status        | VmRSS         -> an absolute status value (kB)
    EXP | step LABEL[#n] | status_delta  | VmRSS         -> a status delta (absent = 0)
    EXP | step LABEL[#n] | rollup(_delta)| Rss           -> the same for smaps_rollup
    EXP | maps TAG[#n]   | line          | i             -> line i of a maps excerpt
    EXP | smaps TAG[#n]  | vma / FIELD   |               -> an smaps block: header, fields
    EXP | info LINE[#n]  | key           |               -> key=value of a free text line
    EXP | file PATH      | ...           |               -> the lines of a dumped file

Three kinds of difference are told apart:
  * run-to-run variation of the real kernel: the facts that differ between two captures of
    the same configuration (--repeat). A vmstat counter that varies anywhere is noisy
    everywhere, within the largest difference seen between the captures for it; any other
    fact that varies is exempt where it varied. Nothing here is written by hand.
  * the model's known differences: ALLOWED below, each with its reason (docs/fidelity.md
    "User address spaces and faults" repeats them);
  * everything else: a failure.

Usage:
    scripts/faults_compare.py REFERENCE OTHER [--repeat REPEAT] [--no-allow] [--verbose]
    scripts/faults_compare.py REFERENCE OTHER --side-by-side     (the fidelity table)
Exit status 0 when every difference is explained, 1 otherwise, 2 on unreadable input.
Python 3 standard library only.
"""
import argparse
import re
import sys

BEGIN = "@@@BEGIN faults.result@@@"
END = "@@@END faults.result@@@"

# The model's known differences: (regular expression over a fact key, reason). A key is
# "EXP|part|section|name" as above. Keep the reasons in step with docs/fidelity.md.
ALLOWED = [
    # -- THP (huge_memory.c): faults, counters and smaps match; the per-CPU list does not
    (r"^3_thp_write_8M\|step 3_thp_write_8M\.write_touch_unaligned\|vmstat\|nr_free_pages$",
     "the guest's per-CPU list of movable 2 MiB pages already holds THPs when experiment 3 "
     "starts (its first three THPs move no free page count); the model's list is empty until "
     "that fault refills it from the buddy lists, two blocks at a time (4 blocks: -2048)"),
    # -- the program image: exec lays out the captured /bin/faults (text, RELRO r--p, data,
    #    bss) and faults its pages in as the program's start does (every text window: 528 kB
    #    where the guest's program left its 16 kB tail, 512 kB); the C library's own bss,
    #    heap and stack pages are the scenario's, and the model's [vdso] has no page
    (r"\|step [^|]*\|(status|rollup)\|",
     "absolute status and smaps_rollup values include the program image's resident pages: "
     "the model's exec faults in all 528 kB of text (the guest's program 512 kB), the C "
     "library's bss/heap/stack pages are the scenario's, the [vdso] page (RssFile, "
     "Shared_Clean) is not modelled, and status lags by the rss cache; the deltas are "
     "compared"),
    (r"^10_final_self\|file /proc/self/(maps|smaps)\|line\|[0-9]+$",
     "the binary's inode: /bin/faults is the guest rootfs's 7th inode; the model's root "
     "tmpfs (00:02 as the guest's) numbers its inodes from 1 in creation order"),
    (r"^10_final_self\|file /proc/self/smaps\|(00400000-00484000|0049c000-004a0000|"
     r"004a0000-004a3000|fffff7fff000-fffff8000000)\|(Rss|Pss|Pss_Dirty|Shared_Clean|"
     r"Private_Dirty|Referenced|Anonymous)$",
     "the image's resident pages (text 528 vs 512 kB, the [vdso] page): see the absolute "
     "values"),
    (r"^10_final_self\|file /proc/self/(numa_maps\|(line\|[0-2]|bytes)|smaps\|bytes)$",
     "the image's resident pages (text, RELRO, data): see the absolute values"),
    (r"^10_final_self\|file /proc/self/status\|(VmHWM|VmRSS|RssAnon|RssFile|RssShmem)$",
     "the final status counts the image's resident pages (see the absolute values)"),
    (r"^4_fork_cow_4M_nohuge\|step 4_fork_cow_4M_nohuge\.child\.child_read_check\|"
     r"(rusage\|minflt|vmstat\|pgfault|rollup_delta\|(Rss|Shared_Dirty))$",
     "the child refaults the program's text (fork copies no file PTEs; 2 faults, 16 pages by "
     "fault-around): the model's child runs no code, only the scenario's data accesses"),
    (r"^4_fork_cow_4M_nohuge\|step 4_fork_cow_4M_nohuge\.child\.child_write\|"
     r"status_delta\|(VmRSS|RssShmem)$",
     "the child's RssShmem grows by the text pages its warm-up refaults: the model's child "
     "runs no code"),
    (r"^4_fork_cow_4M_nohuge\|step 4_fork_cow_4M_nohuge\.child_check_and_exit\|"
     r"(vmstat\|(nr_zone_active_anon|pgactivate|nr_zone_inactive_anon|nr_anon_pages|"
     r"nr_page_table_pages|pgalloc_dma|pgfree)|rollup_delta\|(Shared_Dirty|Private_Dirty))$",
     "the child's exit frees its copies of the image's pages and activates the text pages "
     "it mapped young; the model's child mapped no text (it runs no code)"),
    (r"^4_fork_cow_4M_nohuge\|(text#3\||step 4_fork_cow_4M_nohuge\.parent_retouch_rw_pages\|"
     r"(rusage\|minflt|vmstat\|(pgfault|pgreuse)$))",
     "the parent's retouch after fork walks the image's rw-p pages too: the guest's data "
     "segment and the C library's heap/bss pages it left write-protected by fork (4 reuse "
     "faults of 118 resident pages); the model's (its data pages, the scenario's "
     "pre-touched bss and heap) leaves 14 write-protected"),
    (r"^4_fork_cow_4M_nohuge\|info child exit\|minflt$",
     "the child's whole-life faults include its text refaults and its warm-up over the "
     "image's pages"),
    (r"^1_anon_read_then_write_4M_nohuge\|step 1_anon_read_then_write_4M_nohuge\.read_touch\|"
     r"(vmstat\|(nr_page_table_pages|pgalloc_dma)|status_delta\|VmPTE)$",
     "the first 4 MiB region's top PMD range is shared with [vvar]/[vdso], whose page keeps "
     "a PTE table in the guest; the model's [vdso] has no page, so its table comes with the "
     "region (3 tables, not 2)"),
    (r"^9_file_tmpfs_private_shared_1M\|step 9_file_tmpfs_private_shared_1M\."
     r"read_touch_(private|shared)\|(rusage\|minflt|vmstat\|pgfault)$",
     "fault-around: the guest maps up to 16 pages of the tmpfs file per read fault "
     "(filemap_map_pages over fault_around_bytes = 64 KiB: 3 + 15 x 16 + 13 pages in 17 "
     "faults); the model's tmpfs read faults map one page each (no map_pages for shmem yet)"),
    (r"^9_file_tmpfs_private_shared_1M\|smaps (private|shared)\|line\|0$",
     "the device of the file's filesystem: the guest mounted a fresh tmpfs on /mnt/faults "
     "(00:17, its 23rd anonymous device); the model's mounts are fixed at boot, so the file "
     "is on the root tmpfs (00:02)"),
    # -- SPLIT_RSS_COUNTING: when the task's rss cache is folded in
    (r"\|step [^|]*\|status_delta\|(VmRSS|RssAnon|RssFile|RssShmem)$",
     "status lags smaps_rollup by the task's unsynced rss cache: where it is folded in "
     "depends on the fault history before the baseline (the image's faults) and on the zap "
     "path's add_mm_rss_vec() sync, which the model lacks (docs/fidelity.md)"),
    # -- the kernel's own allocations around the measurement
    (r"^0_baseline\|step 0_baseline\.null1\|vmstat\|",
     "the guest's first measurement allocates and frees kernel memory (seq_file buffers, "
     "the stdout flush to the console); the model's views allocate nothing"),
    (r"\|step [^|]*\.(munmap(_unaligned|_aligned|_both)?|sbrk_shrink_1M)\|vmstat\|"
     r"(pgalloc_dma|pgfree)$",
     "munmap's mmu_gather allocates batch pages (510 entries each, GFP_NOWAIT) and frees "
     "page tables through an RCU table batch in the guest; the model's gather allocates none"),
    (r"\|step [^|]*\|vmstat\|nr_zone_(in)?active_anon$",
     "LRU additions go through per-CPU batches of 15: how full the batch is depends on the "
     "pages the program touched before (its image), so the zone's LRU counts lag differently"),
    (r"^4_fork_cow_4M_nohuge\|step 4_fork_cow_4M_nohuge\.child\.child_write\|vmstat\|"
     r"(nr_free_pages|nr_anon_pages|nr_zone_inactive_anon)$",
     "the child's first allocations refill the CPU's page list from the buddy allocator "
     "(nr_free_pages) after fork's own allocations, which include the image's page tables; "
     "and the child copies one more page of the image's data while it writes (1025 pages)"),
    (r"^1_anon_read_then_write_4M_nohuge\|step 1_anon_read_then_write_4M_nohuge\."
     r"write_touch\|vmstat\|nr_free_pages$",
     "the guest's CPU page list holds 4084 pages when the program starts (boot's frees); the "
     "model boots with it empty, so the first 4 MiB refills it from the buddy lists once"),
    # -- what only the guest program or its boot knows
    (r"^0_baseline\|info personality\|main$", "the address of the program's main()"),
    (r"^0_baseline\|info /(proc/sys/kernel/randomize_va_space|proc/sys/vm/stat_interval|"
     r"sys/kernel/mm/transparent_hugepage/.*|sys/kernel/debug/fault_around_bytes)\|$",
     "a view the model does not serve yet (the value it models: randomize_va_space 0 under "
     "norandmaps, THP enabled=always, fault_around_bytes 65536)"),
    (r"^8_brk_and_stack\|info stack_touch\(512K\)\|lowest$",
     "alloca's block starts inside a page below the program's frame; the model touches "
     "whole pages"),
    (r"^9_file_tmpfs_private_shared_1M\|file /proc/mounts\|",
     "/proc/mounts lists the guest's filesystems (rootfs size from its RAM, debugfs, "
     "devtmpfs); the model has one in-memory filesystem"),
    (r"\|info fork returned\|pid$", "the child's pid counts every process the guest's "
     "boot and /init started before it; the model's task table starts empty"),
    (r"^10_final_self\|file /proc/self/status\|(Tgid|Pid|PPid|NStgid|NSpid)$",
     "the workload's pid counts the guest's earlier processes (see the fork pid); its parent "
     "is /init (pid 1), the model's task has none"),
    (r"^10_final_self\|file /proc/self/status\|SigQ$", "SigQ's limit is RLIMIT_SIGPENDING "
     "from max_threads at fork_init(), before the guest freed its init memory and CMA "
     "areas into totalram; the model uses totalram_pages at the time of the read"),
    (r"^10_final_self\|file /proc/self/status\|(voluntary|nonvoluntary)_ctxt_switches$",
     "context switches come from the guest's scheduler and console writes"),
    (r"^10_final_self\|file /proc/self/status\|bytes$",
     "the status file's length follows the values above"),
]

# Facts that must match whatever the allow-list says: the fault counts and the exact
# (page-table walk) rss changes of the experiments the model runs, and their smaps excerpts.
MUST_MATCH = [
    r"^(1|2|4|8)_[^|]*\|step (?!4_fork_cow_4M_nohuge\.(child|parent_retouch))[^|]*\|"
    r"(rusage\|minflt|vmstat\|(pgfault|pgreuse|pgmajfault)|rollup_delta\|.*)$",
    r"^(1|2|8)_[^|]*\|step [^|]*\|vmstat\|nr_anon_pages$",
    r"^(2|4|8)_[^|]*\|step (?!4_fork_cow_4M_nohuge\.(child|parent_retouch))[^|]*\|"
    r"status_delta\|(VmSize|VmData|VmStk|VmPTE|VmLck)$",
    r"^9_[^|]*\|step [^|]*\|(rollup_delta\|.*|status_delta\|(VmSize|VmData|VmPTE))$",
    r"^9_[^|]*\|(step [^|]*msync_shared\|(rusage|vmstat)\|.*|info msync\|msync)$",
    r"^(5|6|7)_[^|]*\|step [^|]*\|(rusage\|(minflt|majflt)|vmstat\|(pgfault|pgreuse|"
    r"pgmajfault|nr_anon_pages|nr_page_table_pages|pglazyfree|nr_mlock|unevictable_pgs_\w+|"
    r"nr_zone_unevictable)|rollup_delta\|.*|status_delta\|(VmSize|VmData|VmStk|VmPTE|VmLck))$",
    r"^(5|6|7)_[^|]*\|(maps|smaps|info|text)",
    # THP: huge PMDs on fault, the huge zero page on read, its split on write
    r"^3b?_thp[^|]*\|step [^|]*\|(rusage\|minflt|vmstat\|(pgfault|thp_\w+|nr_anon_pages|"
    r"nr_anon_transparent_hugepages|nr_page_table_pages)|rollup_delta\|.*|"
    r"status_delta\|(VmSize|VmData|VmPTE))$",
    r"^3b?_thp[^|]*\|smaps ",
    # the program image's layout (exec of the captured /bin/faults): the break, the heap and
    # the final status's sizes
    r"^0_baseline\|info personality\|sbrk0$",
    r"^8_brk_and_stack\|(maps heap_[^|]*|text(#[0-9]+)?)\|",
    r"^10_final_self\|file /proc/self/status\|(VmPeak|VmSize|VmLck|VmPin|VmData|VmStk|VmExe|"
    r"VmLib|VmPTE|VmSwap)$",
    r"^9_[^|]*\|step [^|]*\.(write_private|write_shared|munmap_both|close_unlink)\|"
    r"(rusage\|minflt|vmstat\|(pgfault|nr_anon_pages|nr_mapped|nr_shmem|pgactivate))$",
    r"^9_[^|]*\|smaps (private|shared)\|(?!line)",
]


class Side:
    """One run's facts (an ordered dict: key -> value string) and its experiment names."""

    def __init__(self, text, name):
        self.name = name
        self.facts = {}
        self.experiments = []
        self.steps = []  # (exp, step key), in order
        self._parse(text)

    def _put(self, key, value):
        self.facts[key] = value

    def _parse(self, text):
        if BEGIN in text:
            text = text.split(BEGIN, 1)[1]
            text = text.split(END, 1)[0]
        exp = "-"
        seen = {}
        lines = text.splitlines()
        i = 0

        def occurrence(base):
            seen[(exp, base)] = seen.get((exp, base), 0) + 1
            n = seen[(exp, base)]
            return base if n == 1 else f"{base}#{n}"

        while i < len(lines):
            line = lines[i]
            m = re.match(r"^@@@EXP (.*)@@@$", line)
            if m:
                exp = m.group(1)
                self.experiments.append(exp)
                i += 1
                continue
            if line.startswith("--- step "):
                part = occurrence("step " + line[len("--- step "):])
                self.steps.append((exp, part))
                i = self._step(exp, part, lines, i + 1)
                continue
            m = re.match(r"^@@@FILE (\S+) \((\d+) bytes\)@@@$", line)
            if m:
                i = self._file(exp, m.group(1), m.group(2), lines, i + 1)
                continue
            m = re.match(r"^(maps|smaps) (\S+) .*:$", line)
            if m:
                part = occurrence(f"{m.group(1)} {m.group(2)}")
                i = self._excerpt(exp, part, m.group(1), lines, i + 1)
                continue
            if line == "@@@FAULTS_DONE@@@" or not line.strip():
                i += 1
                continue
            self._info(exp, line, occurrence)
            i += 1

    def _kv(self, prefix, text):
        for k, v in re.findall(r"(\w+)=(\S+)", text):
            self._put(f"{prefix}|{k}", v)

    def _step(self, exp, part, lines, i):
        tags = ("rusage", "vmstat", "status", "status_delta", "rollup", "rollup_delta")
        while i < len(lines):
            head, _, rest = lines[i].partition(" ")
            if head not in tags:
                break
            if head == "vmstat" and rest == "(none)":
                rest = ""
            self._put(f"{exp}|{part}|{head}|", "present")
            self._kv(f"{exp}|{part}|{head}", rest)
            i += 1
        return i

    def _excerpt(self, exp, part, kind, lines, i):
        n = 0
        while i < len(lines) and lines[i].startswith("  "):
            body = lines[i][2:]
            m = re.match(r"^([A-Za-z_]+):\s+(.*)$", body)
            if kind == "smaps" and m:
                self._put(f"{exp}|{part}|{m.group(1)}", m.group(2))
            else:
                self._put(f"{exp}|{part}|line|{n}", body)
                n += 1
            i += 1
        self._put(f"{exp}|{part}|lines", str(n))
        return i

    def _file(self, exp, path, nbytes, lines, i):
        part = f"file {path}"
        self._put(f"{exp}|{part}|bytes", nbytes)
        vma = None
        n = 0
        left = int(nbytes)  # the file is printed raw: its byte count says where it ends
        while i < len(lines) and left > 0:
            line = lines[i]
            left -= len(line.encode()) + 1
            i += 1
            if path.endswith("/status"):
                name, _, value = line.partition(":")
                self._put(f"{exp}|{part}|{name}", value.strip())
                continue
            m = re.match(r"^([A-Za-z_]+):\s+(.*)$", line)
            if path.endswith("/smaps") and m and vma:
                self._put(f"{exp}|{part}|{vma}|{m.group(1)}", m.group(2))
                continue
            if path.endswith("/smaps"):
                vma = line.split(" ", 1)[0]
            self._put(f"{exp}|{part}|line|{n}", line)
            n += 1
        self._put(f"{exp}|{part}|lines", str(n))
        return i

    def _info(self, exp, line, occurrence):
        if line.startswith("/") and "=" in line:  # "/proc/sys/vm/X=value", value may have spaces
            path, _, value = line.partition("=")
            self._put(f"{exp}|info {path}|", value)
            return
        pairs = re.findall(r"(\w+)=(\S+)", line)
        if pairs and " = " not in line:
            prefix = line[:line.index(pairs[0][0] + "=")].strip() or pairs[0][0]
            part = occurrence(f"info {prefix}")
            for k, v in pairs:
                self._put(f"{exp}|{part}|{k}", v)
        else:
            part = occurrence("text")
            self._put(f"{exp}|{part}|", line)


def is_vmstat(key):
    return key.split("|")[2:3] == ["vmstat"]


def value_of(side, key):
    """A fact's value; an absent delta is 0 (the workload prints only non-zero deltas)."""
    if key in side.facts:
        return side.facts[key]
    parts = key.split("|")
    if len(parts) == 4 and parts[2] in ("vmstat", "status_delta", "rollup_delta"):
        if "|".join(parts[:3]) + "|" in side.facts:
            return "0"
    return None


def differences(a, b):
    """(key, value in a, value in b) for every fact whose values differ (None: absent)."""
    keys = list(a.facts) + [k for k in b.facts if k not in a.facts]
    out = []
    for k in keys:
        va, vb = value_of(a, k), value_of(b, k)
        if va != vb:
            out.append((k, va, vb))
    return out


class Variation:
    """What the real kernel does not repeat, computed from two captures."""

    def __init__(self, ref, repeat):
        self.keys = set()
        self.noisy = {}  # vmstat counter -> largest |difference| between the captures
        for k, va, vb in differences(ref, repeat):
            if is_vmstat(k):
                name = k.rsplit("|", 1)[1]
                d = abs(int(va or 0) - int(vb or 0))
                self.noisy[name] = max(self.noisy.get(name, 0), d)
            else:
                self.keys.add(k)

    def explains(self, key, va, vb):
        if key in self.keys:
            return "varies between the two captures"
        if is_vmstat(key):
            name = key.rsplit("|", 1)[1]
            if name in self.noisy and va is not None and vb is not None:
                if abs(int(va) - int(vb)) <= self.noisy[name]:
                    return f"{name} varies by up to {self.noisy[name]} between the captures"
        return None


def allowed_reason(key, allowed):
    for pattern, reason in allowed:
        if re.search(pattern, key):
            return pattern, reason
    return None, None


def compare(ref, other, variation=None, allowed=ALLOWED, must_match=MUST_MATCH):
    """Classifies every difference. Returns a dict of lists and the allow-list use counts."""
    res = {"varies": [], "allowed": [], "unexplained": [], "used": {}}
    for k, va, vb in differences(ref, other):
        why = variation.explains(k, va, vb) if variation else None
        if why:
            res["varies"].append((k, va, vb, why))
            continue
        pattern, reason = allowed_reason(k, allowed)
        if reason and not any(re.search(m, k) for m in must_match):
            res["allowed"].append((k, va, vb, reason))
            res["used"][pattern] = res["used"].get(pattern, 0) + 1
            continue
        res["unexplained"].append((k, va, vb))
    res["compared"] = len(set(ref.facts) | set(other.facts))
    return res


def side_by_side(ref, other, out):
    """Markdown: per step, the fault count and the Rss/status deltas of both sides."""
    cols = [("rusage", "minflt"), ("rollup_delta", "Rss"), ("rollup_delta", "Anonymous"),
            ("status_delta", "VmRSS"), ("status_delta", "VmPTE"), ("vmstat", "pgalloc_dma")]
    out.write("| step | " + " | ".join(f"{n} ({s})" for s, n in cols) + " |\n")
    out.write("|---" * (len(cols) + 1) + "|\n")
    for exp, part in ref.steps:
        cells = []
        for s, n in cols:
            key = f"{exp}|{part}|{s}|{n}"
            va, vb = value_of(ref, key), value_of(other, key)
            cells.append(f"{va}" if va == vb else f"**{va} / {vb}**")
        out.write(f"| {part[5:]} | " + " | ".join(cells) + " |\n")


def read_side(path, name):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return Side(f.read(), name)
    except OSError as e:
        print(f"faults_compare: {e}", file=sys.stderr)
        sys.exit(2)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("reference", help="a capture's faults.result.txt")
    ap.add_argument("other", help="kmmsim's output (or another capture)")
    ap.add_argument("--repeat", help="a second capture of the reference's configuration")
    ap.add_argument("--no-allow", action="store_true", help="ignore the allow-list")
    ap.add_argument("--verbose", "-v", action="store_true", help="list explained differences")
    ap.add_argument("--side-by-side", action="store_true", help="print the fidelity table")
    args = ap.parse_args(argv)

    ref = read_side(args.reference, "reference")
    other = read_side(args.other, "other")
    if not ref.steps or not other.steps:
        print("faults_compare: no '--- step' blocks in "
              f"{args.reference if not ref.steps else args.other}", file=sys.stderr)
        return 2
    if args.side_by_side:
        side_by_side(ref, other, sys.stdout)
        return 0
    variation = Variation(ref, read_side(args.repeat, "repeat")) if args.repeat else None
    res = compare(ref, other, variation, [] if args.no_allow else ALLOWED)
    if args.verbose:
        for k, va, vb, why in res["varies"] + res["allowed"]:
            print(f"explained  {k}: {va} vs {vb} ({why})")
    for k, va, vb in res["unexplained"]:
        print(f"DIFFERENT  {k}: {va} vs {vb}")
    print(f"{res['compared']} facts compared: {len(res['unexplained'])} different, "
          f"{len(res['varies'])} within the real kernel's run-to-run variation, "
          f"{len(res['allowed'])} known model differences")
    return 1 if res["unexplained"] else 0


if __name__ == "__main__":
    sys.exit(main())
