"""Fast decoding of a trained BART checkpoint with CTranslate2.

CTranslate2's FairseqConverter supports fairseq's `bart` architecture (learned positions,
layer-norm on embeddings, GELU, shared embeddings). The checkpoint is read under s2a's allowlist
(weights-only `torch.load`), so no unsafe deserialisation is needed. With `length_penalty=1` the
n-best lists equal fairseq's SequenceGenerator on our tests; scores differ by ~1e-4.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from s2a.errors import ExternalToolFailed, MissingArtifact

SOURCE_MARKER = ".s2a-source.json"


def _source_id(checkpoint: Path) -> dict[str, Any]:
    st = checkpoint.stat()
    return {"checkpoint": str(checkpoint.resolve()), "mtime_ns": st.st_mtime_ns, "size": st.st_size}


def convert_checkpoint(checkpoint: Path, bin_dir: Path, out_dir: Path) -> Path:
    """Convert (once per checkpoint version) a fairseq BART checkpoint into a CTranslate2 model."""
    from ctranslate2.converters import FairseqConverter

    from s2a.models.fairseq_checkpoint import safe_fairseq_loading

    if not checkpoint.is_file():
        raise MissingArtifact(str(checkpoint), "checkpoint not found (train the model first)")
    if not (bin_dir / "dict.src.txt").is_file():
        raise MissingArtifact(str(bin_dir / "dict.src.txt"), "dictionary not found (train the model first)")
    wanted = _source_id(checkpoint)
    marker = out_dir / SOURCE_MARKER
    if (out_dir / "model.bin").is_file() and marker.is_file():
        try:
            if json.loads(marker.read_text(encoding="utf-8")) == wanted:
                return out_dir
        except ValueError:
            pass
    try:
        with safe_fairseq_loading():
            FairseqConverter(str(checkpoint), str(bin_dir)).convert(str(out_dir), force=True)
    except Exception as e:  # the converter raises ValueError/RuntimeError/pickling errors
        first_line = (str(e).strip().splitlines() or [type(e).__name__])[0]
        raise ExternalToolFailed("ctranslate2 FairseqConverter", 1, str(out_dir), first_line[:300]) from None
    marker.write_text(json.dumps(wanted), encoding="utf-8")
    return out_dir
