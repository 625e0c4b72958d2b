"""benchmarks/gpu_check.sh, prepared here for a lent GPU machine: syntax, a CPU dry run of the
whole script (5 steps, tiny profile, OpenNMT-py's unused-transform imports stubbed as there), and
the wheel set of `make gpu-wheels` (when downloaded) against the 64 MiB a run may carry."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sample import SAMPLE

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "benchmarks" / "gpu_check.sh"
WHEELS = ROOT / "gpu-wheels"
CARRY_LIMIT = 64 * 2**20
PROCESSED_ESTIMATE = 3 * 2**20  # data/processed on the default data, when not built here


def test_script_parses() -> None:
    subprocess.run(["bash", "-n", str(SCRIPT)], check=True)


@pytest.mark.slow
def test_cpu_dry_run_trains_decodes_and_scores(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHON": sys.executable, "GPU_CHECK_STUBS": "1", "OUT": ""}
    start = time.perf_counter()
    run = subprocess.run(["bash", str(SCRIPT), "--device", "cpu", "--steps", "5", "--profile", "tiny",
                          "--data", str(SAMPLE), "--wheels", str(tmp_path / "none"), "--out", str(tmp_path / "out")],
                         env=env, capture_output=True, text=True, timeout=120)
    seconds = time.perf_counter() - start
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    assert seconds < 60
    assert run.stdout.count("stand-in module for") == 3  # spacy, fasttext, rapidfuzz: training ran without them
    result = json.loads((tmp_path / "out" / "gpu_check.json").read_text())
    assert result["steps"] == 5 and result["device"] == "cpu"
    assert result["steps_per_s"] > 0 and result["src_tokens_per_s"] > 0
    assert result["metrics_pct"]["n"] == 10 and "at_least_50" in result["metrics_pct"]
    assert re.search(r"trained 5 steps in [\d.]+ s: [\d.]+ steps/s", run.stdout)
    assert len((tmp_path / "out" / "test.top1.txt").read_text().splitlines()) == 10


def _requirements() -> list[str]:
    lines = (ROOT / "benchmarks" / "gpu-wheels.txt").read_text().splitlines()
    return [x.strip() for x in lines if x.strip() and not x.startswith("#")]


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def test_wheel_list_is_pinned_as_the_lock() -> None:
    lock = {_norm(x.split("==")[0]): x.split("==")[1] for x in (ROOT / "requirements" / "lock.txt").read_text().split()
            if "==" in x}
    for req in _requirements():
        name, version = req.split("==")
        assert lock.get(_norm(name)) == version, req


@pytest.mark.skipif(not WHEELS.is_dir(), reason="gpu-wheels/ not downloaded (make gpu-wheels)")
def test_downloaded_wheels_resolve_and_fit_in_one_run() -> None:
    wheels = sorted(WHEELS.glob("*.whl"))
    for req in _requirements():
        name, version = req.split("==")
        found = [w for w in wheels if _norm(w.name).startswith(f"{_norm(name)}_{_norm(version)}_")]
        assert len(found) == 1, (req, [w.name for w in wheels])
        assert re.search(r"-(cp312-cp312-manylinux\S*x86_64|py3-none-any|py2\.py3-none-any)\.whl$", found[0].name), found[0].name
    assert len(wheels) == len(_requirements())  # one version of each: two stop the install there
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    tree = sum((ROOT / p).stat().st_size for p in tracked.decode().split("\0") if p and (ROOT / p).is_file())
    processed = ROOT / "data" / "processed"
    splits = [processed / f"{side}-{split}.txt" for side in ("src", "tgt") for split in ("train", "valid", "test")]
    # only the split files travel (gpu_check.sh reads nothing else; the task files stay here)
    data = sum(p.stat().st_size for p in splits) if all(p.is_file() for p in splits) else PROCESSED_ESTIMATE
    total = sum(w.stat().st_size for w in wheels) + tree + data
    assert total < CARRY_LIMIT, f"{total / 2**20:.1f} MiB"
