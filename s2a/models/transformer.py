"""The Smiles2Actions transformer: OpenNMT-py 3.5 training, CTranslate2 (or OpenNMT-py) decoding.

Layout of `paths.work_dir`:
  vocab.src, vocab.tgt          token counts from onmt_build_vocab (train split only)
  checkpoints/model_step_N.pt   OpenNMT-py checkpoints; the highest N is the model
  ct2/                          CTranslate2 conversion of the final checkpoint
  onmt-*.yaml, logs/*.log       the generated OpenNMT-py configs and their output
  data.json                     SHA-256 of the splits trained on: new data never resumes an old run
  learning_curve.csv            validation loss/accuracy per valid_steps (OpenNMT-py's log) and the
                                >= 50 % similarity share of a validation sample per checkpoint

`train()` resumes from the last readable checkpoint and does nothing once `train_steps` is reached
(raising `train_steps` in the profile continues the same run).
"""
from __future__ import annotations

import logging
import re
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any, Optional

from s2a.formats import learning_curve as curve
from s2a.formats.targets import Counts
from s2a.errors import DeviceUnavailable, MissingArtifact, StaleArtifact, UnsafeCheckpoint
from s2a.freshness import Stamp, digest_files
from s2a.models.base import ActionModel, Hypothesis, ModelPaths
from s2a.models.onmt_config import run_onmt, write_config
from s2a.models.onmt_options import BUILD_VOCAB, TRAIN, TRANSLATE, command_config
from s2a.models.ranking import Ranking
from s2a.models import retrieval_input
from s2a.models.transformer_profile import TransformerSettings, load_settings

log = logging.getLogger(__name__)

_STEP = re.compile(r"model_step_(\d+)\.pt$")
ONMT_DEFAULT_BUCKET_SIZE = 262144
SPLIT_FILES = ("src-train.txt", "tgt-train.txt", "src-valid.txt", "tgt-valid.txt")
# Source tokens per second a step runs at, for choosing report_every before anything is measured
# (measured: ~1,000 on 2 CPU cores for the paper's 4-layer model; a GPU is tens of times faster).
EXPECTED_TOKENS_PER_S = {"cpu": 1000.0, "cuda": 30000.0}
REPORT_TARGET_S = 45.0  # OpenNMT-py should report at least this often (s2a.external's heartbeat covers the rest)


def checkpoint_files(checkpoint_dir: Path) -> list[tuple[int, Path]]:
    """(step, path) of every OpenNMT-py checkpoint in a folder, by step."""
    if not checkpoint_dir.is_dir():
        return []
    return sorted((int(m.group(1)), p) for p in checkpoint_dir.iterdir() if (m := _STEP.search(p.name)))


class TransformerModel(ActionModel):
    name = "transformer"

    def __init__(
        self,
        paths: ModelPaths,
        profile: str = "cpu",
        seed: int = 42,
        overrides: Optional[Mapping[str, Any]] = None,
    ) -> None:
        super().__init__(paths, profile, seed)
        self.settings: TransformerSettings = self._load_settings(profile, overrides)
        self._decoder: Any = None
        self._neighbours: Any = None

    def _load_settings(self, profile: str, overrides: Optional[Mapping[str, Any]]) -> TransformerSettings:
        """The profile's settings (a text-task family adds its task's `tasks:` entry)."""
        return load_settings(profile, overrides)

    # --- layout -----------------------------------------------------------------------------
    @property
    def work_dir(self) -> Path:
        return Path(self.paths.work_dir)

    @property
    def checkpoint_dir(self) -> Path:
        return self.work_dir / "checkpoints"

    @property
    def ct2_dir(self) -> Path:
        return self.work_dir / "ct2"

    def vocab_path(self, side: str) -> Path:
        return self.work_dir / f"vocab.{side}"

    def checkpoints(self) -> list[tuple[int, Path]]:
        """(step, path) of every checkpoint file, by step."""
        return checkpoint_files(self.checkpoint_dir)

    def last_checkpoint(self) -> Optional[tuple[int, Path]]:
        """The newest checkpoint that loads; a file cut short by an interruption is skipped."""
        from s2a.checkpoint import load_checkpoint

        for step, path in reversed(self.checkpoints()):
            try:
                load_checkpoint(path)
            except UnsafeCheckpoint:
                raise
            except MissingArtifact as e:
                log.warning("skipping unreadable checkpoint %s (%s)", path, e.reason)
                continue
            return step, path
        return None

    def _prune_checkpoints(self) -> None:
        """Apply `keep_checkpoint` across resumed runs too (OpenNMT-py only prunes its own run's)."""
        keep = int(self.settings.onmt.get("keep_checkpoint", -1))
        if keep > 0:
            for _, path in self.checkpoints()[:-keep]:
                path.unlink()

    def final_checkpoint(self) -> Path:
        last = self.last_checkpoint()
        if last is None:
            raise MissingArtifact(str(self.checkpoint_dir), "no transformer checkpoint (train the model first)")
        return last[1]

    # --- devices ------------------------------------------------------------------------------
    def _use_cuda(self) -> bool:
        if self.settings.device == "cpu":
            return False
        import torch

        available = torch.cuda.is_available()
        if self.settings.device == "cuda" and not available:
            raise DeviceUnavailable("cuda", f"profile {self.profile!r} asks for device: cuda but torch sees no GPU")
        return available

    def _filled(self) -> dict[str, Any]:
        """Options s2a fills in for every command (see the by_s2a rows of onmt_options)."""
        cuda = self._use_cuda()
        gpus = self.settings.gpus if cuda else 1
        return {
            "seed": self.seed,
            "world_size": gpus,
            "gpu_ranks": list(range(gpus)) if cuda else [],
            "gpu": 0 if cuda else -1,
        }

    # --- training -----------------------------------------------------------------------------
    @property
    def train_data_dir(self) -> Path:
        """The splits OpenNMT-py reads: the processed ones, or their retrieval- or SMILES-augmented copies."""
        return self.work_dir / "data" if self.settings.retrieval or self.settings.augmentation else Path(self.paths.data_dir)

    def _neighbour_input(self) -> Any:
        from s2a.models.retrieval_input import NeighbourInput

        if self._neighbours is None:
            assert self.settings.retrieval is not None
            self._neighbours = NeighbourInput.of_model(Path(self.paths.data_dir), self.work_dir, self.settings.retrieval)
        return self._neighbours

    def _data_options(self) -> dict[str, Any]:
        data = self.train_data_dir.resolve()  # OpenNMT-py runs in another process
        for name in SPLIT_FILES:
            if not (data / name).is_file():
                raise MissingArtifact(str(data / name), "split file not found (run `make data` first)")
        return {
            "data": {
                "corpus_1": {"path_src": str(data / "src-train.txt"), "path_tgt": str(data / "tgt-train.txt")},
                "valid": {"path_src": str(data / "src-valid.txt"), "path_tgt": str(data / "tgt-valid.txt")},
            },
            "src_vocab": str(self.vocab_path("src")),
            "tgt_vocab": str(self.vocab_path("tgt")),
        }

    def _train_settings(self) -> dict[str, Any]:
        """The profile's options, with `bucket_size` capped at the training-set size: a bucket larger
        than the corpus makes OpenNMT-py re-read a small corpus many times to fill it (~20× slower)."""
        settings = dict(self.settings.onmt)
        with (self.train_data_dir / "src-train.txt").open("rb") as f:
            n_train = sum(1 for _ in f)
        if n_train:
            settings["bucket_size"] = min(int(settings.get("bucket_size", ONMT_DEFAULT_BUCKET_SIZE)), n_train)
        settings["report_every"] = self.report_every()
        return settings

    def report_every(self) -> int:
        """The profile's report_every, lowered so that a step report comes about every 45 s at the
        expected speed: the paper's 1,000 steps are ~1 h apart on a CPU."""
        onmt = self.settings.onmt
        tokens = int(onmt.get("batch_size", 1024)) * int(onmt.get("accum_count", 1))
        if onmt.get("batch_type", "sents") != "tokens":
            tokens *= 50  # sentences of ~50 source tokens
        speed = EXPECTED_TOKENS_PER_S["cuda" if self._use_cuda() else "cpu"] * (self.settings.gpus if self._use_cuda() else 1)
        steps = max(1, int(REPORT_TARGET_S * speed / max(1, tokens)))
        return min(int(onmt.get("report_every", 50)), steps)

    def no_gpu_note(self) -> Optional[str]:
        """One line for a profile meant for a GPU (device auto/cuda) that found none."""
        if self.settings.device == "cpu" or self._use_cuda():
            return None
        return (f"no GPU found: profile {self.profile!r} is meant for one (device: {self.settings.device}, "
                f"gpus: {self.settings.gpus}); training on the CPU")

    def _check_data(self) -> None:
        """Remember which splits this folder is trained on; refuse to resume on different data."""
        data = Path(self.paths.data_dir)
        retrieval = asdict(self.settings.retrieval) if self.settings.retrieval else False
        inputs: dict[str, Any] = {"data": digest_files([data / name for name in SPLIT_FILES]), "retrieval": retrieval}
        if self.settings.augmentation:  # (absent otherwise: folders trained before augmentation existed stay valid)
            inputs["augmentation"] = asdict(self.settings.augmentation)
        stamp = Stamp(self.work_dir / "data.json")
        if stamp.exists() and not stamp.matches(inputs):
            if self.checkpoints():
                raise StaleArtifact(
                    str(self.work_dir),
                    f"trained on other data than {data}; delete this folder (or use another work dir) to retrain",
                )
            for side in ("src", "tgt"):
                self.vocab_path(side).unlink(missing_ok=True)
        stamp.write(inputs)

    def _build_vocab(self, data_options: dict[str, Any]) -> None:
        if self.vocab_path("src").is_file() and self.vocab_path("tgt").is_file():
            return
        partial = {side: self.vocab_path(side).with_suffix(f".{side}.partial") for side in ("src", "tgt")}
        filled = {
            **self._filled(),
            **data_options,
            "src_vocab": str(partial["src"]),
            "tgt_vocab": str(partial["tgt"]),
            "save_data": str(self.work_dir / "samples"),
            "n_sample": -1,
            "overwrite": True,
        }
        config = write_config(command_config(BUILD_VOCAB, self.settings.onmt, filled), self.work_dir / "onmt-build_vocab.yaml")
        run_onmt(BUILD_VOCAB, config, self.work_dir / "logs" / "build_vocab.log", self.settings.threads)
        for side, path in partial.items():
            path.rename(self.vocab_path(side))

    def _start_options(self, last: Optional[tuple[int, Path]]) -> dict[str, Any]:
        """OpenNMT-py options of where training starts: the last checkpoint, or from scratch."""
        return {"train_from": str(last[1]) if last else None}

    def train(self) -> None:
        """Build vocabularies, train (resuming from the last checkpoint), convert for CTranslate2."""
        self.work_dir.mkdir(parents=True, exist_ok=True)
        self._check_data()
        if self.settings.retrieval:
            self._neighbour_input().write_splits(self.train_data_dir)
        if self.settings.augmentation:
            from s2a.models.augmentation import write_augmented

            write_augmented(Path(self.paths.data_dir), self.train_data_dir, self.settings.augmentation)
        data_options = self._data_options()
        self._build_vocab(data_options)
        last = self.last_checkpoint()
        if last is None or last[0] < self.settings.train_steps:
            filled = {
                **self._filled(),
                **data_options,
                "save_model": str(self.checkpoint_dir / "model"),
                **self._start_options(last),
            }
            if last:
                log.info("resuming transformer training from %s", last[1])
            config = write_config(command_config(TRAIN, self._train_settings(), filled), self.work_dir / "onmt-train.yaml")
            start = last[0] if last else 0
            reader = run_onmt(TRAIN, config, self.work_dir / "logs" / "train.log", self.settings.threads,
                              total_steps=self.settings.train_steps, start_step=start,
                              valid_steps=int(self.settings.onmt.get("valid_steps", 0)), no_gpu_note=self.no_gpu_note())
            offset = curve.elapsed_before(self.curve_path, start)
            curve.merge_points(self.curve_path, [
                curve.CurvePoint(v.step, v.loss, v.accuracy, seconds=round(offset + v.seconds, 1))
                for v in reader.validations])
            self._decoder = None
            self._prune_checkpoints()
        if self.settings.decoder == "ctranslate2":
            from s2a.models.ctranslate import ensure_converted

            ensure_converted(self.final_checkpoint(), self.ct2_dir)
        self.update_learning_curve()

    # --- learning curve -----------------------------------------------------------------------
    @property
    def curve_path(self) -> Path:
        return self.work_dir / curve.FILE

    def update_learning_curve(self) -> list[curve.CurvePoint]:
        """Add the sequence score of every checkpoint not scored yet: greedy CTranslate2 decoding of
        the validation sample (a few seconds per checkpoint on a CPU). Without CTranslate2 the
        column stays empty."""
        scored = {p.step for p in curve.read_curve(self.curve_path) if p.valid_at_least_50 is not None}
        todo = [(step, path) for step, path in self.checkpoints() if step not in scored]
        if not todo or self.settings.curve_sample <= 0:
            return curve.read_curve(self.curve_path)
        try:
            from s2a.models.ctranslate import CT2Decoder, convert_checkpoint, is_converted
        except ImportError:
            log.info("learning curve: no CTranslate2, sequence scores left out")
            return curve.read_curve(self.curve_path)
        srcs, tgts = curve.valid_sample(self.train_data_dir, self.settings.curve_sample)
        scratch = self.work_dir / "curve-ct2"
        points = []
        for step, path in todo:
            model_dir = self.ct2_dir if is_converted(path, self.ct2_dir) else convert_checkpoint(path, scratch)
            decoder = CT2Decoder(model_dir, device="cuda" if self._use_cuda() else "cpu", threads=self.settings.threads)
            hyps = decoder.translate(srcs, n_best=1, beam_size=1, max_length=self.settings.max_length,
                                     batch_size=self.settings.decode_batch_size,
                                     batch_tokens=self.settings.decode_batch_tokens)
            points.append(curve.CurvePoint(step, valid_at_least_50=round(curve.at_least_50(tgts, [h[0].actions for h in hyps]), 2)))
        shutil.rmtree(scratch, ignore_errors=True)
        return curve.merge_points(self.curve_path, points)

    # --- prediction ---------------------------------------------------------------------------
    def _get_decoder(self) -> Any:
        if self._decoder is not None:
            return self._decoder
        if self.settings.decoder == "ctranslate2":
            from s2a.models.ctranslate import CT2Decoder, ensure_converted, is_converted

            newest = self.checkpoints()[-1][1] if self.checkpoints() else None
            if newest is None or not is_converted(newest, self.ct2_dir):  # else: skip loading the checkpoint
                ensure_converted(self.final_checkpoint(), self.ct2_dir)
            self._decoder = CT2Decoder(
                self.ct2_dir,
                device="cuda" if self._use_cuda() else "cpu",
                compute_type=self.settings.compute_type,
                threads=self.settings.threads,
            )
        else:
            import torch

            from s2a.models.onmt_decoding import OnmtDecoder

            checkpoint = self.final_checkpoint()
            if self.settings.threads > 0:
                torch.set_num_threads(self.settings.threads)
            filled = {
                **self._filled(),
                "translate_batch_size": self.settings.decode_batch_size,
                "translate_batch_type": "sents",
            }
            options = command_config(TRANSLATE, self.settings.onmt, filled)
            self._decoder = OnmtDecoder(checkpoint, options, self.work_dir / "onmt-translate.yaml")
        return self._decoder

    def ranking(self) -> Optional[Ranking]:
        return self.settings.ranking

    def neighbour_settings(self) -> Any:
        return self.settings.retrieval or super().neighbour_settings()

    def _predict_constrained(self, src: Sequence[str], n_best: int, counts: Sequence[Counts]) -> Optional[list[list[Hypothesis]]]:
        return self._predict(src, n_best, counts) if self.settings.decoder == "ctranslate2" else None

    def describe(self) -> dict[str, Any]:
        retrieval = {"retrieval": retrieval_input.DESCRIPTION} if self.settings.retrieval else {}
        augmentation = {"augmentation": asdict(self.settings.augmentation)} if self.settings.augmentation else {}
        return {**super().describe(), **retrieval, **augmentation}

    def _predict(self, src: Sequence[str], n_best: int, counts: Optional[Sequence[Counts]] = None) -> list[list[Hypothesis]]:
        decoder = self._get_decoder()
        if self.settings.retrieval:
            src = self._neighbour_input()(src)
        if self.settings.decoder == "ctranslate2":
            result: list[list[Hypothesis]] = decoder.translate(
                src,
                n_best=n_best,
                beam_size=self.settings.beam_size,
                max_length=self.settings.max_length,
                batch_size=self.settings.decode_batch_size,
                batch_tokens=self.settings.decode_batch_tokens,
                counts=counts,
            )
            return result
        onmt_result: list[list[Hypothesis]] = decoder.translate(src, n_best=n_best, beam_size=self.settings.beam_size)
        return onmt_result
