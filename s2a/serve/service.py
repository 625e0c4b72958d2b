"""The models behind `s2a serve`: loaded once, each answered by one worker thread that batches.

Each served model has a queue and worker threads. A request puts its reactions on the queue and
waits for a future; a worker takes everything already queued (up to `Limits.max_model_batch`
reactions), groups it by n-best and asks the model for each group in one `predict` call. Nothing
waits on purpose: while the model is busy, requests pile up and the next call takes them together,
so a quiet server answers at single-request latency and a busy one decodes in batches.

Most families get one worker, so the model (faiss, torch, an HTTP client) is never called from two
threads at once. The CTranslate2 families (transformer, bart) get one worker per core: their
translator is thread-safe and decodes a batch of a few reactions on one core (s2a's decoder uses
one thread per batch), so two calls at once keep both cores of a small machine busy.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import queue
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Optional, TypeVar, Union

from s2a.api import FailedReaction, ProcedurePredictor, ReactionQuery, Result
from s2a.errors import MissingArtifact, UnknownModel, UserError
from s2a.procedure import render_steps
from s2a.formats.reaction import CanonicalReaction, canonical_reaction
from s2a.formats.tokenization import detokenize_smiles
from s2a.paths import DATA_DIR, MODELS_DIR

log = logging.getLogger("s2a.serve")
T = TypeVar("T")

DEMO_REACTION = "CC(=O)Cl.OCC>>CC(=O)OCC"
DEMO_NAMES = ("acetyl chloride", "ethanol")


@dataclass(frozen=True)
class Limits:
    """What one request may ask for; more is a 4xx with the reason."""

    max_body_bytes: int = 64 * 1024
    max_model_batch: int = 64  # reactions the worker hands the model in one call
    timeout_s: float = 120.0  # a request waiting longer for its model is answered 503
    # n-best (1..50), batch size (<= 256) and SMILES length (<= 4,000) are checked by s2a.serve.schemas.


@dataclass
class _PredictJob:
    queries: list[ReactionQuery]
    n_best: int
    part: bool = False  # a part of a batch cut for several workers: another worker should take it
    future: "Future[list[Result]]" = field(default_factory=Future)


@dataclass
class _CallJob:
    call: Callable[[], Any]
    future: "Future[Any]" = field(default_factory=Future)


_Job = Union[_PredictJob, _CallJob, None]


class ServedModel:
    """One loaded model and the worker threads that batch its calls."""

    def __init__(self, name: str, predictor: ProcedurePredictor, limits: Limits = Limits(),
                 workers: Optional[int] = None) -> None:
        self.name = name
        self.predictor = predictor
        self.limits = limits
        self.workers = workers if workers and workers > 0 else default_workers(predictor.model_name)
        self.batches = 0  # model calls made (a batch holds one or more requests)
        self.reactions = 0
        self._count = threading.Lock()
        self._queue: "queue.Queue[_Job]" = queue.Queue()
        self._threads = [threading.Thread(target=self._work, name=f"s2a-serve-{name}-{k}", daemon=True)
                         for k in range(self.workers)]
        for t in self._threads:
            t.start()

    def submit(self, queries: Sequence[ReactionQuery], n_best: int) -> "Future[list[Result]]":
        """Results in query order; with several workers, a batch is cut into one part per worker."""
        parts = min(self.workers, len(queries))
        if parts <= 1:
            job = _PredictJob(list(queries), n_best)
            self._queue.put(job)
            return job.future
        size = -(-len(queries) // parts)
        jobs = [_PredictJob(list(queries[i : i + size]), n_best, part=True) for i in range(0, len(queries), size)]
        for job in jobs:
            self._queue.put(job)
        return _gather([j.future for j in jobs])

    def call(self, fn: Callable[[], T]) -> "Future[T]":
        """Run `fn` on this model's worker thread (for other uses of the same model object)."""
        job = _CallJob(fn)
        self._queue.put(job)
        return job.future

    def close(self) -> None:
        for _ in self._threads:
            self._queue.put(None)
        for t in self._threads:
            t.join(timeout=5)

    def describe(self) -> dict[str, Any]:
        model = self.predictor.model
        describe = getattr(model, "describe", None)
        try:
            extra = describe() if callable(describe) else {}
        except Exception as e:  # a family's describe() must not take /models down
            extra = {"describe_error": f"{type(e).__name__}: {e}"}
        return {
            "name": self.name,
            "family": type(model).__name__,
            "profile": self.predictor.profile,
            "work_dir": str(self.predictor.paths.work_dir),
            "data_dir": str(self.predictor.paths.data_dir),
            "data_digest": data_digest(self.predictor.paths.data_dir),
            "workers": self.workers,
            "batches": self.batches,
            "reactions": self.reactions,
            **extra,
        }

    # -- worker ----------------------------------------------------------------------------------
    def _work(self) -> None:
        while True:
            job = self._queue.get()
            if job is None:
                return
            jobs: list[_PredictJob] = []
            if isinstance(job, _CallJob):
                _run_call(job)
                continue
            jobs.append(job)
            size = len(job.queries)
            stop = False
            while size < self.limits.max_model_batch:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    stop = True
                    break
                if isinstance(more, _CallJob):
                    _run_call(more)
                    continue
                if more.part:  # left for an idle worker (at the back of the queue; its future keeps the order)
                    self._queue.put(more)
                    break
                jobs.append(more)
                size += len(more.queries)
            by_n: dict[int, list[_PredictJob]] = {}
            for j in jobs:
                by_n.setdefault(j.n_best, []).append(j)
            for n_best, group in by_n.items():
                self._predict_group(group, n_best)
            if stop:
                return

    def _predict_group(self, group: list[_PredictJob], n_best: int) -> None:
        group = [j for j in group if j.future.set_running_or_notify_cancel()]  # drop timed-out requests
        if not group:
            return
        queries = [q for j in group for q in j.queries]
        try:
            results = self.predictor.predict(queries, n_best=n_best)
        except Exception as e:  # noqa: BLE001 - handed to every waiting request
            for j in group:
                j.future.set_exception(e)
            return
        with self._count:
            self.batches += 1
            self.reactions += len(queries)
        start = 0
        for j in group:
            j.future.set_result(results[start : start + len(j.queries)])
            start += len(j.queries)


def _gather(parts: "list[Future[list[Result]]]") -> "Future[list[Result]]":
    """One future of the concatenated results of `parts` (the first failure fails it)."""
    whole: "Future[list[Result]]" = Future()
    lock = threading.Lock()
    left = [len(parts)]

    def done(_: "Future[list[Result]]") -> None:
        with lock:
            left[0] -= 1
            if left[0] or whole.done():
                return
        failed = next((p for p in parts if p.cancelled() or p.exception() is not None), None)
        if failed is not None:
            if failed.cancelled():
                whole.cancel()
            else:
                whole.set_exception(failed.exception())  # type: ignore[arg-type]
        else:
            whole.set_result([r for p in parts for r in p.result()])

    for p in parts:
        p.add_done_callback(done)
    whole.add_done_callback(lambda w: [p.cancel() for p in parts] if w.cancelled() else None)  # a timed-out request
    return whole


PARALLEL_FAMILIES = ("transformer", "bart")  # thread-safe CTranslate2 translators


def default_workers(family: str) -> int:
    """Worker threads of a served model: one per core for the CTranslate2 families, else one."""
    if family in PARALLEL_FAMILIES:
        return max(1, min(4, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1))
    return 1


def _run_call(job: _CallJob) -> None:
    if not job.future.set_running_or_notify_cancel():
        return
    try:
        job.future.set_result(job.call())
    except Exception as e:  # noqa: BLE001
        job.future.set_exception(e)


@lru_cache(maxsize=16)
def data_digest(data_dir: Path) -> Optional[str]:
    """SHA-256 (first 16 hex digits) of the training split a model was trained on, if present."""
    h = hashlib.sha256()
    found = False
    for name in ("src-train.txt", "tgt-train.txt"):
        path = Path(data_dir) / name
        if path.is_file():
            found = True
            with path.open("rb") as f:
                for block in iter(lambda: f.read(1 << 20), b""):
                    h.update(block)
    return h.hexdigest()[:16] if found else None


# -- nearest training reaction ---------------------------------------------------------------------
@dataclass(frozen=True)
class Neighbour:
    """The training reaction nearest to a query (the nn model's index) and its procedure."""

    reaction: str
    precursors: tuple[str, ...]
    products: tuple[str, ...]
    actions: str
    steps: tuple[str, ...]
    score: float

    def as_dict(self) -> dict[str, Any]:
        return {"reaction": self.reaction, "actions": self.actions, "steps": list(self.steps), "score": self.score}


class NeighbourLookup:
    """Nearest training reaction of a canonical reaction, through a served nn model."""

    def __init__(self, served: ServedModel) -> None:
        self.served = served
        self._train_src: Optional[list[str]] = None
        self._cache: dict[str, Optional[Neighbour]] = {}

    def _sources(self) -> list[str]:
        if self._train_src is None:
            path = self.served.predictor.paths.data_dir / "src-train.txt"
            if not path.is_file():
                raise MissingArtifact(str(path), "training split not found (the nn model's data)")
            self._train_src = path.read_text(encoding="utf-8").splitlines()
        return self._train_src

    def submit(self, reaction: CanonicalReaction) -> "Future[Optional[Neighbour]]":
        """The lookup, run on the nn model's worker thread (never beside one of its predictions)."""
        if reaction.smiles in self._cache:
            done: "Future[Optional[Neighbour]]" = Future()
            done.set_result(self._cache[reaction.smiles])
            return done
        return self.served.call(lambda: self._find(reaction))

    def _find(self, reaction: CanonicalReaction) -> Optional[Neighbour]:
        nearest = getattr(self.served.predictor.model, "nearest_training", None)
        if nearest is None:
            return None
        row, score, actions = nearest([reaction.tokens])[0]
        smiles = detokenize_smiles(self._sources()[row])
        left, _, right = smiles.partition(">>")
        precursors, products = tuple(left.split(".")), tuple(right.split("."))
        steps = tuple(render_steps(actions, precursors, products))
        if len(self._cache) > 4096:
            self._cache.clear()
        found = self._cache[reaction.smiles] = Neighbour(smiles, precursors, products, actions, steps, score)
        return found


# -- loading ---------------------------------------------------------------------------------------
def load_models(names: Sequence[str], data_dir: Path = DATA_DIR, models_dir: Path = MODELS_DIR,
                profile: str = "cpu", limits: Limits = Limits(), warm: bool = True,
                workers: Optional[int] = None) -> dict[str, ServedModel]:
    """Load each model once (and decode the demo reaction once, so the first request is warm).

    A name may carry its own profile, `transformer:tiny`; the others use `profile`.
    """
    out: dict[str, ServedModel] = {}
    for entry in names:
        name, _, own = entry.partition(":")
        predictor = ProcedurePredictor(name, data_dir=data_dir, models_dir=models_dir, profile=own or profile)
        predictor.model  # noqa: B018 - constructs the family (reads its settings)
        if warm:
            result = predictor.predict([ReactionQuery(DEMO_REACTION, DEMO_NAMES)], n_best=1)[0]
            if isinstance(result, FailedReaction):
                raise result.error
        parallel = workers if name in PARALLEL_FAMILIES else None
        out[name] = ServedModel(name, predictor, limits, workers=parallel)
        log.info("serve: loaded %s (%s)", name, predictor.paths.work_dir)
    return out


def available_models(models_dir: Path = MODELS_DIR) -> list[str]:
    """Registered families with trained artefacts under `models_dir` (the remote endpoint excluded)."""
    from s2a.models import REGISTRY

    seq2seq = ("ct2", "ctranslate2", "checkpoints/*.pt", "*.pt")
    marks = {"transformer": seq2seq, "bart": seq2seq, "llm": ("**/*.safetensors",)}
    found = []
    for name in REGISTRY:
        if name == "llm-endpoint":
            continue
        work = models_dir / name
        if not work.is_dir():
            continue
        patterns = marks.get(name, ("table.json",))
        if any(any(work.glob(p)) for p in patterns):
            found.append(name)
    return found


def served(models: Mapping[str, ServedModel], name: Optional[str]) -> ServedModel:
    """The model a request names (default: the first loaded); UnknownModel otherwise."""
    if name is None or name == "":
        return next(iter(models.values()))
    try:
        return models[name]
    except KeyError:
        raise UnknownModel(name, list(models)) from None


# -- examples of the test split --------------------------------------------------------------------
@dataclass(frozen=True)
class Example:
    """A test reaction linked on the page (the processed splits keep no compound names)."""

    reaction: str
    names: str = ""


def load_examples(data_dir: Path, n: int = 8) -> list[Example]:
    """The first `n` readable test reactions (test.jsonl's reaction_smiles, else src-test.txt)."""
    jsonl, src = Path(data_dir) / "test.jsonl", Path(data_dir) / "src-test.txt"
    out: list[Example] = []
    try:
        if jsonl.is_file():
            with jsonl.open(encoding="utf-8") as f:
                candidates = (str(json.loads(line).get("reaction_smiles") or "") for line in f if line.strip())
                out = _readable(candidates, n)
        elif src.is_file():
            with src.open(encoding="utf-8") as f:
                out = _readable((detokenize_smiles(line) for line in f if line.strip()), n)
    except (OSError, ValueError, AttributeError) as e:
        log.warning("serve: no examples from %s: %s", data_dir, e)
    return out


def _readable(candidates: Iterable[str], n: int) -> list[Example]:
    out: list[Example] = []
    for smiles in candidates:
        if len(out) >= n:
            break
        try:
            canonical_reaction(smiles)
        except UserError:
            continue
        out.append(Example(smiles))
    return out


__all__ = ["Example", "Limits", "Neighbour", "NeighbourLookup", "ServedModel",
           "available_models", "load_examples", "load_models", "served"]
