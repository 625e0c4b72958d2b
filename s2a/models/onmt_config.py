"""Writing OpenNMT-py config files and running its commands in a subprocess (s2a.models.onmt_entry).

A subprocess keeps OpenNMT-py's global state (loggers, seeds, multiprocessing for multi-GPU) out
of ours and lets an interrupted training leave its checkpoints behind for a clean resume.
"""
from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from s2a.external import run_logged
from s2a.progress import LogReader
from s2a.paths import REPO_ROOT


def write_config(options: Mapping[str, Any], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(dict(options), sort_keys=True), encoding="utf-8")
    return path


def run_onmt(command: str, config: Path, log_path: Path, threads: int = 0, **progress: Any) -> LogReader:
    """Run `onmt_<command> -config <config>` through our entry; output is appended to `log_path`.

    `progress`: run_logged's keywords (total_steps, start_step, valid_steps, no_gpu_note). Raises
    ExternalToolFailed with the log's last lines if it fails.
    """
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO_ROOT), env.get("PYTHONPATH", "")) if p)
    if threads > 0:
        env["S2A_TORCH_THREADS"] = str(threads)
        env["OMP_NUM_THREADS"] = str(threads)
    argv = [sys.executable, "-m", "s2a.models.onmt_entry", command, "-config", str(config)]
    return run_logged(f"onmt_{command}", argv, log_path, env, **progress)
