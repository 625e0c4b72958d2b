"""`s2a compare`: score every model's predictions on a split and write the comparison report.

Reads `data/processed/{src,tgt}-<split>.txt` and `predictions/<model>/<split>.txt` (+ `.nbest.jsonl`,
`<split>.meta.json` when present) for the models named in configs/evaluation.yaml and any other folder of
predictions/; writes `reports/comparison.md`, `comparison.csv` and the figures beside them. Its last
section, ChemActor's tasks (`predictions/tasks/`), is s2a.evaluation.task_report's.
"""
from __future__ import annotations

import csv
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Optional

from s2a import config
from s2a.errors import MissingArtifact, PredictionMismatch, S2AError, UserError
from s2a.evaluation.action_types import TypeScore, action_type_scores
from s2a.evaluation.collapse import MIN_SHARE, Collapse, collapse
from s2a.evaluation.differences import Difference, difference_counts
from s2a.evaluation.metrics import Scores, score
from s2a.evaluation.plots import find_learning_curves, plot_action_counts, plot_learning_curves
from s2a.evaluation.task_report import (REPORTED_TASKS, TASK_COLUMNS, TaskSection, render_task_section, task_section,
                                       write_task_csv)
from s2a.paths import MODELS_DIR, REPO_ROOT, config_path
from s2a.formats.splits import TRANSFER_SPLIT, read_lines, transfer_sources
from s2a.formats.predictions import RAW, meta_path, read_meta, read_nbest, read_top1

logger = logging.getLogger(__name__)


# (Scores field, column title) of the main table, in the paper's order.
COLUMNS: list[tuple[str, str]] = [
    ("validity", "valid"),
    ("bleu", "BLEU"),
    ("exact", "100 %"),
    ("at_least_90", "≥ 90 %"),
    ("at_least_75", "≥ 75 %"),
    ("at_least_50", "≥ 50 %"),
    ("mean_similarity", "mean sim."),
]


@dataclass(frozen=True)
class EvaluationSettings:
    models: list[str]
    sample_dir: Path
    transfer_splits: list[str]
    paper_reference: dict[str, Any]
    best_model_metric: str = "at_least_75"
    max_actions_bin: int = 30
    not_run: dict[str, str] = field(default_factory=dict)  # model -> what the table says without predictions
    chemactor_reference: dict[str, dict[str, Any]] = field(default_factory=dict)  # task -> published figures

    @classmethod
    def from_yaml(cls, path: Optional[Path] = None) -> "EvaluationSettings":
        path = path or config_path("evaluation.yaml")
        where = str(path)
        f = config.typed(_EvaluationFile, config.read(path), where)
        sample = Path(f.transfer.sample_dir)
        config.check_choice(f.best_model_metric, [k for k, _ in COLUMNS], where, "best_model_metric")
        for name, figures in f.chemactor_reference.items():
            config.check_choice(str(name), list(REPORTED_TASKS), where, "chemactor_reference")
            for key in figures:
                config.check_choice(str(key), ["label", "review"] + [k for k, _ in TASK_COLUMNS], where,
                                    f"chemactor_reference.{name}.{key}")
        return cls(
            models=f.models,
            sample_dir=sample if sample.is_absolute() else (REPO_ROOT / sample).resolve(),
            transfer_splits=f.transfer.splits,
            paper_reference=f.paper_reference,
            best_model_metric=f.best_model_metric,
            max_actions_bin=f.max_actions_bin,
            not_run={str(k): str(v) for k, v in f.not_run.items()},
            chemactor_reference={str(k): dict(v) for k, v in f.chemactor_reference.items()},
        )


@dataclass(frozen=True)
class _Transfer:
    sample_dir: str
    splits: list[str] = field(default_factory=lambda: ["valid", "test"])


@dataclass(frozen=True)
class _EvaluationFile:
    """The shape of configs/evaluation.yaml."""

    models: list[str]
    transfer: _Transfer
    paper_reference: dict[str, Any] = field(default_factory=dict)
    best_model_metric: str = "at_least_75"
    max_actions_bin: int = 30
    not_run: dict[str, Any] = field(default_factory=dict)
    chemactor_reference: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass
class ModelResult:
    name: str
    status: str  # "ok", "not run", or why it could not be scored
    scores: Optional[Scores] = None
    predictions: list[str] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)
    transfer: Optional[Scores] = None
    transfer_note: str = ""
    truths: list[str] = field(default_factory=list)  # the targets its predictions are scored against
    subset: Optional[list[int]] = None  # for a sampled run, the split's line numbers it was scored on
    raw: Optional[Scores] = None  # the decoder's own ranking, for a re-ranked model (paper-faithful)
    collapse: Optional[Collapse] = None


@dataclass
class Comparison:
    split: str
    srcs: list[str]
    truths: list[str]
    results: list[ModelResult]
    best: Optional[str]
    differences: dict[Difference, int]
    type_scores: dict[str, list[TypeScore]]
    provenance: str
    transfer_note: str
    settings: EvaluationSettings
    ablation: str = ""  # the data-selection ablation's table (markdown) when one has been run
    framework_ablation: str = ""  # likewise, ChemActor's data-framework ablation (`s2a chemactor-ablation`)
    tasks: Optional[TaskSection] = None  # ChemActor's tasks (s2a.evaluation.task_report)

    @property
    def scored(self) -> list[ModelResult]:
        return [r for r in self.results if r.scores is not None]


def _read_json(path: Path) -> dict[str, Any]:
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def discover_models(predictions_dir: Path, split: str, known: Sequence[str]) -> list[str]:
    """The known models in their order, then any other folder with predictions for `split`."""
    found = sorted(p.parent.name for p in predictions_dir.glob(f"*/{split}.txt")) if predictions_dir.is_dir() else []
    return list(known) + [m for m in found if m not in known]


def subset_indices(meta: dict[str, Any], split_size: int, where: str) -> Optional[list[int]]:
    """The split's line numbers a sampled prediction run covered (`<split>.meta.json` `indices`), else None."""
    indices = meta.get("indices")
    if indices is None:
        return None
    if (not isinstance(indices, list) or not all(isinstance(i, int) and 0 <= i < split_size for i in indices)
            or meta.get("split_size", split_size) != split_size):
        raise PredictionMismatch("split lines (meta indices)", split_size, meta.get("split_size", -1), where)
    return indices


def score_model(name: str, predictions_dir: Path, split: str, srcs: list[str], truths: list[str]) -> ModelResult:
    folder = predictions_dir / name
    top = folder / f"{split}.txt"
    if not top.is_file():
        return ModelResult(name, "not run")
    meta = read_meta(folder, split)
    try:
        subset = subset_indices(meta, len(truths), str(meta_path(folder, split)))
        if subset is not None:
            srcs, truths = [srcs[i] for i in subset], [truths[i] for i in subset]
        preds = read_top1(top)
        if len(preds) != len(truths):
            raise PredictionMismatch("predictions", len(truths), len(preds), str(top))
        nbest_path = folder / f"{split}.nbest.jsonl"
        nbest = None
        if nbest_path.is_file():
            lists = read_nbest(nbest_path)
            nbest = [[h.actions for h in hs] for hs in lists] if len(lists) == len(truths) else None
        raw = None
        raw_top = folder / f"{split}.{RAW}.txt"
        if raw_top.is_file():
            raw_preds = read_top1(raw_top)
            if len(raw_preds) != len(truths):
                raise PredictionMismatch("predictions", len(truths), len(raw_preds), str(raw_top))
            raw = score(srcs, truths, raw_preds)
        return ModelResult(name, "ok", score(srcs, truths, preds, nbest), preds, meta, truths=truths, subset=subset,
                           raw=raw, collapse=collapse(truths, preds))
    except (S2AError, ValueError, KeyError) as e:
        return ModelResult(name, f"unreadable: {e}", meta=meta)


def sample_pairs(settings: EvaluationSettings) -> Optional[tuple[list[str], list[str]]]:
    """(src, tgt) lines of the public sample's transfer splits, or None when it is not there."""
    found = transfer_sources(settings.sample_dir, settings.transfer_splits)
    if found is None:
        return None
    tgts = [x for s in settings.transfer_splits for x in read_lines(settings.sample_dir / f"tgt-{s}.txt")]
    return found, tgts


def _transfer_predictions(folder: Path, srcs: list[str], split: str) -> tuple[Optional[list[str]], str]:
    """A model's answers to exactly the sample's reactions (`predict-split --split transfer`),
    or None and why not. Stale when older than its predictions for `split` (retrained since)."""
    top, nbest = folder / f"{TRANSFER_SPLIT}.txt", folder / f"{TRANSFER_SPLIT}.nbest.jsonl"
    ask = f"no transfer predictions (s2a predict-split {folder.name} --split {TRANSFER_SPLIT})"
    if not (top.is_file() and nbest.is_file()):
        return None, ask
    reference = folder / f"{split}.txt"
    if reference.is_file() and top.stat().st_mtime < reference.stat().st_mtime:
        return None, "stale: " + ask
    with nbest.open(encoding="utf-8") as f:
        cached_src = [json.loads(line).get("src") for line in f if line.strip()]
    lines = top.read_text(encoding="utf-8").splitlines()
    if cached_src != srcs or len(lines) != len(srcs):
        return None, "for other reactions: " + ask
    return lines, ""


def transfer_check(results: list[ModelResult], settings: EvaluationSettings, predictions_dir: Path,
                   split: str = "test") -> str:
    """Score each model's answers to the public sample's valid + test pairs; a note for the report."""
    pairs = sample_pairs(settings)
    if pairs is None:
        return f"skipped: {settings.sample_dir} not found"
    srcs, tgts = pairs
    for r in results:
        if r.scores is None:
            continue
        preds, r.transfer_note = _transfer_predictions(predictions_dir / r.name, srcs, split)
        if preds is not None:
            r.transfer = score(srcs, tgts, preds)
    where = settings.sample_dir
    return f"{len(srcs)} gold pairs ({' + '.join(settings.transfer_splits)}) of {where}"


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def provenance(data_dir: Path, split: str, n_test: int, results: Sequence[ModelResult]) -> str:
    """Where the data came from, from data/processed/metadata.json where present.

    Reads `source` or `sources`, `counts` or `split.counts`, `seed`, `split` (a name, or a dict
    with `mode`), `date`; whatever is missing is counted from the files or left out.
    """
    meta = _read_json(data_dir / "metadata.json")
    split_meta = meta.get("split")
    counts = _dict(meta.get("counts")) or _dict(_dict(split_meta).get("counts"))
    train = counts.get("train")
    if train is None and (data_dir / "src-train.txt").is_file():
        with (data_dir / "src-train.txt").open(encoding="utf-8") as f:
            train = sum(1 for _ in f)
    source = meta.get("source") or meta.get("sources") or "unknown (no metadata.json)"
    if isinstance(source, list):
        source = ", ".join(str(x) for x in source)
    parts = [
        f"source: {source}",
        f"training reactions: {train if train is not None else 'unknown'}",
        f"{split} reactions: {n_test}",
    ]
    if isinstance(split_meta, dict) and "mode" in split_meta:
        parts.append(f"split: {split_meta['mode']} (seed {split_meta.get('seed', '?')})")
    elif split_meta:
        parts.append(f"split: {split_meta}")
    if "seed" in meta:
        parts.append(f"seed: {meta['seed']}")
    if "date" in meta:
        parts.append(f"data built: {meta['date']}")
    profiles = sorted({f"{r.name}: {r.meta.get('profile', '?')}" for r in results if r.scores is not None})
    parts.append(f"profiles: {', '.join(profiles) if profiles else 'n/a'}")
    parts.append(f"report date: {datetime.now(timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}")
    return "; ".join(parts)


def ablation_section(models_dir: Path, name: str = "select-ablation") -> str:
    """What `s2a select-ablation` (or `s2a chemactor-ablation`, name='chemactor-ablation') wrote for the
    report (models/<name>/ablation.md), or ''."""
    path = models_dir / name / "ablation.md"
    return path.read_text(encoding="utf-8").strip() if path.is_file() else ""


def compare(data_dir: Path, predictions_dir: Path, split: str = "test",
            settings: Optional[EvaluationSettings] = None, transfer: bool = True,
            models_dir: Path = MODELS_DIR) -> Comparison:
    settings = settings or EvaluationSettings.from_yaml()
    srcs = read_lines(data_dir / f"src-{split}.txt")
    truths = read_lines(data_dir / f"tgt-{split}.txt")
    if len(srcs) != len(truths):
        raise PredictionMismatch("target lines", len(srcs), len(truths), str(data_dir / f"tgt-{split}.txt"))
    results = [score_model(m, predictions_dir, split, srcs, truths)
               for m in discover_models(predictions_dir, split, settings.models)]
    for r in results:
        if r.status == "not run":
            r.status = settings.not_run.get(r.name, r.status)
    scored = [r for r in results if r.scores is not None]
    best = max(scored, key=lambda r: (getattr(r.scores, settings.best_model_metric),
                                      getattr(r.scores, "mean_similarity")), default=None)
    note = "disabled (--no-transfer)"
    if transfer:
        note = transfer_check(results, settings, predictions_dir, split)
    return Comparison(
        split=split,
        srcs=srcs,
        truths=truths,
        results=results,
        best=best.name if best else None,
        differences=difference_counts(best.truths, best.predictions) if best else {},
        type_scores={r.name: action_type_scores(r.truths, r.predictions) for r in scored},
        provenance=provenance(data_dir, split, len(truths), results),
        transfer_note=note,
        settings=settings,
        ablation=ablation_section(models_dir),
        framework_ablation=ablation_section(models_dir, "chemactor-ablation"),
        tasks=task_section(data_dir, predictions_dir, split, settings.chemactor_reference),
    )


# --- rendering -------------------------------------------------------------------------------


def _pct(x: Optional[float]) -> str:
    return "n/a" if x is None else f"{100 * x:.1f}"


def _scores_row(label: str, s: Scores, extra: str = "") -> str:
    cells = [label] + [_pct(getattr(s, k)) for k, _ in COLUMNS]
    cells.append(_pct(s.best_of_n_75) + (f" (n={s.n_best})" if s.n_best else ""))
    cells.append(extra)
    return "| " + " | ".join(cells) + " |"


METRICS_HEAD = ["model"] + [t for _, t in COLUMNS] + ["best of n ≥ 75 %", "notes"]


def _head(cells: Sequence[str]) -> list[str]:
    """A markdown table's header and separator lines."""
    return ["| " + " | ".join(cells) + " |", "|" + "---|" * len(cells)]


def _ranking_note(ranking: dict[str, Any]) -> str:
    """What a prediction file's ranking (its meta's `ranking`) did, in a few words."""
    words = ["valid first" if ranking.get("valid_first", True) else "by score", "per-token score"]
    words += [w for k, w in (("constrain", "constrained search"), ("complete", "completed")) if ranking.get(k)]
    consensus = ranking.get("consensus")
    if consensus:
        words.append(f"consensus with {consensus.get('neighbours', 0)} nearest training reactions")
    return "ranking: " + ", ".join(words)


def metrics_table(c: Comparison) -> str:
    """Table 3 analogue (markdown): one row per model, figures in %."""
    head = METRICS_HEAD
    lines = _head(head)
    for r in c.results:
        if r.scores is not None:
            notes = [f"{k}: {r.meta[k]}" for k in ("profile", "decoder") if k in r.meta]
            if r.subset:
                notes.append(f"scored on a seeded sample of {len(r.subset)} of {len(c.truths)} reactions")
            if r.raw is not None:
                notes.append(_ranking_note(r.meta.get("ranking") or {}))
            extra = ", ".join(notes)
            lines.append(_scores_row(r.name, r.scores, extra))
            if r.raw is not None:
                lines.append(_scores_row(f"{r.name} (decoder ranking)", r.raw, "top-1 as decoded (paper-faithful)"))
        else:
            lines.append("| " + " | ".join([r.name] + [""] * (len(head) - 2) + [r.status]) + " |")
    ref = c.settings.paper_reference
    if ref:
        cells = [f"*{ref.get('label', 'paper')}*"] + [_pct(ref.get(k)) for k, _ in COLUMNS]
        cells += ["n/a", "different data set"]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def collapse_table(c: Comparison) -> str:
    """Distinct top-1 sequences, length-histogram divergence to the truth, frequent action types at recall 0."""
    lines = _head(["model", "distinct top-1", "length JSD", f"types ≥ {MIN_SHARE:.0%} of the truth with recall 0"])
    for r in c.scored:
        k = r.collapse
        if k is None:
            continue
        lines.append(f"| {r.name} | {k.distinct} ({_pct(k.distinct_share)} %) | {k.length_jsd:.3f} | {k.zero_recall_text()} |")
    return "\n".join(lines)


def same_sample_tables(c: Comparison) -> str:
    """For each model scored on a sample of the split, every model scored on that same sample."""
    tables = []
    for sampled in (r for r in c.scored if r.subset):
        indices = sampled.subset or []
        lines = [f"On the {len(indices)} reactions {sampled.name} was asked for:", "", *_head(METRICS_HEAD)]
        for r in c.scored:
            if r.subset and r is not sampled:
                continue
            scores = r.scores if r is sampled else score([c.srcs[i] for i in indices], [c.truths[i] for i in indices],
                                                         [r.predictions[i] for i in indices])
            assert scores is not None
            lines.append(_scores_row(r.name, scores))
        tables.append("\n".join(lines))
    return "\n\n".join(tables)


def transfer_table(c: Comparison) -> str:
    lines = _head(["model"] + [t for _, t in COLUMNS] + ["notes"])
    for r in c.scored:
        if r.transfer is not None:
            lines.append("| " + " | ".join([r.name] + [_pct(getattr(r.transfer, k)) for k, _ in COLUMNS] + [""]) + " |")
        else:
            lines.append("| " + " | ".join([r.name] + [""] * len(COLUMNS) + [r.transfer_note]) + " |")
    return "\n".join(lines)


def differences_table(c: Comparison) -> str:
    n = sum(c.differences.values()) or 1
    lines = ["| difference | reactions | % |", "|---|---|---|"]
    lines += [f"| {d.value} | {k} | {100 * k / n:.1f} |" for d, k in c.differences.items()]
    return "\n".join(lines)


def _pr(t: Optional[TypeScore]) -> str:
    if t is None:
        return "n/a"
    return f"{_pct(t.precision)} / {_pct(t.recall)}"


def action_types_table(c: Comparison) -> str:
    names = list(c.type_scores)
    by_model = {m: {t.action_type: t for t in ts} for m, ts in c.type_scores.items()}
    types: list[str] = []
    truth_counts: dict[str, int] = {}
    for ts in c.type_scores.values():
        for t in ts:
            if t.action_type not in truth_counts:
                types.append(t.action_type)
                truth_counts[t.action_type] = t.in_truth
    types.sort(key=lambda k: (-truth_counts[k], k))
    lines = ["| action type | in truth | " + " | ".join(f"{m} P / R" for m in names) + " |",
             "|" + "---|" * (2 + len(names))]
    for k in types:
        lines.append(f"| {k} | {truth_counts[k]} | " + " | ".join(_pr(by_model[m].get(k)) for m in names) + " |")
    return "\n".join(lines)


def render_markdown(c: Comparison, figure: Optional[str], curves: Optional[str] = None) -> str:
    ref = c.settings.paper_reference
    out = [
        "# Smiles2Actions reproduction: model comparison",
        "",
        f"Provenance: {c.provenance}.",
        "",
        f"## Metrics on the {c.split} split (Table 3 analogue, %)",
        "",
        "valid: parses as paragraph2actions actions and names every precursor and product "
        "(`$1$`..`$n$`, `$-1$`..); BLEU: nltk corpus BLEU, original variant; 100 % / ≥ x %: share of "
        "predictions whose normalised Levenshtein similarity to the truth is 1 / at least x; "
        "best of n: at least one of the n-best hypotheses ≥ 75 %.",
        "",
        metrics_table(c),
        "",
        "A model whose hypotheses are re-ranked (validity first, then log-probability per token; "
        "`ranking:` in its profile) has a second row with the decoder's own top-1, the paper's ranking.",
        "",
        "### Collapse check",
        "",
        "distinct top-1: different sequences among the top-1 predictions (one generic answer for every "
        "reaction is 1); length JSD: Jensen–Shannon divergence (base 2, 0 = same) of the number-of-actions "
        "histogram to the truth's; the action types that are at least 1 % of the truth's actions but "
        "have recall 0: never written, or written only where the truth lacks them (how often, in brackets).",
        "",
        collapse_table(c),
        "",
    ]
    if ref:
        out += ["The last (italic) row quotes the figures published for the paper's transformer (its Table 3). "
                "They were measured on a different, closed data set (Pistachio) about 50 times larger than ours "
                "and are not comparable one to one; columns the paper did not publish in this form are n/a.", ""]
    if any(r.subset for r in c.scored):
        out += [same_sample_tables(c), ""]
    if c.ablation:
        out += ["## Data selection (ChemActor-style ablation, `make select-ablation`)", "", c.ablation, ""]
    if c.framework_ablation:
        out += ["## ChemActor's data framework (ablation, `make chemactor-ablation`)", "", c.framework_ablation, ""]
    out += ["## Transfer check: the public Smiles2Actions sample", "", f"Data: {c.transfer_note}.", ""]
    if c.scored and not c.transfer_note.startswith(("skipped", "disabled")):
        out += [transfer_table(c), ""]
    if figure:
        out += ["## Number of actions (Figure 4a analogue)", "", f"![number of actions]({figure})", ""]
    if curves:
        out += ["## Learning curves", "", "Per evaluation step of each trained family (models/<family>/learning_curve.csv): "
                "validation loss, token accuracy, and the share of a fixed seeded sample of validation reactions "
                "whose greedy top-1 is ≥ 50 % similar to the truth.", "", f"![learning curves]({curves})", ""]
    if c.best:
        metric = dict(COLUMNS).get(c.settings.best_model_metric, c.settings.best_model_metric)
        out += [f"## Differences to the truth for the best model, {c.best} (Table 5 analogue)", "",
                f"Best by {metric}. Categories (first that applies): exact; same actions in "
                "another order; same action types at every position but other properties; one action "
                "replaced by one of another type; one action missing or extra; several differences.", "",
                differences_table(c), "",
                "## Precision / recall per action type (%)", "",
                "Per reaction, the multisets of action types of truth and prediction are intersected; "
                "precision = matched / predicted, recall = matched / in truth, summed over reactions.", "",
                action_types_table(c), ""]
    else:
        out += ["No model has predictions for this split yet (`s2a predict-split MODEL`).", ""]
    if c.tasks is not None:
        out += [render_task_section(c.tasks)]
    return "\n".join(out)


def write_csv(c: Comparison, path: Path) -> Path:
    fields = ["model", "status", "n"] + [k for k, _ in COLUMNS] + ["best_of_n_75", "n_best", "profile"] + \
        [f"transfer_{k}" for k, _ in COLUMNS]
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fields)
        w.writeheader()
        for r in c.results:
            row: dict[str, Any] = {"model": r.name, "status": r.status, "profile": r.meta.get("profile", "")}
            if r.scores is not None:
                row.update({k: v for k, v in r.scores.as_dict().items() if k in fields})
            if r.transfer is not None:
                row.update({f"transfer_{k}": getattr(r.transfer, k) for k, _ in COLUMNS})
            w.writerow(row)
        ref = c.settings.paper_reference
        if ref:
            w.writerow({"model": "paper-transformer-pistachio", "status": "reference (different data set)",
                        **{k: ref[k] for k, _ in COLUMNS if k in ref}})
    return path


def write_report(c: Comparison, out_dir: Path, models_dir: Path = MODELS_DIR) -> Path:
    """comparison.md, comparison.csv, action_counts.png and learning_curves.png (from the models'
    learning_curve.csv) in `out_dir`; returns the markdown path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    figure = None
    if c.truths:
        png = plot_action_counts(c.truths, {r.name: r.predictions for r in c.scored}, out_dir / "action_counts.png",
                                 c.settings.max_actions_bin)
        figure = png.name
    write_csv(c, out_dir / "comparison.csv")
    if c.tasks is not None:
        write_task_csv(c.tasks, out_dir / "chemactor_tasks.csv")
    curves = plot_learning_curves(find_learning_curves(models_dir), out_dir / "learning_curves.png")
    md = out_dir / "comparison.md"
    md.write_text(render_markdown(c, figure, curves.name if curves else None), encoding="utf-8")
    return md
