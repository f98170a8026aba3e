"""Errors in the right place (issue 13): command-line errors are the command line's, a
scenario is checked whole before its first line runs, and kernel parameters the model does
not know are reported as Linux 6.1 reports them (or refused when the kernel would act on
them and the model cannot yet)."""
import pytest


@pytest.mark.parametrize("args,message", [
    (["-numa", "node,nodeid=0,mem=1G", "-numa", "node,nodeid=1,mem=1G", "-m", "4G"],
     "command line: total memory for NUMA nodes"),
    (["-sysctl", "vm.no_such_knob=1"], "command line: -sysctl vm.no_such_knob: no such tunable"),
    (["-append", "mem=12Q"], "command line: kernel command line: mem=12Q"),
])
def test_bad_command_line_is_the_command_lines(kmmsim, args, message):
    for command in (["run"], ["run", "-"]):
        proc = kmmsim(*args, *command, input="boot\ncheck\n", check=False)
        assert proc.returncode != 0
        assert message in proc.stderr
        assert "default.kmm" not in proc.stderr and "-:" not in proc.stderr
        assert proc.stdout == ""


def test_scenario_settings_can_fix_the_command_line(kmmsim):
    # A -numa layout for 2G is right once the scenario's machine line makes the RAM 2G.
    proc = kmmsim("-numa", "node,nodeid=0,mem=1G", "-numa", "node,nodeid=1,mem=1G", "run", "-",
                  input="machine -m 2G\ncheck\n")
    assert "2 nodes" in proc.stdout


def test_scenario_settings_that_break_the_machine_name_their_line(kmmsim):
    proc = kmmsim("run", "-", input="echo start\nmachine -numa node,nodeid=0,mem=512M\ncheck\n",
                  check=False)
    assert proc.returncode == 1
    assert "-:2: total memory for NUMA nodes" in proc.stderr
    assert proc.stdout == ""


@pytest.mark.parametrize("text,message", [
    ("echo first\nshwo /proc/iomem\n", "-:2: unknown step 'shwo'"),
    ("echo first\ncheck now\n", "-:2: check: wrong number of arguments"),
    ("echo first\nboot\nmachine -smp 2\n", "-:3: machine: machine settings must come before"),
    ("echo first\nmachine -smp two\n", "-:2: machine: -smp: 'two' is not a number"),
    ("echo first\nappend mem=\n", "-:2: kernel command line: mem="),
    ("echo first\nalloc-pages a 4 ordr=2\n", "-:2: alloc-pages: unknown option 'ordr=2'"),
    ("echo first\nvmalloc v 4K wide\n", "-:2: vmalloc: unknown option 'wide'"),
    ("echo first\nexpect /proc/iomem maybe x\n", "-:2: expect: second word"),
    ("echo first\ncheck\ncheck\n" + "x" * 5000 + "\n", "-:4: line longer than"),
])
def test_scenario_is_checked_before_line_one_runs(kmmsim, text, message):
    proc = kmmsim("run", "-", input=text, check=False)
    assert proc.returncode == 1
    assert message in proc.stderr
    # Nothing ran: not the echo on line 1, not the boot.
    assert proc.stdout == ""


def test_unknown_kernel_parameters_are_reported_as_linux_does(kmmsim):
    out = kmmsim("-append", "foo=1 bar console=ttyAMA0 mod.param=2 foo=3 baz=4 BOOT_IMAGE=/v",
                 "run", "-", input="dmesg\n").stdout
    # init/main.c: bare words (init's arguments) first, then name=value (its environment,
    # a later value replacing an earlier one); module parameters and BOOT_IMAGE dropped.
    assert ('] Unknown kernel command line parameters "bar foo=3 baz=4", '
            'will be passed to user space.\n') in out
    lines = out.splitlines()
    at = next(i for i, l in enumerate(lines) if "] Kernel command line:" in l)
    assert "Unknown kernel command line parameters" in lines[at + 1]
    plain = kmmsim("-append", "mem=512M console=ttyAMA0", "run", "-", input="dmesg\n").stdout
    assert "Unknown kernel command line" not in plain


def test_captured_command_line_reports_what_the_capture_reports(kmmsim, capture):
    # The captured boot's command line gives the same "Unknown ..." line as its dmesg:
    # nokaslr has no __setup handler in 6.1 (arm64 reads it early, for its id-register
    # overrides), so the generic parser passes it on to user space.
    cmdline = capture("a57-smp1-1G", "boot.cmdline.txt").strip()
    want = [l.split("] ", 1)[1] for l in capture("a57-smp1-1G", "boot.dmesg.txt").splitlines()
            if "Unknown kernel command line" in l]
    assert want == ['Unknown kernel command line parameters "nokaslr", '
                    'will be passed to user space.']
    out = kmmsim("-append", cmdline, "run", "-", input="dmesg\n").stdout
    got = [l.split("] ", 1)[1] for l in out.splitlines() if "Unknown kernel command line" in l]
    assert got == want


def test_non_mm_kernel_parameters_are_taken_silently(kmmsim):
    # Each has a __setup() or early_param() handler in 6.1 (init/main.c, init/do_mounts.c,
    # kernel/watchdog.c, kernel/irq/, kernel/reboot.c, init/calibrate.c,
    # kernel/time/clocksource.c, security/security.c, kernel/audit.c), built in the reference
    # config: Linux does not pass them to user space, so they are not "unknown".
    params = ("rdinit=/sbin/init rootflags=data=ordered nowatchdog nmi_watchdog=0 "
              "softlockup_panic=1 irqaffinity=0 threadirqs noirqdebug reboot=w lpj=1000 "
              "clocksource=arch_sys_counter lsm=yama security=none audit=0")
    out = kmmsim("-append", params, "run", "-", input="dmesg\n").stdout
    assert "Unknown kernel command line" not in out
    # A word not on the list still is.
    out = kmmsim("-append", "nowatchdogs", "run", "-", input="dmesg\n").stdout
    assert 'Unknown kernel command line parameters "nowatchdogs"' in out


@pytest.mark.parametrize("param,message", [
    ("hugetlb_cma=64M", "hugetlb_cma=64M: not modelled yet"),
    ("hugetlb_free_vmemmap=on", "hugetlb_free_vmemmap=on: not modelled yet"),
    ("kernelcore=50%", "kernelcore=50%: the percentage form is not modelled yet"),
    ("movablecore=10%", "movablecore=10%: the percentage form is not modelled yet"),
    ("kernelcore=mirror", "kernelcore=mirror: mirrored memory is not modelled"),
])
def test_known_but_not_modelled_parameters_are_refused(kmmsim, param, message):
    proc = kmmsim("-append", param, "run", check=False)
    assert proc.returncode != 0
    assert "command line: kernel command line: " + message in proc.stderr
    proc = kmmsim("run", "-", input=f"append {param}\ncheck\n", check=False)
    assert proc.returncode == 1 and "-:1: kernel command line: " + message in proc.stderr
