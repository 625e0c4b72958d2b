"""ChemActor's data framework at our scale (Zhang et al., ACL 2025; issue 13, item 5), as an ablation.

1. Split: the S2A training reactions -> a seed (`seed_fraction`, default 25 %, drawn with
   `split_seed`) and the withheld rest, whose own procedure text and actions are never used.
2. Describe: an R2D task model trained on the seed's (reaction, procedure) pairs only writes
   `descriptions_per_reaction` descriptions of each withheld reaction (its beam's n-best); or a file
   written by anything else (an endpoint, another R2D family) is read instead. With `placeholders`
   (default) the describer sees the seed's procedures with `$k$` where they name the reaction's own
   compounds (CompoundPlaceholders), and its descriptions get the withheld reaction's names back.
3. Act: the D2A step turns each description into actions — the rule-based extractor by default
   (preprocessing.text_actions: it made our silver labels), or a D2A task model trained on the seed's
   paragraphs — and the data pipeline's own standardisation (preprocessing.standardise.
   standardise_record, with the reaction's ORD compound names) turns them into a positional S2A target
   exactly as `s2a data build` made the training targets. A description that gives no target is
   counted under its reason (the drop table's reasons, plus a few of this step's own) and listed in
   generation/failures.jsonl: none is dropped silently. A (reaction, target) pair generated twice
   is kept once, and counted.
4. Select: the JSD selection (s2a.selection) keeps the `ratio` × |seed| generated examples closest to
   the seed's action distribution (1:3 by default); the JSD before and after is recorded. With fewer
   generated examples than that, all are kept and the summary says so.
5. Arms, each trained per seed (s2a.ablation: resumable per arm and seed, mean ± std):
   seed (seed only), seed+unfiltered (seed + every generated example), seed+selected,
   seed+random (seed + a random draw of the generated examples, as many as selected, drawn per seed)
   and generated-only (the selected generated examples alone). The seed split and the generated data
   do not depend on the arms' seeds: the seeds vary the model's training and the random draw only.
   ChemActor also fine-tunes its D2A model on seed + selected; here the D2A step is rule-based by
   default, so only the S2A model is trained per arm.

Layout under the work root: `generation/` (split.json, withheld.src.txt for an outside describer,
r2d/ and d2a/ task data and models, descriptions/, generated.{src,tgt,index}.txt, failures.jsonl,
generation.json) and the arms' folders and ablation.{json,md} of s2a.ablation.

Leakage: a descriptions file must come from a model that never saw the withheld reactions' text
(`s2a tasks predict --task r2d --split train` of a model trained on the whole r2d task did).

Re-running with the same settings skips what is finished (the task models resume, the descriptions
and every arm and seed are read back). Another seed fraction, split seed, ratio or set of
descriptions changes the data the models were trained on, which they refuse (StaleArtifact): use
another work dir. Adding seeds only trains the new seeds' arms.

Checked on the real training split (2026-12-02, seed fraction 25 %): each of the 2,334 withheld
reactions' own procedure maps back to exactly its own training target, while a random seed
reaction's procedure given as the description maps for 8 of the 2,334 (2,319 unmapped names): the
mapping needs the reaction's own compound names, which a describer must therefore write. The R2D
transformer cannot spell them from SMILES: on raw procedures 18 of its 7,002 descriptions mapped;
with placeholders 598 (2026-12-05; most of the rest leave a compound of the equation unnamed).
"""
from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Optional

from s2a.ablation import (
    Arm,
    ArmResult,
    markdown_table,
    run_arms,
    run_dir,
    seeds_note,
    write_results,
    write_training_set,
)
from s2a.atomic import atomic_write_text
from s2a.errors import ConfigError, DataError
from s2a.formats.records import Record, read_jsonl
from s2a.formats.splits import read_lines, split_rows
from s2a.formats.tasks import one_line
from s2a.freshness import Stamp, digest_files, file_identity
from s2a.paths import PROJECT_DIR, RAW_DIR
from s2a.selection import divergence, random_subset, select

ARMS = ("seed", "seed+unfiltered", "seed+selected", "seed+random", "generated-only")
RULES = "rules"
GENERATION = "generation"

# This step's own failure reasons, beside preprocessing.reasons.Reason's values.
EMPTY_DESCRIPTION = "empty description"
NO_RECORD = "record not in the sources (no compound names)"
REACTION_CHANGED = "reaction does not give its training line back"
SEPARATOR = "an action's text contains ';'"
EMPTY_D2A = "the D2A model gave no actions"


@dataclass(frozen=True)
class FrameworkSettings:
    seed_fraction: float = 0.25
    ratio: float = 3.0  # generated examples kept per seed example
    split_seed: int = 42
    describer: str = "transformer"  # an R2D family of s2a.models.TASK_REGISTRY
    describer_profile: str = "cpu"
    descriptions_per_reaction: int = 3
    placeholders: bool = True  # the describer writes `$k$` for the reaction's compounds (CompoundPlaceholders)
    descriptions_file: Optional[str] = None  # instead of the describer
    d2a: str = RULES  # or a D2A family of s2a.models.TASK_REGISTRY
    d2a_profile: str = "cpu"
    method: str = "greedy"
    step: int = 0  # greedy: examples added per round (0: size/500, at least 1)
    model: str = "transformer"  # the S2A family trained per arm
    profile: str = "cpu"
    split: str = "valid"
    arms: tuple[str, ...] = ARMS
    records: tuple[str, ...] = ()  # where the compound names are (default: the data's sources)

    def check(self) -> None:
        if not 0 < self.seed_fraction < 1:
            raise ConfigError("--seed-fraction", f"must be between 0 and 1, got {self.seed_fraction}")
        if self.ratio <= 0:
            raise ConfigError("--ratio", f"must be positive, got {self.ratio}")
        if self.descriptions_per_reaction < 1:
            raise ConfigError("--descriptions-per-reaction",
                              f"must be at least 1, got {self.descriptions_per_reaction}")
        unknown = [a for a in self.arms if a not in ARMS]
        if unknown or not self.arms:
            raise ConfigError("--arms", f"unknown arm(s) {unknown} (known: {', '.join(ARMS)})")


@dataclass(frozen=True)
class Generated:
    index: int  # line of the training split
    src: str
    tgt: str
    rank: int  # which description of the reaction (0 = the describer's best)


@dataclass
class Generation:
    """What steps 2-3 gave: every description is a generated example, a duplicate or a failure."""

    seed_size: int
    withheld: int
    descriptions: int
    examples: list[Generated]
    duplicates: int
    failures: Counter[str] = field(default_factory=Counter)
    describer: str = ""
    d2a: str = ""

    def check(self, where: str) -> None:
        if self.descriptions != len(self.examples) + self.duplicates + sum(self.failures.values()):
            raise DataError(where, f"accounting broken: {self.descriptions} descriptions != {len(self.examples)} "
                                   f"generated + {self.duplicates} duplicates + {sum(self.failures.values())} failed")

    def to_json(self) -> dict[str, Any]:
        return {"seed": self.seed_size, "withheld": self.withheld, "descriptions": self.descriptions,
                "generated": len(self.examples), "duplicates": self.duplicates,
                "failed": sum(self.failures.values()), "failures": dict(self.failures.most_common()),
                "describer": self.describer, "d2a": self.d2a,
                "reactions_generated": len({e.index for e in self.examples})}


@dataclass(frozen=True)
class Selection:
    target: int  # ratio × seed
    indices: list[int]  # into Generation.examples, best first
    before: dict[str, float]  # JSD of all generated examples from the seed
    after: dict[str, float]  # JSD of the selected ones

    def to_json(self) -> dict[str, Any]:
        return {"target": self.target, "selected": len(self.indices), "jsd_before": self.before,
                "jsd_after": self.after}


@dataclass
class FrameworkResult:
    generation: Generation
    selection: Selection
    results: list[ArmResult]
    settings: dict[str, Any]


# --- 1. split ---------------------------------------------------------------------------------


def seed_split(n: int, fraction: float, seed: int) -> tuple[list[int], list[int]]:
    """(seed, withheld) line numbers of a training split of `n` lines, each in order."""
    size = max(1, round(fraction * n))
    if size >= n:
        raise ConfigError("--seed-fraction", f"{fraction} of {n} training reactions leaves none withheld")
    chosen = set(random_subset(n, size, seed))
    return sorted(chosen), [i for i in range(n) if i not in chosen]


def write_split(data_dir: Path, work_root: Path, settings: FrameworkSettings) -> tuple[list[int], list[int]]:
    """Step 1: generation/split.json and generation/withheld.src.txt (for an outside describer)."""
    src = read_lines(data_dir / "src-train.txt")
    seed, withheld = seed_split(len(src), settings.seed_fraction, settings.split_seed)
    out = work_root / GENERATION
    out.mkdir(parents=True, exist_ok=True)
    atomic_write_text(out / "split.json", json.dumps(
        {"seed_fraction": settings.seed_fraction, "split_seed": settings.split_seed,
         "seed": seed, "withheld": withheld}) + "\n")
    atomic_write_text(out / "withheld.src.txt", "".join(src[i] + "\n" for i in withheld))
    return seed, withheld


# --- 2. describe ------------------------------------------------------------------------------


def _write_pairs(folder: Path, split: str, pairs: Iterable[tuple[str, str]]) -> None:
    rows = list(pairs)
    folder.mkdir(parents=True, exist_ok=True)
    for side, k in (("src", 0), ("tgt", 1)):
        atomic_write_text(folder / f"{side}-{split}.txt", "".join(p[k] + "\n" for p in rows))


def _model_identity(family: Any) -> Any:
    """The newest checkpoint of a trained task model (a stale prediction cache when it changes)."""
    checkpoints = getattr(family, "checkpoints", None)
    found = checkpoints() if callable(checkpoints) else []
    return file_identity(found[-1][1]) if found else None


def _predict_cached(family: Any, lines: Sequence[str], n_best: int, out_dir: Path, name: str) -> list[list[str]]:
    """`family`'s n-best for `lines`, read back from out_dir when made from the same inputs."""
    from s2a.formats.predictions import read_nbest
    from s2a.predict_split import predict_split

    inputs = {"lines": digest_files([], list(lines)), "n_best": n_best, "model": _model_identity(family),
              "family": family.name, "profile": family.profile}
    stamp = Stamp(out_dir / f"{name}.stamp.json")
    if not (stamp.matches(inputs) and (out_dir / f"{name}.nbest.jsonl").is_file()):
        predict_split(family, name, n_best, out_dir, src=list(lines))
        stamp.write(inputs)
    return [[h.actions for h in hyps] for hyps in read_nbest(out_dir / f"{name}.nbest.jsonl")]


def _task_model(name: str, task: str, data: Path, work: Path, profile: str, seed: int) -> Any:
    from s2a.models import ModelPaths, task_model_class

    family = task_model_class(name)
    return family(ModelPaths(data, work), profile=profile, seed=seed, task=task)  # type: ignore[call-arg]


def describe_with_model(rows: Sequence[dict[str, Any]], valid_rows: Sequence[dict[str, Any]], seed: Sequence[int],
                        withheld: Sequence[int], work_root: Path, settings: FrameworkSettings,
                        placeholders: Optional[dict[str, CompoundPlaceholders]] = None) -> list[list[str]]:
    """Step 2 with the describer: trained on the seed's (reaction, procedure) pairs only (the r2d
    task's format, s2a.formats.tasks), then its n-best descriptions of every withheld reaction.
    With `placeholders` (record id -> CompoundPlaceholders) the seed's procedures are shown with
    `$k$` in place of the names of the reaction's own compounds, and each description gets the
    withheld reaction's names back (a `$k$` without a name stays: the mapping reads it as itself)."""
    def text(row: dict[str, Any]) -> str:
        procedure = one_line(row.get("procedure") or "")
        known = placeholders.get(str(row.get("id"))) if placeholders is not None else None
        return known.hide(procedure) if known else procedure

    folder = work_root / GENERATION / "r2d"
    for split, chosen in (("train", [rows[i] for i in seed]), ("valid", valid_rows)):
        _write_pairs(folder / "data", split, [(one_line(r["src"]), text(r)) for r in chosen if text(r)])
    family = _task_model(settings.describer, "r2d", folder / "data", folder / "model", settings.describer_profile,
                         settings.split_seed)
    family.train()
    written = _predict_cached(family, [rows[i]["src"] for i in withheld], settings.descriptions_per_reaction,
                              work_root / GENERATION / "descriptions", "withheld")
    if placeholders is None:
        return written
    fill = [placeholders.get(str(rows[i].get("id"))) for i in withheld]
    return [[f.fill(d) if f else d for d in ds] for f, ds in zip(fill, written, strict=True)]


def read_descriptions(path: Path, n_train: int, withheld: Sequence[int]) -> list[list[str]]:
    """Descriptions per withheld reaction from a file: a `.nbest.jsonl` prediction file (several per
    reaction) or one description per line (an empty line: none); aligned with the training split
    (one entry per training line; the seed's are ignored) or with generation/withheld.src.txt."""
    from s2a.formats.predictions import read_nbest

    if path.name.endswith(".nbest.jsonl"):
        entries = [[h.actions for h in hyps] for hyps in read_nbest(path)]
    else:
        entries = [[line] if line.strip() else [] for line in read_lines(path)]
    if len(entries) == n_train:
        return [entries[i] for i in withheld]
    if len(entries) == len(withheld):
        return entries
    raise ConfigError(str(path), f"{len(entries)} entries: expected one per training reaction ({n_train}) "
                                 f"or per withheld reaction ({len(withheld)}, generation/withheld.src.txt)")


# --- 3. act: description -> positional S2A target ---------------------------------------------


class Failure(Exception):
    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


def load_names(paths: Sequence[Path], ids: set[str]) -> dict[str, list[tuple[str, str]]]:
    """The compound names (name, SMILES) of the records with these ids, read from the raw sources:
    the processed records do not keep them (preprocessing.tasks says why)."""
    from preprocessing.sources import iter_records

    found: dict[str, list[tuple[str, str]]] = {}
    for record in iter_records(paths):
        if record.id in ids and record.id not in found:
            found[record.id] = list(record.names)
    return found


def default_record_paths(data_dir: Path) -> list[Path]:
    """The sources `s2a data build` read (the processed data's metadata.json), else data/raw/ord."""
    try:
        sources = json.loads((data_dir / "metadata.json").read_text(encoding="utf-8")).get("sources") or []
    except (OSError, ValueError):
        sources = []
    paths = []
    for s in sources:
        p = Path(s)
        paths.append(p if p.is_absolute() or p.exists() else PROJECT_DIR / p)
    return paths or [RAW_DIR / "ord"]


class TargetMapper:
    """Description (or named actions) + a training record's molecules -> its positional `tgt` line,
    by the pipeline's standardisation (preprocessing.standardise.standardise_record)."""

    def __init__(self) -> None:
        from preprocessing.action_sources import GivenActions, TextActions
        from preprocessing.standardise import CommonReagents

        self.reagents = CommonReagents.load(None)
        self.text = TextActions()
        self.given = GivenActions()

    def target(self, row: dict[str, Any], names: Sequence[tuple[str, str]], description: str = "",
               actions: Optional[list[str]] = None) -> str:
        """The `tgt` line, or Failure with its reason. `actions` (a D2A model's readable actions)
        replace the rule-based extraction of `description`."""
        from preprocessing.reasons import Dropped
        from preprocessing.standardise import standardise_record
        from s2a.errors import TokenizationError
        from s2a.formats.tokenization import tokenize_actions

        smiles = row.get("original_reaction_smiles") or row["reaction_smiles"]  # what `s2a data build` read
        record = Record(id=str(row.get("id", "")), reaction_smiles=smiles, procedure=description, names=list(names),
                        actions=actions)
        try:
            result = standardise_record(record, self.given if actions is not None else self.text, self.reagents,
                                        every_compound=True)
            tgt = tokenize_actions(result.actions)
        except Dropped as d:
            raise Failure(d.reason.value, d.detail) from None
        except TokenizationError as e:
            raise Failure(SEPARATOR, str(e)) from None
        if result.reaction.tokens != row["src"]:
            raise Failure(REACTION_CHANGED, result.reaction.smiles)
        return tgt


class CompoundPlaceholders:
    """A record's compound names <-> the positional tokens of its reaction (`$2$`, `$-1$`), found by
    the pipeline's own name mapping (preprocessing.compounds.CompoundMapper). A sequence model
    cannot spell a molecule's name from its SMILES (an R2D transformer trained on the seed invented
    names, and 6,898 of 7,002 descriptions failed to map: README), but it can learn to write `$k$`
    where the procedure names the reaction's k-th compound, as the S2A targets do."""

    def __init__(self, row: dict[str, Any], names: Sequence[tuple[str, str]], reagents: Any) -> None:
        from preprocessing.compounds import CompoundMapper
        from preprocessing.ranges import COMPOUND_TOKEN
        from preprocessing.reasons import Dropped
        from s2a.formats.reaction import canonical_reaction

        mapper = CompoundMapper(canonical_reaction(row.get("original_reaction_smiles") or row["reaction_smiles"]),
                                names, reagents)
        self.token_of: dict[str, str] = {}  # name as the record writes it -> token
        for name, _ in names:
            try:
                token = mapper.map(name)
            except Dropped:
                continue
            if name.strip() and COMPOUND_TOKEN.match(token):
                self.token_of.setdefault(name.strip(), token)
        self.name_of: dict[str, str] = {}
        for name, token in self.token_of.items():
            self.name_of.setdefault(token, name)
        longest = sorted(self.token_of, key=len, reverse=True)
        self._names = re.compile("|".join(rf"(?<![\w-]){re.escape(n)}(?![\w-])" for n in longest),
                                 re.IGNORECASE) if longest else None
        self._lower = {n.lower(): t for n, t in self.token_of.items()}

    def hide(self, text: str) -> str:
        """Every name of the reaction's own compounds in `text` -> its token."""
        return self._names.sub(lambda m: self._lower[m.group(0).lower()], text) if self._names else text

    def fill(self, text: str) -> str:
        """Every token in `text` that this reaction has a name for -> that name."""
        from preprocessing.ranges import COMPOUND_TOKEN_IN_TEXT

        return COMPOUND_TOKEN_IN_TEXT.sub(lambda m: self.name_of.get(m.group(0), m.group(0)), text)


def placeholders_for(rows: Iterable[dict[str, Any]], names: dict[str, list[tuple[str, str]]],
                     reagents: Any) -> dict[str, CompoundPlaceholders]:
    """CompoundPlaceholders of every row whose record's names are known, by record id."""
    return {str(r.get("id")): CompoundPlaceholders(r, names[str(r.get("id"))], reagents)
            for r in rows if str(r.get("id")) in names}


def _d2a_actions(descriptions: list[list[str]], rows: Sequence[dict[str, Any]], valid_rows: Sequence[dict[str, Any]],
                 seed: Sequence[int], work_root: Path, settings: FrameworkSettings) -> dict[str, list[str]]:
    """A D2A task model's readable actions for every distinct non-empty description (trained on the
    seed's paragraphs and their rule-extracted actions, the d2a task's format)."""
    from preprocessing.tasks import paragraph_pair
    from s2a.formats.tokenization import detokenize_actions

    folder = work_root / GENERATION / "d2a"
    for split, chosen in (("train", [rows[i] for i in seed]), ("valid", valid_rows)):
        pairs = [paragraph_pair(r.get("procedure") or "") for r in chosen]
        _write_pairs(folder / "data", split, [p for p in pairs if isinstance(p, tuple)])
    family = _task_model(settings.d2a, "d2a", folder / "data", folder / "model", settings.d2a_profile,
                         settings.split_seed)
    family.train()
    texts = sorted({one_line(d) for ds in descriptions for d in ds if one_line(d)})
    answers = _predict_cached(family, texts, 1, folder / "predictions", "descriptions")
    return {t: detokenize_actions(a[0]) if a else [] for t, a in zip(texts, answers)}


def generate(rows: Sequence[dict[str, Any]], seed: Sequence[int], withheld: Sequence[int],
             descriptions: list[list[str]], names: dict[str, list[tuple[str, str]]], work_root: Path,
             d2a: Optional[dict[str, list[str]]] = None, describer: str = "", d2a_name: str = RULES) -> Generation:
    """Step 3: every description of every withheld reaction -> a generated example, a duplicate, or
    a failure with its reason (listed in generation/failures.jsonl); generated.{src,tgt,index}.txt."""
    mapper = TargetMapper()
    out = work_root / GENERATION
    gen = Generation(len(seed), len(withheld), 0, [], 0, Counter(), describer, d2a_name)
    seen: set[tuple[int, str]] = set()
    failed: list[dict[str, Any]] = []
    for index, texts in zip(withheld, descriptions, strict=True):
        row = rows[index]
        for rank, text in enumerate(texts):
            gen.descriptions += 1
            try:
                if not text.strip():
                    raise Failure(EMPTY_DESCRIPTION)
                if row.get("id") not in names:
                    raise Failure(NO_RECORD, str(row.get("id")))
                actions = None
                if d2a is not None:
                    actions = d2a.get(one_line(text)) or []
                    if not actions:
                        raise Failure(EMPTY_D2A)
                tgt = mapper.target(row, names[row["id"]], text, actions)
            except Failure as f:
                gen.failures[f.reason] += 1
                failed.append({"index": index, "rank": rank, "reason": f.reason, "detail": f.detail,
                               "description": text})
                continue
            if (index, tgt) in seen:
                gen.duplicates += 1
                continue
            seen.add((index, tgt))
            gen.examples.append(Generated(index, row["src"], tgt, rank))
    gen.check(str(out))
    atomic_write_text(out / "failures.jsonl", "".join(json.dumps(f, ensure_ascii=False) + "\n" for f in failed))
    for name, values in (("src", [e.src for e in gen.examples]), ("tgt", [e.tgt for e in gen.examples]),
                         ("index", [f"{e.index}\t{e.rank}" for e in gen.examples])):
        atomic_write_text(out / f"generated.{name}.txt", "".join(v + "\n" for v in values))
    return gen


# --- 4. select, 5. arms -----------------------------------------------------------------------


def select_generated(seed_tgt: Sequence[str], gen: Generation, ratio: float, method: str, step: int) -> Selection:
    """The `ratio` × |seed| generated examples (all, when there are fewer) closest to the seed's
    action distribution; the JSD of all generated examples and of the selected ones from the seed."""
    pool = [e.tgt for e in gen.examples]
    target = max(1, round(ratio * len(seed_tgt)))
    size = min(target, len(pool))
    step = step if step > 0 else max(1, size // 500)
    chosen = select(seed_tgt, pool, size, method=method, step=step) if size < len(pool) else list(range(len(pool)))
    return Selection(target, chosen, divergence(seed_tgt, pool), divergence(seed_tgt, [pool[i] for i in chosen]))


def _arms(data_dir: Path, work_root: Path, seed_src: list[str], seed_tgt: list[str], gen: Generation,
          selection: Selection, wanted: Sequence[str]) -> Callable[[int], list[Arm]]:
    """arms_for(seed) for s2a.ablation.run_arms: the fixed arms are written once, seed+random per seed."""
    g_src, g_tgt = [e.src for e in gen.examples], [e.tgt for e in gen.examples]
    picked = sorted(selection.indices)
    fixed_sets = {
        "seed": (seed_src, seed_tgt),
        "seed+unfiltered": (seed_src + g_src, seed_tgt + g_tgt),
        "seed+selected": (seed_src + [g_src[i] for i in picked], seed_tgt + [g_tgt[i] for i in picked]),
        "generated-only": ([g_src[i] for i in picked], [g_tgt[i] for i in picked]),
    }

    def arm(name: str, src: list[str], tgt: list[str], folder: Path) -> Arm:
        write_training_set(data_dir, src, tgt, folder)
        return Arm(name, folder, len(src), divergence(seed_tgt, tgt)["total"])

    fixed = {name: arm(name, *lines, work_root / name / "data") for name, lines in fixed_sets.items() if name in wanted}

    def arms_for(seed: int) -> list[Arm]:
        out = []
        for name in wanted:
            if name == "seed+random":
                drawn = sorted(random_subset(len(g_src), len(picked), seed))
                out.append(arm(name, seed_src + [g_src[i] for i in drawn], seed_tgt + [g_tgt[i] for i in drawn],
                               run_dir(work_root, name, seed) / "data"))
            else:
                out.append(fixed[name])
        return out

    return arms_for


def run_framework(data_dir: Path, work_root: Path, settings: FrameworkSettings = FrameworkSettings(),
                  seeds: Sequence[int] = (42, 43, 44)) -> FrameworkResult:
    """Steps 1-5 (module docstring); writes everything under work_root and returns the results."""
    settings.check()
    rows = split_rows(data_dir, "train")
    valid_rows = list(read_jsonl(data_dir / "valid.jsonl"))
    seed, withheld = write_split(data_dir, work_root, settings)
    record_paths = [Path(p) for p in settings.records] or default_record_paths(data_dir)
    described = not settings.descriptions_file and settings.placeholders
    wanted = [rows[i] for i in withheld] + ([rows[i] for i in seed] + valid_rows if described else [])
    names = load_names(record_paths, {str(r.get("id")) for r in wanted})
    if settings.descriptions_file:
        descriptions = read_descriptions(Path(settings.descriptions_file), len(rows), withheld)
        describer = f"file {settings.descriptions_file}"
    else:
        from preprocessing.standardise import CommonReagents

        shown = placeholders_for(wanted, names, CommonReagents.load(None)) if described else None
        descriptions = describe_with_model(rows, valid_rows, seed, withheld, work_root, settings, shown)
        describer = (f"{settings.describer} ({settings.describer_profile} profile, r2d trained on the seed"
                     f"{', compounds as $k$' if described else ''})")
    d2a = None if settings.d2a == RULES else _d2a_actions(descriptions, rows, valid_rows, seed, work_root, settings)
    d2a_name = ("rule-based extractor" if d2a is None
                else f"{settings.d2a} ({settings.d2a_profile} profile, d2a trained on the seed)")
    gen = generate(rows, seed, withheld, descriptions, names, work_root, d2a, describer, d2a_name)
    seed_src, seed_tgt = [rows[i]["src"] for i in seed], [rows[i]["tgt"] for i in seed]
    report = work_root / GENERATION / "generation.json"
    if not gen.examples:
        atomic_write_text(report, json.dumps({"generation": gen.to_json()}, indent=2) + "\n")
        raise DataError(str(report), f"none of the {gen.descriptions} descriptions gave an S2A target "
                                     f"({_reasons(gen.failures)}); see generation/failures.jsonl")
    selection = select_generated(seed_tgt, gen, settings.ratio, settings.method, settings.step)
    extra = {"generation": gen.to_json(), "selection": selection.to_json()}
    atomic_write_text(report, json.dumps(extra, indent=2) + "\n")
    arms_for = _arms(data_dir, work_root, seed_src, seed_tgt, gen, selection, settings.arms)
    results = run_arms(arms_for, seeds, work_root, settings.model, settings.profile, settings.split)
    recorded = {**asdict(settings), "arms": list(settings.arms), "records": [str(p) for p in record_paths],
                "seeds": list(seeds)}
    write_results(work_root, recorded, results, summary(recorded, gen, selection, results), extra)
    return FrameworkResult(gen, selection, results, recorded)


def _reasons(failures: Counter[str]) -> str:
    return ", ".join(f"{reason}: {n}" for reason, n in failures.most_common()) or "none failed"


def summary(settings: dict[str, Any], gen: Generation, selection: Selection, results: Sequence[ArmResult]) -> str:
    """What was generated, selected and trained, and the arms' table (markdown), for the report."""
    seed_n = gen.seed_size
    kept = len(selection.indices)
    failed = f" ({_reasons(gen.failures)})" if gen.failures else ""
    short = (f" The pool is smaller than {settings['ratio']:g} × seed ({selection.target}): every generated "
             f"example is kept (1:{kept / seed_n:.2f}), so seed+selected, seed+unfiltered and seed+random train on "
             f"the same examples." if kept < selection.target else "")
    return (
        f"ChemActor's data framework at our scale: {settings['model']} ({settings['profile']} profile) trained "
        f"per arm, scored on the {settings['split']} split (%, {seeds_note(settings['seeds'])}). Seed: "
        f"{settings['seed_fraction']:.0%} of the training split ({seed_n} reactions, split seed "
        f"{settings['split_seed']}); the other {gen.withheld} reactions' own texts are withheld. Descriptions: "
        f"{gen.describer}, {gen.descriptions} in all; actions: {gen.d2a}, mapped to positional targets by the data "
        f"pipeline's standardisation: {len(gen.examples)} generated examples of "
        f"{gen.to_json()['reactions_generated']} reactions, {gen.duplicates} duplicates, "
        f"{sum(gen.failures.values())} failed{failed}. JSD selection ({settings['method']}) of "
        f"{kept} generated examples (1:{kept / seed_n:.2f}) closest to the seed's action distribution: JSD to the "
        f"seed {selection.before['total']:.4f} (all generated) → {selection.after['total']:.4f} (selected).{short} "
        f"Arms: seed only; + every generated example; + the selected ones; + a random draw of as many (per "
        f"seed); the selected generated examples alone. JSD column: the arm's training targets against the "
        f"seed's.\n\n" + markdown_table(results, label="arm")
    )
