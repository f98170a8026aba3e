"""scripts/kmm-sweep: 50-run sweeps through GNU parallel and through Dask (a LocalCluster),
the generated Slurm array script run locally per index, bad specs refused before any job
runs, the merged table and its plot. The results are checked with LRU's inclusion property
(a bigger fully associative LRU TLB never misses more on the same access stream), which
follows from the policy, not from our code."""
import csv
import json
import os
import random
import shutil
import subprocess
import sys

import pytest

from conftest import SOURCE_DIR

SWEEP = str(SOURCE_DIR / "scripts" / "kmm-sweep")
L1D = [4, 8, 16, 32, 64]


@pytest.fixture(scope="module")
def spec_path(tmp_path_factory):
    d = tmp_path_factory.mktemp("sweep")
    rng = random.Random(3)
    with open(d / "small.lackey", "w") as f:
        for _ in range(3000):
            f.write(" L %x,8\n" % (0x10000000 + int(rng.paretovariate(1.2) * 3) % 96 * 4096))
    spec = {"name": "l1d", "kind": "replay",
            "base": {"trace": "small.lackey", "m": "128M", "smp": 1, "warm": True},
            "grid": {"tlb.l1d": L1D, "tlb.policy": ["lru", "plru"]},
            "seeds": [1, 2, 3, 4, 5]}
    (d / "spec.json").write_text(json.dumps(spec))
    return d / "spec.json"


def sweep(kmmsim, *args, check=True):
    proc = subprocess.run([sys.executable, SWEEP, "--kmmsim", kmmsim.path, *args],
                          capture_output=True, text=True, timeout=600)
    if check and proc.returncode:
        raise AssertionError(f"kmm-sweep {args}: {proc.returncode}\n{proc.stderr}")
    return proc


def check_results(outdir):
    with open(outdir / "results.csv") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 50
    assert all(r["exit"] == "0" for r in rows)
    assert sorted(int(r["id"]) for r in rows) == list(range(50))
    recs = json.loads((outdir / "results.json").read_text())
    for rec in recs:  # self-describing: the inputs kmmsim reports are the job's
        assert rec["inputs"]["tlb"]["l1d"] == rec["job"]["options"]["tlb.l1d"]
        assert rec["inputs"]["tlb"]["policy"] == rec["job"]["options"]["tlb.policy"]
        assert rec["inputs"]["warm"] is True
    lru = {}
    for r in rows:
        if r["tlb.policy"] == "lru":
            lru.setdefault(int(r["tlb.l1d"]), set()).add(int(r["l1d.misses"]))
    assert all(len(v) == 1 for v in lru.values())  # deterministic: the seed changes nothing
    misses = [lru[n].pop() for n in L1D]
    assert misses == sorted(misses, reverse=True) and misses[0] > misses[-1]
    return rows


@pytest.mark.skipif(shutil.which("parallel") is None, reason="GNU parallel is not installed")
def test_fifty_runs_through_gnu_parallel(kmmsim, spec_path, tmp_path):
    out = tmp_path / "par"
    proc = sweep(kmmsim, "parallel", str(spec_path), str(out), "-j", "2")
    assert "50 runs, 0 failed" in proc.stdout
    check_results(out)


def test_fifty_runs_through_dask(kmmsim, spec_path, tmp_path):
    pytest.importorskip("dask.distributed")
    out = tmp_path / "dask"
    proc = sweep(kmmsim, "dask", str(spec_path), str(out), "--workers", "2")
    assert "50 runs, 0 failed" in proc.stdout
    check_results(out)


def test_slurm_array_script_runs_per_index(kmmsim, spec_path, tmp_path):
    out = tmp_path / "slurm"
    script = sweep(kmmsim, "slurm", str(spec_path), str(out), "--max-parallel", "8").stdout
    script = script.strip()
    text = open(script).read()
    assert "#SBATCH --array=0-49%8" in text
    env = dict(os.environ)
    env.pop("SLURM_ARRAY_TASK_ID", None)
    assert subprocess.run(["sh", script], env=env, capture_output=True).returncode != 0
    for idx in (0, 7, 49):
        env["SLURM_ARRAY_TASK_ID"] = str(idx)
        subprocess.run(["sh", script], env=env, check=True, capture_output=True, timeout=120)
        rec = json.loads((out / f"job-{idx:05d}.json").read_text())
        assert rec["job"]["id"] == idx and rec["exit"] == 0
    jobs = [json.loads(line) for line in open(out / "jobs.jsonl")]
    assert jobs[7]["options"]["tlb.l1d"] == L1D[0] and jobs[7]["seed"] == 3  # grid order
    env["SLURM_ARRAY_TASK_ID"] = "50"
    assert subprocess.run(["sh", script], env=env, capture_output=True).returncode != 0


@pytest.mark.parametrize("change,msg", [
    ({"grid": {"tlb.l1dd": [1]}}, "unknown option 'tlb.l1dd'"),
    ({"base": {"trace": "small.lackey", "ram": "1G"}}, "unknown option 'ram'"),
    ({"grid": {"smp": ["two"]}}, "option 'smp' needs an integer"),
    ({"seeds": []}, "seeds"),
    ({"kind": "fuzz"}, "unknown kind 'fuzz'"),
    ({"colour": 1}, "unknown key 'colour'"),
])
def test_bad_spec_fails_before_any_job(kmmsim, spec_path, tmp_path, change, msg):
    spec = json.loads(spec_path.read_text())
    spec.update(change)
    bad = spec_path.parent / "bad.json"
    bad.write_text(json.dumps(spec))
    for engine in ("parallel", "dask", "slurm"):
        out = tmp_path / engine
        proc = sweep(kmmsim, engine, str(bad), str(out), check=False)
        assert proc.returncode == 2, (engine, proc.stderr)
        assert msg in proc.stderr
        assert not out.exists()  # nothing ran, nothing was written


def test_merge_and_plot(kmmsim, spec_path, tmp_path):
    mpl = pytest.importorskip("matplotlib.image")
    out = tmp_path / "few"
    spec = json.loads(spec_path.read_text())
    spec["seeds"] = [1]
    (spec_path.parent / "few.json").write_text(json.dumps(spec))
    jobs = tmp_path / "jobs.jsonl"
    sweep(kmmsim, "expand", str(spec_path.parent / "few.json"), "-o", str(jobs))
    for i in range(10):
        sweep(kmmsim, "run-job", str(jobs), str(i), str(out))
    sweep(kmmsim, "merge", str(out))
    png = tmp_path / "plot.png"
    sweep(kmmsim, "plot", str(out / "results.csv"), "--x", "tlb.l1d", "--y", "l1d.hit_rate",
          "--by", "tlb.policy", "-o", str(png))
    img = mpl.imread(png)
    assert img.shape[0] == 400 and img.shape[1] == 640
    rgb = img[..., :3].reshape(-1, 3)
    blue = ((rgb[:, 2] > 0.6) & (rgb[:, 0] < 0.3)).sum()  # matplotlib's first line colour
    orange = ((rgb[:, 0] > 0.9) & (rgb[:, 1] > 0.4) & (rgb[:, 1] < 0.6) & (rgb[:, 2] < 0.2)).sum()
    assert blue > 100 and orange > 100
