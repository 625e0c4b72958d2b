"""A local OpenAI-compatible server: `transformers serve` on 127.0.0.1, started and stopped by s2a.

The circle review's offline judges (s2a.evaluation.circle_review, `base_url: local`) and the tests
use it. It serves any local model folder a request names (relative to the working directory). The
server and its math run on one thread: with the default threading, requests were ~40× slower on
2 cores, because the server's worker threads and the client fought over the cores.
"""
from __future__ import annotations

import ctypes
import logging
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
from typing import Optional

from s2a.errors import EndpointUnavailable, ExternalToolFailed, MissingArtifact

log = logging.getLogger(__name__)

STARTUP_S = 180.0
PR_SET_PDEATHSIG = 1  # prctl(2)
SERVER_ENV = {  # one thread (see above), never a model hub
    "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
    "TOKENIZERS_PARALLELISM": "false"}


def serve_executable() -> Optional[str]:
    """The `transformers` command of this environment (beside the interpreter first), or None."""
    beside = Path(sys.executable).parent / "transformers"
    return str(beside) if beside.is_file() else shutil.which("transformers")


def serve_available() -> bool:
    """Whether `transformers serve` and its extra dependencies (transformers[serving]) are installed."""
    if serve_executable() is None:
        return False
    try:
        from transformers.commands.serving import serve_dependencies_available
    except ImportError:
        return False
    return bool(serve_dependencies_available)


def _die_with_parent() -> None:
    """In the child before exec (Linux): SIGTERM it when s2a dies, even by a signal that skips the
    clean-up below (a killed review would otherwise leave a server holding the cores)."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):  # not Linux: the context manager's clean-up still stops it
        pass


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as r:
            return bool(r.status == 200)
    except OSError:
        return False


@contextmanager
def transformers_serve(log_path: Path, startup_s: float = STARTUP_S) -> Iterator[str]:
    """The base URL (`http://127.0.0.1:PORT/v1`) of a `transformers serve` started for the block;
    its whole process group is stopped on exit. Its output goes to `log_path`."""
    executable = serve_executable()
    if executable is None or not serve_available():  # the command, then its extra dependencies
        raise MissingArtifact("transformers serve", "not installed (transformers[serving]); `make install` installs it")
    port = free_port()
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("wb") as out:
        proc = subprocess.Popen(
            [executable, "serve", "--host", "127.0.0.1", "--port", str(port), "--device", "cpu",
             "--dtype", "float32", "--log_level", "warning"],
            stdout=out, stderr=subprocess.STDOUT, env={**os.environ, **SERVER_ENV}, start_new_session=True,
            preexec_fn=_die_with_parent,
        )
    url = f"http://127.0.0.1:{port}/v1"
    log.info("started transformers serve at %s (log: %s)", url, log_path)
    try:
        deadline = time.monotonic() + startup_s
        while not _healthy(port):
            if proc.poll() is not None:
                tail = log_path.read_text(errors="replace")[-2000:]
                raise ExternalToolFailed("transformers serve", proc.returncode, str(log_path), tail)
            if time.monotonic() > deadline:
                raise EndpointUnavailable(url, f"not healthy after {startup_s:.0f} s (log: {log_path})")
            time.sleep(0.5)
        yield url
    finally:
        _stop(proc)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the server's own process group (start_new_session), SIGKILL after 10 s."""
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:  # the group is gone already (a server that exited at start)
        pass
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
