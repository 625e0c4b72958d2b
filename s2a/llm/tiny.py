"""A tiny randomly initialised Llama with a byte-level BPE tokenizer trained on given texts.

For tests and smoke runs of the LLM code paths without any download: it has the same interface
as a real base model directory (config.json, safetensors, tokenizer with EOS/PAD and a chat
template, so `transformers serve` can chat with it). It predicts nonsense until trained.
"""
from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Optional

if TYPE_CHECKING:
    from s2a.llm.prompts import PromptFormat

EOS, PAD = "<|endoftext|>", "<|pad|>"
CHAT_TEMPLATE = (
    "{% for m in messages %}<|{{ m['role'] }}|>{{ m['content'] }}\n{% endfor %}"
    "{% if add_generation_prompt %}<|assistant|>{% endif %}"
)


def build_tiny_llama(out_dir: Path, texts: Iterable[str], vocab_size: int = 400, hidden: int = 64,
                     layers: int = 2, heads: int = 4, seed: int = 0) -> Path:
    """Write a tiny Llama + tokenizer to `out_dir` and return it."""
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    bpe = Tokenizer(models.BPE())
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=[EOS, PAD],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    bpe.train_from_iterator(list(texts), trainer)
    # No token_type_ids: a Llama's generate() rejects them (and `transformers serve` would hang).
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=bpe, eos_token=EOS, pad_token=PAD,
                                        model_input_names=["input_ids", "attention_mask"])
    tokenizer.chat_template = CHAT_TEMPLATE

    torch.manual_seed(seed)
    config = LlamaConfig(
        vocab_size=len(tokenizer), hidden_size=hidden, intermediate_size=2 * hidden,
        num_hidden_layers=layers, num_attention_heads=heads, num_key_value_heads=heads,
        max_position_embeddings=2048, eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id, bos_token_id=None, tie_word_embeddings=True,
    )
    model = LlamaForCausalLM(config)
    out_dir.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out_dir, safe_serialization=True)
    tokenizer.save_pretrained(out_dir)
    return out_dir


def build_tiny_llama_for(data_dir: Path, out_dir: Path, prompt: Optional[PromptFormat] = None,
                         **options: int) -> Path:
    """A tiny Llama whose tokenizer is trained on the prompts and answers of `data_dir`'s training
    split (S2A's prompt unless `prompt` says another; and the endpoint instructions), so every
    character of the task is covered."""
    from s2a.llm.prompts import S2A_PROMPT, instructions

    fmt = prompt or S2A_PROMPT
    src = (data_dir / "src-train.txt").read_text(encoding="utf-8").splitlines()
    tgt = (data_dir / "tgt-train.txt").read_text(encoding="utf-8").splitlines()
    texts = [fmt.prompt(s) + fmt.answer(t) for s, t in zip(src, tgt)] + [instructions()]
    return build_tiny_llama(out_dir, texts, **options)
