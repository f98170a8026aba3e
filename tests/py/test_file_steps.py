"""kmmsim's file steps and examples/scenarios/files.kmm. Every expected number is derived by
hand from 6.1's rules, not taken from a run:

- tmpfs pages are page cache and swap-backed: a 256 KiB pwrite adds 64 pages, 256 kB to both
  Cached and Shmem (meminfo's Cached is NR_FILE_PAGES less swap cache and buffers; Shmem is
  NR_SHMEM); Mapped (NR_FILE_MAPPED) counts pages with at least one PTE, once however many map
  them.
- do_fault_around maps the window [max(addr & ~(fault_around_bytes - 1), vm_start), +16 pages)
  clipped to the VMA and the page table, skipping PTEs already present. The shared mapping
  [0xfffff7fbd000, 0xfffff7ffd000) read page by page faults at 0xbd000 (maps 0xbd..0xcc: 16),
  0xcd000 (window 0xc0000..0xcffff: 3 new), 0xd0000, 0xe0000 (16 each) and 0xf0000 (13, to the
  VMA end): 5 faults. The private mapping starts at 0xfffff7f7d000; its first 64 KiB are one
  window: 1 fault.
- A write to a private file page mapped read-only is do_wp_page -> wp_page_copy: one fault
  and one new anonymous page per page (AnonPages +16 kB for 16 KiB); the file pages stay
  mapped by the shared mapping, so Mapped does not move.
- ftruncate to 128 KiB unmaps (truncate_pagecache) and drops pages 32..63: Cached, Shmem and
  Mapped -128 kB; a COW copy below the new end survives.
- A read at offset 128 KiB of a fresh task's shared mapping is beyond i_size: shmem_fault
  fails with VM_FAULT_SIGBUS, SIGBUS BUS_ADRERR (si_code 2) at that address. The task has no
  page table under that 2 MiB region yet, so the walk stops at level 2: ESR = EC 0x24 (data
  abort from EL0) << 26 | IL | DFSC 0b000110 (translation fault, level 2) = 0x92000006.
- unlink removes the name; the inode and its pages live until the last mapping goes.
"""
import re

from conftest import SOURCE_DIR

PAGE = 4096


def fnv1a(data, h=0xcbf29ce484222325):
    for b in data:
        h = ((h ^ b) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return f"{h:016x}"


def meminfo_blocks(out):
    blocks, cur = [], None
    for line in out.splitlines():
        if line == "== /proc/meminfo":
            cur = {}
            blocks.append(cur)
            continue
        m = re.match(r"^([A-Za-z_()]+):\s+(\d+)( kB)?$", line)
        if cur is not None and m:
            cur[m.group(1)] = int(m.group(2))
        elif cur is not None and not m:
            cur = None
    return blocks


def delta(a, b, key):
    return b[key] - a[key]


def run_files(kmmsim):
    return kmmsim("run", str(SOURCE_DIR / "examples/scenarios/files.kmm")).stdout


def test_files_scenario_page_cache_counts(kmmsim):
    out = run_files(kmmsim)
    base, written, mapped, truncated, gone = meminfo_blocks(out)
    assert delta(base, written, "Cached") == 256
    assert delta(base, written, "Shmem") == 256
    assert delta(base, written, "Mapped") == 0
    assert delta(written, mapped, "Mapped") == 256
    assert delta(written, mapped, "AnonPages") == 16
    assert delta(written, mapped, "Cached") == 0
    assert delta(mapped, truncated, "Cached") == -128
    assert delta(mapped, truncated, "Shmem") == -128
    assert delta(mapped, truncated, "Mapped") == -128
    assert delta(mapped, truncated, "AnonPages") == 0
    # unlinked, unmapped: everything of /data.bin went; task b's exec (after the base
    # block) unpacked /bin/b into the root tmpfs, which stays: 0x93000 bytes, 588 kB
    for key in ("Mapped", "AnonPages"):
        assert gone[key] == base[key], key
    for key in ("Cached", "Shmem"):
        assert gone[key] == base[key] + 588, key
    assert "check: all invariants hold" in out


def test_files_scenario_faults(kmmsim):
    out = run_files(kmmsim)
    assert "mmap a: shr = 0xfffff7fbd000-0xfffff7ffd000" in out
    assert "mmap a: prv = 0xfffff7f7d000-0xfffff7fbd000" in out
    assert "touch a 0xfffff7fbd000+0x40000 read seq: 64 accesses, 5 minor and 0 major" in out
    assert "touch a 0xfffff7f7d000+0x10000 read seq: 16 accesses, 1 minor and 0 major" in out
    assert "touch a 0xfffff7f7d000+0x4000 write seq: 4 accesses, 4 minor and 0 major" in out
    assert "touch a 0xfffff7fbd000+0x20000 read seq: 32 accesses, 0 minor and 0 major" in out


def test_files_scenario_sigbus_beyond_eof(kmmsim):
    out = run_files(kmmsim)
    assert ("touch b 0xfffff7fdd000+0x1000 read seq: 0 accesses, 0 minor and 0 major faults, "
            "SIGBUS (si_code 2) at 0xfffff7fdd000 ESR 0x92000006") in out
    assert re.search(r"task b: .* state T .* signal 7 code 2 addr 0xfffff7fdd000 esr 0x92000006",
                     out)


def test_files_scenario_bytes(kmmsim):
    out = run_files(kmmsim)
    ones = bytes([0x11]) * (256 * 1024)
    sums = dict(re.findall(r"checksum a (0x[0-9a-f]+\+0x[0-9a-f]+): ([0-9a-f]{16})", out))
    preads = re.findall(r"pread a f: (\d+) bytes at (\d+), fnv1a ([0-9a-f]{16})", out)
    assert preads == [("262144", "0", fnv1a(ones)), ("245760", "16384", fnv1a(ones[16384:]))]
    assert sums["0xfffff7fbd000+0x40000"] == fnv1a(ones)
    assert sums["0xfffff7f81000+0x3c000"] == fnv1a(ones[16384:])
    # touch op=write stores one 8-byte word at the start of each page over the file's copy
    cow = (bytes([0x22]) * 8 + bytes([0x11]) * (PAGE - 8)) * 4
    assert sums["0xfffff7f7d000+0x4000"] == fnv1a(cow)
    assert out.count(f"checksum a 0xfffff7f7d000+0x4000: {fnv1a(cow)}") == 2
    assert sums["0xfffff7fbd000+0x20000"] == fnv1a(ones[:128 * 1024])


def test_memfd_write_seal_refuses_pwrite(kmmsim):
    out = run_files(kmmsim)
    assert "seal a m: seals 0x8" in out
    assert "pwrite a m: refused:" in out and "EPERM" in out


def test_file_steps_bad_input(kmmsim):
    cases = [
        ("task a\npwrite a nofd 0 8\n", "pwrite: no descriptor named 'nofd'"),
        ("task a\nopen a f /x flags=O_BOGUS\n", "open: unknown flag 'O_BOGUS'"),
        ("task a\nopen a f /nonexistent\n", "open: "),
        ("task a\nopen a f /x flags=O_RDWR|O_CREAT\npread a f 0 0\n", "pread: bad length '0'"),
        ("task a\nmmap a r 4K fd=nofd\n", "mmap: no descriptor named 'nofd'"),
        ("task a\nunlink /nothing\n", "unlink: "),
    ]
    for text, msg in cases:
        proc = kmmsim("run", "-", input=text, check=False)
        assert proc.returncode == 1, text
        assert msg in proc.stderr, (text, proc.stderr)


def test_shared_map_of_a_hole_write_faults_and_msync(kmmsim):
    # A shared writable mapping dirtied by stores and msync'd (MS_SYNC): tmpfs has nothing to
    # write back, the data stays; pread sees the task's stores.
    text = ("append norandmaps\ntask a\nopen a f /w flags=O_RDWR|O_CREAT\n"
            "ftruncate a f 16K\nmmap a s 16K flags=MAP_SHARED fd=f\n"
            "touch a s 16K op=write pattern=0x0102030405060708\nmsync a s 16K\n"
            "pread a f 0 16K\ncheck\n")
    out = kmmsim("run", "-", input=text).stdout
    page = bytes([8, 7, 6, 5, 4, 3, 2, 1]) + bytes(PAGE - 8)
    assert f"pread a f: 16384 bytes at 0, fnv1a {fnv1a(page * 4)}" in out
    # ftruncate grows with a hole: no page until the first write fault, one fault per page
    # (the pages are not in the cache, so fault-around finds nothing to map)
    assert "write seq: 4 accesses, 4 minor and 0 major faults" in out
