"""kmmsim's progress line: shown on a terminal for a scenario running over a second (host
time), never with --quiet."""
import os
import pty
import subprocess
import time

SCENARIO = """machine -m 1G
boot
task t
mmap t r 512M
advise t r 512M MADV_NOHUGEPAGE
touch t r 512M op=write
touch t r 512M op=read stride=64
check
"""


def run_on_tty(cmd):
    master, slave = pty.openpty()
    t0 = time.monotonic()
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=slave, text=True)
    elapsed = time.monotonic() - t0
    os.close(slave)
    err = b""
    os.set_blocking(master, False)
    try:
        while True:
            chunk = os.read(master, 65536)
            if not chunk:
                break
            err += chunk
    except (BlockingIOError, OSError):
        pass
    os.close(master)
    return proc, err.decode(errors="replace"), elapsed


def test_scenario_progress_on_a_tty_only(kmmsim_path, tmp_path):
    scen = tmp_path / "long.kmm"
    scen.write_text(SCENARIO)
    proc, err, elapsed = run_on_tty([kmmsim_path, "run", str(scen)])
    assert proc.returncode == 0 and "check: all invariants hold" in proc.stdout
    assert "kmmsim:" not in proc.stdout
    if elapsed > 1.5:  # host time: the line appears after the first second
        assert "kmmsim: scenario" in err and "%" in err
        assert err.endswith("\r\033[K")  # erased at the end
    proc, err, _ = run_on_tty([kmmsim_path, "--quiet", "run", str(scen)])
    assert proc.returncode == 0 and "kmmsim:" not in err
