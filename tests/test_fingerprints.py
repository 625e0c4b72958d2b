import os
import warnings
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from s2a.errors import TokenizationError  # noqa: E402
from s2a.fingerprints import RxnfpFingerprinter, l2_normalise, rxnfp_model_dir, tokenize_reaction  # noqa: E402
from s2a.formats.tokenization import detokenize_smiles  # noqa: E402
from sample import SAMPLE

FIXTURES = SAMPLE
SALT = "CC(C)(C)OC(=O)N1CCNCC1.Cl.O=C([O-])[O-]~[K+]~[K+]>>CC(C)(C)OC(=O)N1CCN(C)CC1"


def _sample(n: int) -> list[str]:
    lines = (FIXTURES / "src-train.txt").read_text().splitlines()[:n]
    return [detokenize_smiles(line) for line in lines]


@pytest.fixture(scope="module")
def ours() -> RxnfpFingerprinter:
    return RxnfpFingerprinter(batch_size=4, threads=2)


@pytest.fixture(scope="module")
def reference():  # rxnfp's own generator, the ground truth
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # rxnfp imports pkg_resources
        from rxnfp.transformer_fingerprints import RXNBERTFingerprintGenerator, get_default_model_and_tokenizer

        model, tokenizer = get_default_model_and_tokenizer("bert_ft", force_no_cuda=True)
    return RXNBERTFingerprintGenerator(model, tokenizer, force_no_cuda=True), tokenizer


def test_tokens_join_back_and_keep_fragment_bonds() -> None:
    tokens = tokenize_reaction(SALT)
    assert "".join(tokens) == SALT
    assert tokens.count("~") == 2 and tokens.count(">>") == 1 and "[K+]" in tokens


def test_a_character_outside_the_regex_is_an_error() -> None:
    with pytest.raises(TokenizationError) as e:
        tokenize_reaction("CC(=O)O.X>>CC")
    assert e.value.text == "CC(=O)O.X>>CC"


def test_token_ids_equal_rxnfps_tokenizer_including_truncation(ours: RxnfpFingerprinter, reference) -> None:
    _, tokenizer = reference
    long_reaction = ".".join(["c1ccccc1CC(=O)O"] * 60) + ">>CCO"  # > 512 tokens: truncated
    for smiles in [*_sample(20), SALT, long_reaction]:
        expected = tokenizer.encode_plus(smiles, max_length=512, truncation=True)["input_ids"]
        assert ours.encode(smiles) == expected
    assert len(ours.encode(long_reaction)) == 512


def test_fingerprints_equal_rxnfps_generator(ours: RxnfpFingerprinter, reference) -> None:
    generator, _ = reference
    reactions = [*_sample(3), SALT]
    expected = np.array([generator.convert(r) for r in reactions], dtype=np.float32)
    got = ours.fingerprints(reactions)
    assert got.shape == (4, 256) and got.dtype == np.float32
    np.testing.assert_allclose(got, expected, atol=1e-5, rtol=0)


def test_result_does_not_depend_on_batching_or_order(ours: RxnfpFingerprinter) -> None:
    reactions = [*_sample(4), SALT]
    batched = ours.fingerprints(reactions)
    single = RxnfpFingerprinter(batch_size=1).fingerprints(reactions[::-1])[::-1]
    np.testing.assert_allclose(batched, single, atol=1e-5, rtol=0)
    assert ours.fingerprints([]).shape == (0, 256)


def test_fragment_bond_and_dot_give_different_fingerprints(ours: RxnfpFingerprinter) -> None:
    a, b = ours.fingerprints([SALT, SALT.replace("~", ".")])
    assert not np.allclose(a, b, atol=1e-3)


def test_l2_normalise_gives_unit_rows_and_keeps_zero_rows() -> None:
    v = np.array([[3.0, 4.0], [0.0, 0.0], [-1.0, 0.0]])
    n = l2_normalise(v)
    assert n.dtype == np.float32
    np.testing.assert_allclose(n, [[0.6, 0.8], [0.0, 0.0], [-1.0, 0.0]], atol=1e-7)


def test_model_dir_is_the_one_shipped_with_rxnfp() -> None:
    path = rxnfp_model_dir("bert_ft")
    assert (path / "vocab.txt").is_file() and path.parent.parent.parent.name == "rxnfp"
