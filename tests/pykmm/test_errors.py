"""Bad input from Python: wrong types raise TypeError, bad values ValueError (before any C
call), refusals by the library raise a KmmError subclass carrying kmm_last_error's text.
Never a crash."""
import pytest

import kmm


def test_wrong_types_raise_typeerror(machine):
    t = machine.task()
    for call in (lambda: machine.alloc_pages(order="3"),
                 lambda: machine.alloc_pages(order=1.5),
                 lambda: machine.alloc_pages(order=True),
                 lambda: machine.free_pages(None),
                 lambda: machine.kmalloc([1]),
                 lambda: machine.proc(b"/proc/meminfo"),
                 lambda: machine.sysctl(3, 4),
                 lambda: machine.phys_write(0x40000000, "text"),
                 lambda: t.mmap(object()),
                 lambda: t.write(0, 17),
                 lambda: machine.counter(None),
                 lambda: machine.sample(["pgfault"])):
        with pytest.raises(TypeError):
            call()
    with pytest.raises(TypeError, match="unknown machine option 'mem'"):
        kmm.Machine(mem="1G")


def test_bad_values_raise_valueerror(machine):
    with pytest.raises(ValueError, match="out of range"):
        machine.alloc_pages(order=-1)
    with pytest.raises(ValueError, match="NUL"):
        machine.proc("/proc/mem\0info")
    with pytest.raises(ValueError, match="not a size"):
        machine.task().mmap("12 parsecs")
    with pytest.raises(ValueError, match="letters r, w, x"):
        machine.task().mmap(4096, prot="rwz")
    with pytest.raises(ValueError):
        machine.task().madvise(0, 4096, "dontwant")
    with pytest.raises(ValueError):
        kmm.Machine(m="lots")


def test_library_errors_carry_the_text(machine):
    with pytest.raises(kmm.InvalidArgument) as e:
        machine.alloc_pages(order=11)
    assert e.value.name == "KMM_EINVAL" and e.value.text
    assert isinstance(e.value, ValueError)
    with pytest.raises(kmm.NotFound, match="/proc/nope: no such view"):
        machine.proc("/proc/nope")
    with pytest.raises(kmm.NotFound, match="no counter 'bogus'"):
        machine.counter("bogus")
    with pytest.raises(LookupError):
        machine.sysctl("vm.nope", 1)
    with pytest.raises(ValueError, match="no parser"):
        machine.proc("/proc/iomem", parsed=True)


def test_out_of_memory_is_a_memoryerror():
    with kmm.Machine(m="128M", smp=1, seed=3) as m:
        held = []
        with pytest.raises(MemoryError) as e:
            for _ in range(100000):
                held.append(m.alloc_pages(order=10, gfp_flags="GFP_KERNEL|__GFP_NORETRY"))
        assert isinstance(e.value, kmm.OutOfMemory)
        assert len(held) < 128 // 4
        for pfn in held:
            m.free_pages(pfn, 10)
        m.check()


def test_a_fault_is_an_exception_not_a_crash(machine):
    t = machine.task()
    with pytest.raises(kmm.Fault):
        t.read(0x10, 8)  # nothing mapped at the bottom of the address space
    assert t.info()["state"] in ("T", "Z", "X", "S", "R")
