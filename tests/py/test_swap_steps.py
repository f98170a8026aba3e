"""kmmsim's swap steps (src/sim/swap_steps.c): the capture's zram set-up and the kernel's
refusals. Expected values from the capture (zram.swaps.txt, post_oom.meminfo.txt's SwapTotal)
and from 6.1's rules (docs/swap.md)."""
import pytest


def test_zram_setup_matches_the_capture(kmmsim, capture):
    """The capture's /init: disksize = MemTotal/2 KiB (1000964 / 2 = 500482 KiB), mkswap,
    swapon: /proc/swaps byte for byte, SwapTotal 500480 kB, disksize rounded up to a page."""
    meminfo = capture("zram-smp1-1G", "post_oom.meminfo.txt")
    swap_total = next(l for l in meminfo.splitlines() if l.startswith("SwapTotal:"))
    script = ("boot\nzram disksize=%d\nshow /proc/swaps /proc/meminfo "
              "/sys/block/zram0/disksize /sys/block/zram0/comp_algorithm\ncheck\n"
              % (500482 * 1024))
    out = kmmsim("-m", "1G", "-smp", "1", "run", "-", input=script).stdout
    assert capture("zram-smp1-1G", "zram.swaps.txt") in out
    assert swap_total + "\n" in out
    assert "\n512495616\n" in out
    assert "lzo [lzo-rle] lz4 lz4hc zstd \n" in out


def test_swap_priorities_and_swapoff(kmmsim):
    script = ("boot\nzram disksize=16M\nswapon /dev/vdb 16M\nswapon /dev/vdc 16M prio=7\n"
              "swapoff /dev/zram0\nshow /proc/swaps\ncheck\n")
    out = kmmsim("run", "-", input=script).stdout
    rows = [l.split() for l in out.split("== /proc/swaps\n")[1].splitlines()[1:3]]
    # by type (swap_start's order), not priority; vdb moved up from -3 when zram0 (-2) left
    assert rows == [["/dev/vdb", "partition", "16380", "0", "-2"],
                    ["/dev/vdc", "partition", "16380", "0", "7"]]


@pytest.mark.parametrize("text,message", [
    ("zram disksize=0\n", "size 0: a device needs pages (-EINVAL)"),
    ("zram\n", "zram: wrong number of arguments"),
    ("zram dev=/dev/zram1\n", "zram: disksize=SIZE is needed"),
    ("zram disksize=16M\nzram disksize=16M\n", "the device is already swap (-EBUSY)"),
    ("swapon /dev/vdb 36K\n", "mkswap refuses"),
    ("swapon /dev/vdb 16M prio=40000\n", "prio '40000' is not 0..32767"),
    ("swapoff /dev/vdb\n", "not an active swap device (-EINVAL)"),
])
def test_swap_steps_refuse_bad_input(kmmsim, text, message):
    proc = kmmsim("run", "-", input="boot\n" + text, check=False)
    assert proc.returncode == 1
    assert message in proc.stderr


def test_swappiness_tunable(kmmsim):
    """vm.swappiness: 60 at boot as every capture's boot.sys_vm.txt; 6.1 accepts 0..200
    (proc_dointvec_minmax with two_hundred as the upper bound) and refuses 201."""
    out = kmmsim("-m", "512M", "proc", "/proc/sys/vm/swappiness").stdout
    assert out.strip().splitlines()[-1] == "60"
    out = kmmsim("-m", "512M", "run", "-",
                 input="boot\nsysctl vm.swappiness 200\nshow /proc/sys/vm/swappiness\n").stdout
    assert out.strip().splitlines()[-1] == "200"
    proc = kmmsim("-m", "512M", "-sysctl", "vm.swappiness=201", "proc",
                  "/proc/sys/vm/swappiness", check=False)
    assert proc.returncode == 1 and "invalid value" in proc.stderr
