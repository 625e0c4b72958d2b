"""The OpenNMT-py transformer on ChemActor's tasks with text (s2a.formats.tasks): d2a, d2a-sentence,
d2a-gold (text -> actions), a2d (actions -> text), r2d (reaction SMILES -> text).

The S2A transformer (s2a.models.transformer) with three differences, all decided by the task:
- text is cut into BPE subwords, learnt with pyonmttok on the training split and applied by
  OpenNMT-py's own `onmt_tokenize` transform in build_vocab and training; CTranslate2 decodes
  subword tokens, so `_predict` tokenises the sources and detokenises the hypotheses with the
  same pyonmttok settings (lossless but for runs of spaces, which become one: every training line
  must come back from its subwords; 7 of d2a's 3,088 action lines have a double space in a name);
- one BPE model and one vocabulary for both sides where both are text (d2a, a2d: names are
  copied between the sides), separate sides for r2d (its source keeps the S2A SMILES tokens);
- no re-ranking: positional-token validity means nothing for these targets, a profile must say
  `ranking: null`, and the learning curve keeps OpenNMT-py's validation loss/accuracy only.

Profiles: `cpu` reads configs/transformer-text-cpu.yaml (`text-<name>`; a .yaml path as is); its
`tasks: {<task>: {...}}` overrides the profile for one task (paragraph tasks take bigger batches).
Beside TransformerModel's layout, `paths.work_dir` holds `bpe.model` (shared) or `bpe.tgt.model`,
`vocab.shared` (shared vocabulary: the summed counts of both sides) and `subword.json`, the stamp
of the training split and subword settings the BPE was learnt from.
"""
from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any, Optional

from s2a import config
from s2a.atomic import atomic_path, atomic_write_text
from s2a.errors import ConfigError, DataError, MissingArtifact, StaleArtifact, UnknownTask
from s2a.formats import learning_curve as curve
from s2a.formats.splits import read_lines
from s2a.formats.targets import Counts
from s2a.formats.tasks import TASKS, Task, one_line, task as task_spec
from s2a.freshness import Stamp, digest_files
from s2a.models.base import Hypothesis, ModelPaths
from s2a.models.ranking import Ranking
from s2a.models.transformer import TransformerModel, checkpoint_files
from s2a.models.transformer_profile import SubwordSettings, TransformerSettings, load_settings

TEXT_KINDS = ("text", "actions")
SIDES = ("src", "tgt")
SPACE_TOKENS = {"mode": "space"}  # a side already in tokens (SMILES): split at spaces, no subwords


def text_tasks() -> list[str]:
    """The tasks with text on one side (S2A, reaction -> positional actions, is the transformer family)."""
    return [t.name for t in TASKS.values() if "text" in (t.source, t.target)]


def text_profile(profile: str) -> str:
    """'cpu' -> 'text-cpu' (configs/transformer-text-cpu.yaml); a .yaml path is used as is."""
    return profile if profile.endswith((".yaml", ".yml")) else f"text-{profile}"


class TextTransformerModel(TransformerModel):
    name = "transformer"

    def __init__(
        self,
        paths: ModelPaths,
        profile: str = "cpu",
        seed: int = 42,
        overrides: Optional[Mapping[str, Any]] = None,
        task: str = "d2a",
    ) -> None:
        if task not in text_tasks():
            raise UnknownTask(task, text_tasks())
        self.task: Task = task_spec(task)  # before the settings: its `tasks:` entry applies
        super().__init__(paths, text_profile(profile), seed, overrides)
        self.profile = profile
        where = str(config.profile_file("transformer", text_profile(profile)))
        s = self.settings
        if s.subword is None:
            raise ConfigError(where, "a text task profile needs a subword: section", key="subword")
        if s.ranking is not None:
            raise ConfigError(where, "positional-token ranking is for S2A targets: set ranking: null", key="ranking")
        if s.decoder != "ctranslate2":
            raise ConfigError(where, "text tasks decode with ctranslate2 (s2a tokenises the sources)", key="decoder")
        if s.retrieval or s.augmentation:
            raise ConfigError(where, "retrieval and SMILES augmentation are S2A settings", key="retrieval")
        self.subword: SubwordSettings = s.subword
        self._tokenizers: Optional[dict[str, Any]] = None
        self._parent: Optional[Path] = None

    def init_from(self, parent: Path) -> None:
        """Fine-tune from `parent`, a trained text-task transformer's work dir with the same kinds of
        sides (d2a-sentence -> d2a-gold): its subwords and vocabulary are copied, its last
        checkpoint is the start (fresh optimiser and step count, so `train_steps` counts the
        fine-tuning steps). The parent's checkpoint and subwords are part of this model's stamp."""
        parent = Path(parent)
        if not any(checkpoint_files(parent / "checkpoints")):
            raise MissingArtifact(str(parent / "checkpoints"), "no checkpoint to start from (train that model first)")
        missing = [p for p in self._parent_files(parent) if not p.is_file()]
        if missing:
            raise MissingArtifact(str(missing[0]), "the parent model has other sides than this task (or no subwords)")
        self._parent = parent

    def _parent_files(self, parent: Path) -> list[Path]:
        """The subword and vocabulary files copied from a parent."""
        names = [self.bpe_path(s).name for s in SIDES if self.is_text(s)] + [self.vocab_path(s).name for s in SIDES]
        names += [self.shared_vocab_path.name] if self.shared else []
        return [parent / n for n in dict.fromkeys(names)]

    def _parent_checkpoint(self) -> Path:
        assert self._parent is not None
        return checkpoint_files(self._parent / "checkpoints")[-1][1]

    def _load_settings(self, profile: str, overrides: Optional[Mapping[str, Any]]) -> TransformerSettings:
        """The profile with the task's `tasks: {<task>: {...}}` entry (s2a.config.for_task), as the llm family."""
        return load_settings(profile, overrides, self.task.name)

    # --- sides --------------------------------------------------------------------------------
    def is_text(self, side: str) -> bool:
        return (self.task.source if side == "src" else self.task.target) in TEXT_KINDS

    @property
    def shared(self) -> bool:
        """One BPE model and one vocabulary for both sides (both are text)."""
        return self.is_text("src") and self.is_text("tgt")

    def bpe_path(self, side: str) -> Path:
        return self.work_dir / ("bpe.model" if self.shared else f"bpe.{side}.model")

    @property
    def shared_vocab_path(self) -> Path:
        return self.work_dir / "vocab.shared"

    def _bpe_inputs(self, side: str) -> list[Path]:
        """The training files a side's BPE is learnt from (both sides' when shared)."""
        data = Path(self.paths.data_dir)
        return [data / f"{s}-train.txt" for s in (SIDES if self.shared else (side,))]

    def _tokenizer_options(self, side: str) -> dict[str, Any]:
        return self.subword.tokenizer_options() if self.is_text(side) else dict(SPACE_TOKENS)

    # --- subwords -----------------------------------------------------------------------------
    def _check_subwords(self) -> None:
        """Relearn the BPE (and rebuild the vocabularies) when the training split or the subword
        settings changed; refuse when checkpoints were trained on the old subwords."""
        if self._parent is None:
            inputs: dict[str, Any] = {"data": digest_files([p for side in SIDES for p in self._bpe_inputs(side)], asdict(self.subword)),
                                      "shared": self.shared}
        else:
            inputs = {"parent": str(self._parent.resolve()),
                      "parent_files": digest_files([*self._parent_files(self._parent), self._parent_checkpoint()]),
                      "shared": self.shared}
        stamp = Stamp(self.work_dir / "subword.json")
        if stamp.matches(inputs):
            return
        if self.checkpoints():
            raise StaleArtifact(str(self.work_dir), "trained on other data, subword settings or parent model; delete this folder to retrain")
        for path in (*(self.bpe_path(s) for s in SIDES), *(self.vocab_path(s) for s in SIDES), self.shared_vocab_path):
            path.unlink(missing_ok=True)
        if self._parent is not None:
            for path in self._parent_files(self._parent):
                shutil.copyfile(path, self.work_dir / path.name)
        for side in SIDES:
            if self.is_text(side) and not self.bpe_path(side).is_file():
                self._learn_bpe(side)
        stamp.write(inputs)
        self._tokenizers = None

    def _learn_bpe(self, side: str) -> None:
        import pyonmttok

        base = pyonmttok.Tokenizer(**self.subword.tokenizer_options())
        learner = pyonmttok.BPELearner(tokenizer=base, symbols=self.subword.merges)
        for path in self._bpe_inputs(side):
            learner.ingest_file(str(path))
        with atomic_path(self.bpe_path(side)) as partial:
            tokenizer = learner.learn(str(partial))
            for path in self._bpe_inputs(side):
                for i, line in enumerate(read_lines(path), 1):
                    if tokenizer.detokenize(tokenizer.tokenize(line)[0]) != one_line(line):
                        raise DataError(f"{path}:{i}", f"subwords do not give the line back ({line[:80]!r})")

    def tokenizers(self) -> dict[str, Any]:
        """pyonmttok tokenizers of both sides, as OpenNMT-py's onmt_tokenize transform builds them."""
        if self._tokenizers is None:
            import pyonmttok

            self._tokenizers = {
                side: pyonmttok.Tokenizer(**self._tokenizer_options(side),
                                          **({"bpe_model_path": str(self.bpe_path(side))} if self.is_text(side) else {}))
                for side in SIDES
            }
        return self._tokenizers

    # --- OpenNMT-py options -------------------------------------------------------------------
    def _data_options(self) -> dict[str, Any]:
        options = {**super()._data_options(), "share_vocab": self.shared,
                   "transforms": ["onmt_tokenize", *(t for t in self.settings.onmt.get("transforms", []) if t != "onmt_tokenize")]}
        for side in SIDES:
            text = self.is_text(side)
            options[f"{side}_subword_type"] = "bpe" if text else "none"
            options[f"{side}_subword_model"] = str(self.bpe_path(side).resolve()) if text else None
            options[f"{side}_onmttok_kwargs"] = repr(self._tokenizer_options(side))  # OpenNMT-py eval()s it
        if self.shared:
            options["src_vocab"] = options["tgt_vocab"] = str(self.shared_vocab_path.resolve())
        return options

    def _build_vocab(self, data_options: dict[str, Any]) -> None:
        """Both sides' subword counts (OpenNMT-py's share_vocab would write one file under the src
        name only), then, when shared, their sum as the one vocabulary."""
        super()._build_vocab({**data_options, "share_vocab": False})
        if self.shared and not self.shared_vocab_path.is_file():
            counts: Counter[str] = Counter()
            for side in SIDES:
                for line in read_lines(self.vocab_path(side)):
                    token, _, count = line.rpartition("\t")
                    counts[token] += int(count)
            atomic_write_text(self.shared_vocab_path, "".join(f"{t}\t{c}\n" for t, c in counts.most_common()))

    def _start_options(self, last: Optional[tuple[int, Path]]) -> dict[str, Any]:
        if last is None and self._parent is not None:
            return {"train_from": str(self._parent_checkpoint()), "reset_optim": "all"}
        return super()._start_options(last)

    def train(self) -> None:
        self.work_dir.mkdir(parents=True, exist_ok=True)
        self._check_subwords()
        super().train()

    def update_learning_curve(self) -> list[curve.CurvePoint]:
        """OpenNMT-py's validation loss and accuracy only: the sequence-score column decodes
        untokenised sources and scores actions, neither of which fits text."""
        return curve.read_curve(self.curve_path)

    # --- prediction ---------------------------------------------------------------------------
    def ranking(self) -> Optional[Ranking]:
        return None

    def _predict_constrained(self, src: Sequence[str], n_best: int, counts: Sequence[Counts]) -> Optional[list[list[Hypothesis]]]:
        return None

    def _predict(self, src: Sequence[str], n_best: int, counts: Optional[Sequence[Counts]] = None) -> list[list[Hypothesis]]:
        tok = self.tokenizers()
        pieces = [" ".join(tok["src"].tokenize(line)[0]) for line in src]
        decoded = super()._predict(pieces, n_best)
        return [[Hypothesis(tok["tgt"].detokenize(h.actions.split()), h.score) for h in hyps] for hyps in decoded]

    def describe(self) -> dict[str, Any]:
        info = {**super().describe(), "task": self.task.name, "shared_vocabulary": self.shared,
                "subword": {side: ({"bpe": asdict(self.subword)} if self.is_text(side) else SPACE_TOKENS) for side in SIDES}}
        parent = (Stamp(self.work_dir / "subword.json").read() or {}).get("parent")  # as the llm family: the model it was fine-tuned from
        return {**info, "init_from": parent} if parent else info
