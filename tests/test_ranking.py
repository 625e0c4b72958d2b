from collections.abc import Sequence
from pathlib import Path

import pytest

from s2a.config import typed
from s2a.errors import ConfigError, TokenizationError
from s2a.formats.predictions import RAW, Hypothesis, read_nbest, read_top1
from s2a.models.base import ActionModel, ModelPaths
from s2a.formats.targets import similarity
from s2a.models.ranking import Consensus, Ranking
from s2a.predict_split import predict_split

SRC = "C C ( = O ) Cl . C C O >> C C O C ( C ) = O"  # 2 precursors, 1 product
SHORT_INVALID = Hypothesis("ADD $1$ ; YIELD $-1$", -1.0)  # best total log-probability, misses $2$
LONG_VALID = Hypothesis("ADD $1$ ; ADD $2$ ; STIR for @2@ at #4# ; CONCENTRATE ; YIELD $-1$", -4.0)
SHORT_VALID = Hypothesis("ADD $1$ ; ADD $2$ ; YIELD $-1$", -3.0)


def test_valid_hypotheses_come_first() -> None:
    ranked = Ranking(width=3, valid_first=True, length_exponent=0.0).rank(SRC, [SHORT_INVALID, LONG_VALID, SHORT_VALID])
    assert ranked == [SHORT_VALID, LONG_VALID, SHORT_INVALID]


def test_length_exponent_normalises_per_token() -> None:
    # -3 over 10 tokens (+ end) vs -4 over 19 (+ end): per token the longer one is better.
    assert Ranking(length_exponent=1.0).rank(SRC, [SHORT_VALID, LONG_VALID]) == [LONG_VALID, SHORT_VALID]
    assert Ranking(length_exponent=0.0).rank(SRC, [LONG_VALID, SHORT_VALID]) == [SHORT_VALID, LONG_VALID]


def test_without_valid_first_only_scores_count() -> None:
    ranked = Ranking(valid_first=False, length_exponent=0.0).rank(SRC, [LONG_VALID, SHORT_INVALID])
    assert ranked == [SHORT_INVALID, LONG_VALID]


def test_settings_are_checked() -> None:
    assert typed(Ranking, {"width": 5}, "x.yaml", "ranking") == Ranking(width=5)
    with pytest.raises(ConfigError, match=r"x.yaml \[ranking.widht\]"):
        typed(Ranking, {"widht": 5}, "x.yaml", "ranking")
    with pytest.raises(ConfigError, match=r"\[ranking\]: width must be >= 1"):
        typed(Ranking, {"width": 0}, "x.yaml", "ranking")


class _Fixed(ActionModel):
    """A family that always decodes the same list: exercises the base class's template."""

    name = "fixed"

    def __init__(self, paths: ModelPaths, ranking: Ranking | None) -> None:
        super().__init__(paths)
        self._ranking = ranking
        self.asked: list[int] = []

    def train(self) -> None:
        pass

    def ranking(self) -> Ranking | None:
        return self._ranking

    def _predict(self, src: Sequence[str], n_best: int) -> list[list[Hypothesis]]:
        self.asked.append(n_best)
        return [[SHORT_INVALID, LONG_VALID, SHORT_VALID][:n_best] for _ in src]


def test_base_class_decodes_the_ranking_width_and_keeps_the_raw_order(tmp_path: Path) -> None:
    model = _Fixed(ModelPaths(tmp_path, tmp_path), Ranking(width=3, length_exponent=0.0))
    chosen, raw = model.predict_ranked([SRC], n_best=1)
    assert model.asked == [3]
    assert chosen == [[SHORT_VALID]] and raw == [[SHORT_INVALID]]
    assert model.describe() == {"ranking": {"width": 3, "valid_first": True, "length_exponent": 0.0,
                                            "constrain": False, "complete": False}}


def test_base_class_checks_input_for_every_family(tmp_path: Path) -> None:
    model = _Fixed(ModelPaths(tmp_path, tmp_path), None)
    for bad in (0, -1, True, 1.5):
        with pytest.raises(ValueError, match="n_best"):
            model.predict([SRC], n_best=bad)  # type: ignore[arg-type]
    with pytest.raises(TokenizationError):
        model.predict([SRC, "  "])
    assert model.predict([]) == [] and model.asked == []


def test_predict_split_writes_both_rankings(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "src-test.txt").write_text(SRC + "\n" + SRC + "\n")
    model = _Fixed(ModelPaths(data, tmp_path / "work"), Ranking(width=3, length_exponent=0.0))
    out = tmp_path / "pred"
    predict_split(model, "test", 2, out)
    assert read_top1(out / "test.txt") == [SHORT_VALID.actions] * 2
    assert read_top1(out / f"test.{RAW}.txt") == [SHORT_INVALID.actions] * 2
    assert [h.actions for h in read_nbest(out / f"test.{RAW}.nbest.jsonl")[0]] == [SHORT_INVALID.actions, LONG_VALID.actions]
    model._ranking = None  # a model without ranking removes a stale raw file
    predict_split(model, "test", 1, out)
    assert not (out / f"test.{RAW}.txt").exists()


def test_complete_edits_invalid_hypotheses_after_the_valid_ones() -> None:
    ranking = Ranking(width=3, length_exponent=0.0, complete=True)
    fixed = Hypothesis("ADD $1$ ; ADD $2$ ; YIELD $-1$", SHORT_INVALID.score)
    assert ranking.rank(SRC, [SHORT_INVALID]) == [fixed]
    assert ranking.rank(SRC, [SHORT_INVALID, LONG_VALID]) == [LONG_VALID, fixed]
    assert ranking.rank(SRC, [SHORT_INVALID, SHORT_VALID]) == [SHORT_VALID]  # its completion repeats a valid one


class _Constrainable(_Fixed):
    """Decodes a different list when constrained, as a CTranslate2 family does."""

    def _predict_constrained(self, src: Sequence[str], n_best: int, counts: Sequence[tuple[int, int]]) -> list[list[Hypothesis]]:
        self.asked.append(-n_best)
        assert list(counts) == [(2, 1)] * len(src)
        return [[LONG_VALID] for _ in src]


def test_constrained_ranking_decodes_twice_and_keeps_the_unconstrained_raw_order(tmp_path: Path) -> None:
    model = _Constrainable(ModelPaths(tmp_path, tmp_path), Ranking(width=3, length_exponent=0.0, constrain=True))
    chosen, raw = model.predict_ranked([SRC], n_best=1)
    assert model.asked == [-3, 1]
    assert chosen == [[LONG_VALID]] and raw == [[SHORT_INVALID]]
    plain = _Fixed(ModelPaths(tmp_path, tmp_path), Ranking(width=3, length_exponent=0.0, constrain=True))
    assert plain.predict_ranked([SRC], n_best=1) == ([[SHORT_VALID]], [[SHORT_INVALID]])  # no constrained decoder


# Consensus (minimum Bayes risk): three valid answers; MIDDLE shares most with the other two.
FIRST = Hypothesis("ADD $1$ ; ADD $2$ ; REFLUX for @3@ ; FILTER keep filtrate ; YIELD $-1$", -2.0)
MIDDLE = Hypothesis("ADD $1$ ; ADD $2$ ; STIR for @2@ at #4# ; FILTER keep filtrate ; CONCENTRATE ; YIELD $-1$", -3.0)
LAST = Hypothesis("ADD $1$ ; ADD $2$ ; STIR for @2@ at #4# ; CONCENTRATE ; PURIFY ; YIELD $-1$", -3.5)


def _expected(candidate: Hypothesis, evidence: Sequence[Hypothesis]) -> float:
    return sum(similarity(e.actions, candidate.actions) for e in evidence) / len(evidence)


def test_consensus_puts_first_the_answer_closest_to_all_hypotheses() -> None:
    hyps = [FIRST, MIDDLE, LAST]
    flat = Ranking(length_exponent=0.0, consensus=Consensus(sharpness=0.0, neighbours=0))
    ranked = flat.rank(SRC, hyps)
    assert ranked == sorted(hyps, key=lambda h: -_expected(h, hyps))  # equal weights: the medoid first
    assert ranked[0] == MIDDLE != Ranking(length_exponent=0.0).rank(SRC, hyps)[0]
    # the sharper the weights, the more the best-scored hypothesis counts: in the limit, it wins
    assert Ranking(length_exponent=0.0, consensus=Consensus(sharpness=50.0)).rank(SRC, hyps)[0] == FIRST


def test_consensus_is_pulled_towards_the_neighbours_sequences() -> None:
    neighbours = [Hypothesis(LAST.actions.replace("PURIFY", "RECRYSTALLIZE from ethanol"), 0.9)]
    only_neighbours = Consensus(sharpness=0.0, neighbour_weight=1.0)
    ranking = Ranking(length_exponent=0.0, consensus=only_neighbours)
    assert ranking.rank(SRC, [FIRST, MIDDLE, LAST], neighbours)[0] == LAST
    assert ranking.rank(SRC, [FIRST, MIDDLE, LAST])[0] == MIDDLE  # no neighbours: the hypotheses alone
    evidence = only_neighbours.evidence([(h.actions, h.score) for h in (FIRST, MIDDLE)], neighbours)
    assert evidence == [(neighbours[0].actions, 1.0)]


def test_consensus_keeps_valid_answers_first_and_is_described() -> None:
    ranking = Ranking(length_exponent=0.0, consensus=Consensus(sharpness=0.0, neighbours=0))
    assert ranking.rank(SRC, [SHORT_INVALID, SHORT_VALID])[0] == SHORT_VALID
    assert ranking.describe()["consensus"] == {"sharpness": 0.0, "neighbours": 0, "neighbour_weight": 0.8,
                                               "neighbour_sharpness": 20.0}
    with pytest.raises(ConfigError, match=r"\[ranking.consensus\]: neighbour_weight must be in \[0, 1\]"):
        typed(Ranking, {"consensus": {"neighbour_weight": 1.5}}, "x.yaml", "ranking")


def test_base_class_gives_the_ranking_its_neighbours(tmp_path: Path) -> None:
    class _WithNeighbours(_Fixed):
        def neighbours(self, src: Sequence[str], k: int) -> list[list[Hypothesis]]:
            self.asked.append(100 + k)
            return [[Hypothesis(LONG_VALID.actions, 1.0)] for _ in src]

    consensus = Consensus(sharpness=0.0, neighbours=3, neighbour_weight=1.0)
    model = _WithNeighbours(ModelPaths(tmp_path, tmp_path), Ranking(width=3, length_exponent=0.0, consensus=consensus))
    chosen, raw = model.predict_ranked([SRC], n_best=1)
    assert model.asked == [3, 103]
    assert chosen == [[LONG_VALID]] and raw == [[SHORT_INVALID]]
