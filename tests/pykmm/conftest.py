"""pytest setup for the kmm package: ctest sets PYTHONPATH to the build tree's python/; run
by hand, the first built tree under the source (build/, build-release/, ...) is used."""
import os
import sys
from pathlib import Path

import pytest

SOURCE_DIR = Path(os.environ.get("KMM_SOURCE_DIR", Path(__file__).resolve().parents[2]))

try:
    import kmm  # noqa: F401
except ImportError:
    for build in ("build", "build-release", "build-clang", "build-asan"):
        if (SOURCE_DIR / build / "python" / "kmm" / "_cdef.py").exists():
            sys.path.insert(0, str(SOURCE_DIR / build / "python"))
            break
    import kmm  # noqa: F401


@pytest.fixture
def machine():
    """A 1 GiB, 2-CPU machine, closed (after kmm_check) at the end of the test."""
    with kmm.Machine(m="1G", smp=2, seed=1) as m:
        yield m
        m.check()


@pytest.fixture(scope="session")
def kmmsim_path():
    path = os.environ.get("KMMSIM")
    if path:
        return path
    for build in ("build", "build-release", "build-clang", "build-asan"):
        if (SOURCE_DIR / build / "kmmsim").exists():
            return str(SOURCE_DIR / build / "kmmsim")
    pytest.skip("no kmmsim built")
