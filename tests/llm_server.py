"""A real OpenAI-compatible server for tests: `transformers serve` on 127.0.0.1, started once per
session (tests/conftest.py: the `llm_server` fixture), serving any local model folder named in a
request. No download, no mocked HTTP; skipped only where `transformers serve` is not installed."""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

SERVE = Path(sys.executable).parent / "transformers"
STARTUP_SECONDS = 180


def serve_available() -> bool:
    if not SERVE.is_file() and shutil.which("transformers") is None:
        return False
    try:
        from transformers.commands.serving import serve_dependencies_available
    except ImportError:
        return False
    return bool(serve_dependencies_available)


requires_serve = pytest.mark.skipif(not serve_available(),
                                    reason="`transformers serve` (transformers[serving]) not installed")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def transformers_serve(log_path: Path) -> Iterator[str]:
    """The base URL of a running `transformers serve`; stopped (its process group) on exit."""
    port = free_port()
    # One thread each for server and client: default threading made requests ~40x slower on 2 cores.
    env = {**os.environ, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "HF_HUB_OFFLINE": "1",
           "TRANSFORMERS_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
    executable = str(SERVE) if SERVE.is_file() else str(shutil.which("transformers"))
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [executable, "serve", "--host", "127.0.0.1", "--port", str(port), "--device", "cpu",
             "--dtype", "float32", "--log_level", "warning"],
            stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True,
        )
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            if proc.poll() is not None:
                pytest.fail(f"transformers serve exited with {proc.returncode}:\n{log_path.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"transformers serve not healthy after {STARTUP_SECONDS} s:\n"
                            f"{log_path.read_text()[-2000:]}")
            time.sleep(0.5)
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        os.killpg(proc.pid, signal.SIGTERM)  # our own process group (start_new_session above)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
