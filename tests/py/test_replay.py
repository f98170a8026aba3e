"""kmmsim replay over the shipped traces (tests/data/traces: sort and gzip recorded under
valgrind's lackey), checked against an independent computation (replay_ref.py: its own trace
reader, a plain LRU TLB and the kernel's first-touch fault rule; nothing of libkmm), plus
kmmsim trace-convert, scripts/record-trace and bad input on the command line."""
import gzip
import json
import os
import shutil
import subprocess

import pytest

import replay_ref
from conftest import DATA_DIR, SOURCE_DIR

TRACES = ["sort", "gzip"]


def trace_path(name):
    path = DATA_DIR / "traces" / f"{name}.kmmtrace.gz"
    if not path.is_file():
        pytest.fail(f"test data {path} cannot be read (tests/data/README.md)")
    return path


@pytest.fixture(scope="module")
def ref_pages():
    cache = {}

    def get(name):
        if name not in cache:
            cache[name] = replay_ref.pages(trace_path(name))
        return cache[name]
    return get


def replay_json(kmmsim, *args):
    return json.loads(kmmsim("replay", "--json", "--quiet", *args).stdout)


# Default geometry for sort; a small one for gzip (48/32 -> 16/8 L1, 16 sets x 2 ways L2) so
# that L2 evicts too.
GEOMETRY = {
    "sort": {},
    "gzip": {"l1i": 16, "l1d": 8, "l2_sets": 16, "l2_ways": 2},
}


@pytest.mark.parametrize("name", TRACES)
def test_warm_tlb_matches_independent_lru(kmmsim, ref_pages, name):
    geo = GEOMETRY[name]
    spec = ",".join(["policy=lru"] + [f"{k}={v}" for k, v in geo.items()])
    # the reference models 4 KiB pages: no THP (on by default on a 1 GiB machine)
    res = replay_json(kmmsim, "--warm", "--madvise", "nohugepage", "--tlb", spec,
                      str(trace_path(name)))["result"]
    want = replay_ref.tlb_counts(ref_pages(name), **geo)
    for level in ("l1i", "l1d", "l2"):
        got = (res[level]["hits"], res[level]["misses"])
        assert got == want[level], f"{name} {level}: kmmsim {got}, reference {want[level]}"
    assert res["walks"] == want["walks"]
    assert res["minor_faults"] == 0 and res["major_faults"] == 0


@pytest.mark.parametrize("name", TRACES)
def test_cold_faults_and_rss_match_first_touch_rule(kmmsim, ref_pages, name):
    out = replay_json(kmmsim, "--madvise", "nohugepage", str(trace_path(name)))  # 4 KiB pages
    res = out["result"]
    faults, rss_pages = replay_ref.fault_counts(ref_pages(name))
    assert res["minor_faults"] == faults
    assert res["major_faults"] == 0
    assert res["rss_kb"] == rss_pages * 4
    n = replay_ref.count_ops(trace_path(name))
    assert (res["loads"], res["stores"], res["modifies"], res["ifetches"]) == tuple(n[:4])
    assert res["accesses"] == sum(n[:4])
    assert 2_000_000 <= res["accesses"] <= 10_000_000  # "a few million accesses"
    assert out["inputs"]["map_chunk"] == 2 << 20


def test_samples_show_rss_growing(kmmsim):
    out = replay_json(kmmsim, "--sample", "500000", str(trace_path("sort")))
    samples = out["samples"]
    assert [s["accesses"] for s in samples] == [500000 * (i + 1) for i in range(len(samples))]
    assert len(samples) == out["result"]["accesses"] // 500000
    rss = [s["rss_kb"] for s in samples]
    assert rss == sorted(rss) and rss[-1] <= out["result"]["peak_rss_kb"]


def test_convert_round_trip_through_lackey(kmmsim, tmp_path):
    src = trace_path("gzip")
    text = tmp_path / "gzip.lackey.gz"
    back = tmp_path / "gzip.kmmtrace"
    kmmsim("trace-convert", "--to", "lackey", str(src), str(text))
    kmmsim("trace-convert", "--to", "binary", str(text), str(back))
    with gzip.open(src, "rb") as f:
        assert back.read_bytes() == f.read()
    with gzip.open(text, "rt") as f:
        first = f.readline()
    assert first[:3] in ("I  ", " L ", " S ", " M ")
    a = replay_json(kmmsim, str(src))["result"]
    b = replay_json(kmmsim, str(text))["result"]
    for k in ("accesses", "minor_faults", "walks", "rss_kb"):
        assert a[k] == b[k]


BAD = [
    ("truncated.lackey", b" L 1000,8\n L 2000", "line 2: truncated line"),
    ("high.lackey", b" L 1000,8\nI  2000,4\n S 1000000000000,8\n", "line 3: address outside"),
    ("zero.lackey", b" S 1000,0\n", "line 1: size 0"),
    ("big.lackey", b" L 1000,8\n S 1000,5000\n", "line 2: size above 4096"),
    ("garbage.lackey", b" L 1000,8\n\x7fELF\x02\x01\x01\x00\x00\n", "line 2: binary garbage"),
    ("garbage.kmmtrace", b"KMMTRACE\x01" + bytes(7) + b"\x0c\x80\x40\xff\xff",
     "offset 19: binary garbage"),
    ("short.kmmtrace", b"KMMTRACE\x01" + bytes(7) + b"\x0c\x80", "offset 16: truncated record"),
]


@pytest.mark.parametrize("fname,data,msg", BAD, ids=[b[0] for b in BAD])
def test_bad_traces_name_line_or_offset(kmmsim, tmp_path, fname, data, msg):
    path = tmp_path / fname
    path.write_bytes(data)
    proc = kmmsim("replay", "--quiet", str(path), check=False)
    assert proc.returncode == 2
    assert msg in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr and "Segmentation" not in proc.stderr
    proc = kmmsim("trace-convert", str(path), str(tmp_path / "out.kmmtrace"), check=False)
    assert proc.returncode == 2 and msg in proc.stderr


def test_random_bytes_never_crash(kmmsim, tmp_path):
    import random
    rng = random.Random(5)
    for i in range(20):
        blob = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 400)))
        if i % 2:
            blob = b"KMMTRACE\x01" + bytes(7) + blob
        path = tmp_path / f"r{i}"
        path.write_bytes(blob)
        proc = kmmsim("replay", "--quiet", str(path), check=False)
        assert proc.returncode in (0, 1, 2), proc.returncode  # never a signal
        if proc.returncode:
            assert "line " in proc.stderr or "offset " in proc.stderr or "record " in \
                proc.stderr, proc.stderr


def test_bad_options(kmmsim):
    for args, msg in ((["--chunk", "3K"], "map_chunk"), (["--tlb", "l1d=0"], "l1d"),
                      (["--tlb", "bogus=1"], "unknown key 'bogus'"),
                      (["--madvise", "huge"], "'huge'"), (["--frobnicate"], "unknown option")):
        proc = kmmsim("replay", *args, str(trace_path("sort")), check=False)
        assert proc.returncode == 2, args
        assert msg in proc.stderr, (args, proc.stderr)
    proc = kmmsim("replay", check=False)
    assert proc.returncode == 2 and "needs a TRACE" in proc.stderr


@pytest.mark.skipif(shutil.which("valgrind") is None, reason="valgrind is not installed")
def test_record_trace_of_a_host_program(kmmsim, tmp_path):
    out = tmp_path / "true.kmmtrace.gz"
    subprocess.run([str(SOURCE_DIR / "scripts" / "record-trace"), "--kmmsim", kmmsim.path,
                    str(out), "--", "/bin/true"], check=True, capture_output=True, timeout=300)
    res = replay_json(kmmsim, str(out))["result"]
    assert res["accesses"] > 10000 and res["ifetches"] > 0 and res["stores"] > 0
    assert res["minor_faults"] > 0
    assert os.path.getsize(out) > 1000


class SizedPage(int):
    """A TLB entry's page number (va >> shift, what indexes the L2 set) with its size."""
    def __new__(cls, number, shift):
        obj = int.__new__(cls, number)
        obj.shift = shift
        return obj

    def __eq__(self, other):
        return (isinstance(other, SizedPage) and int(self) == int(other)
                and self.shift == other.shift)

    def __hash__(self):
        return hash((int(self), self.shift))


MMAP_MIN_ADDR = 4096


def ref_pages_at(page_list, shift):
    """The reference page list with each 4 KiB page widened to its 1 << shift byte entry;
    pages below the first huge page boundary above vm.mmap_min_addr stay 4 KiB (the replay
    maps that chunk with base pages: no whole huge page fits there, docs/replay.md)."""
    low = ((MMAP_MIN_ADDR + (1 << shift) - 1) >> shift) << (shift - 12)
    return [(side, SizedPage(p, 12) if p < low else SizedPage(p >> (shift - 12), shift), w)
            for side, p, w in page_list]


@pytest.mark.parametrize("pages,shift", [("64k", 16), ("2m", 21)])
def test_pages_option_matches_independent_lru_at_that_size(kmmsim, ref_pages, pages, shift):
    """--pages backs every region with one page size: with all TLB entries of that size the
    warm replay's counts are the reference LRU's over page numbers va >> shift (sort: its
    text, heap and stack each lie in 2 MiB chunks the replay maps whole)."""
    res = replay_json(kmmsim, "--warm", "--pages", pages, "--tlb", "policy=lru",
                      str(trace_path("sort")))
    assert res["inputs"]["pages"] == pages
    want = replay_ref.tlb_counts(ref_pages_at(ref_pages("sort"), shift))
    got = res["result"]
    for level in ("l1i", "l1d", "l2"):
        assert (got[level]["hits"], got[level]["misses"]) == want[level], (pages, level)
    assert got["walks"] == want["walks"]


def test_pages_option_faults_by_huge_page(kmmsim, ref_pages):
    """Cold: the first-touch rule at the huge page's size (a first read maps the page
    read-only, a later write takes hugetlb_wp's fault; a first write maps it writable), and
    hugetlb pages are not rss (6.1)."""
    for pages, shift in (("64k", 16), ("2m", 21)):
        res = replay_json(kmmsim, "--pages", pages, str(trace_path("sort")))["result"]
        widened = ref_pages_at(ref_pages("sort"), shift)
        faults, _rss = replay_ref.fault_counts(widened)
        assert res["minor_faults"] == faults, pages
        # only the base pages of the low chunk count in rss
        _f, base_rss = replay_ref.fault_counts([e for e in widened if e[1].shift == 12])
        assert res["rss_kb"] == base_rss * 4, pages


def test_pages_option_refuses_unknown_and_madvise_together(kmmsim):
    proc = kmmsim("replay", "--pages", "16k", str(trace_path("sort")), check=False)
    assert proc.returncode == 2 and "--pages" in proc.stderr
    proc = kmmsim("replay", "--pages", "2m", "--madvise", "hugepage", str(trace_path("sort")),
                  check=False)
    assert proc.returncode == 2


def test_pages_thp_walks_fewer_than_4k(kmmsim):
    """THP: the written 2 MiB chunks are THPs (PMD blocks), those first read then written fall
    back to 4 KiB (6.1's huge zero page COW), so the walks lie between the 2 MiB and the 4 KiB
    replays'."""
    walks = {p: replay_json(kmmsim, "--warm", "--pages", p, "--tlb", "policy=lru",
                            str(trace_path("sort")))["result"]["walks"]
             for p in ("4k", "thp", "2m")}
    assert walks["2m"] <= walks["thp"] <= walks["4k"]
