"""Bad kmmsim command lines and scenarios, one row each, with the outcome each must have.

Exit status 2 is a command line kmmsim refuses before making a machine, 1 a machine or
scenario that fails (the config, the boot, a step), and the first line of standard error
names what is wrong: the option and its value, or the scenario line (-:LINE:) and its step.
Each text comes from the rule the check enforces (its range, its syntax, the kernel's own
message). The last rows are inputs that are not errors, and what they do instead.
"""
import pytest

# (id, argv, standard input, exit status, a part of the first line of standard error)
ROWS = [
    ('m-zero', ['-m', '0', 'proc', '/proc/iomem'], None, 2, 'RAM: size must not be zero'),
    ('m-garbage', ['-m', 'lots', 'proc', '/proc/iomem'], None, 2, '-m lots: expected a size such as 1G or 512M'),
    ('m-negative', ['-m', '-1G', 'proc', '/proc/iomem'], None, 2, '-m -1G: expected a size such as 1G or 512M'),
    ('m-suffix', ['-m', '1Q', 'proc', '/proc/iomem'], None, 2, '-m 1Q: expected a size such as 1G or 512M'),
    ('m-tiny', ['-m', '1M', 'proc', '/proc/iomem'], None, 1, 'boot failed: the first RAM bank (1 MiB) cannot hold the kernel image, initrd and device tree as QEMU loads the'),
    ('m-missing', ['-m'], None, 2, '-m needs an argument: -m SIZE'),
    ('smp-zero', ['-smp', '0', 'proc', '/proc/iomem'], None, 2, '-smp 0: the machine supports 1 to 256 CPUs'),
    ('smp-huge', ['-smp', '100000', 'proc', '/proc/iomem'], None, 2, '-smp 100000: the machine supports 1 to 256 CPUs'),
    ('smp-text', ['-smp', 'four', 'proc', '/proc/iomem'], None, 2, "-smp: 'four' is not a number"),
    ('smp-missing', ['-smp'], None, 2, '-smp needs an argument: -smp N'),
    ('cpu-unknown', ['-cpu', 'cortex-a72', 'proc', '/proc/iomem'], None, 2, '-cpu cortex-a72: expected cortex-a57 or max'),
    ('cpu-asidbits', ['-cpu', 'max,asidbits=4', 'proc', '/proc/iomem'], None, 2, "asidbits must be 8 or 16, not '4'"),
    ('cpu-missing', ['-cpu'], None, 2, '-cpu needs an argument'),
    ('numa-garbage', ['-numa', 'banana', 'proc', '/proc/iomem'], None, 2, "-numa banana: type 'banana' is not node or dist"),
    ('numa-nodeid-big', ['-m', '1G', '-numa', 'node,nodeid=99,mem=1G', 'proc', '/proc/iomem'], None, 2, 'NUMA node 99: node ids go up to 15'),
    ('numa-mem-mismatch', ['-m', '1G', '-numa', 'node,nodeid=0,mem=2G', 'proc', '/proc/iomem'], None, 1, 'total memory for NUMA nodes (0x80000000) should equal RAM size (0x40000000)'),
    ('numa-cpus-bad', ['-m', '1G', '-numa', 'node,nodeid=0,mem=1G,cpus=9-3', 'proc', '/proc/iomem'], None, 2, '-numa cpus=9-3: empty range'),
    ('numa-dup-node', ['-m', '2G', '-numa', 'node,nodeid=0,mem=1G', '-numa', 'node,nodeid=0,mem=1G', 'proc', '/proc/iomem'], None, 2, 'NUMA node 0 is declared twice'),
    ('numa-dist-bad', ['-m', '2G', '-numa', 'node,nodeid=0,mem=1G', '-numa', 'node,nodeid=1,mem=1G', '-numa', 'dist,src=0,dst=1,val=5', 'proc', '/proc/iomem'], None, 2, 'NUMA distance 0->1 = 5: local distance must be 10 and remote distances 11..255'),
    ('numa-unknown-key', ['-numa', 'node,nodeid=0,mem=1G,colour=red', 'proc', '/proc/iomem'], None, 2, "-numa node,nodeid=0,mem=1G,colour=red: unsupported property 'colour'"),
    ('append-unknown-mem', ['-append', 'mem=lots', 'proc', '/proc/iomem'], None, 1, 'kernel command line: mem=lots: expected a size such as 512M or 2G'),
    ('append-movablecore-bad', ['-append', 'movablecore=abc', 'proc', '/proc/iomem'], None, 1, 'kernel command line: movablecore=abc: expected a size such as 64M'),
    ('append-kernelcore-bad', ['-append', 'kernelcore=abc', 'proc', '/proc/iomem'], None, 1, 'kernel command line: kernelcore=abc: expected a size such as 64M'),
    ('append-cma-bad', ['-append', 'cma=xyz', 'proc', '/proc/iomem'], None, 1, 'kernel command line: cma=xyz: expected a size such as 64M'),
    ('append-slub-debug-bad', ['-append', 'slub_debug=Q', 'proc', '/proc/iomem'], None, 1, "kernel command line: slub_debug=Q: option 'Q' unknown (F, Z, P, U, T, A, O or -, then an optional ,cache list;"),
    ('append-missing', ['-append'], None, 2, '-append needs an argument: -append "CMDLINE"'),
    ('reserve-bad', ['-reserve', 'abc', 'proc', '/proc/iomem'], None, 2, '-reserve abc: expected SIZE[@PA]'),
    ('reserve-outside', ['-reserve', '4K@0x10', 'proc', '/proc/iomem'], None, 1, 'reservation 0x1000@0x10 is not inside one RAM bank'),
    ('reserve-huge', ['-reserve', '2G', 'proc', '/proc/iomem'], None, 1, 'boot failed: -reserve 2097152K: no free memory range is large enough'),
    ('ram-bad', ['-ram', '1G', 'proc', '/proc/iomem'], None, 2, '-ram 1G: expected SIZE@PA'),
    ('ram-overlap', ['-ram', '1G@0x40000000', '-ram', '1G@0x60000000', 'proc', '/proc/iomem'], None, 1, 'RAM banks 0 [0x40000000-0x80000000) and 1 [0x60000000-0xa0000000) overlap'),
    ('ram-unaligned', ['-ram', '1G@0x40000123', 'proc', '/proc/iomem'], None, 1, 'RAM bank 0: base 0x40000123 and size 0x40000000 must be 4 KiB aligned'),
    ('ram-beyond-pa', ['-ram', '1G@0xfffffffffffff000', 'proc', '/proc/iomem'], None, 1, 'RAM bank 0 [0xfffffffffffff000 + 0x40000000] goes beyond the 48-bit physical address space'),
    ('mmio-bad', ['-mmio', 'xyz', 'proc', '/proc/iomem'], None, 2, '-mmio xyz: expected SIZE@PA'),
    ('mmio-over-ram', ['-mmio', '4K@0x40000000', 'proc', '/proc/iomem'], None, 1, 'MMIO range mmio@40000000 [0x40000000-0x40001000) overlaps RAM bank 0'),
    ('M-unknown', ['-M', 'raspi', 'proc', '/proc/iomem'], None, 2, '-M raspi: boards are virt and none'),
    ('sysctl-unknown', ['-sysctl', 'vm.nonesuch=1', 'proc', '/proc/iomem'], None, 1, '-sysctl vm.nonesuch: no such tunable'),
    ('sysctl-noeq', ['-sysctl', 'vm.min_free_kbytes', 'proc', '/proc/iomem'], None, 2, '-sysctl vm.min_free_kbytes: expected NAME=VALUE'),
    ('sysctl-badval', ['-sysctl', 'vm.min_free_kbytes=abc', 'proc', '/proc/iomem'], None, 1, 'sysctl vm.min_free_kbytes=abc: invalid value'),
    ('sysctl-negative', ['-sysctl', 'vm.watermark_scale_factor=-5', 'proc', '/proc/iomem'], None, 1, 'sysctl vm.watermark_scale_factor=-5: invalid value'),
    ('seed-bad', ['-seed', 'x', 'proc', '/proc/iomem'], None, 2, '-seed x: expected a number'),
    ('minalign-bad', ['-kmalloc-minalign', '3', 'proc', '/proc/iomem'], None, 2, '-kmalloc-minalign 3: expected a power of two from 8 to 256'),
    ('minalign-big', ['-kmalloc-minalign', '4096', 'proc', '/proc/iomem'], None, 2, '-kmalloc-minalign 4096: expected a power of two from 8 to 256'),
    ('unknown-option', ['-frobnicate', '1', 'proc', '/proc/iomem'], None, 2, "unknown option '-frobnicate' (kmmsim --help lists them)"),
    ('no-command', [], None, 2, 'usage: kmmsim [machine options] COMMAND [ARGS]'),
    ('unknown-command', ['explode'], None, 2, "unknown command 'explode' (kmmsim --help lists them)"),
    ('proc-unknown-view', ['proc', '/proc/nonesuch'], None, 1, '/proc/nonesuch: no such view'),
    ('proc-no-view', ['proc'], None, 2, 'proc needs at least one PATH (kmmsim views lists them)'),
    ('run-missing-file', ['run', '/nonexistent/x.kmm'], None, 2, 'cannot read scenario /nonexistent/x.kmm: No such file or directory'),
    ('run-two-files', ['run', 'a', 'b'], None, 2, 'run takes one scenario file'),
    ('mmu-replay-missing', ['mmu-replay', '/nonexistent.jsonl'], None, 2, 'kmmsim mmu-replay: cannot open /nonexistent.jsonl'),
    ('mmu-replay-none', ['mmu-replay'], None, 2, 'usage: kmmsim mmu-replay [--show N] [--qemu] CORPUS...'),
    ('sc-unknown-step', ['run', '-'], 'boot\nfrobnicate\n', 1, "-:2: unknown step 'frobnicate' (kmmsim --help lists them)"),
    ('sc-typo-line2', ['run', '-'], 'echo first\nshwo /proc/iomem\n', 1, "-:2: unknown step 'shwo' (kmmsim --help lists them)"),
    ('sc-show-unknown', ['run', '-'], 'show /proc/nonesuch\n', 1, '-:1: show: /proc/nonesuch: no such view'),
    ('sc-show-noarg', ['run', '-'], 'show\n', 1, '-:1: show: wrong number of arguments (usage: show PATH ...)'),
    ('sc-expect-missing', ['run', '-'], 'expect /proc/iomem contains\n', 1, '-:1: expect: wrong number of arguments (usage: expect PATH contains|lacks TEXT)'),
    ('sc-expect-badverb', ['run', '-'], 'expect /proc/iomem has RAM\n', 1, "-:1: expect: second word must be 'contains' or 'lacks', not 'has'"),
    ('sc-expect-fails', ['run', '-'], 'expect /proc/iomem contains "Banana"\n', 1, '-:1: expect: /proc/iomem should contain "Banana", but it does not'),
    ('sc-expect-lacks-fails', ['run', '-'], 'expect /proc/iomem lacks "System RAM"\n', 1, '-:1: expect: /proc/iomem should not contain "System RAM", but it does'),
    ('sc-machine-after-boot', ['run', '-'], 'boot\nmachine -m 2G\n', 1, '-:2: machine: machine settings must come before the first operation (the machine is already booted)'),
    ('sc-append-after-boot', ['run', '-'], 'boot\nappend mem=512M\n', 1, '-:2: append: machine settings must come before the first operation (the machine is already booted)'),
    ('sc-machine-bad', ['run', '-'], 'machine -m zero\n', 1, '-:1: machine: -m zero: expected a size such as 1G or 512M'),
    ('sc-sysctl-unknown', ['run', '-'], 'sysctl vm.nonesuch 1\n', 1, '-:1: sysctl: sysctl vm.nonesuch: no such tunable'),
    ('sc-sysctl-noval', ['run', '-'], 'sysctl vm.min_free_kbytes\n', 1, '-:1: sysctl: wrong number of arguments (usage: sysctl NAME VALUE)'),
    ('sc-alloc-noset', ['run', '-'], 'alloc-pages\n', 1, '-:1: alloc-pages: wrong number of arguments (usage: alloc-pages SET COUNT|PCT% [order=N] [gfp=FLAGS] [node=N])'),
    ('sc-alloc-badcount', ['run', '-'], 'alloc-pages a many\n', 1, "-:1: alloc-pages: bad count 'many'"),
    ('sc-alloc-badorder', ['run', '-'], 'alloc-pages a 1 order=11\n', 1, "-:1: alloc-pages: bad order '11'"),
    ('sc-alloc-badgfp', ['run', '-'], 'alloc-pages a 1 gfp=GFP_BANANA\n', 1, "-:1: alloc-pages: kmm_gfp_parse: unknown GFP flag 'GFP_BANANA'"),
    ('sc-alloc-badnode', ['run', '-'], 'alloc-pages a 1 node=7\n', 1, '-:1: alloc-pages: kmm_alloc_pages_node: node 7 is not online'),
    ('sc-alloc-badkey', ['run', '-'], 'alloc-pages a 1 colour=red\n', 1, "-:1: alloc-pages: unknown option 'colour=red' (usage: alloc-pages SET COUNT|PCT% [order=N] [gfp=FLAGS] [node=N"),
    ('sc-alloc-pct-big', ['run', '-'], 'alloc-pages a 150%\n', 1, "-:1: alloc-pages: bad share '150%'"),
    ('sc-free-unknown-set', ['run', '-'], 'free-pages nope\n', 1, "-:1: free-pages: no set 'nope'"),
    ('sc-free-every0', ['run', '-'], 'alloc-pages a 4\nfree-pages a every=0\n', 1, '-:2: free-pages: bad every= or offset='),
    ('sc-cpu-bad', ['run', '-'], 'cpu 9\n', 1, "-:1: cpu: no CPU '9'"),
    ('sc-cpu-text', ['run', '-'], 'cpu one\n', 1, "-:1: cpu: no CPU 'one'"),
    ('sc-trace-unknown', ['run', '-'], 'trace nonesuch on\n', 1, "-:1: trace: kmm_trace_enable: no trace event or subsystem 'nonesuch'"),
    ('sc-trace-badstate', ['run', '-'], 'trace kmem maybe\n', 1, "-:1: trace: expected on or off, got 'maybe'"),
    ('sc-cache-create-noargs', ['run', '-'], 'kmem-cache-create\n', 1, '-:1: kmem-cache-create: wrong number of arguments (usage: kmem-cache-create NAME SIZE [align=N] [flags=SLAB_X|'),
    ('sc-cache-create-badsize', ['run', '-'], 'kmem-cache-create c 0\n', 1, '-:1: kmem-cache-create: kmm_kmem_cache_create: size 0 is not in 1..4194304'),
    ('sc-cache-create-bigsize', ['run', '-'], 'kmem-cache-create c 99999999\n', 1, '-:1: kmem-cache-create: kmm_kmem_cache_create: size 99999999 is not in 1..4194304'),
    ('sc-cache-create-badalign', ['run', '-'], 'kmem-cache-create c 64 align=3\n', 1, '-:1: kmem-cache-create: kmm_kmem_cache_create: align 3 is not a power of two'),
    ('sc-cache-create-badflag', ['run', '-'], 'kmem-cache-create c 64 flags=SLAB_BANANA\n', 1, "-:1: kmem-cache-create: unknown flag in 'SLAB_BANANA'"),
    ('sc-cache-destroy-unknown', ['run', '-'], 'kmem-cache-destroy nope\n', 1, "-:1: kmem-cache-destroy: no cache 'nope'"),
    ('sc-cache-shrink-unknown', ['run', '-'], 'kmem-cache-shrink nope\n', 1, "-:1: kmem-cache-shrink: no cache 'nope'"),
    ('sc-cache-alloc-unknown', ['run', '-'], 'kmem-cache-alloc o nope 1\n', 1, "-:1: kmem-cache-alloc: no cache 'nope'"),
    ('sc-kmalloc-badsize', ['run', '-'], 'kmalloc k 1 size=abc\n', 1, '-:1: kmalloc: bad size= (N or A-B)'),
    ('sc-kmalloc-badrange', ['run', '-'], 'kmalloc k 1 size=100-10\n', 1, '-:1: kmalloc: size range 100-10 is empty'),
    ('sc-kfree-unknown', ['run', '-'], 'kfree nope\n', 1, "-:1: kfree: no set 'nope'"),
    ('sc-vmalloc-noname', ['run', '-'], 'vmalloc\n', 1, '-:1: vmalloc: wrong number of arguments (usage: vmalloc NAME SIZE [huge] [zero] [node=N])'),
    ('sc-vmalloc-badsize', ['run', '-'], 'vmalloc v lots\n', 1, "-:1: vmalloc: bad size 'lots'"),
    ('sc-vmalloc-dup', ['run', '-'], 'vmalloc v 4K\nvmalloc v 4K\n', 1, "-:2: vmalloc: name 'v' is taken or too long, or too many names"),
    ('sc-vfree-unknown', ['run', '-'], 'vfree nope\n', 1, "-:1: vfree: 'nope' is no name or address"),
    ('sc-ioremap-ram', ['run', '-'], 'ioremap r 0x40000000 4K\n', 1, '-:1: ioremap: kmm_ioremap: 0x40000000 is RAM (ioremap_allowed: pfn_is_map_memory)'),
    ('sc-ioremap-bad', ['run', '-'], 'ioremap r xyz 4K\n', 1, "-:1: ioremap: expected PA SIZE, got 'xyz 4K'"),
    ('sc-iounmap-unknown', ['run', '-'], 'iounmap nope\n', 1, "-:1: iounmap: 'nope' is no name or address"),
    ('sc-load-badname', ['run', '-'], 'load64 nope\n', 1, "-:1: load64: 'nope' is no name or address"),
    ('sc-store-noval', ['run', '-'], 'vmalloc v 4K\nstore64 v\n', 1, '-:2: store64: wrong number of arguments (usage: store64 NAME[+OFF]|VA VALUE)'),
    ('sc-phys-read-outside', ['run', '-'], 'phys-read64 0x10\n', 1, '-:1: phys-read64: physical read of 8 bytes at 0x10: not all of it is RAM'),
    ('sc-phys-write-bad', ['run', '-'], 'phys-write64 zzz 1\n', 1, "-:1: phys-write64: expected PA VALUE, got 'zzz 1'"),
    ('sc-quote-unterminated', ['run', '-'], 'echo "hello\n', 1, '-:1: a double quote is not closed'),
    ('sc-nul', ['run', '-'], 'boot\x00\n', 2, '-:1:5: NUL byte in the scenario (it is text)'),
    ('sc-check-args', ['run', '-'], 'check now\n', 1, '-:1: check: wrong number of arguments (usage: check)'),
    ('sc-drain-args', ['run', '-'], 'drain all\n', 1, '-:1: drain: wrong number of arguments (usage: drain)'),
    ('sc-task-noname', ['run', '-'], 'task\n', 1, '-:1: task: wrong number of arguments (usage: task NAME [cpu=N])'),
    ('sc-task-badcpu', ['run', '-'], 'task a cpu=9\n', 1, '-:1: task: kmm_task_create: CPU 9 does not exist (the machine has 4 CPUs)'),
    ('sc-task-dup', ['run', '-'], 'task a\ntask a\n', 1, "-:2: task: 'a' is already a task"),
    ('sc-task-slash', ['run', '-'], 'task a/b\n', 1, "-:1: task: kmm_task_create: comm \"a/b\" is empty or has a '/'"),
    ('sc-fork-unknown', ['run', '-'], 'fork nope child\n', 1, "-:1: fork: no task named 'nope'"),
    ('sc-exit-twice', ['run', '-'], 'task a\nexit a\nexit a\n', 1, '-:3: exit: kmm_task_exit: pid 1 does not exist or has exited'),
    ('sc-exit-badcode', ['run', '-'], 'task a\nexit a code=300\n', 1, "-:2: exit: code '300' is not 0..255"),
    ('sc-mmap-badprot', ['run', '-'], 'task a\nmmap a r 4K prot=PROT_READ|PROT_FLY\n', 1, "-:2: mmap: unknown flag 'PROT_FLY' in 'PROT_READ|PROT_FLY'"),
    ('sc-mmap-badflag', ['run', '-'], 'task a\nmmap a r 4K flags=MAP_PRIVATE|MAP_MAGIC\n', 1, "-:2: mmap: unknown flag 'MAP_MAGIC' in 'MAP_PRIVATE|MAP_MAGIC'"),
    ('sc-mmap-zero', ['run', '-'], 'task a\nmmap a r 0\n', 1, '-:2: mmap: kmm_mmap: pid 1: mmap(0x0, 0x0'),
    ('sc-mmap-kernel-half', ['run', '-'], 'task a\nmmap a r 4K flags=MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED addr=0xffff000000000000\n', 1, '-:2: mmap: kmm_mmap: pid 1: mmap(0xffff000000000000, 0x1000'),
    ('sc-munmap-unaligned', ['run', '-'], 'task a\nmunmap a 0x10000001 4K\n', 1, '-:2: munmap: kmm_munmap: pid 1: munmap(0x10000001, 0x1000)'),
    ('sc-touch-noregion', ['run', '-'], 'task a\ntouch a nope 4K\n', 1, "-:2: touch: 'nope' is neither a region nor an address"),
    ('sc-touch-badop', ['run', '-'], 'task a\nmmap a r 4K\ntouch a r 4K op=smash\n', 1, '-:3: touch: op=read|write|exec'),
    ('sc-touch-segv', ['run', '-'], 'task a\ntouch a 0x10000000 4K op=read\n', 1, '-:2: touch: expected ok, got kmm_task_touch: pid 1: SIGSEGV (si_code 1) at 0x10000000'),
    ('sc-touch-stopped', ['run', '-'], 'task a\ntouch a 0x10000000 8 op=read expect=segv\ntouch a 0x400000 8 op=read\n', 1, '-:3: touch: expected ok, got kmm_task_touch: pid 1 is stopped by signal 11'),
    ('sc-task-cpu-bad', ['run', '-'], 'task a\ntask-cpu a 77\n', 1, '-:2: task-cpu: kmm_task_set_cpu: CPU 77 does not exist'),
    ('sc-checksum-zero', ['run', '-'], 'task a\nchecksum a 0x400000 0\n', 1, "-:2: checksum: bad length '0'"),
    ("append-too-long", ["-append", "x" * 5000, "proc", "/proc/iomem"], None, 2,
     "kernel command line longer than 2048 bytes (COMMAND_LINE_SIZE)"),
    ("sc-long-line", ["run", "-"], "echo " + "y" * 10000 + "\n", 1,
     "-:1: line longer than 4095 characters"),
]


@pytest.mark.parametrize("argv,text,status,message", [r[1:] for r in ROWS],
                         ids=[r[0] for r in ROWS])
def test_bad_cli(kmmsim, argv, text, status, message):
    proc = kmmsim(*argv, input=text, check=False)
    assert proc.returncode == status, proc.stderr
    first = proc.stderr.strip().splitlines()[0] if proc.stderr.strip() else ""
    assert message in first
    assert "Sanitizer" not in proc.stderr and "runtime error" not in proc.stderr


def test_bad_cli_table_is_large_enough():
    assert len(ROWS) >= 90
    assert len({r[0] for r in ROWS}) == len(ROWS)


def test_not_errors_cma_larger_than_ram_is_the_kernels_warning(kmmsim):
    # cma= beyond RAM: the kernel warns and boots without a CMA area.
    out = kmmsim("-append", "cma=64G", "run", "-", input="dmesg\nshow /proc/meminfo\n").stdout
    assert "cma: Failed to reserve 65536 MiB" in out
    assert "CmaTotal:              0 kB" in out


def test_not_errors_mem_below_the_image_keeps_the_image(kmmsim):
    # mem=1M: memblock keeps the kernel image's memory, as the kernel's mem limit does.
    out = kmmsim("-append", "mem=1M", "proc", "/proc/meminfo").stdout
    total = int(out.split("MemTotal:")[1].split()[0])
    assert 0 < total < 32 * 1024


def test_not_errors_load_of_an_unmapped_address_prints_the_fault(kmmsim):
    out = kmmsim("run", "-", input="load64 0x1000\n").stdout
    assert "fault" in out
