"""The cffi binding (ABI mode): the declarations generated from include/kmm/*.h at build time
(_cdef.py) and libkmm.so, found in this order: $KMM_LIBRARY, the path the build or the install
wrote into _paths.py, the dynamic loader's search path."""
import ctypes.util
import os

import cffi

from . import _cdef

ffi = cffi.FFI()
ffi.cdef(_cdef.CDEF)
CONSTANTS = dict(_cdef.CONSTANTS)


def _candidates():
    env = os.environ.get("KMM_LIBRARY")
    if env:
        yield env
    try:
        from . import _paths
        yield from _paths.LIBRARIES
    except ImportError:
        pass
    found = ctypes.util.find_library("kmm")
    if found:
        yield found


def _load():
    errors = []
    for path in _candidates():
        try:
            return ffi.dlopen(path), path
        except OSError as e:
            errors.append(f"{path}: {e}")
    raise ImportError("kmm: cannot load libkmm.so (set KMM_LIBRARY to its path); tried: "
                      + ("; ".join(errors) or "nothing found"))


lib, LIBRARY_PATH = _load()
