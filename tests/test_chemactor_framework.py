"""ChemActor's data framework as an ablation (s2a.chemactor_framework, `s2a chemactor-ablation`) on real
records: the ORD fixture built and split by the pipeline (58 training reactions, their compound names
read back from the fixture file).

Descriptions come from a file in most tests: for each withheld reaction its own procedure (which
must map back to its own target), the same again (a duplicate), and a text naming a compound the
reaction does not have (a failing mapping). The arms train the fast `random` family, whose
plumbing is the same as any family's (s2a.ablation); one test trains the tiny transformer through
the command line, one the tiny R2D describer."""
from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from preprocessing.ranges import COMPOUND_TOKEN_IN_TEXT
from s2a.chemactor_framework import (
    ARMS,
    EMPTY_DESCRIPTION,
    Failure,
    FrameworkSettings,
    TargetMapper,
    load_names,
    placeholders_for,
    read_descriptions,
    run_framework,
    seed_split,
)
from s2a.cli import main
from s2a.errors import ConfigError, DataError
from s2a.formats.predictions import Hypothesis, write_predictions
from s2a.formats.splits import split_rows

HERE = Path(__file__).parent
ORD_FIXTURE = HERE / "fixtures" / "ord" / "uspto-1995_11-first250.pb.gz"
UNMAPPED = "molecule or name that cannot be mapped"  # preprocessing.reasons.Reason.UNMAPPED_COMPOUND
# Seven actions, one compound no reaction of the fixture has: fails at the name mapping.
FOREIGN = ("Unobtainium chloride (1.0 g) was added to water (10 ml). The mixture was stirred at 25 °C for 2 h. "
           "The mixture was filtered. The filtrate was concentrated. The residue was purified by chromatography "
           "to give the title compound.")
SETTINGS = FrameworkSettings(seed_fraction=0.2, split_seed=7, model="random", records=(str(ORD_FIXTURE),))


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from preprocessing.pipeline import build
    from preprocessing.sources import iter_records
    from preprocessing.split import split

    out = tmp_path_factory.mktemp("chemactor-data")
    build(iter_records([ORD_FIXTURE]), out / "std.jsonl", seed=3, workers=1, progress=False, actions="text")
    split(out / "std.jsonl", out / "processed", fractions=(0.6, 0.2, 0.2), seed=3, mode="patent")
    return out / "processed"


@pytest.fixture(scope="module")
def descriptions(data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A .nbest.jsonl aligned with the training split: own procedure, the same again, a foreign text;
    the first withheld reaction's third is empty."""
    rows = split_rows(data, "train")
    _, withheld = seed_split(len(rows), SETTINGS.seed_fraction, SETTINGS.split_seed)
    hyps = [[Hypothesis(r["procedure"]), Hypothesis(r["procedure"]), Hypothesis("" if i == withheld[0] else FOREIGN)]
            for i, r in enumerate(rows)]
    out = tmp_path_factory.mktemp("descriptions")
    write_predictions(out, "train", [r["src"] for r in rows], hyps)
    return out / "train.nbest.jsonl"


@pytest.fixture(scope="module")
def ran(data: Path, descriptions: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    root = tmp_path_factory.mktemp("models") / "chemactor-ablation"
    return root, run_framework(data, root, replace(SETTINGS, descriptions_file=str(descriptions)), seeds=(1, 2))


def read(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def test_seed_split_is_seeded_and_complete() -> None:
    seed, withheld = seed_split(58, 0.25, 7)
    assert (seed, withheld) == seed_split(58, 0.25, 7) and seed != seed_split(58, 0.25, 8)[0]
    assert len(seed) == 14 and sorted(seed + withheld) == list(range(58))
    with pytest.raises(ConfigError):
        seed_split(3, 0.9, 1)


def test_a_reactions_own_text_maps_back_to_its_own_target(data: Path) -> None:
    rows = split_rows(data, "train")
    names = load_names([ORD_FIXTURE], {r["id"] for r in rows})
    mapper = TargetMapper()
    assert all(mapper.target(r, names[r["id"]], r["procedure"]) == r["tgt"] for r in rows)
    # the D2A model's way in: named readable actions instead of a text
    from preprocessing.tasks import paragraph_pair
    from s2a.formats.tokenization import detokenize_actions

    row = rows[0]
    _, named = paragraph_pair(row["procedure"])  # type: ignore[misc]
    assert mapper.target(row, names[row["id"]], actions=detokenize_actions(named)) == row["tgt"]


def test_placeholders_hide_the_reactions_own_names_and_give_them_back(data: Path) -> None:
    """The describer's view: a procedure with `$k$` for its reaction's compounds. Filled with the
    names again it maps to the reaction's own target; filled with another reaction's names it does not."""
    from preprocessing.standardise import CommonReagents

    rows = split_rows(data, "train")
    names = load_names([ORD_FIXTURE], {r["id"] for r in rows})
    shown = placeholders_for(rows, names, CommonReagents.load(None))
    assert set(shown) == {r["id"] for r in rows}
    mapper = TargetMapper()
    hidden = {r["id"]: shown[r["id"]].hide(r["procedure"]) for r in rows}
    with_tokens = [r for r in rows if COMPOUND_TOKEN_IN_TEXT.search(hidden[r["id"]])]
    assert len(with_tokens) >= 0.8 * len(rows)
    back = 0
    for r in with_tokens:
        try:
            back += mapper.target(r, names[r["id"]], shown[r["id"]].fill(hidden[r["id"]])) == r["tgt"]
        except Failure:
            pass  # a name inside another one's text (2 of the fixture's 58)
    assert back >= 0.9 * len(with_tokens)
    first, other = with_tokens[0], next(r for r in with_tokens if r["src"] != with_tokens[0]["src"])
    assert shown[other["id"]].fill(hidden[first["id"]]) != shown[first["id"]].fill(hidden[first["id"]])
    token, name = next(iter(shown[first["id"]].name_of.items()))
    assert shown[first["id"]].fill(f"Stir $99$ with {token}.") == f"Stir $99$ with {name}."  # no name: kept


def test_generated_examples_failures_and_duplicates_are_counted(ran: tuple[Path, object], data: Path) -> None:
    root, result = ran
    gen = result.generation  # type: ignore[attr-defined]
    rows = split_rows(data, "train")
    assert (gen.seed_size, gen.withheld, gen.descriptions) == (12, 46, 138)
    assert len(gen.examples) == 46 and gen.duplicates == 46
    assert gen.failures == {UNMAPPED: 45, EMPTY_DESCRIPTION: 1}
    assert all(e.tgt == rows[e.index]["tgt"] and e.rank == 0 for e in gen.examples)
    failures = [json.loads(line) for line in read(root / "generation" / "failures.jsonl")]
    assert len(failures) == 46 and {f["reason"] for f in failures} == {UNMAPPED, EMPTY_DESCRIPTION}
    assert next(f for f in failures if f["reason"] == UNMAPPED)["detail"].lower().startswith("unobtainium")
    assert len(read(root / "generation" / "generated.tgt.txt")) == 46
    assert len(read(root / "generation" / "withheld.src.txt")) == 46


def test_selection_keeps_three_per_seed_example_and_records_its_jsd(ran: tuple[Path, object]) -> None:
    root, result = ran
    sel = result.selection  # type: ignore[attr-defined]
    assert sel.target == 36 and len(sel.indices) == 36
    assert sel.after["total"] <= sel.before["total"]
    saved = json.loads((root / "generation" / "generation.json").read_text())["selection"]
    assert saved["jsd_before"] == sel.before and saved["jsd_after"] == sel.after
    assert json.loads((root / "ablation.json").read_text())["selection"]["selected"] == 36


def test_arms_respect_one_to_three(ran: tuple[Path, object]) -> None:
    root, result = ran
    sizes = {(r.arm, r.seed): r.train_size for r in result.results}  # type: ignore[attr-defined]
    assert {arm for arm, _ in sizes} == set(ARMS)
    for seed in (1, 2):
        assert sizes["seed", seed] == 12 and sizes["seed+unfiltered", seed] == 12 + 46
        assert sizes["seed+selected", seed] == sizes["seed+random", seed] == 12 + 36
        assert sizes["generated-only", seed] == 36
    assert len(read(root / "seed+selected" / "data" / "src-train.txt")) == 48
    random_1, random_2 = (read(root / "seed+random" / f"seed-{s}" / "data" / "tgt-train.txt") for s in (1, 2))
    assert len(random_1) == len(random_2) == 48 and random_1 != random_2
    by = {(r.arm, r.seed): r for r in result.results}  # type: ignore[attr-defined]
    assert by["seed", 1].divergence == 0.0 and by["seed+selected", 1].divergence <= by["seed+unfiltered", 1].divergence


def test_table_is_mean_and_deviation_over_two_seeds(ran: tuple[Path, object]) -> None:
    root, _ = ran
    md = (root / "ablation.md").read_text()
    rows = [line for line in md.splitlines() if line.startswith("| ")]
    assert [r.split("|")[1].strip() for r in rows] == ["arm", *ARMS]
    for row in rows[1:]:
        cells = [c.strip() for c in row.split("|")[1:-1]]
        assert cells[1] == "2" and all(" ± " in c for c in cells[4:])
    assert "over 2 seeds (1, 2)" in md and "46 failed" in md
    summary = json.loads((root / "ablation.json").read_text())["summary"]
    assert [s["arm"] for s in summary] == list(ARMS) and all(s["scores"]["bleu"]["std"] is not None for s in summary)


def test_resuming_skips_finished_arms(ran: tuple[Path, object], data: Path, descriptions: Path,
                                      monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import s2a.ablation

    root = shutil.copytree(ran[0], tmp_path / "copy")
    result = ran[1]
    trained: list[str] = []
    real = s2a.ablation._train_and_score

    def counting(arm, *args):  # type: ignore[no-untyped-def]
        trained.append(arm.name)
        return real(arm, *args)

    monkeypatch.setattr(s2a.ablation, "_train_and_score", counting)
    again = run_framework(data, root, replace(SETTINGS, descriptions_file=str(descriptions)), seeds=(1, 2, 3))
    assert trained == list(ARMS)  # only the new seed's arms
    assert again.results[: 2 * len(ARMS)] == result.results  # type: ignore[attr-defined]


def test_the_report_includes_the_table(ran: tuple[Path, object], data: Path, tmp_path: Path) -> None:
    from s2a.evaluation.report import EvaluationSettings, compare, render_markdown

    root, _ = ran
    c = compare(data, tmp_path / "predictions", "test", EvaluationSettings.from_yaml(), transfer=False,
                models_dir=root.parent)
    assert "| seed+selected |" in c.framework_ablation
    assert "ChemActor's data framework" in render_markdown(c, None)


def test_descriptions_file_must_align(tmp_path: Path) -> None:
    (tmp_path / "d.txt").write_text("a\n\nb\n")
    assert read_descriptions(tmp_path / "d.txt", 3, [1, 2]) == [[], ["b"]]
    assert read_descriptions(tmp_path / "d.txt", 10, [4, 5, 6]) == [["a"], [], ["b"]]
    with pytest.raises(ConfigError, match="expected one per training reaction"):
        read_descriptions(tmp_path / "d.txt", 10, [4, 5])


@pytest.mark.slow
def test_command_trains_the_tiny_transformer_on_one_arm(data: Path, descriptions: Path, tmp_path: Path) -> None:
    work = tmp_path / "work"
    args = ["chemactor-ablation", "--data-dir", str(data), "--descriptions", str(descriptions), "--records",
            str(ORD_FIXTURE), "--seed-fraction", "0.2", "--split-seed", "7", "--model", "transformer",
            "--profile", "tiny", "--arms", "seed+selected", "--seeds", "5", "--work-dir", str(work)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "| seed+selected | 1 | 48 |" in result.output
    assert len(read(work / "seed+selected" / "seed-5" / "predictions" / "valid.txt")) == 13
    assert (work / "seed+selected" / "seed-5" / "model" / "checkpoints").is_dir()
    bad = CliRunner().invoke(main, [*args[:-2], "--arms", "seed,nonsense"])
    assert bad.exit_code == 2 and "nonsense" in bad.output


def test_write_split_only_writes_the_reactions_to_describe(data: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["chemactor-ablation", "--data-dir", str(data), "--seed-fraction", "0.2",
                                       "--split-seed", "7", "--work-dir", str(tmp_path), "--write-split-only"])
    assert result.exit_code == 0, result.output
    assert "seed 12, withheld 46" in result.output
    split = json.loads((tmp_path / "generation" / "split.json").read_text())
    src = read(data / "src-train.txt")
    assert read(tmp_path / "generation" / "withheld.src.txt") == [src[i] for i in split["withheld"]]
    assert not (tmp_path / "ablation.json").exists()


@pytest.mark.slow
def test_the_tiny_describer_and_d2a_model_account_for_every_description(data: Path, tmp_path: Path) -> None:
    """The default describer, an R2D transformer trained on the seed's procedures, then a D2A
    transformer trained on the seed's paragraphs in place of the rules. Tiny ones write nonsense, so
    (nearly) every description fails to map: counted, and when none maps the run stops with a
    one-line error that says why."""
    work = tmp_path / "work"
    settings = replace(SETTINGS, describer_profile="tiny", descriptions_per_reaction=2, arms=("seed",),
                       d2a="transformer", d2a_profile="tiny")
    try:
        run_framework(data, work, settings, seeds=(1,))
    except DataError as e:
        assert "descriptions gave an S2A target" in str(e)
    gen = json.loads((work / "generation" / "generation.json").read_text())["generation"]
    assert gen["descriptions"] == 2 * 46 == gen["generated"] + gen["duplicates"] + gen["failed"]
    assert len(read(work / "generation" / "descriptions" / "withheld.txt")) == 46
    assert len(read(work / "generation" / "r2d" / "data" / "src-train.txt")) == 12
    assert "r2d trained on the seed" in gen["describer"] and "d2a trained on the seed" in gen["d2a"]
    assert len(read(work / "generation" / "d2a" / "data" / "src-train.txt")) <= 12
    assert (work / "generation" / "d2a" / "predictions" / "descriptions.txt").is_file()
