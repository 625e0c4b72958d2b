"""`python -m s2a.models.onmt_entry COMMAND -config FILE`: run an OpenNMT-py command
(build_vocab, train, translate) with s2a's checkpoint allowlist registered first.

OpenNMT-py's own `torch.load` (resuming, translating) fails under torch >= 2.6 because its
checkpoints hold an argparse.Namespace; this entry allowlists exactly that (s2a.checkpoint) instead
of any global unsafe switch. S2A_TORCH_THREADS sets torch's thread count (OpenNMT does not).
"""
from __future__ import annotations

import importlib
import os
import sys
import warnings

MAINS = {
    "build_vocab": "onmt.bin.build_vocab",
    "train": "onmt.bin.train",
    "translate": "onmt.bin.translate",
}


def main(argv: list[str]) -> None:
    if not argv or argv[0] not in MAINS:
        sys.exit(f"usage: python -m s2a.models.onmt_entry {{{','.join(MAINS)}}} [OpenNMT-py options]")
    command, rest = argv[0], argv[1:]
    warnings.filterwarnings("ignore", category=FutureWarning)  # onmt's torch.cuda.amp deprecations

    import torch

    from s2a.checkpoint import allow_process_wide

    threads = int(os.environ.get("S2A_TORCH_THREADS", "0") or 0)
    if threads > 0:
        torch.set_num_threads(threads)
    allow_process_wide()
    module = importlib.import_module(MAINS[command])
    sys.argv = [f"onmt_{command}", *rest]
    module.main()


if __name__ == "__main__":
    main(sys.argv[1:])
