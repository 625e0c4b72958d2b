"""Loading fairseq checkpoints under torch's weights-only unpickler (s2a.checkpoint's allowlist).

torch >= 2.6 refuses the plain Python objects fairseq pickles into its checkpoints. A fairseq 0.12
BART/translation checkpoint holds exactly one such class, the `argparse.Namespace` of the legacy
model configuration (its pickle's globals: argparse.Namespace, collections.OrderedDict, torch
storages), the same single class s2a.checkpoint allowlists for OpenNMT-py. So fairseq's own load
calls run inside `s2a.checkpoint.allowlisted()`, never with the unsafe switch.
"""
from __future__ import annotations

import contextlib
import logging
import pickle
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from s2a.checkpoint import ALLOWED_GLOBALS, allowlisted
from s2a.errors import CorruptArtifact, MissingArtifact, UnsafeCheckpoint
from s2a.models import fairseq_arch

_UNSUPPORTED_GLOBAL = re.compile(r"Unsupported global: GLOBAL (\S+)")


def fairseq_safe_globals() -> list[Any]:
    """The non-tensor classes a fairseq 0.12 BART checkpoint contains: argparse.Namespace."""
    return list(ALLOWED_GLOBALS)


@contextlib.contextmanager
def safe_fairseq_loading() -> Iterator[None]:
    """Allow fairseq's `torch.load` calls (weights-only) to read the allowlisted classes."""
    with allowlisted():
        yield


def import_fairseq() -> None:
    """Import fairseq without keeping its side effect on logging: importing it sets the root logger
    to DEBUG, after which every library (matplotlib, ...) floods the terminal. Registers s2a's
    architecture (s2a.models.fairseq_arch)."""
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    logging.disable(logging.INFO)  # and its import-time notes ("please install tensorboardX")
    try:
        import fairseq  # noqa: F401
    finally:
        logging.disable(logging.NOTSET)
    root.setLevel(level)
    for handler in [h for h in root.handlers if h not in handlers]:
        root.removeHandler(handler)
    fairseq_arch.register()


def load_checkpoint_state(path: Path, arg_overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """fairseq's `load_checkpoint_to_cpu` under the allowlist; a missing or unreadable file is a
    one-line `MissingArtifact` naming it, a foreign global an `UnsafeCheckpoint`."""
    import_fairseq()
    from fairseq import checkpoint_utils

    if not path.is_file():
        raise MissingArtifact(str(path), "checkpoint not found (train the model first)")
    try:
        with safe_fairseq_loading():
            state: dict[str, Any] = checkpoint_utils.load_checkpoint_to_cpu(str(path), arg_overrides)
    except Exception as e:  # torch raises UnpicklingError, RuntimeError, EOFError... on bad files
        first_line = (str(e).strip().splitlines() or [type(e).__name__])[0]
        found = _UNSUPPORTED_GLOBAL.search(str(e)) if isinstance(e, pickle.UnpicklingError) else None
        if found:
            raise UnsafeCheckpoint(str(path), found.group(1)) from None
        raise CorruptArtifact(str(path), f"cannot read checkpoint ({type(e).__name__}: {first_line[:200]})") from None
    if not isinstance(state, dict) or "model" not in state:
        raise CorruptArtifact(str(path), "not a fairseq checkpoint (no 'model' entry)")
    return state


def checkpoint_num_updates(state: dict[str, Any]) -> int:
    """Number of optimizer updates recorded in a loaded checkpoint (0 if none)."""
    history = state.get("optimizer_history") or []
    if history and isinstance(history[-1], dict):
        return int(history[-1].get("num_updates", 0))
    return 0


def checkpoint_arch(state: dict[str, Any]) -> str:
    """The fairseq architecture a loaded checkpoint was trained with ('' if it does not say)."""
    model = (state.get("cfg") or {}).get("model") or state.get("args")  # fairseq >= 0.10, or a legacy Namespace
    return str(getattr(model, "arch", "") or "")
