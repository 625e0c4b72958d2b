"""Running an external trainer (OpenNMT-py, fairseq) in a subprocess: full log to a file, the
progress lines (steps, validation, checkpoints) echoed to stderr so a long run shows it is alive.

The trainers report only every `report_every` / `--log-interval` steps; a watcher thread prints a
heartbeat (last step, tokens/s, loss, ETA) whenever the tool has been silent for `heartbeat_s`, so
the user hears from a run at least once a minute, and a run meant for a GPU that found none says
so, with the wall time the measured speed gives.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Optional

from s2a.errors import ExternalToolFailed
from s2a.paths import REPO_ROOT
from s2a.progress import HEARTBEAT_S, LogReader, Meter, format_duration

# OpenNMT-py: "Step 50/1000; acc: ...", "Validation accuracy: ...", "Saving checkpoint ...";
# fairseq: "[train_inner] ... epoch 001: 25 / 120 loss=...", "[valid] ...", "Saved checkpoint ...".
PROGRESS = re.compile(r"Step\s+\d+/|Validation (perplexity|accuracy)|Saving checkpoint|train_inner|\[valid\]|Saved checkpoint|done training")


class _Echo:
    """stderr lines of one run, from the reading loop and the heartbeat thread."""

    def __init__(self, tool: str, meter: Meter, no_gpu_note: Optional[str]) -> None:
        self.tool, self.meter, self.note = tool, meter, no_gpu_note
        self.lock = threading.Lock()
        self.last_print = meter.clock()

    def say(self, text: str) -> None:
        with self.lock:
            print(f"[{self.tool}] {text}", file=sys.stderr, flush=True)
            self.last_print = self.meter.clock()

    def heartbeat(self) -> None:
        extra = " (no GPU: the time estimate follows the first step report)" if self.note and self.meter.last is None else ""
        self.say(self.meter.line() + extra)

    def no_gpu(self) -> None:
        """Once, at the first measured speed: no GPU, and what that costs."""
        if self.note is None:
            return
        total, rate = self.meter.total_s(), self.meter.steps_per_s()
        if total is None or rate is None:
            return
        self.say(f"{self.note}; at the measured {rate:.3g} steps/s the {self.meter.total:,} steps take "
                 f"~{format_duration(total)} on this machine (going on)")
        self.note = None


def _watch(echo: _Echo, interval: float, done: threading.Event) -> None:
    while not done.wait(min(1.0, interval / 4)):
        if echo.meter.clock() - echo.last_print >= interval:
            echo.heartbeat()


def tool_env(threads: int = 0) -> dict[str, str]:
    """The environment of an s2a entry point run in a subprocess (`python -m s2a.models.*_entry`):
    s2a importable, and torch / OpenMP / MKL limited to `threads` (0: left as they are)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO_ROOT), env.get("PYTHONPATH", "")) if p)
    if threads > 0:
        env.update({name: str(threads) for name in ("S2A_TORCH_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")})
    return env


def run_logged(tool: str, argv: list[str], log_path: Path, env: Mapping[str, str], echo: bool = True, *,
               total_steps: Optional[int] = None, start_step: int = 0, valid_steps: int = 0,
               heartbeat_s: float = HEARTBEAT_S, no_gpu_note: Optional[str] = None) -> LogReader:
    """Run argv; append its output to log_path; echo progress lines (with an ETA when the total is
    known) and a heartbeat after `heartbeat_s` of silence; raise ExternalToolFailed on error.

    Returns what was read from the log (the validation scores feed the learning curves).
    """
    log_path.parent.mkdir(parents=True, exist_ok=True)
    reader = LogReader(Meter(total=total_steps, start_step=start_step), valid_steps=valid_steps)
    out = _Echo(tool, reader.meter, no_gpu_note)
    done = threading.Event()
    watcher = threading.Thread(target=_watch, args=(out, heartbeat_s, done), daemon=True)
    with log_path.open("a", encoding="utf-8") as log:
        log.write("$ " + " ".join(argv) + "\n")
        log.flush()
        proc = subprocess.Popen(argv, env=dict(env), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                text=True, errors="replace", bufsize=1)
        assert proc.stdout is not None
        if echo:
            watcher.start()
        try:
            for line in proc.stdout:
                log.write(line)
                step = reader.feed(line)
                if echo and PROGRESS.search(line):
                    eta = reader.meter.eta_s() if step is not None else None
                    out.say(line.rstrip() + (f"  [ETA {format_duration(eta)}]" if eta is not None else ""))
                    if step is not None:
                        out.no_gpu()
            returncode = proc.wait()
        finally:
            done.set()
    if returncode != 0:
        lines = log_path.read_text(encoding="utf-8", errors="replace").splitlines()
        raise ExternalToolFailed(tool, returncode, str(log_path), "\n".join(lines[-15:]))
    return reader
