"""The BART model family: fairseq's `bart` architecture trained from scratch on src/tgt pairs.

Training runs fairseq's own tools in a subprocess (`s2a.models.fairseq_entry`): fairseq-preprocess
builds one joint dictionary (BART shares all embeddings) and binarises the splits, fairseq-train
trains `bart_base` with the dimensions of the chosen profile (`configs/bart-<profile>.yaml`).
Prediction loads the checkpoint in-process and runs fairseq's `SequenceGenerator` (beam search),
returning the n best hypotheses of every input line in input order.

Layout of `work_dir`:
  text/{train,valid}.{src,tgt}   copies of the processed splits under the names fairseq expects
  data-bin/                      dictionaries (dict.src.txt == dict.tgt.txt) and binarised splits
  checkpoints/                   checkpoint_last.pt, checkpoint_best.pt, train.log
"""
from __future__ import annotations

import logging
import shutil
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Optional

from s2a import config
from s2a.errors import ConfigError, ExternalToolFailed, MissingArtifact, StaleArtifact
from s2a.formats import learning_curve as curve
from s2a.formats.targets import Counts
from s2a.external import run_logged, tool_env
from s2a.freshness import Stamp, digest_files
from s2a.models.augmentation import AugmentationSettings
from s2a.models.base import ActionModel, Hypothesis, ModelPaths
from s2a.models.fairseq_options import merge, to_argv
from s2a.models.ranking import Ranking
from s2a.progress import LogReader

logger = logging.getLogger(__name__)

SPLITS = ("train", "valid")
LANGS = ("src", "tgt")
DONE_MARKER = ".s2a-done.json"
CPU_TOKENS_PER_S = 4000  # measured: 2 updates/s of 2,048 tokens for the cpu profile on 2 cores
ENGINES = ("fairseq", "ctranslate2")

# Options s2a controls itself (the style guide's "one table of external CLI arguments"); YAML
# profiles cannot override them. `--required-batch-size-multiple 1`: otherwise fairseq silently
# drops the last partial batch of a small split; `--num-workers 0`: data loading in-process.
PREPROCESS_FIXED: dict[str, Any] = {
    "source-lang": "src",
    "target-lang": "tgt",
    "joined-dictionary": True,  # bart_base shares encoder, decoder and output embeddings
    "workers": 1,
}
TRAIN_FIXED: dict[str, Any] = {
    "task": "translation",
    "source-lang": "src",
    "target-lang": "tgt",
    "num-workers": 0,
    "required-batch-size-multiple": 1,
    "no-epoch-checkpoints": True,
    "log-format": "simple",
}


@dataclass(frozen=True)
class _Generate:
    engine: str = "fairseq"  # or "ctranslate2": same n-best lists, decoded many times faster
    beam: int = 10
    max_len_a: float = 0.0
    max_len_b: int = 400
    batch_size: int = 16
    lenpen: float = 1.0


@dataclass(frozen=True)
class _BartFile:
    """The shape of configs/bart-<profile>.yaml."""

    train: dict[str, Any]  # fairseq-train options by flag name
    preprocess: dict[str, Any] = field(default_factory=dict)
    generate: _Generate = field(default_factory=_Generate)
    checkpoint: str = "checkpoint_last.pt"
    threads: int = 2
    ranking: Optional[Ranking] = None
    augmentation: Optional[AugmentationSettings] = None


@dataclass(frozen=True)
class BartConfig:
    """A profile of configs/bart-<profile>.yaml: fairseq-train options plus decoding settings."""

    profile: str
    train: dict[str, Any]
    preprocess: dict[str, Any] = field(default_factory=dict)
    beam: int = 10
    max_len_a: float = 0.0
    max_len_b: int = 400
    batch_size: int = 16
    lenpen: float = 1.0
    checkpoint: str = "checkpoint_last.pt"
    threads: int = 2
    engine: str = "fairseq"  # or "ctranslate2": same n-best lists, decoded many times faster
    ranking: Optional[Ranking] = None  # re-ranking of a wider n-best (s2a.models.ranking); None: decoder order
    augmentation: Optional[AugmentationSettings] = None  # of the training split (s2a.models.augmentation)

    @property
    def decode_lenpen(self) -> float:
        """Re-ranking normalises by length itself, so it needs the decoder's total log-probabilities."""
        return 0.0 if self.ranking is not None else self.lenpen

    @classmethod
    def from_dict(cls, profile: str, data: dict[str, Any], where: str = "") -> "BartConfig":
        where = where or profile
        f = config.typed(_BartFile, data, where)
        if "arch" not in f.train:
            raise ConfigError(where, "fairseq-train options must include an 'arch'", key="train.arch")
        fixed = {k.replace("_", "-") for k in f.train} & set(TRAIN_FIXED)
        if fixed:
            raise ConfigError(where, "set by s2a, cannot be overridden", key=f"train.{sorted(fixed)[0]}")
        config.check_choice(f.generate.engine, ENGINES, where, "generate.engine")
        g = f.generate
        return cls(profile=profile, train=f.train, preprocess=f.preprocess, beam=g.beam, max_len_a=g.max_len_a,
                   max_len_b=g.max_len_b, batch_size=g.batch_size, lenpen=g.lenpen, checkpoint=f.checkpoint,
                   threads=f.threads, engine=g.engine, ranking=f.ranking, augmentation=f.augmentation)

    def with_train(self, **options: Any) -> "BartConfig":
        """A copy with some fairseq-train options replaced (keys with '_' or '-')."""
        return BartConfig(**{**self.__dict__, "train": merge(self.train, options)})

    def with_engine(self, engine: str) -> "BartConfig":
        if engine not in ENGINES:
            raise ConfigError(self.profile, f"engine must be one of {ENGINES}, got {engine!r}")
        return BartConfig(**{**self.__dict__, "engine": engine})


def load_config(profile: str) -> BartConfig:
    """configs/bart-<profile>.yaml, or a .yaml path (s2a.config: `extends:`, typed keys)."""
    where, data = config.load("bart", profile)
    return BartConfig.from_dict(profile, data, where)


class BartModel(ActionModel):
    """fairseq BART (`bart_base` with the profile's dimensions), trained from scratch."""

    name = "bart"

    def __init__(self, paths: ModelPaths, profile: str = "cpu", seed: int = 42, config: BartConfig | None = None) -> None:
        super().__init__(paths, profile, seed)
        self.config = config if config is not None else load_config(profile)
        self._loaded: tuple[Path, float, Any, Any, Any] | None = None  # (ckpt, mtime, models, task, model max src)
        self._ct2: tuple[int, Any] | None = None  # (model.bin mtime, CT2Decoder)

    # ---- layout -----------------------------------------------------------------------------
    @property
    def text_dir(self) -> Path:
        return self.paths.work_dir / "text"

    @property
    def bin_dir(self) -> Path:
        return self.paths.work_dir / "data-bin"

    @property
    def checkpoint_dir(self) -> Path:
        return self.paths.work_dir / "checkpoints"

    @property
    def checkpoint_path(self) -> Path:
        return self.checkpoint_dir / self.config.checkpoint

    @property
    def ctranslate2_dir(self) -> Path:
        return self.paths.work_dir / "ctranslate2" / Path(self.config.checkpoint).stem

    # ---- training ---------------------------------------------------------------------------
    def _split_files(self) -> list[Path]:
        files = [self.paths.data_dir / f"{lang}-{split}.txt" for split in SPLITS for lang in LANGS]
        for f in files:
            if not f.is_file():
                raise MissingArtifact(str(f), "processed split not found (run `make data` first)")
        return files

    def preprocess_argv(self) -> list[str]:
        options = merge(
            self.config.preprocess,
            PREPROCESS_FIXED,
            {
                "trainpref": str(self.text_dir / "train"),
                "validpref": str(self.text_dir / "valid"),
                "destdir": str(self.bin_dir),
            },
        )
        return to_argv(options)

    def train_argv(self) -> list[str]:
        import torch

        cpu = not torch.cuda.is_available()
        options = merge(
            {"cpu": cpu},
            self.config.train,
            TRAIN_FIXED,
            {"save-dir": str(self.checkpoint_dir), "seed": self.seed},
        )
        if options.get("criterion") == "label_smoothed_cross_entropy":
            options["report-accuracy"] = True  # token accuracy in the [valid] lines (learning curve)
        if cpu:  # a report about every 45 s at the expected CPU speed (the paper's 500 updates are hours)
            tokens = int(options.get("max-tokens", 4096)) * int(options.get("update-freq", 1))
            options["log-interval"] = min(int(options.get("log-interval", 100)), max(1, int(45 * CPU_TOKENS_PER_S / tokens)))
        return [str(self.bin_dir), *to_argv(options)]

    def no_gpu_note(self, argv: list[str]) -> Optional[str]:
        """One line for the GPU profile (paper) trained on a CPU."""
        if self.profile == "paper" and "--cpu" in argv:
            return "no GPU found: profile 'paper' is meant for one; training on the CPU"
        return None

    @property
    def curve_path(self) -> Path:
        return self.paths.work_dir / curve.FILE

    def _check_resumable(self, last: Path) -> None:
        """A checkpoint of another architecture cannot be resumed (fairseq would fail on its weights)."""
        from s2a.models.fairseq_checkpoint import checkpoint_arch, load_checkpoint_state

        if not last.is_file():
            return
        trained, wanted = checkpoint_arch(load_checkpoint_state(last)), str(merge(self.config.train)["arch"])
        if trained and trained != wanted:
            raise StaleArtifact(str(self.paths.work_dir), f"holds a BART of architecture {trained!r}, profile "
                                f"{self.profile!r} asks for {wanted!r}; delete this folder to retrain")

    def _updates(self, checkpoint: Path) -> int:
        from s2a.models.fairseq_checkpoint import checkpoint_num_updates, load_checkpoint_state

        return checkpoint_num_updates(load_checkpoint_state(checkpoint)) if checkpoint.is_file() else 0

    def update_learning_curve(self) -> list[curve.CurvePoint]:
        """The sequence score of the prediction checkpoint (greedy CTranslate2 decoding of the
        validation sample; fairseq keeps no per-interval checkpoints worth decoding on a CPU)."""
        step = self._updates(self.checkpoint_path)
        done = any(p.step == step and p.valid_at_least_50 is not None for p in curve.read_curve(self.curve_path))
        if done or step == 0:
            return curve.read_curve(self.curve_path)
        try:
            from s2a.models.ctranslate import CT2Decoder
        except ImportError:
            return curve.read_curve(self.curve_path)
        srcs, tgts = curve.valid_sample(self.paths.data_dir)
        max_src = int(merge(self.config.train).get("max-source-positions", 1024))
        decoder = CT2Decoder(self.export_ctranslate2(), threads=max(1, self.config.threads), max_input_length=max_src - 1)
        hyps = decoder.translate(srcs, n_best=1, beam_size=1, max_length=self.config.max_len_b,
                                 batch_size=self.config.batch_size)
        score = round(curve.at_least_50(tgts, [h[0].actions for h in hyps]), 2)
        return curve.merge_points(self.curve_path, [curve.CurvePoint(step, valid_at_least_50=score)])

    def _run_tool(self, tool: str, argv: list[str], log: Path, **progress: Any) -> LogReader:
        cmd = [sys.executable, "-m", "s2a.models.fairseq_entry", tool, *argv]
        logger.info("running fairseq-%s (log: %s)", tool, log)
        return run_logged(f"fairseq-{tool}", cmd, log, tool_env(max(1, self.config.threads)), **progress)

    def _training_data_dir(self) -> Path:
        """The processed splits, or (with `augmentation:`) their copy with an augmented training split."""
        if self.config.augmentation is None:
            return self.paths.data_dir
        from s2a.models.augmentation import write_augmented

        return write_augmented(self.paths.data_dir, self.paths.work_dir / "data", self.config.augmentation)

    def _prepare_data(self) -> None:
        inputs: dict[str, Any] = {"data": digest_files(self._split_files())}
        if self.config.augmentation:  # (absent otherwise: folders binarised before augmentation stay valid)
            inputs["augmentation"] = asdict(self.config.augmentation)
        stamp = Stamp(self.bin_dir / DONE_MARKER)
        if stamp.matches(inputs):
            return
        if stamp.exists() and any(self.checkpoint_dir.glob("checkpoint*.pt")):
            raise StaleArtifact(str(self.paths.work_dir), "holds a model trained on other data; delete this folder to retrain")
        shutil.rmtree(self.bin_dir, ignore_errors=True)
        self.text_dir.mkdir(parents=True, exist_ok=True)
        data_dir = self._training_data_dir()
        for split in SPLITS:
            for lang in LANGS:
                shutil.copyfile(data_dir / f"{lang}-{split}.txt", self.text_dir / f"{split}.{lang}")
        self._run_tool("preprocess", self.preprocess_argv(), self.paths.work_dir / "preprocess.log")
        stamp.write(inputs)

    def is_trained(self) -> bool:
        return Stamp(self.checkpoint_dir / DONE_MARKER).matches({"argv": self.train_argv()})

    def train(self) -> None:
        """Binarise (once), then train; a re-run resumes from checkpoint_last.pt, and does nothing
        when a run with the same options has finished (raising max-update continues training)."""
        self._prepare_data()
        if self.is_trained():
            logger.info("BART %s already trained in %s", self.profile, self.checkpoint_dir)
            return
        argv = self.train_argv()
        last = self.checkpoint_dir / "checkpoint_last.pt"
        self._check_resumable(last)
        start = self._updates(last)
        reader = self._run_tool("train", argv, self.checkpoint_dir / "train.log",
                                total_steps=int(merge(self.config.train).get("max-update", 0)) or None, start_step=start,
                                no_gpu_note=self.no_gpu_note(argv))
        offset = curve.elapsed_before(self.curve_path, start)
        curve.merge_points(self.curve_path, [curve.CurvePoint(v.step, v.loss, v.accuracy, seconds=round(offset + v.seconds, 1))
                                             for v in reader.validations])
        if not last.is_file():
            raise ExternalToolFailed("fairseq-train", 0, str(self.checkpoint_dir / "train.log"), "no checkpoint_last.pt written")
        Stamp(self.checkpoint_dir / DONE_MARKER).write({"argv": argv})
        self._loaded = None
        self.update_learning_curve()

    def describe(self) -> dict[str, Any]:
        augmentation = {"augmentation": asdict(self.config.augmentation)} if self.config.augmentation else {}
        return {**super().describe(), **augmentation}

    # ---- prediction -------------------------------------------------------------------------
    def export_ctranslate2(self) -> Path:
        """Convert the prediction checkpoint for CTranslate2 (again only when it changed)."""
        from s2a.models.ctranslate import convert_fairseq_checkpoint

        return convert_fairseq_checkpoint(self.checkpoint_path, self.bin_dir, self.ctranslate2_dir)

    def _predict_ctranslate2(self, lines: list[str], n_best: int, counts: Optional[Sequence[Counts]] = None) -> list[list[Hypothesis]]:
        from s2a.models.ctranslate import CT2Decoder

        model_dir = self.export_ctranslate2()
        if self._ct2 is None or self._ct2[0] != (model_dir / "model.bin").stat().st_mtime_ns:
            max_src = int(merge(self.config.train).get("max-source-positions", 1024))
            decoder = CT2Decoder(model_dir, threads=max(1, self.config.threads), max_input_length=max_src - 1)
            self._ct2 = ((model_dir / "model.bin").stat().st_mtime_ns, decoder)
        result: list[list[Hypothesis]] = self._ct2[1].translate(
            lines,
            n_best=n_best,
            beam_size=self.config.beam,
            max_length=self.config.max_len_b,
            batch_size=self.config.batch_size,
            length_penalty=self.config.decode_lenpen,
            counts=counts,
        )
        return result

    def _load(self) -> tuple[Any, Any, int]:
        """(models, task, max source positions), cached while the checkpoint file is unchanged."""
        from s2a.models.fairseq_checkpoint import import_fairseq, load_checkpoint_state, safe_fairseq_loading

        import_fairseq()
        from fairseq import checkpoint_utils

        ckpt = self.checkpoint_path
        mtime = ckpt.stat().st_mtime if ckpt.is_file() else -1.0
        if self._loaded is not None and self._loaded[0] == ckpt and self._loaded[1] == mtime:
            return self._loaded[2], self._loaded[3], self._loaded[4]
        for dict_file in (self.bin_dir / "dict.src.txt", self.bin_dir / "dict.tgt.txt"):
            if not dict_file.is_file():
                raise MissingArtifact(str(dict_file), "dictionary not found (train the model first)")
        state = load_checkpoint_state(ckpt, arg_overrides={"data": str(self.bin_dir)})
        with safe_fairseq_loading():
            models, _cfg, task = checkpoint_utils.load_model_ensemble_and_task([str(ckpt)], state=state)
        for m in models:
            m.eval()
        max_src = int(min(m.max_positions()[0] for m in models))
        self._loaded = (ckpt, mtime, models, task, max_src)
        return models, task, max_src

    def ranking(self) -> Optional[Ranking]:
        return self.config.ranking

    def _predict_constrained(self, src: Sequence[str], n_best: int, counts: Sequence[Counts]) -> Optional[list[list[Hypothesis]]]:
        return self._predict_ctranslate2(list(src), n_best, counts) if self.config.engine == "ctranslate2" else None

    def _predict(self, src: Sequence[str], n_best: int) -> list[list[Hypothesis]]:
        """Beam search (beam = max(profile beam, n_best)); hypotheses best first, scores are
        fairseq's log-probabilities (length-normalised unless a ranking re-ranks them); one list
        per input line, in input order."""
        import torch

        from s2a.models.fairseq_checkpoint import import_fairseq

        import_fairseq()
        from fairseq.sequence_generator import SequenceGenerator

        lines = list(src)
        if self.config.engine == "ctranslate2":
            return self._predict_ctranslate2(lines, n_best)
        torch.set_num_threads(max(1, self.config.threads))
        models, task, max_src = self._load()
        src_dict, tgt_dict = task.source_dictionary, task.target_dictionary
        tokens = []
        for line in lines:
            t = src_dict.encode_line(line, add_if_not_exist=False, append_eos=True).long()
            if len(t) > max_src:
                logger.warning("source of %d tokens truncated to the model's %d positions", len(t), max_src)
                t = torch.cat([t[: max_src - 1], t[-1:]])
            tokens.append(t)
        lengths = [len(t) for t in tokens]
        dataset = task.build_dataset_for_inference(tokens, lengths)
        beam = max(self.config.beam, n_best)
        generator = SequenceGenerator(
            models,
            tgt_dict,
            beam_size=beam,
            max_len_a=self.config.max_len_a,
            max_len_b=self.config.max_len_b,
            len_penalty=self.config.decode_lenpen,
        )
        order = sorted(range(len(lines)), key=lambda i: -lengths[i])  # similar lengths share a batch
        results: list[list[Hypothesis] | None] = [None] * len(lines)
        step = max(1, self.config.batch_size)
        with torch.no_grad():
            for start in range(0, len(order), step):
                sample = dataset.collater([dataset[i] for i in order[start : start + step]])
                hypos = generator.generate(models, sample)
                for k, idx in enumerate(sample["id"].tolist()):
                    results[idx] = [
                        Hypothesis(tgt_dict.string(h["tokens"]), float(h["score"])) for h in hypos[k][:n_best]
                    ]
        missing = [i for i, r in enumerate(results) if r is None]
        if missing:  # would be a bug in batching; never return misaligned predictions
            raise RuntimeError(f"no prediction for input lines {missing[:10]}")
        return [r for r in results if r is not None]
