"""CTranslate2 conversion and decoding: same outputs as OpenNMT-py on the tiny model."""
from __future__ import annotations

import argparse
from pathlib import Path

import pytest
import torch

from s2a.errors import MissingArtifact, UnsafeCheckpoint
from s2a.models.ctranslate import CT2Decoder, convert_checkpoint, ensure_converted, is_converted


@pytest.mark.parametrize("max_length", [60, 6])
@pytest.mark.parametrize("n_best", [1, 4])
@pytest.mark.slow
def test_ctranslate2_equals_onmt_on_every_test_line(n_best: int, max_length: int) -> None:
    from tiny_transformer import lines, trained

    run = trained()
    overrides = {"onmt": {"max_length": max_length}}
    fast = run.model(decoder="ctranslate2", **overrides).predict(lines("test"), n_best=n_best)
    reference = run.model(decoder="onmt", **overrides).predict(lines("test"), n_best=n_best)
    assert len(fast) == len(reference) == len(lines("test"))
    for f, r in zip(fast, reference):
        assert [h.actions for h in f] == [h.actions for h in r]
        assert [h.score for h in f] == pytest.approx([h.score for h in r], abs=1e-3)


@pytest.mark.slow
def test_conversion_is_reused_and_redone_for_a_new_checkpoint(tmp_path: Path) -> None:
    from tiny_transformer import trained

    model = trained().model()
    first, final = model.checkpoints()[0][1], model.final_checkpoint()
    out = tmp_path / "ct2"
    ensure_converted(first, out)
    assert is_converted(first, out) and not is_converted(final, out)
    stamp = (out / "model.bin").stat().st_mtime_ns
    ensure_converted(first, out)
    assert (out / "model.bin").stat().st_mtime_ns == stamp
    ensure_converted(final, out)
    assert is_converted(final, out)
    assert not (tmp_path / "ct2.partial").exists()


@pytest.mark.slow
def test_int8_decodes_every_line(tmp_path: Path) -> None:
    from tiny_transformer import lines, trained

    model = trained().model()
    ensure_converted(model.final_checkpoint(), model.ct2_dir)
    hyps = CT2Decoder(model.ct2_dir, compute_type="int8", threads=1).translate(lines("test"), n_best=2, max_length=30)
    assert len(hyps) == len(lines("test")) and all(len(h) == 2 for h in hyps)


@pytest.mark.slow
def test_batching_by_tokens_gives_the_same_hypotheses() -> None:
    from tiny_transformer import lines, trained

    model = trained().model()
    assert model.settings.decode_batch_tokens > 0  # the profiles' default
    ensure_converted(model.final_checkpoint(), model.ct2_dir)
    decoder = CT2Decoder(model.ct2_dir, threads=2)
    by_reactions = decoder.translate(lines("test"), n_best=3, max_length=30, batch_size=3)
    for tokens in (40, 4096):  # many small batches, one batch
        by_tokens = decoder.translate(lines("test"), n_best=3, max_length=30, batch_tokens=tokens)
        assert [[h.actions for h in hs] for hs in by_tokens] == [[h.actions for h in hs] for hs in by_reactions]


def test_conversion_refuses_a_missing_checkpoint(tmp_path: Path) -> None:
    with pytest.raises(MissingArtifact, match="nope.pt") as info:
        convert_checkpoint(tmp_path / "nope.pt", tmp_path / "ct2")
    assert "\n" not in str(info.value)
    assert not (tmp_path / "ct2").exists()


def test_conversion_refuses_a_corrupt_checkpoint(tmp_path: Path) -> None:
    bad = tmp_path / "model_step_5.pt"
    bad.write_bytes(b"PK\x03\x04 truncated")
    with pytest.raises(MissingArtifact, match="model_step_5.pt") as info:
        convert_checkpoint(bad, tmp_path / "ct2")
    assert "\n" not in str(info.value)
    assert not (tmp_path / "ct2").exists() and not (tmp_path / "ct2.partial").exists()


def test_conversion_refuses_a_checkpoint_that_is_not_a_translation_model(tmp_path: Path) -> None:
    odd = tmp_path / "odd.pt"
    torch.save({"opt": argparse.Namespace(a=1)}, odd)
    with pytest.raises(MissingArtifact, match="odd.pt"):
        convert_checkpoint(odd, tmp_path / "ct2")


def test_conversion_refuses_an_unsafe_checkpoint(tmp_path: Path) -> None:
    unsafe = tmp_path / "unsafe.pt"
    torch.save({"opt": Path("x")}, unsafe)
    with pytest.raises(UnsafeCheckpoint, match="PosixPath"):
        convert_checkpoint(unsafe, tmp_path / "ct2")


def test_decoder_without_model_names_the_directory(tmp_path: Path) -> None:
    with pytest.raises(MissingArtifact, match=str(tmp_path)):
        CT2Decoder(tmp_path)

@pytest.mark.slow
def test_constrained_decoding_never_names_a_molecule_the_reaction_lacks() -> None:
    from s2a.formats.targets import allowed_positions, positional_tokens, reaction_counts
    from tiny_transformer import lines, trained

    model = trained().model()
    ensure_converted(model.final_checkpoint(), model.ct2_dir)
    decoder = CT2Decoder(model.ct2_dir, threads=2)
    src = lines("test")
    assert {1, 2, -1} <= set(decoder.positional_tokens())
    counts = [(1, 1)] * len(src)  # fewer than the reactions have: only $1$ and $-1$ allowed
    free = decoder.translate(src, n_best=4, max_length=30)
    constrained = decoder.translate(src, n_best=4, max_length=30, counts=counts)
    assert any(positional_tokens(h.actions) - {1, -1} for hs in free for h in hs)  # the constraint bites
    assert all(positional_tokens(h.actions) <= {1, -1} for hs in constrained for h in hs)
    own = decoder.translate(src, n_best=4, max_length=30, counts=[reaction_counts(s) for s in src])
    assert all(positional_tokens(h.actions) <= allowed_positions(reaction_counts(s)) for s, hs in zip(src, own) for h in hs)
    with pytest.raises(ValueError, match="counts"):
        decoder.translate(src, counts=counts[:1])
