"""The filemap trace events (include/trace/events/filemap.h in 6.1) for a scripted sequence.

6.1 emits mm_filemap_add_to_page_cache from __filemap_add_folio (the page cache of ordinary
filesystems: here kmmfs under /mnt/disk) and mm_filemap_delete_from_page_cache from
__filemap_remove_folio and delete_from_page_cache_batch (truncation, reclaim, invalidation),
whatever the filesystem. shmem inserts with its own shmem_add_to_page_cache, which emits
nothing, but its truncation goes through truncate_inode_folio -> filemap_remove_folio and is
traced. The format is the event class mm_filemap_op_page_cache's:
"dev %d:%d ino %lx pfn=0x%lx ofs=%lu order=%u", ofs = index << PAGE_SHIFT in bytes.

The sequence and the lines it must give, in order:
  pwrite 12 KiB to a new /mnt/disk file   add ofs=0, 4096, 8192      (3 new page-cache pages)
  ftruncate it to 4 KiB                   delete ofs=4096, 8192      (ascending index)
  pwrite 8 KiB to a new tmpfs file         nothing (shmem's own insertion)
  ftruncate the tmpfs file to 0           delete ofs=0, 4096
  map the disk file, close, unlink it     nothing (the mapping keeps the inode)
  munmap it                               delete ofs=0               (the inode is evicted)
"""
import re

LINE = re.compile(r"^\s*kmmsim-1\s+\[000\] \.{5}\s+\d+\.\d{6}: (mm_filemap_\w+): "
                  r"dev (\d+):(\d+) ino ([0-9a-f]+) pfn=0x([0-9a-f]+) ofs=(\d+) order=(\d+)$")

SCRIPT = """append norandmaps
task a
trace filemap on
show /sys/kernel/debug/tracing/events/filemap/enable
open a f /mnt/disk/t flags=O_RDWR|O_CREAT
pwrite a f 0 12K
ftruncate a f 4K
open a s /s flags=O_RDWR|O_CREAT
pwrite a s 0 8K
ftruncate a s 0
mmap a m 4K flags=MAP_SHARED fd=f
task-show a maps
close a f
unlink /mnt/disk/t
munmap a m 4K
trace filemap off
show /sys/kernel/debug/tracing/trace
check
"""


def test_filemap_events_for_a_scripted_sequence(kmmsim):
    out = kmmsim("run", "-", input=SCRIPT).stdout
    assert "== /sys/kernel/debug/tracing/events/filemap/enable\n1\n" in out
    maps = re.search(r"^fffff7ffc000-fffff7ffd000 rw-s 00000000 ([0-9a-f]+):([0-9a-f]+) (\d+)\s+"
                     r"/mnt/disk/t$", out, re.M)
    assert maps, out
    disk_dev = (int(maps.group(1), 16), int(maps.group(2), 16))
    disk_ino = int(maps.group(3))
    events = [LINE.match(l) for l in out.splitlines() if "mm_filemap_" in l]
    assert all(events), [l for l in out.splitlines() if "mm_filemap_" in l]
    got = [(m.group(1)[len("mm_filemap_"):], int(m.group(4), 16), int(m.group(6)),
            int(m.group(7))) for m in events]
    tmpfs_ino = got[5][1]
    assert tmpfs_ino != disk_ino
    assert got == [
        ("add_to_page_cache", disk_ino, 0, 0),
        ("add_to_page_cache", disk_ino, 4096, 0),
        ("add_to_page_cache", disk_ino, 8192, 0),
        ("delete_from_page_cache", disk_ino, 4096, 0),
        ("delete_from_page_cache", disk_ino, 8192, 0),
        ("delete_from_page_cache", tmpfs_ino, 0, 0),
        ("delete_from_page_cache", tmpfs_ino, 4096, 0),
        ("delete_from_page_cache", disk_ino, 0, 0),
    ]
    for m in events:
        if int(m.group(4), 16) == disk_ino:
            assert (int(m.group(2)), int(m.group(3))) == disk_dev
    pfn = {}
    for m in events:  # a page leaves the cache with the pfn it came in with
        key = (int(m.group(4), 16), int(m.group(6)))
        if m.group(1) == "mm_filemap_add_to_page_cache":
            pfn[key] = m.group(5)
        elif key in pfn:
            assert pfn.pop(key) == m.group(5)
    assert not pfn
    assert "check: all invariants hold" in out


def test_filemap_events_off_by_default(kmmsim):
    out = kmmsim("run", "-", input=SCRIPT.replace("trace filemap on\n", "")).stdout
    assert "mm_filemap_" not in out.split("== /sys/kernel/debug/tracing/trace")[1]
    assert "== /sys/kernel/debug/tracing/events/filemap/enable\n0\n" in out
