"""Running an external trainer (OpenNMT-py, fairseq) in a subprocess: full log to a file, the
progress lines (steps, validation, checkpoints) echoed to stderr so a long run shows it is alive."""
from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from s2a.errors import ExternalToolFailed

# OpenNMT-py: "Step 50/1000; acc: ...", "Validation accuracy: ...", "Saving checkpoint ...";
# fairseq: "[train_inner] ... epoch 001: 25 / 120 loss=...", "[valid] ...", "Saved checkpoint ...".
PROGRESS = re.compile(r"Step \d+/|Validation (perplexity|accuracy)|Saving checkpoint|train_inner|\[valid\]|Saved checkpoint|done training")


def run_logged(tool: str, argv: list[str], log_path: Path, env: Mapping[str, str], echo: bool = True) -> None:
    """Run argv; append its output to log_path; echo progress lines; raise ExternalToolFailed on error."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("a", encoding="utf-8") as log:
        log.write("$ " + " ".join(argv) + "\n")
        log.flush()
        proc = subprocess.Popen(argv, env=dict(env), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                text=True, errors="replace", bufsize=1)
        assert proc.stdout is not None
        for line in proc.stdout:
            log.write(line)
            if echo and PROGRESS.search(line):
                print(f"[{tool}] {line.rstrip()}", file=sys.stderr, flush=True)
        returncode = proc.wait()
    if returncode != 0:
        lines = log_path.read_text(encoding="utf-8", errors="replace").splitlines()
        raise ExternalToolFailed(tool, returncode, str(log_path), "\n".join(lines[-15:]))
