"""The OpenNMT-py 3.5 options s2a passes, as one table, and the per-command configs made from it.

Each option is a row: our key in configs/transformer-*.yaml (`onmt:` section), its OpenNMT-py name,
and which commands receive it (build_vocab, train, translate). The YAML files OpenNMT-py reads are
generated from this table, so a setting cannot silently reach the wrong command (e.g. `n_sample`
makes onmt_train stop after dumping samples; `batch_size` means different things to training and
translation). Options marked `by_s2a` are paths and data definitions s2a fills in itself; a profile
setting them is an error. No torch import here: the CLI may read profiles cheaply.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from s2a.errors import ConfigError

BUILD_VOCAB = "build_vocab"
TRAIN = "train"
TRANSLATE = "translate"
COMMANDS = (BUILD_VOCAB, TRAIN, TRANSLATE)


@dataclass(frozen=True)
class OnmtOption:
    key: str
    commands: frozenset[str]
    onmt_name: str = ""
    by_s2a: bool = False
    doc: str = ""

    @property
    def name(self) -> str:
        return self.onmt_name or self.key


def _row(key: str, *commands: str, onmt_name: str = "", by_s2a: bool = False, doc: str = "") -> OnmtOption:
    unknown = set(commands) - set(COMMANDS)
    if unknown:
        raise ValueError(f"unknown OpenNMT command(s) {sorted(unknown)} for option {key!r}")
    return OnmtOption(key, frozenset(commands), onmt_name, by_s2a, doc)


V, T, X = BUILD_VOCAB, TRAIN, TRANSLATE

_ROWS = [
    # --- filled in by s2a (paths, corpora) ---
    _row("data", V, T, by_s2a=True, doc="corpora: corpus_1 = train split, valid = valid split"),
    _row("save_data", V, by_s2a=True, doc="where build_vocab may dump samples"),
    _row("src_vocab", V, T, by_s2a=True),
    _row("tgt_vocab", V, T, by_s2a=True),
    _row("n_sample", V, by_s2a=True, doc="-1: count the whole corpus (build_vocab only!)"),
    _row("overwrite", V, by_s2a=True),
    _row("save_model", T, by_s2a=True),
    _row("train_from", T, by_s2a=True, doc="last checkpoint when resuming, or the parent's (init-from)"),
    _row("reset_optim", T, by_s2a=True, doc="all when starting from a parent model: a fresh optimiser and step count"),
    _row("log_file", T, X, by_s2a=True),
    _row("model", X, by_s2a=True),
    _row("src", X, by_s2a=True),
    _row("output", X, by_s2a=True),
    _row("n_best", X, by_s2a=True),
    _row("with_score", X, by_s2a=True),
    _row("seed", V, T, X, by_s2a=True, doc="the model's seed argument"),
    _row("world_size", T, by_s2a=True, doc="number of GPUs, from the profile's `gpus` (1 on CPU)"),
    _row("gpu_ranks", T, by_s2a=True, doc="[0 .. gpus-1] on CUDA, [] on CPU"),
    _row("gpu", X, by_s2a=True, doc="GPU index for translation; -1 = CPU"),
    # --- shared ---
    _row("transforms", V, T, doc="e.g. [filtertoolong] with src/tgt_seq_length"),
    _row("src_seq_length", V, T),
    _row("tgt_seq_length", V, T),
    _row("share_vocab", V, T),
    # --- subword tokenisation of text (s2a.models.text_transformer fills these in per task) ---
    _row("src_subword_type", V, T, by_s2a=True, doc="bpe for text, none for SMILES tokens"),
    _row("tgt_subword_type", V, T, by_s2a=True),
    _row("src_subword_model", V, T, by_s2a=True, doc="the BPE model learnt on the training split"),
    _row("tgt_subword_model", V, T, by_s2a=True),
    _row("src_onmttok_kwargs", V, T, by_s2a=True, doc="pyonmttok.Tokenizer options, from the profile's subword:"),
    _row("tgt_onmttok_kwargs", V, T, by_s2a=True),
    # --- vocabulary ---
    _row("src_vocab_size", T),
    _row("tgt_vocab_size", T),
    _row("vocab_size_multiple", T),
    # --- architecture ---
    _row("encoder_type", T),
    _row("decoder_type", T),
    _row("layers", T),
    _row("enc_layers", T),
    _row("dec_layers", T),
    _row("hidden_size", T),
    _row("word_vec_size", T),
    _row("transformer_ff", T),
    _row("heads", T),
    _row("dropout", T),
    _row("attention_dropout", T),
    _row("position_encoding", T),
    _row("self_attn_type", T, doc="scaled-dot: CTranslate2's converter rejects scaled-dot-flash"),
    _row("share_decoder_embeddings", T),
    _row("share_embeddings", T, doc="encoder and decoder embeddings tied (needs share_vocab)"),
    _row("param_init", T),
    _row("param_init_glorot", T),
    # --- optimisation ---
    _row("optim", T),
    _row("adam_beta1", T),
    _row("adam_beta2", T),
    _row("decay_method", T),
    _row("warmup_steps", T),
    _row("learning_rate", T),
    _row("max_grad_norm", T),
    _row("label_smoothing", T),
    _row("batch_size", T),
    _row("batch_type", T),
    _row("valid_batch_size", T),
    _row("normalization", T),
    _row("accum_count", T),
    _row("train_steps", T),
    _row("valid_steps", T),
    _row("save_checkpoint_steps", T),
    _row("keep_checkpoint", T),
    _row("report_every", T, doc="upper bound: s2a lowers it to a report about every 45 s at the expected speed"),
    _row("early_stopping", T),
    _row("bucket_size", T, doc="≈ corpus size on small corpora; the default 262144 loops a small corpus"),
    _row("num_workers", T, doc="0 on few CPU cores"),
    _row("model_dtype", T),
    # --- translation (also used by the CTranslate2 decoder) ---
    _row("beam_size", X),
    _row("max_length", X),
    _row("min_length", X),
    _row("length_penalty", X, doc="none = rank by total log-probability (CTranslate2 length_penalty=0)"),
    _row("alpha", X),
    _row("translate_batch_size", X, onmt_name="batch_size", by_s2a=True, doc="from decode_batch_size"),
    _row("translate_batch_type", X, onmt_name="batch_type", by_s2a=True, doc="sents"),
]

OPTIONS: dict[str, OnmtOption] = {row.key: row for row in _ROWS}


def check_settings(settings: Mapping[str, Any], where: str) -> None:
    """A profile may set any known option except those s2a fills in."""
    for key in settings:
        row = OPTIONS.get(key)
        if row is None:
            raise ConfigError(where, f"unknown OpenNMT option {key!r} (known: see s2a/models/onmt_options.py)")
        if row.by_s2a:
            raise ConfigError(where, f"option {key!r} is set by s2a, not by a profile")


def command_config(command: str, settings: Mapping[str, Any], filled: Mapping[str, Any]) -> dict[str, Any]:
    """The option dict for one OpenNMT-py command: profile `settings` plus s2a's `filled` values,
    keeping only the rows that command takes, under their OpenNMT-py names."""
    if command not in COMMANDS:
        raise ValueError(f"unknown OpenNMT command {command!r}")
    out: dict[str, Any] = {}
    for key, value in [*settings.items(), *filled.items()]:
        row = OPTIONS.get(key)
        if row is None:
            raise KeyError(f"OpenNMT option {key!r} is not in the table")
        if command in row.commands and value is not None:
            out[row.name] = value
    return out
