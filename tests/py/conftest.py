"""pytest fixtures: run kmmsim (path from $KMMSIM, set by ctest) and read oracle captures."""
import os
import subprocess
from pathlib import Path

import pytest

SOURCE_DIR = Path(os.environ.get("KMM_SOURCE_DIR", Path(__file__).resolve().parents[2]))
DATA_DIR = Path(os.environ.get("KMM_DATA_DIR", SOURCE_DIR / "tests" / "data"))


def _find_tool(env_name, rel):
    path = os.environ.get(env_name)
    if path:
        return path
    for build in ("build", "build-release", "build-asan"):
        candidate = SOURCE_DIR / build / rel
        if candidate.exists():
            return str(candidate)
    pytest.exit(f"{env_name} is not set and no built {rel} was found", returncode=2)


class Runner:
    def __init__(self, path):
        self.path = path

    def __call__(self, *args, input=None, check=True):
        proc = subprocess.run([self.path, *args], input=input, capture_output=True,
                              text=True, timeout=120)
        if check and proc.returncode != 0:
            raise AssertionError(f"{args} exited {proc.returncode}:\n{proc.stderr}")
        return proc


@pytest.fixture(scope="session")
def kmmsim():
    return Runner(_find_tool("KMMSIM", "kmmsim"))


@pytest.fixture(scope="session")
def kmmbench():
    return Runner(_find_tool("KMMBENCH", "bench/kmmbench"))


@pytest.fixture(scope="session")
def capture():
    def read(config, name):
        path = DATA_DIR / "oracles/linux/captures" / config / name
        if not path.is_file():
            pytest.fail(f"test data {path} cannot be read (tests/data/README.md)")
        return path.read_text()
    return read
