"""The circle review: a panel of LLM judges scores predictions against references, then revises.

ChemActor (ACL 2025) calls it a "multi-round LLMs circle review". We follow the protocol of its
public evaluation code (github.com/Zhanghahah/ChemActor, `evaluate/review.py`; read, not copied):

- several judges (there: GPT-3.5, GPT-4o, Llama-3-8B, Mistral-7B; here: any OpenAI-compatible
  endpoints listed in configs/judges-<profile>.yaml) each rate how similar two operation
  sequences are "from the perspective of chemical experiments", 0 to 1 in steps of 0.1, with an
  explanation;
- then, per round, every judge is shown both sequences, its own score and reason and the other
  reviewers' (anonymous: "reviewer 1", ...), and asked to reconsider: revise, or keep the score and
  say why (there: two rounds after the first).

Where we differ, on purpose:
- The answer format is one line, `<score> | <reason>`, read by a strict parser (`parse_judgment`).
  An unreadable answer is asked again (`parse_retries`: the judge sees its answer and is asked
  for the format, at `retry_temperature`), then counted as unreadable — never dropped silently.
  (ChemActor guesses a score from loose text and drops the whole example when any judge's answer
  stays unreadable.) No worked example by default, as ChemActor's prompt; a panel profile may list
  `examples:` shown before the first judgment (configs/judges-fewshot.yaml). With them SmolLM2-135M
  answers in the format, but copies an example's score and reason whatever it is shown — which the
  controls below expose.
- A seeded sample of `sample_size` examples, the same for every model (ChemActor reviews the
  examples on which some method scored below 40 % exact match).
- Controls (`s2a review --controls`, `controls`): the references themselves, with one action dropped,
  and another example's reference, reviewed like models. A judge worth reading scores them in that
  order; the result records the last round's identical-minus-another-reaction gap
  (`control_separation`), which `s2a compare` shows beside the review.
- Reported per model and round: the mean score over readable judgments, the judges' spread
  (the standard deviation across judges, averaged over examples with two or more readable scores),
  the share of unreadable judgments; and each judge's mean. Every raw answer, retries included, goes
  to a JSONL file beside the result, so the review can be audited.
"""
from __future__ import annotations

import json
import random
import re
import statistics
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Optional

from tqdm import tqdm

from s2a import config
from s2a.atomic import atomic_path
from s2a.chat import ChatClient, ChatEndpoint, Message
from s2a.errors import ConfigError, DataError, PredictionMismatch
from s2a.local_server import transformers_serve

# --- settings ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class JudgeSettings:
    """One judge: an OpenAI-compatible server and model."""

    name: str
    base_url: str
    model: str
    api_key_env: str = "OPENAI_API_KEY"
    max_tokens: int = 60  # one line of score and reason
    timeout: float = 120.0
    retries: int = 3  # connection errors, timeouts, 429, 5xx (s2a.chat); not unreadable answers
    backoff: float = 1.0

    def endpoint(self) -> ChatEndpoint:
        return ChatEndpoint(base_url=self.base_url, model=self.model, api_key_env=self.api_key_env,
                            max_tokens=self.max_tokens, timeout=self.timeout, retries=self.retries,
                            backoff=self.backoff)


@dataclass(frozen=True)
class Example:
    """A worked judgment shown to every judge before its own (a user turn and the answer)."""

    prediction: str
    reference: str
    answer: str  # in the answer format, `<score> | <reason>`


@dataclass(frozen=True)
class PanelSettings:
    profile: str
    judges: list[JudgeSettings] = field(default_factory=list)
    examples: list[Example] = field(default_factory=list)  # none by default, as ChemActor's prompt
    rounds: int = 2  # revision rounds after the first scoring (ChemActor: 2)
    sample_size: int = 50  # examples reviewed per model (the same seeded sample for every model)
    seed: int = 42
    parse_retries: int = 2  # further requests after an unreadable answer, before it is counted
    temperature: float = 0.0
    retry_temperature: float = 0.7
    max_workers: int = 1  # examples reviewed at the same time


def load_panel_settings(profile: str) -> PanelSettings:
    """configs/judges-<profile>.yaml (or a .yaml path) read into PanelSettings."""
    where, data = config.load("judges", profile)
    settings = config.typed(PanelSettings, data, where, profile=profile)
    if not settings.judges:
        raise ConfigError(where, "no judges listed", key="judges")
    names = [j.name for j in settings.judges]
    for i, name in enumerate(names):
        if names.index(name) != i:
            raise ConfigError(where, f"judge name {name!r} listed twice", key=f"judges[{i}].name")
    for key in ("rounds", "parse_retries"):
        if getattr(settings, key) < 0:
            raise ConfigError(where, f"must be >= 0, got {getattr(settings, key)}", key=key)
    for i, example in enumerate(settings.examples):
        if parse_judgment(example.answer) is None:
            raise ConfigError(where, f"answer {example.answer!r} is not `<score from 0 to 1> | <reason>`",
                              key=f"examples[{i}].answer")
    for key in ("sample_size", "max_workers"):
        if getattr(settings, key) < 1:
            raise ConfigError(where, f"must be >= 1, got {getattr(settings, key)}", key=key)
    return settings


# --- prompts and the answer format ------------------------------------------------------------------

ANSWER_FORMAT = ("Answer with one line only, in the form\n<score from 0 to 1> | <the reason in one sentence>\n"
                 "and nothing else.")
UNREADABLE = "Your answer could not be read. "
_ANSWER = re.compile(r"(?P<score>\d+(?:\.\d+)?)\s*\|\s*(?P<reason>\S.*)")


def _pair(prediction: str, reference: str) -> str:
    return ("Rate how similar the following two sequences of laboratory actions are, from the perspective "
            "of carrying out the chemical experiment. Use a score from 0 to 1 in steps of 0.1: 1 means the "
            "experiments are identical, 0 that they have nothing in common.\n"
            f"The first sequence: {prediction}\nThe second sequence: {reference}\n")


def first_prompt(prediction: str, reference: str, examples: Sequence[Example] = ()) -> list[Message]:
    """The request for a first judgment, after the worked examples (each a user turn and its answer)."""
    shown: list[Message] = []
    for e in examples:
        shown += [{"role": "user", "content": _pair(e.prediction, e.reference) + ANSWER_FORMAT},
                  {"role": "assistant", "content": e.answer}]
    return [*shown, {"role": "user", "content": _pair(prediction, reference) + ANSWER_FORMAT}]


def _answer_text(judgment: Judgment) -> str:
    if judgment.score is None:
        return "no readable answer"
    return f"{judgment.score:g} | {judgment.reason}"


def revision_prompt(prediction: str, reference: str, own: Judgment, others: Sequence[Judgment]) -> list[Message]:
    """The pair, the judge's own last answer and the others' (anonymous), and the request to reconsider."""
    lines = [f"- reviewer {i}: {_answer_text(j)}" for i, j in enumerate(others, 1)]
    content = (_pair(prediction, reference)
               + f"Your answer was: {_answer_text(own)}\n"
               + "The other reviewers answered:\n" + "\n".join(lines) + "\n"
               + "Reconsider your score in the light of their reasons: revise it if they convinced you, "
               + "otherwise keep it and say why.\n" + ANSWER_FORMAT)
    return [{"role": "user", "content": content}]


def retry_prompt(messages: list[Message], answer: str) -> list[Message]:
    """The conversation so far, the unreadable answer, and the request to answer in the format."""
    return [*messages, {"role": "assistant", "content": answer}, {"role": "user", "content": UNREADABLE + ANSWER_FORMAT}]


def parse_judgment(text: str) -> Optional[tuple[float, str]]:
    """(score, reason) from an answer that is exactly one line `<score> | <reason>`, the score a
    number from 0 to 1; None for anything else (strict: no score is guessed from loose text)."""
    stripped = text.strip()
    if not stripped or "\n" in stripped:
        return None
    match = _ANSWER.fullmatch(stripped)
    if match is None:
        return None
    score = float(match["score"])
    if not 0.0 <= score <= 1.0:
        return None
    return score, match["reason"].strip()


# --- the review -------------------------------------------------------------------------------------

Complete = Callable[[list[Message], float], str]  # (messages, temperature) -> answer text


@dataclass(frozen=True)
class Judge:
    name: str
    complete: Complete


LOCAL = "local"  # a judge's base_url: s2a starts `transformers serve` for the review (s2a.local_server)


@contextmanager
def served(settings: PanelSettings, log_path: Path) -> Iterator[PanelSettings]:
    """The settings with every `base_url: local` judge pointed at one `transformers serve` started
    for the block (its log at `log_path`) and stopped after it; unchanged when no judge is local."""
    if not any(j.base_url == LOCAL for j in settings.judges):
        yield settings
        return
    with transformers_serve(log_path) as url:
        judges = [replace(j, base_url=url) if j.base_url == LOCAL else j for j in settings.judges]
        yield replace(settings, judges=judges)


def judges_from(settings: PanelSettings) -> list[Judge]:
    """One chat client per configured judge (streaming, connection retries: s2a.chat)."""
    return [Judge(j.name, ChatClient(j.endpoint()).complete) for j in settings.judges]


@dataclass(frozen=True)
class Judgment:
    judge: str
    score: Optional[float]  # None: no readable answer after every retry
    reason: str
    answers: tuple[str, ...]  # every raw answer, in order: retries after unreadable ones


@dataclass(frozen=True)
class RoundSummary:
    round: int  # 0: first scoring; 1..r: revisions
    mean: Optional[float]  # over readable judgments; None when there are none
    spread: Optional[float]  # std across judges, averaged over examples with >= 2 readable scores
    judgments: int
    unparseable: int  # judgments without a readable answer after every retry
    retried: int  # judgments that needed more than one request
    per_judge: dict[str, Optional[float]]

    @property
    def unparseable_share(self) -> float:
        return self.unparseable / self.judgments if self.judgments else 0.0


@dataclass(frozen=True)
class ModelReview:
    model: str
    indices: list[int]  # the reviewed examples (0-based lines of the prediction file)
    rounds: list[RoundSummary]
    requests: int = 0  # judge answers asked for, retries included
    seconds: float = 0.0  # wall time of the review (requests / seconds: the panel's calls per second)


def sample_indices(n: int, size: int, seed: int) -> list[int]:
    """A seeded sample of min(size, n) example indices, in file order."""
    return sorted(random.Random(seed).sample(range(n), min(size, n)))


def _ask(judge: Judge, messages: list[Message], settings: PanelSettings) -> Judgment:
    """A judgment; after an unreadable answer the judge is shown it and asked again for the format
    (a changed prompt: servers that ignore the temperature would otherwise repeat themselves)."""
    answers: list[str] = []
    for attempt in range(settings.parse_retries + 1):
        temperature = settings.temperature if attempt == 0 else settings.retry_temperature
        answers.append(judge.complete(messages, temperature))
        parsed = parse_judgment(answers[-1])
        if parsed is not None:
            return Judgment(judge.name, parsed[0], parsed[1], tuple(answers))
        messages = retry_prompt(messages, answers[-1])
    return Judgment(judge.name, None, "", tuple(answers))


def _review_example(prediction: str, reference: str, judges: Sequence[Judge],
                    settings: PanelSettings) -> list[list[Judgment]]:
    """Round by round, each judge's judgment of one example."""
    rounds = [[_ask(j, first_prompt(prediction, reference, settings.examples), settings) for j in judges]]
    for _ in range(settings.rounds):
        last = rounds[-1]
        rounds.append([
            _ask(j, revision_prompt(prediction, reference, last[k], last[:k] + last[k + 1:]), settings)
            for k, j in enumerate(judges)
        ])
    return rounds


def _summary(round_index: int, per_example: Sequence[Sequence[Judgment]], judges: Sequence[Judge]) -> RoundSummary:
    flat = [j for example in per_example for j in example]
    scores = [j.score for j in flat if j.score is not None]
    spreads = [statistics.pstdev(s) for example in per_example
               if len(s := [j.score for j in example if j.score is not None]) >= 2]
    per_judge: dict[str, Optional[float]] = {}
    for k, judge in enumerate(judges):
        mine = [example[k].score for example in per_example if example[k].score is not None]
        per_judge[judge.name] = statistics.fmean(mine) if mine else None
    return RoundSummary(
        round=round_index,
        mean=statistics.fmean(scores) if scores else None,
        spread=statistics.fmean(spreads) if spreads else None,
        judgments=len(flat),
        unparseable=sum(j.score is None for j in flat),
        retried=sum(len(j.answers) > 1 for j in flat),
        per_judge=per_judge,
    )


def review_model(model: str, predictions: Sequence[str], references: Sequence[str], indices: Sequence[int],
                 judges: Sequence[Judge], settings: PanelSettings) -> tuple[ModelReview, list[dict[str, Any]]]:
    """The panel's review of one model on the sampled examples, and one record per raw answer."""
    if len(predictions) != len(references):
        raise PredictionMismatch(f"predictions of {model}", len(references), len(predictions))
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=settings.max_workers) as pool, \
            tqdm(total=len(indices), desc=f"review {model}", unit="example") as bar:
        def one(i: int) -> list[list[Judgment]]:
            rounds = _review_example(predictions[i], references[i], judges, settings)
            bar.update()
            return rounds

        examples = list(pool.map(one, indices))
    seconds = time.perf_counter() - start
    records = [
        {"model": model, "index": index, "round": r, "judge": judgment.judge, "attempt": attempt,
         "answer": answer, "readable": parsed is not None,
         "score": parsed[0] if parsed else None, "reason": parsed[1] if parsed else None}
        for index, rounds in zip(indices, examples)
        for r, judgments in enumerate(rounds)
        for judgment in judgments
        for attempt, answer in enumerate(judgment.answers)
        for parsed in [parse_judgment(answer)]
    ]
    summaries = [_summary(r, [rounds[r] for rounds in examples], judges) for r in range(settings.rounds + 1)]
    return ModelReview(model, list(indices), summaries, len(records), seconds), records


def review(predictions: Mapping[str, Sequence[str]], references: Sequence[str], judges: Sequence[Judge],
           settings: PanelSettings) -> tuple[list[ModelReview], list[dict[str, Any]]]:
    """Every model's review on one seeded sample of the references."""
    indices = sample_indices(len(references), settings.sample_size, settings.seed)
    reviews, records = [], []
    for model, preds in predictions.items():
        result, rows = review_model(model, preds, references, indices, judges, settings)
        reviews.append(result)
        records.extend(rows)
    return reviews, records


# --- controls: can the panel tell identical from unrelated? ----------------------------------------

IDENTICAL, DROPPED, OTHER = "control: identical", "control: one action dropped", "control: another reaction"
_ACTION_SEPARATOR = re.compile(r"(\s*;\s*)")  # " ; " in S2A targets, "; " in readable actions


def _drop_one_action(line: str, rng: random.Random) -> str:
    """`line` without one (seeded) action and its separator; a one-action line unchanged."""
    pieces = _ACTION_SEPARATOR.split(line)
    actions, separators = pieces[0::2], pieces[1::2]
    if len(actions) < 2:
        return line
    k = rng.randrange(len(actions))
    del actions[k]
    del separators[min(k, len(separators) - 1)]
    return "".join(a + s for a, s in zip(actions, [*separators, ""]))


def controls(references: Sequence[str], seed: int, where: str = "references") -> dict[str, list[str]]:
    """Three made-up "models" whose true similarity to the references is known: the references
    themselves, each with one action dropped, and each example given another example's reference
    (a seeded derangement). A judge worth reading scores them in that order, far apart; the review
    table shows them beside the real models (`s2a review --controls`). DataError (`where` names the
    references) for fewer than two references: no other example to give."""
    if len(references) < 2:
        raise DataError(where, f"controls need two or more references, got {len(references)}")
    rng = random.Random(seed)
    order = list(range(len(references)))
    rng.shuffle(order)
    other = [""] * len(references)
    for position, i in enumerate(order):  # each example gets the next one's reference in a shuffled cycle
        other[i] = references[order[(position + 1) % len(order)]]
    return {IDENTICAL: list(references), DROPPED: [_drop_one_action(r, rng) for r in references], OTHER: other}


def control_separation(reviews: Sequence[ModelReview]) -> Optional[float]:
    """The last round's mean score of the identical control minus that of another reaction's
    actions: near 1 for a judge that reads the sequences, near 0 for one that does not; None when
    the controls were not reviewed or one of them has no readable score."""
    last = {r.model: r.rounds[-1].mean for r in reviews if r.rounds}
    same, other = last.get(IDENTICAL), last.get(OTHER)
    return None if same is None or other is None else same - other


def write_review(reviews: Sequence[ModelReview], records: Sequence[dict[str, Any]], settings: PanelSettings,
                 out: Path) -> tuple[Path, Path]:
    """`out` (JSON: settings and per-model round summaries) and `<out stem>.answers.jsonl` beside it
    (every raw answer), each written atomically."""
    answers = out.with_name(out.stem + ".answers.jsonl")
    with atomic_path(answers) as tmp:
        with tmp.open("w", encoding="utf-8") as f:
            for record in records:
                f.write(json.dumps(record, ensure_ascii=False) + "\n")
    result = {
        "settings": {**asdict(settings), "judges": [{"name": j.name, "base_url": j.base_url, "model": j.model}
                                                     for j in settings.judges]},
        "answers": answers.name,
        "control_separation": control_separation(reviews),
        "models": [{"model": r.model, "indices": r.indices, "requests": r.requests, "seconds": round(r.seconds, 3),
                    "rounds": [{**asdict(s), "unparseable_share": s.unparseable_share} for s in r.rounds]}
                   for r in reviews],
    }
    with atomic_path(out) as tmp:
        tmp.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return out, answers


def _number(value: Optional[float], scale: float = 100.0) -> str:
    return "–" if value is None else f"{value * scale:.1f}"


def markdown_table(reviews: Sequence[ModelReview]) -> str:
    """One row per model and round: mean score, spread (×100) and the share of unreadable answers (%)."""
    lines = ["| model | round | mean score | judge spread | unreadable | n |", "|---|---|---|---|---|---|"]
    for r in reviews:
        for s in r.rounds:
            lines.append(f"| {r.model} | {s.round} | {_number(s.mean)} | {_number(s.spread)} "
                         f"| {100 * s.unparseable_share:.1f} % | {s.judgments} |")
    return "\n".join(lines)
