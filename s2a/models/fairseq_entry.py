"""Run a fairseq command-line tool with s2a's checkpoint allowlist registered first.

    python -m s2a.models.fairseq_entry preprocess [fairseq-preprocess arguments]
    python -m s2a.models.fairseq_entry train [fairseq-train arguments]

fairseq-train resumes from checkpoint_last.pt through `torch.load`, which refuses fairseq's pickled
configuration under torch >= 2.6; this process allowlists exactly s2a.checkpoint's ALLOWED_GLOBALS.
S2A_TORCH_THREADS (default 2) sets torch's thread count; s2a's architecture (s2a.models.fairseq_arch) is registered.
"""
from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence

TOOLS = ("preprocess", "train")


def _tool_main(tool: str) -> Callable[[], None]:
    if tool == "preprocess":
        from fairseq_cli.preprocess import cli_main as preprocess_main

        return preprocess_main
    from fairseq_cli.train import cli_main as train_main

    return train_main


def main(argv: Sequence[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] not in TOOLS:
        sys.exit(f"usage: python -m s2a.models.fairseq_entry {{{','.join(TOOLS)}}} [fairseq arguments]")
    tool, rest = args[0], args[1:]

    import torch

    from s2a.checkpoint import allow_process_wide

    torch.set_num_threads(max(1, int(os.environ.get("S2A_TORCH_THREADS", "2"))))
    allow_process_wide()  # exactly s2a.checkpoint.ALLOWED_GLOBALS (argparse.Namespace)
    sys.argv = [f"fairseq-{tool}", *rest]
    tool_main = _tool_main(tool)  # first: importing fairseq_cli configures logging
    from s2a.models import fairseq_arch

    fairseq_arch.register()  # s2a's architecture, before fairseq parses --arch
    tool_main()


if __name__ == "__main__":
    main()
