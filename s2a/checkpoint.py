"""Loading PyTorch checkpoints without unpickling arbitrary code.

torch >= 2.6 loads with `weights_only=True`: only tensors, containers and allowlisted globals are
rebuilt. OpenNMT-py 3.x checkpoints hold one more class, the `argparse.Namespace` of their options,
so plain `torch.load` refuses them. We allowlist exactly that class — never the process-wide
unsafe switch (TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD, weights_only=False) that would let a checkpoint
run code. A checkpoint needing anything else is refused with `UnsafeCheckpoint`, naming the global.

Use `load_checkpoint` in our code, `allowlisted()` around library calls that call `torch.load`
themselves (the CTranslate2 converter), and `allow_process_wide()` in the entry points of
subprocesses that run a library's own main (s2a.models.onmt_entry).
"""
from __future__ import annotations

import argparse
import pickle
import re
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import torch

from s2a.errors import CorruptArtifact, MissingArtifact, UnsafeCheckpoint

# Exactly the non-tensor globals of OpenNMT-py 3.5 and fairseq 0.12 checkpoints (found by listing
# the pickles' GLOBAL opcodes: argparse.Namespace, plus builtins set / OrderedDict / tensor storages
# that torch already allows). Used by s2a.models.{transformer,bart} and s2a.llm; a new model family
# that needs another class adds it here, one by one, with a test in tests/test_checkpoint.py.
ALLOWED_GLOBALS: tuple[Any, ...] = (argparse.Namespace,)

_UNSUPPORTED_GLOBAL = re.compile(r"Unsupported global: GLOBAL (\S+)")


@contextmanager
def allowlisted() -> Iterator[None]:
    """Within this block `torch.load(..., weights_only=True)` also accepts ALLOWED_GLOBALS."""
    with torch.serialization.safe_globals(list(ALLOWED_GLOBALS)):
        yield


def allow_process_wide() -> None:
    """Add ALLOWED_GLOBALS to torch's allowlist for the whole process (subprocess entry points)."""
    torch.serialization.add_safe_globals(list(ALLOWED_GLOBALS))


def load_checkpoint(path: Path | str, map_location: str = "cpu") -> dict[str, Any]:
    """Load a checkpoint with `weights_only=True` and our allowlist.

    Raises MissingArtifact (missing, truncated or not a checkpoint) or UnsafeCheckpoint (contains
    an object outside the allowlist), each in one line naming the file.
    """
    path = Path(path)
    if not path.is_file():
        raise MissingArtifact(str(path), "checkpoint not found")
    try:
        with allowlisted():
            obj = torch.load(path, map_location=map_location, weights_only=True)
    except pickle.UnpicklingError as e:
        found = _UNSUPPORTED_GLOBAL.search(str(e))
        if found:
            raise UnsafeCheckpoint(str(path), found.group(1)) from None
        raise CorruptArtifact(str(path), f"corrupt checkpoint ({_first_line(e)})") from None
    except (RuntimeError, EOFError, OSError, ValueError, zipfile.BadZipFile) as e:
        raise CorruptArtifact(str(path), f"corrupt checkpoint ({_first_line(e)})") from None
    if not isinstance(obj, dict):
        raise CorruptArtifact(str(path), f"not a checkpoint: holds a {type(obj).__name__}, not a dict")
    return obj


def _first_line(e: BaseException) -> str:
    text = str(e).strip().splitlines()
    return text[0] if text else type(e).__name__
