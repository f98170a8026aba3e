"""Kernel and API errors as Python exceptions.

Every failing call raises a KmmError subclass carrying the status (``.status``, ``.name``)
and the library's explanation (``.text``, kmm_last_error). The common ones also derive from
the built-in exception a Python programmer would catch: MemoryError for a simulated out of
memory, ValueError for an argument the library refused, LookupError for a missing object.
"""
from ._ffi import ffi, lib


class KmmError(Exception):
    """A libkmm call failed: ``status`` (int), ``name`` ("KMM_EINVAL"), ``text``."""

    def __init__(self, status, text, call=None):
        self.status = status
        self.name = ffi.string(lib.kmm_status_name(status)).decode()
        self.text = text
        self.call = call
        super().__init__(f"{self.name}: {text}" if text else self.name)


class OutOfMemory(KmmError, MemoryError):
    """KMM_ENOMEM: the simulated kernel is out of memory (the machine is unchanged)."""


class InvalidArgument(KmmError, ValueError):
    """KMM_EINVAL: the library refused an argument (nothing changed)."""


class NotFound(KmmError, LookupError):
    """KMM_ENOENT: no such view, counter, cache, ..."""


class Fault(KmmError):
    """KMM_EFAULT: a simulated memory access faulted."""


class KernelBug(KmmError):
    """KMM_EBUG: the simulated kernel died (a BUG); only inspect and close the machine now."""


class MachineDead(KmmError):
    """KMM_EDEAD: the machine died earlier."""


class Corrupt(KmmError):
    """KMM_ECORRUPT: an invariant check failed."""


class HostExhausted(KmmError, MemoryError):
    """KMM_EHOST: the machine crossed its host-memory budget."""


_BY_NAME = {
    "KMM_ENOMEM": OutOfMemory, "KMM_EINVAL": InvalidArgument, "KMM_ENOENT": NotFound,
    "KMM_EFAULT": Fault, "KMM_EBUG": KernelBug, "KMM_EDEAD": MachineDead,
    "KMM_ECORRUPT": Corrupt, "KMM_EHOST": HostExhausted,
}


def error_for(status, text, call=None):
    name = ffi.string(lib.kmm_status_name(status)).decode()
    return _BY_NAME.get(name, KmmError)(status, text, call)
