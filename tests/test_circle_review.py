"""The circle review: the judges' answer parser on hand-written answers, the panel against a real
local `transformers serve` (tests/llm_server.py) and the round trip with the rule-based extractor.

The panel's judges are two tiny Llamas on one server: `noise`, untrained (its answers are nonsense,
exactly the unreadable answer to retry and count), and `parrot`, trained here for a few seconds to
answer PARROT to every prompt (a readable answer, so scores are parsed and revisions recorded).
"""
from __future__ import annotations

import json
import math
import re
import statistics
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from preprocessing.text_actions import paragraph_actions, readable
from s2a.cli import main
from s2a.errors import ConfigError, DataError, EndpointUnavailable, PredictionMismatch
from s2a.evaluation.circle_review import (
    Judge, JudgeSettings, Judgment, PanelSettings, first_prompt, judges_from, load_panel_settings, parse_judgment,
    IDENTICAL, DROPPED, OTHER, LOCAL, UNREADABLE, control_separation, controls, review, revision_prompt,
    sample_indices,
)
from s2a.evaluation.round_trip import round_trip
from s2a.formats.targets import similarity
from llm_server import free_port, requires_serve
from sample import SAMPLE

PARROT = "0.8 | the same kinds of actions in a similar order"
REFS = (SAMPLE / "tgt-test.txt").read_text(encoding="utf-8").splitlines()[:3]
PREDS = (SAMPLE / "tgt-valid.txt").read_text(encoding="utf-8").splitlines()[:3]


# --- the answer parser --------------------------------------------------------------------------


@pytest.mark.parametrize("answer, expected", [
    ("0.8 | same actions", (0.8, "same actions")),
    ("  1 |identical\n", (1.0, "identical")),
    ("0|nothing in common", (0.0, "nothing in common")),
    ("0.35 | close | but not equal", (0.35, "close | but not equal")),
    ("1.0 | the same", (1.0, "the same")),
])
def test_readable_answers(answer: str, expected: tuple[float, str]) -> None:
    assert parse_judgment(answer) == expected


@pytest.mark.parametrize("answer", [
    "", "   ", "0.8", "0.8 |", "0.8 |   ", "| same", "1.2 | too high", "-0.1 | negative",
    "Score: 0.8 | same", "0.8 | same\nand a second line", "('similar', 0.8)", "0.8 - same", "eight | same",
    "ADD $1$ ; STIR 0.5 | x y",
])
def test_unreadable_answers(answer: str) -> None:
    assert parse_judgment(answer) is None


def test_revision_prompt_shows_own_and_anonymous_others() -> None:
    own = Judgment("judge-a", 0.5, "half the steps", ("0.5 | half the steps",))
    others = [Judgment("judge-b", 0.9, "nearly the same", ("0.9 | nearly the same",)),
              Judgment("judge-c", None, "", ("??",))]
    (message,) = revision_prompt("ADD $1$", "ADD $2$", own, others)
    text = message["content"]
    assert "ADD $1$" in text and "ADD $2$" in text and "Your answer was: 0.5 | half the steps" in text
    assert "reviewer 1: 0.9 | nearly the same" in text and "reviewer 2: no readable answer" in text
    assert "judge-" not in text and "??" not in text  # names and raw garbage are not shown
    assert first_prompt("ADD $1$", "ADD $2$")[0]["content"].endswith(text.rsplit("Answer with", 1)[1])


def test_sample_is_seeded_and_in_order() -> None:
    assert sample_indices(10, 4, seed=1) == sample_indices(10, 4, seed=1) == sorted(sample_indices(10, 4, seed=1))
    assert sample_indices(10, 4, seed=1) != sample_indices(10, 4, seed=2)
    assert sample_indices(3, 50, seed=0) == [0, 1, 2]


# --- settings -----------------------------------------------------------------------------------


def test_default_panel_settings() -> None:
    settings = load_panel_settings("default")
    assert settings.judges and settings.judges[0].name == "smollm2" and settings.rounds == 2
    assert settings.judges[0].base_url == LOCAL  # offline: s2a serves it (s2a.local_server)
    assert settings.sample_size == 50 and settings.parse_retries == 2


@pytest.mark.parametrize("text, key", [
    ("judges: []\n", "judges"),
    ("judges:\n  - {name: a, base_url: u, model: m}\n  - {name: a, base_url: u, model: m}\n", "judges[1].name"),
    ("judges:\n  - {name: a, base_url: u, model: m, colour: red}\n", "judges[0].colour"),
    ("judges:\n  - {name: a, base_url: u, model: m}\nrounds: -1\n", "rounds"),
    ("judges:\n  - {name: a, base_url: u, model: m}\nsample_size: 0\n", "sample_size"),
    ("judges:\n  - {name: a, base_url: u, model: m}\nexamples:\n  - {prediction: p, reference: r, answer: 'fine'}\n",
     "examples[0].answer"),
])
def test_bad_panel_settings_name_file_and_key(tmp_path: Path, text: str, key: str) -> None:
    path = tmp_path / "judges.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_panel_settings(str(path))
    assert caught.value.key == key and str(path) in str(caught.value)


def test_worked_examples_come_before_the_first_judgment_only() -> None:
    settings = load_panel_settings("fewshot")
    assert len(settings.examples) == 3 and settings.judges == load_panel_settings("default").judges
    messages = first_prompt(PREDS[0], REFS[0], settings.examples)
    assert [m["role"] for m in messages] == ["user", "assistant"] * 3 + ["user"]
    assert messages[:-1][1::2] == [{"role": "assistant", "content": e.answer} for e in settings.examples]
    assert messages[-1] == first_prompt(PREDS[0], REFS[0])[0] and PREDS[0] in messages[-1]["content"]
    asked: list[list[dict[str, str]]] = []
    judge = Judge("j", lambda m, t: asked.append(m) or "0.5 | half")
    review({"m": PREDS}, REFS, [judge], replace(settings, rounds=1, sample_size=1))
    assert len(asked[0]) == 7 and len(asked[1]) == 1  # the revision is asked without them


def test_unreachable_judge_is_a_typed_error() -> None:
    url = f"http://127.0.0.1:{free_port()}/v1"  # nothing listens there
    settings = PanelSettings(profile="test", judges=[JudgeSettings("gone", url, "m", retries=0, timeout=5.0)],
                             sample_size=1)
    with pytest.raises(EndpointUnavailable) as caught:
        review({"m": PREDS}, REFS, judges_from(settings), settings)
    assert caught.value.url == url


def test_predictions_must_match_references() -> None:
    judge = Judge("const", lambda messages, temperature: PARROT)
    settings = PanelSettings(profile="test", sample_size=1)
    with pytest.raises(PredictionMismatch):
        review({"m": PREDS[:2]}, REFS, [judge], settings)


def _fixed(score: float) -> Judge:
    return Judge(f"fixed-{score}", lambda messages, temperature: f"{score} | my first impression")


def _conformist(messages: list[dict[str, str]], temperature: float) -> str:
    """Starts at 1, then answers the mean of the other reviewers' scores shown in the prompt."""
    shown = re.findall(r"reviewer \d+: ([0-9.]+) \|", messages[-1]["content"])
    if not shown:
        return "1 | identical at first sight"
    return f"{sum(map(float, shown)) / len(shown):.2f} | I follow the others"


def test_revision_rounds_move_scores_and_spread() -> None:
    judges = [_fixed(0.2), _fixed(0.6), Judge("conformist", _conformist)]
    settings = PanelSettings(profile="test", rounds=2, sample_size=2, seed=0)
    (result,), records = review({"m": PREDS}, REFS, judges, settings)
    first, second, third = result.rounds
    assert math.isclose(first.mean, 0.6) and math.isclose(first.spread, statistics.pstdev([0.2, 0.6, 1.0]))
    assert first.per_judge == {"fixed-0.2": 0.2, "fixed-0.6": 0.6, "conformist": 1.0}
    assert second.per_judge["conformist"] == third.per_judge["conformist"] == 0.4  # the mean of 0.2 and 0.6
    assert math.isclose(second.spread, statistics.pstdev([0.2, 0.6, 0.4])) and second.spread < first.spread
    assert first.unparseable == 0 and first.judgments == 2 * 3 and len(records) == result.requests == 2 * 3 * 3


def _needs_reminding(messages: list[dict[str, str]], temperature: float) -> str:
    """Answers loosely until it is shown its own answer and asked for the format again."""
    if messages[-2:-1] == [{"role": "assistant", "content": "I think they are similar."}] \
            and messages[-1]["content"].startswith(UNREADABLE) and temperature == 0.7:
        return "0.6 | similar"
    return "I think they are similar."


def test_an_answer_read_on_retry_counts_as_readable() -> None:
    judge = Judge("slow", _needs_reminding)
    settings = PanelSettings(profile="test", rounds=0, sample_size=1, parse_retries=1)
    (result,), records = review({"m": PREDS}, REFS, [judge], settings)
    (summary,) = result.rounds
    assert summary.unparseable == 0 and summary.retried == 1 and summary.mean == 0.6
    assert [(r["attempt"], r["readable"]) for r in records] == [(0, False), (1, True)]


# --- controls -----------------------------------------------------------------------------------

CONTROL_REFS = (SAMPLE / "tgt-train.txt").read_text(encoding="utf-8").splitlines()[:12] + [
    "STIR for overnight at room temperature.",  # readable format, one action
    "COLLECTLAYER organic; WASH with brine; CONCENTRATE.",  # readable format, "; " between actions
]


def _actions(line: str) -> list[str]:
    return [a.strip() for a in re.split(r";", line)]


def test_controls_are_the_references_one_action_fewer_and_another_examples() -> None:
    made = controls(CONTROL_REFS, seed=5)
    assert made[IDENTICAL] == CONTROL_REFS
    for ref, dropped in zip(CONTROL_REFS, made[DROPPED]):
        full, short = _actions(ref), _actions(dropped)
        if len(full) == 1:
            assert dropped == ref
            continue
        assert len(short) == len(full) - 1, (ref, dropped)
        assert any(full[:k] + full[k + 1:] == short for k in range(len(full)))
        assert (" ; " in dropped) == (" ; " in ref) or len(short) == 1  # the line's own separator kept
    assert made[DROPPED][-1] in ("WASH with brine; CONCENTRATE.", "COLLECTLAYER organic; CONCENTRATE.",
                                 "COLLECTLAYER organic; WASH with brine")
    # another example's reference for every example: a permutation with no example left in place
    assert sorted(made[OTHER]) == sorted(CONTROL_REFS)
    assert all(o != r for o, r in zip(made[OTHER], CONTROL_REFS))
    assert controls(CONTROL_REFS, seed=5) == made and controls(CONTROL_REFS, seed=6)[OTHER] != made[OTHER]
    with pytest.raises(DataError) as caught:  # one reference: no other example to give it
        controls(CONTROL_REFS[:1], seed=5, where="refs.txt")
    assert caught.value.path == "refs.txt" and "got 1" in caught.value.reason


def _similar(messages: list[dict[str, str]], temperature: float) -> str:
    """A judge that reads both sequences: their normalised Levenshtein similarity."""
    first, second = re.search(r"The first sequence: (.*)\nThe second sequence: (.*)\n", messages[0]["content"]).groups()
    return f"{similarity(second, first):.2f} | character similarity"


def test_control_separation_tells_a_reading_judge_from_a_constant_one() -> None:
    settings = PanelSettings(profile="test", rounds=1, sample_size=10, seed=1)
    reading, records = review(controls(CONTROL_REFS, 1), CONTROL_REFS, [Judge("reader", _similar)], settings)
    means = {r.model: r.rounds[-1].mean for r in reading}
    assert means[IDENTICAL] == 1.0 > means[DROPPED] > means[OTHER]
    assert control_separation(reading) == pytest.approx(1.0 - means[OTHER]) and control_separation(reading) > 0.4
    constant, _ = review(controls(CONTROL_REFS, 1), CONTROL_REFS, [_fixed(0.6)], settings)
    assert control_separation(constant) == 0.0
    plain, _ = review({"m": CONTROL_REFS}, CONTROL_REFS, [_fixed(0.6)], settings)
    assert control_separation(plain) is None


# --- against a real server ----------------------------------------------------------------------


def _train_parrot(out_dir: Path) -> Path:
    """A tiny Llama trained to answer PARROT to the prompts of this test (a few seconds on one core)."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from s2a.llm.tiny import build_tiny_llama

    own = Judgment("parrot", 0.8, PARROT.split(" | ", 1)[1], (PARROT,))
    noise = Judgment("noise", None, "", ("",))
    prompts = [m for p, r in zip(PREDS, REFS) for m in (first_prompt(p, r), revision_prompt(p, r, own, [noise]))]
    build_tiny_llama(out_dir, [m[0]["content"] + PARROT for m in prompts])
    tokenizer = AutoTokenizer.from_pretrained(out_dir)
    model = AutoModelForCausalLM.from_pretrained(out_dir)
    answer = tokenizer(PARROT, add_special_tokens=False)["input_ids"] + [tokenizer.eos_token_id]
    examples = []
    for messages in prompts:
        ids = tokenizer.apply_chat_template(messages, add_generation_prompt=True)
        examples.append((torch.tensor([ids + answer]), torch.tensor([[-100] * len(ids) + answer])))
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        torch.manual_seed(0)
        optimiser = torch.optim.Adam(model.parameters(), lr=3e-3)
        model.train()
        for step in range(300):
            ids, labels = examples[step % len(examples)]
            loss = model(input_ids=ids, labels=labels).loss
            loss.backward()
            optimiser.step()
            optimiser.zero_grad()
            if step >= 60 and loss.item() < 0.01:
                break
    finally:
        torch.set_num_threads(threads)
    model.save_pretrained(out_dir, safe_serialization=True)
    return out_dir


@pytest.fixture(scope="module")
def parrot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _train_parrot(tmp_path_factory.mktemp("parrot"))


@requires_serve
def test_review_command_parses_retries_counts_and_records(llm_server: str, tiny_llama: Path, parrot: Path,
                                                          tmp_path: Path) -> None:
    judges = tmp_path / "judges.yaml"
    judges.write_text(
        "judges:\n"
        f"  - {{name: parrot, base_url: local, model: '{parrot}', max_tokens: 40, retries: 1, backoff: 0.1}}\n"
        f"  - {{name: noise, base_url: '{llm_server}', model: '{tiny_llama}', max_tokens: 12, retries: 1, backoff: 0.1}}\n"
        "rounds: 1\nsample_size: 2\nseed: 3\nparse_retries: 1\n", encoding="utf-8")
    (tmp_path / "model-a").mkdir()
    (tmp_path / "model-a" / "test.txt").write_text("\n".join(PREDS) + "\n", encoding="utf-8")
    (tmp_path / "refs.txt").write_text("\n".join(REFS) + "\n", encoding="utf-8")
    out = tmp_path / "review" / "test.json"
    result = CliRunner().invoke(main, ["review", str(tmp_path / "model-a" / "test.txt"), "--references",
                                       str(tmp_path / "refs.txt"), "--judges", str(judges), "--out", str(out),
                                       "--controls"])
    assert result.exit_code == 0, result.output
    assert "| model-a | 0 | 80.0 |" in result.output and "| model-a | 1 | 80.0 |" in result.output
    # the parrot says 0.8 whatever it is shown: the controls expose it
    assert f"| {IDENTICAL} | 1 | 80.0 |" in result.output and f"| {OTHER} | 1 | 80.0 |" in result.output
    assert "identical minus another reaction, last round: 0.0 points" in result.output

    summary = json.loads(out.read_text(encoding="utf-8"))
    assert [m["model"] for m in summary["models"]] == ["model-a", IDENTICAL, DROPPED, OTHER]
    assert summary["control_separation"] == 0.0
    model = summary["models"][0]
    assert model["indices"] == sample_indices(3, 2, seed=3)
    records = [r for line in (tmp_path / "review" / "test.answers.jsonl").read_text().splitlines()
               if (r := json.loads(line))["model"] == "model-a"]
    noise = [r for r in records if r["judge"] == "noise"]
    parrots = [r for r in records if r["judge"] == "parrot"]
    # parrot: one readable answer per example and round, nothing retried
    assert [(r["index"], r["round"], r["attempt"], r["score"]) for r in parrots] == [
        (i, k, 0, 0.8) for i in model["indices"] for k in (0, 1)]
    # noise: nonsense, asked again once (parse_retries: 1), then counted as unreadable
    unreadable = {(r["index"], r["round"]) for r in noise} - {(r["index"], r["round"]) for r in noise if r["readable"]}
    assert all(not r["readable"] for r in noise), [r["answer"] for r in noise if r["readable"]]
    assert len(noise) == 2 * len(unreadable) == 2 * 2 * 2  # attempts = examples x rounds x (1 + retries)
    for k, round_ in enumerate(model["rounds"]):
        assert round_["round"] == k and round_["judgments"] == 4
        assert round_["unparseable"] == 2 and round_["unparseable_share"] == 0.5 and round_["retried"] == 2
        assert math.isclose(round_["mean"], 0.8) and round_["per_judge"] == {"parrot": 0.8, "noise": None}
        assert round_["spread"] is None  # one readable score per example: no agreement to measure
    assert summary["answers"] == "test.answers.jsonl" and summary["settings"]["rounds"] == 1
    # the local judge had its own server, started for the review and stopped after it
    assert [j["base_url"] for j in summary["settings"]["judges"]] == ["local", llm_server]
    assert (tmp_path / "review" / "test.serve.log").is_file()
    assert model["requests"] == len(records) == 4 + 8 and model["seconds"] > 0


# --- the round trip -----------------------------------------------------------------------------

PARAGRAPH = ("To a solution of aniline (0.93 g) in DCM (10 ml) was added acetic anhydride (1.1 ml). "
             "The mixture was stirred for 2 h. The solvent was removed in vacuo.")
GOLD = "MAKESOLUTION with aniline (0.93 g) and DCM (10 ml); ADD SLN; ADD acetic anhydride (1.1 ml); STIR for 2 h; CONCENTRATE."


def d2a(texts: list[str]) -> list[str]:
    """The rule-based extractor as the description -> actions model."""
    return [readable(paragraph_actions(t)) for t in texts]


def a2d(actions: list[str]) -> list[str]:
    """Actions written back as text, one sentence per action (what the extractor can read back)."""
    return [a.replace("; ", ". ") for a in actions]


def test_round_trip_with_the_rule_based_extractor() -> None:
    texts = [PARAGRAPH, "Water (20 ml) was added. The mixture was stirred at room temperature for 3 hours."]
    gold = [GOLD, "ADD Water (20 ml); STIR for 3 hours at room temperature."]
    result = round_trip(d2a, a2d, texts, gold, rounds=3)
    assert [r.round for r in result.rounds] == [1, 2, 3]
    first, second, third = result.rounds
    assert result.actions[0] == gold and first.to_first == 1.0 and first.to_gold == 1.0
    assert result.descriptions[1] == a2d(gold) and result.actions[1] == d2a(a2d(gold))
    # written back as bare actions, the extractor loses the solution but keeps the simple sentences
    assert result.actions[1][0].startswith("NOACTION; ADD SLN") and result.actions[1][1] == gold[1]
    assert second.to_first < 1.0 and second.unchanged == 1
    expected = (similarity(gold[0], result.actions[1][0]) + 1.0) / 2
    assert math.isclose(second.to_first, expected) and math.isclose(second.to_gold, expected)
    assert third.to_first <= second.to_first


def test_round_trip_checks_batch_sizes() -> None:
    with pytest.raises(PredictionMismatch):
        round_trip(d2a, lambda actions: actions[:1], [PARAGRAPH, PARAGRAPH], [GOLD, GOLD], rounds=2)
    with pytest.raises(PredictionMismatch):
        round_trip(d2a, a2d, [PARAGRAPH], [GOLD, GOLD], rounds=1)
