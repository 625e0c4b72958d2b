"""s2a's fairseq architectures parse in fairseq's own command line with the intended embeddings."""
from __future__ import annotations

import pytest

from s2a.models import fairseq_arch
from s2a.models.fairseq_checkpoint import import_fairseq


def _args(arch: str, *extra: str):
    import_fairseq()  # registers s2a's architectures
    from fairseq import options

    return options.parse_args_and_arch(options.get_training_parser(),
                                       input_args=["data-bin", "--task", "translation", "--arch", arch, *extra])


def test_bart_base_ties_everything_and_own_source_unties_the_encoder() -> None:
    base = _args("bart_base")
    assert base.share_all_embeddings and base.share_decoder_input_output_embed
    own = _args(fairseq_arch.ARCH)
    assert not own.share_all_embeddings and own.share_decoder_input_output_embed
    # everything else is bart_base's
    for key in ("encoder_embed_dim", "encoder_layers", "encoder_learned_pos", "no_scale_embedding", "layernorm_embedding"):
        assert getattr(own, key) == getattr(base, key), key


def test_sinusoidal_variant_and_command_line_dimensions() -> None:
    a = _args(fairseq_arch.SINUSOIDAL, "--encoder-embed-dim", "64", "--decoder-embed-dim", "64")
    assert not a.share_all_embeddings and not a.encoder_learned_pos and not a.decoder_learned_pos
    assert not a.no_scale_embedding and a.encoder_embed_dim == 64


def test_registering_twice_is_harmless() -> None:
    import_fairseq()
    fairseq_arch.register()
    from fairseq.models import ARCH_MODEL_NAME_REGISTRY

    assert ARCH_MODEL_NAME_REGISTRY[fairseq_arch.ARCH] == "bart"  # what CTranslate2's converter checks


def test_an_unknown_architecture_is_still_refused() -> None:
    with pytest.raises(SystemExit):
        _args("bart_base_no_such_thing")
