"""OpenNMT-py's own beam search, in-process: the reference decoder that CTranslate2 is checked against.

OpenNMT-py 3.5's `onmt_translate -with_score` crashes with beam search (a float has no .item()),
so we call its inference engine and take the scores it returns. The checkpoint is loaded inside
s2a's allowlist (s2a.checkpoint). Options come from the table in s2a.models.onmt_options.
"""
from __future__ import annotations

import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from s2a.checkpoint import allowlisted, load_checkpoint
from s2a.formats.predictions import Hypothesis
from s2a.models.onmt_config import write_config
from s2a.models.onmt_options import TRANSLATE


class OnmtDecoder:
    """Loads the checkpoint once per (n_best) setting and translates lists of source lines."""

    def __init__(self, checkpoint: Path, options: dict[str, Any], config_path: Path) -> None:
        load_checkpoint(checkpoint)  # one-line errors for a missing / corrupt / unsafe file
        self.checkpoint = checkpoint
        self.options = options
        self.config_path = config_path
        self._engines: dict[int, Any] = {}

    def _engine(self, n_best: int, beam_size: int) -> Any:
        key = n_best
        if key not in self._engines:
            warnings.filterwarnings("ignore", category=FutureWarning, module=r"onmt\..*")
            from onmt.inference_engine import InferenceEnginePY
            from onmt.opts import translate_opts
            from onmt.utils.misc import set_random_seed
            from onmt.utils.parse import ArgumentParser

            options = {**self.options, "model": str(self.checkpoint), "src": "-", "output": "/dev/null",
                       "n_best": n_best, "beam_size": max(beam_size, n_best)}
            write_config(options, self.config_path)
            parser = ArgumentParser(description="translate")
            translate_opts(parser)
            opt = parser.parse_args(["-config", str(self.config_path)])
            ArgumentParser.validate_translate_opts(opt)
            ArgumentParser._get_all_transform_translate(opt)
            ArgumentParser._validate_transforms_opts(opt)
            ArgumentParser.validate_translate_opts_dynamic(opt)
            set_random_seed(opt.seed, opt.gpu >= 0)
            with allowlisted():
                self._engines[key] = InferenceEnginePY(opt)
        return self._engines[key]

    def translate(self, src: Sequence[str], n_best: int = 1, beam_size: int = 10) -> list[list[Hypothesis]]:
        if not src:
            return []
        scores, preds = self._engine(n_best, beam_size).infer_list(list(src))
        return [
            [Hypothesis(p, float(s)) for p, s in zip(line_preds, line_scores)]
            for line_preds, line_scores in zip(preds, scores)
        ]
