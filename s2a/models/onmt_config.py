"""Writing OpenNMT-py config files and running its commands in a subprocess (s2a.models.onmt_entry).

A subprocess keeps OpenNMT-py's global state (loggers, seeds, multiprocessing for multi-GPU) out
of ours and lets an interrupted training leave its checkpoints behind for a clean resume.
"""
from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from s2a.external import run_logged, tool_env
from s2a.progress import LogReader


def write_config(options: Mapping[str, Any], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(dict(options), sort_keys=True), encoding="utf-8")
    return path


def run_onmt(command: str, config: Path, log_path: Path, threads: int = 0, **progress: Any) -> LogReader:
    """Run `onmt_<command> -config <config>` through our entry; output is appended to `log_path`.

    `progress`: run_logged's keywords (total_steps, start_step, valid_steps, no_gpu_note). Raises
    ExternalToolFailed with the log's last lines if it fails.
    """
    argv = [sys.executable, "-m", "s2a.models.onmt_entry", command, "-config", str(config)]
    return run_logged(f"onmt_{command}", argv, log_path, tool_env(threads), **progress)
