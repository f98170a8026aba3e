"""kmmsim's writeback steps: generated files (bytes from SplitMix64 over the word index,
recomputed here independently), sequential reads counting pgpgin in KiB as 6.1's
/proc/vmstat does, writes written back by sync and read again with the same checksum."""
import re

MASK = (1 << 64) - 1


def splitmix_bytes(seed, size):
    out = bytearray()
    for w in range((size + 7) // 8):
        z = (seed + (w + 1) * 0x9E3779B97F4A7C15) & MASK
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        out += (z ^ (z >> 31)).to_bytes(8, "little")
    return bytes(out[:size])


def fnv1a(data):
    h = 0xCBF29CE484222325
    for b in data:
        h = ((h ^ b) * 0x100000001B3) & MASK
    return h


def run(kmmsim, text):
    return kmmsim("-m", "256M", "-smp", "1", "run", "-", input=text).stdout


def vmstat(out, name):
    return [int(v) for v in re.findall(rf"^{name} (\d+)$", out, re.M)]


def test_generated_file_reads_as_the_generator(kmmsim):
    out = run(kmmsim, "task cat\nfile-generated /mnt/disk/g 100000 seed=9\n"
              "file-read cat /mnt/disk/g chunk=4096\ncheck\n")
    want = fnv1a(splitmix_bytes(9, 100000))
    assert f"file-read /mnt/disk/g: 100000 bytes, fnv1a 0x{want:016x}" in out
    assert "check: all invariants hold" in out


def test_sequential_read_counts_pgpgin_in_kib(kmmsim):
    # 64 MiB read through read-ahead: every page once from the disk, 65536 KiB
    out = run(kmmsim, "task cat\nfile-generated /mnt/disk/data.bin 64M seed=1\n"
              "show /proc/vmstat\nfile-read cat /mnt/disk/data.bin\nshow /proc/vmstat\n"
              "check\n")
    before, after = vmstat(out, "pgpgin")
    assert after - before == 65536
    files = vmstat(out, "nr_file_pages")
    assert files[1] - files[0] == 16384


def test_write_sync_drop_reread_keeps_the_bytes(kmmsim):
    out = run(kmmsim, "task w\nfile-write w /mnt/disk/f 1M seed=5\nshow /proc/vmstat\n"
              "sync\nshow /proc/vmstat\nfile-read w /mnt/disk/f\ncheck\n")
    want = fnv1a(splitmix_bytes(5, 1 << 20))
    assert f"file-write /mnt/disk/f: 1048576 bytes, fnv1a 0x{want:016x}" in out
    assert f"file-read /mnt/disk/f: 1048576 bytes, fnv1a 0x{want:016x}" in out
    dirty = vmstat(out, "nr_dirty")
    assert dirty == [256, 0]
    out_kb = vmstat(out, "pgpgout")
    assert out_kb[1] - out_kb[0] == 1024


def test_generated_file_is_read_only(kmmsim):
    proc = kmmsim("-m", "256M", "run", "-", check=False,
                  input="task w\nfile-generated /mnt/disk/g 4096\nfile-write w /mnt/disk/g 4096\n")
    assert proc.returncode != 0
    assert "EROFS" in proc.stderr


def test_idle_lets_the_flusher_write_expired_pages(kmmsim):
    out = run(kmmsim, "task w\nfile-write w /mnt/disk/f 64K\nidle 29000000000\n"
              "show /proc/vmstat\nidle 2000000000\nshow /proc/vmstat\ncheck\n")
    assert vmstat(out, "nr_dirty") == [16, 0]
