import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from preprocessing.data_report import SourceData, mean_similarity, reference_type_counts, write_report
from preprocessing.pipeline import build
from preprocessing.sources import iter_records
from s2a.cli import main
from s2a.errors import MissingArtifact

HERE = Path(__file__).parent
ORD_FIXTURE = HERE / "fixtures" / "ord" / "uspto-1995_11-first250.pb.gz"
SAMPLE = HERE / "fixtures" / "smiles2actions-sample"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("interim")
    paths = {name: root / name / "standardised.jsonl" for name in ("text", "ord")}
    for name, path in paths.items():
        build(iter_records([ORD_FIXTURE]), path, workers=2, progress=False, actions=name)
    return paths


def test_report_side_by_side(built: dict[str, Path], tmp_path: Path) -> None:
    text = write_report(built, tmp_path / "data_report.md", reference_dir=SAMPLE)
    assert (tmp_path / "data_report.md").read_text() == text
    stats = {n: json.loads(p.with_suffix(".stats.json").read_text()) for n, p in built.items()}
    assert "| reason | text | ord |" in text
    kept = f"| **kept** | {stats['text']['kept']} ("
    assert kept in text and f"| read | 250 | 250 |" in text
    for reason, n in stats["text"]["dropped"].items():
        assert re.search(rf"\| {re.escape(reason)} \| {n} \(", text)
    assert "| action | text | ord | Smiles2Actions sample |" in text
    jsd = re.search(r"text (\d\.\d{4}), ord (\d\.\d{4})", text)
    assert jsd and all(0.0 <= float(x) <= 1.0 for x in jsd.groups())
    both = re.search(r"Records kept by both text and ord: (\d+); mean normalised Levenshtein similarity of their action sequences: ([\d.]+) %", text)
    assert both and 0 < int(both.group(1)) <= min(stats["text"]["kept"], stats["ord"]["kept"])


def test_share_columns_sum_to_100(built: dict[str, Path], tmp_path: Path) -> None:
    text = write_report(built, tmp_path / "r.md", reference_dir=SAMPLE)
    table = text.split("## Action types")[1].split("\n\n")[1]
    rows = [line.split("|")[2:-1] for line in table.splitlines()[2:]]
    for column in zip(*rows):
        assert sum(float(x) for x in column) == pytest.approx(100.0, abs=0.05 * len(rows))  # each share rounded to 0.1


def test_reference_absent_is_a_note(built: dict[str, Path], tmp_path: Path) -> None:
    missing = tmp_path / "no-shared"
    text = write_report(built, tmp_path / "r.md", reference_dir=missing)
    assert f"skipped ({missing} not found)" in text and "Smiles2Actions sample |" not in text
    assert reference_type_counts(missing) is None


def test_similarity_joins_by_record_id() -> None:
    assert mean_similarity({"a": "ADD $1$", "b": "STIR"}, {"b": "STIR", "c": "ADD $1$"}) == (1, 1.0)
    assert mean_similarity({"a": "x"}, {"b": "x"}) == (0, 0.0)


def test_missing_build_output_names_the_command(tmp_path: Path) -> None:
    with pytest.raises(MissingArtifact, match="--actions ord"):
        SourceData.load("ord", tmp_path / "ord" / "standardised.jsonl")


def test_cli_report(built: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "processed" / "data_report.md"
    result = CliRunner().invoke(main, ["data", "report", "--text", str(built["text"]), "--ord", str(built["ord"]), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "# Data report" in result.output and out.is_file()
