"""s2a's own fairseq architecture: `bart_base` whose encoder has its own token embeddings.

fairseq's `bart_base` ties all embeddings: the encoder's input table is the decoder's input table
and its output projection. SMILES tokens are never targets, so every decoder step's softmax pushes
all of them the same way; measured on the demo's BART (bart-cpu, 900 updates, 2026-12-02) the
138 SMILES-only token vectors had a mean pairwise cosine of 0.54 (the 196 action-only ones 0.10),
and scoring the validation targets with every reaction's source swapped for another's raised the
loss by 0.018 nats/token, against 0.118 for the transformer: the encoder barely told reactions
apart, so BART wrote 53 different answers for 392 validation reactions. `bart_base_own_source`
keeps the decoder's input/output tie and bart_base's dimensions, and gives the encoder its own
table (`share_all_embeddings` off; fairseq's command line cannot switch it off, its `store_true`
flag has no negative). The joined dictionary stays, so both tables index the same symbols.

`register()` runs wherever s2a imports fairseq (`fairseq_checkpoint.import_fairseq`, the
training subprocess `fairseq_entry`), so fairseq-train, checkpoint loading and CTranslate2's
converter (which maps the architecture to its model, `bart`) all know it.
"""
from __future__ import annotations

from typing import Any

ARCH = "bart_base_own_source"
SINUSOIDAL = "bart_base_own_source_sinusoidal"


def _own_source_architecture(args: Any) -> None:
    from fairseq.models.bart.model import bart_base_architecture

    args.share_all_embeddings = getattr(args, "share_all_embeddings", False)
    bart_base_architecture(args)


def _sinusoidal_architecture(args: Any) -> None:
    args.encoder_learned_pos = getattr(args, "encoder_learned_pos", False)
    args.decoder_learned_pos = getattr(args, "decoder_learned_pos", False)
    args.no_scale_embedding = getattr(args, "no_scale_embedding", False)
    _own_source_architecture(args)


def register() -> None:
    """Register s2a's architectures with fairseq's `bart` model (once per process)."""
    from fairseq.models import ARCH_MODEL_REGISTRY, register_model_architecture

    for name, fn in ((ARCH, _own_source_architecture), (SINUSOIDAL, _sinusoidal_architecture)):
        if name not in ARCH_MODEL_REGISTRY:
            register_model_architecture("bart", name)(fn)
