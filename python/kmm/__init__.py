"""kmm: Linux 6.1 arm64 memory management (libkmm) from Python.

    import kmm
    with kmm.Machine(m="2G", smp=2, seed=1) as m:
        pfn = m.alloc_pages(order=3)
        print(m.buddyinfo())

docs/python.md is the tutorial. The binding is cffi (ABI mode) over libkmm.so; the
declarations come from include/kmm/*.h at build time.
"""
from ._ffi import CONSTANTS, LIBRARY_PATH, ffi, lib
from .errors import (Corrupt, Fault, HostExhausted, InvalidArgument, KernelBug, KmmError,
                     MachineDead, NotFound, OutOfMemory)
from .machine import (MIGRATETYPES, ZONE_NAMES, Cache, Config, Machine, Report, Task,
                      TraceEvent, Zone, gfp)
from .scenario import run_scenario
from .series import TimeSeries
from . import plot, views

__version__ = ffi.string(lib.kmm_version()).decode()

# The kernel's GFP flags (GFP_KERNEL, __GFP_ZERO, ...) and other constants without KMM_.
for _name, _value in CONSTANTS.items():
    globals()[_name[4:]] = _value
del _name, _value

__all__ = ["Machine", "Config", "Cache", "Task", "Zone", "Report", "TraceEvent", "TimeSeries",
           "KmmError", "OutOfMemory", "InvalidArgument", "NotFound", "Fault", "KernelBug",
           "MachineDead", "Corrupt", "HostExhausted", "run_scenario", "gfp", "views",
           "MIGRATETYPES", "ZONE_NAMES", "LIBRARY_PATH", "plot"]
