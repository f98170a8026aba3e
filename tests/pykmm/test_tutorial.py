"""docs/python.md runs: its ```python blocks in order, in one namespace, as a student would
paste them."""
import os
import re
from pathlib import Path

SOURCE_DIR = Path(os.environ.get("KMM_SOURCE_DIR", Path(__file__).resolve().parents[2]))


def test_tutorial_runs(tmp_path, monkeypatch, capsys):
    text = (SOURCE_DIR / "docs" / "python.md").read_text()
    blocks = re.findall(r"^```python\n(.*?)^```", text, flags=re.S | re.M)
    assert len(blocks) >= 10
    monkeypatch.chdir(tmp_path)
    ns = {"__name__": "tutorial"}
    for i, code in enumerate(blocks):
        exec(compile(code, f"docs/python.md block {i + 1}", "exec"), ns)
    out = capsys.readouterr().out
    assert "<kmm.Machine 1024 MiB, 2 CPUs" in out
    assert "KMM_EINVAL" in out and "/proc/nope: no such view" in out
    assert "mm_page_alloc" in out
    assert ns["m"]._m == ns["kmm"].ffi.NULL  # closed at the end
