"""Fine-tuning a causal LM on reaction -> action-sequence pairs, and beam-search decoding of it.

Training (ChemActor-style): each example is `finetune_prompt(src)` followed by
`finetune_answer(tgt)` and the end-of-sequence token; the loss covers the answer tokens only
(prompt positions carry the label -100). `method: full` trains every weight, `method: lora` adds
peft LoRA adapters and trains those only. A plain loop (AdamW, linear warm-up and decay), with a
resumable checkpoint every `save_every` steps; batches are a seeded permutation per epoch, so a
resumed run sees the same batches as an uninterrupted one.

Any pair of texts trains the same way: a PromptFormat (s2a.llm.prompts) writes the prompt and the
answer, S2A's by default, a task's for `s2a tasks train llm`. `init_from` starts from another
fine-tuned model's weights (its `final/`) instead of the base model; the parent's identity is part
of the run key, so a retrained parent retrains the child.

Work dir layout: `checkpoint/` (model or adapter + `state.pt`: run key, step, optimizer,
scheduler, losses; removed when training ends), `final/` (model or adapter + tokenizer +
`s2a-llm.json`: run key, settings, losses, s/step), `learning_curve.csv` (teacher-forced loss and
token accuracy on a seeded sample of validation reactions at every checkpoint and at the end;
generating answers costs seconds per reaction on a CPU, so the sequence score is left to
predict-split). A progress line (step, tokens/s, loss, ETA) goes to stderr every `log_every` steps
and at least once a minute.
"""
from __future__ import annotations

import json
import logging
import os
import random
import shutil
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Optional

import torch

from s2a.formats import learning_curve as curve
from s2a.atomic import atomic_path
from s2a.checkpoint import load_checkpoint
from s2a.errors import ConfigError, DeviceUnavailable, MissingArtifact, UnsupportedOption
from s2a.llm.base_model import resolve_base_model
from s2a.llm.config import LLMConfig
from s2a.llm.prompts import S2A_PROMPT, PromptFormat, first_line
from s2a.formats.splits import read_pairs
from s2a.formats.predictions import Hypothesis
from s2a.freshness import digest_files, file_identity
from s2a.paths import REPO_ROOT
from s2a.progress import HEARTBEAT_S, Meter, StepReport, format_duration

log = logging.getLogger(__name__)

IGNORE_INDEX = -100
META_FILE = "s2a-llm.json"
EVAL_EXAMPLES = 32  # validation examples scored at each checkpoint: ~10 s for SmolLM2-135M on 2 cores


def base_cache_dir() -> Path:
    """Where converted base models are cached (S2A_LLM_BASE_CACHE overrides models/llm/base)."""
    return Path(os.environ.get("S2A_LLM_BASE_CACHE", REPO_ROOT / "models" / "llm" / "base"))


@dataclass(frozen=True)
class Encoded:
    input_ids: list[int]
    labels: list[int]  # IGNORE_INDEX on prompt positions


def encode_prompt(tokenizer: Any, src: str, prompt: PromptFormat = S2A_PROMPT) -> list[int]:
    """Prompt token ids, exactly as at decoding time (with the tokenizer's BOS if it adds one)."""
    return list(tokenizer(prompt.prompt(src))["input_ids"])


def encode_example(tokenizer: Any, src: str, tgt: str, prompt: PromptFormat = S2A_PROMPT) -> Encoded:
    """Prompt and answer tokenised separately, so the boundary is exact; the answer ends with EOS."""
    asked = encode_prompt(tokenizer, src, prompt)
    answer = list(tokenizer(prompt.answer(tgt), add_special_tokens=False)["input_ids"]) + [tokenizer.eos_token_id]
    return Encoded(asked + answer, [IGNORE_INDEX] * len(asked) + answer)


def collate(batch: Sequence[Encoded], pad_id: int) -> dict[str, torch.Tensor]:
    """Right-padded tensors; padding is masked out of attention and loss."""
    width = max(len(e.input_ids) for e in batch)
    ids = torch.full((len(batch), width), pad_id, dtype=torch.long)
    labels = torch.full((len(batch), width), IGNORE_INDEX, dtype=torch.long)
    mask = torch.zeros((len(batch), width), dtype=torch.long)
    for i, e in enumerate(batch):
        n = len(e.input_ids)
        ids[i, :n] = torch.tensor(e.input_ids)
        labels[i, :n] = torch.tensor(e.labels)
        mask[i, :n] = 1
    return {"input_ids": ids, "labels": labels, "attention_mask": mask}


def _device(config: LLMConfig) -> torch.device:
    if config.device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if config.device.startswith("cuda") and not torch.cuda.is_available():
        raise DeviceUnavailable(config.device, f"profile {config.profile!r} asks for CUDA but torch sees no GPU")
    return torch.device(config.device)


def _dtype(config: LLMConfig) -> torch.dtype:
    return torch.bfloat16 if config.dtype == "bfloat16" else torch.float32


def load_tokenizer(path: str) -> Any:
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(path)
    if tokenizer.eos_token_id is None:
        raise MissingArtifact(path, "tokenizer has no end-of-sequence token")
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token
    return tokenizer


def training_examples(tokenizer: Any, config: LLMConfig, data_dir: Path, seed: int,
                      prompt: PromptFormat = S2A_PROMPT) -> tuple[list[Encoded], int]:
    """The (sub-sampled) training split, encoded; examples over max_length are dropped and counted
    (the sub-sample is drawn first, so `max_examples` counts the dropped ones too)."""
    src, tgt = read_pairs(data_dir, "train")
    order = list(range(len(src)))
    if config.train.max_examples is not None and config.train.max_examples < len(src):
        order = sorted(random.Random(seed).sample(order, config.train.max_examples))
    kept, dropped = _within_length([encode_example(tokenizer, src[i], tgt[i], prompt) for i in order],
                                   config.train.max_length)
    if not kept:
        raise ConfigError(f"{config.profile}: train.max_length", "every training example is longer")
    return kept, dropped


def _within_length(encoded: list[Encoded], max_length: int) -> tuple[list[Encoded], int]:
    """(the examples of at most max_length tokens, how many were longer)."""
    kept = [e for e in encoded if len(e.input_ids) <= max_length]
    return kept, len(encoded) - len(kept)


def _log_dropped(what: str, kept: int, dropped: int, max_length: int) -> None:
    """Every drop is said: a warning when there is one (the LLM's examples are cut by length only)."""
    level = logging.WARNING if dropped else logging.INFO
    log.log(level, "llm: %d %s examples (%d longer than %d tokens dropped)", kept, what, dropped, max_length)


def batch_indices(n: int, batch_size: int, step: int, seed: int) -> list[int]:
    """Indices of the examples of optimizer micro-step `step`: a seeded permutation per epoch."""
    per_epoch = max(1, n // batch_size)
    epoch, k = divmod(step, per_epoch)
    order = list(range(n))
    random.Random(seed * 1_000_003 + epoch).shuffle(order)
    return order[k * batch_size: (k + 1) * batch_size] or order[:batch_size]


def validation_examples(tokenizer: Any, config: LLMConfig, data_dir: Path,
                        prompt: PromptFormat = S2A_PROMPT) -> tuple[list[Encoded], int]:
    """The learning curve's fixed sample of the validation split (s2a.formats.learning_curve),
    encoded, and how many of it were longer than max_length (dropped)."""
    if not (data_dir / "src-valid.txt").is_file():
        return [], 0
    src, tgt = read_pairs(data_dir, "valid")
    return _within_length([encode_example(tokenizer, src[i], tgt[i], prompt)
                           for i in curve.sample_indices(len(src), EVAL_EXAMPLES)], config.train.max_length)


@torch.inference_mode()
def evaluate(model: Any, examples: Sequence[Encoded], pad_id: int, device: torch.device,
             batch_size: int) -> tuple[float, float]:
    """(loss in nats per answer token, % of answer tokens predicted right), teacher-forced."""
    was_training = model.training
    model.eval()
    loss_sum, right, tokens = 0.0, 0, 0
    for start in range(0, len(examples), batch_size):
        batch = {k: v.to(device) for k, v in collate(examples[start: start + batch_size], pad_id).items()}
        logits = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits[:, :-1]
        labels = batch["labels"][:, 1:]
        keep = labels != IGNORE_INDEX
        picked = logits[keep].float()
        loss_sum += float(torch.nn.functional.cross_entropy(picked, labels[keep], reduction="sum"))
        right += int((picked.argmax(-1) == labels[keep]).sum())
        tokens += int(keep.sum())
    if was_training:
        model.train()
    return loss_sum / max(1, tokens), 100.0 * right / max(1, tokens)


def _load_trainable(config: LLMConfig, base: str, checkpoint: Optional[Path]) -> Any:
    from transformers import AutoModelForCausalLM

    if config.method == "full":
        return AutoModelForCausalLM.from_pretrained(checkpoint or base, dtype=_dtype(config))
    from peft import LoraConfig, PeftModel, get_peft_model

    model = AutoModelForCausalLM.from_pretrained(base, dtype=_dtype(config))
    if checkpoint is not None:
        return PeftModel.from_pretrained(model, checkpoint, is_trainable=True)
    lora = LoraConfig(task_type="CAUSAL_LM", r=config.lora.r, lora_alpha=config.lora.alpha,
                      lora_dropout=config.lora.dropout, target_modules=list(config.lora.target_modules))
    return get_peft_model(model, lora)


def _save(model: Any, target: Path, state: Optional[dict[str, Any]] = None, tokenizer: Any = None,
          meta: Optional[dict[str, Any]] = None) -> None:
    """Model (or adapter) and what goes with it, written to a temporary directory then renamed."""
    with atomic_path(target) as tmp:
        model.save_pretrained(tmp, safe_serialization=True)
        if state is not None:
            torch.save(state, tmp / "state.pt")
        if tokenizer is not None:
            tokenizer.save_pretrained(tmp)
        if meta is not None:
            (tmp / META_FILE).write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")


def run_key(config: LLMConfig, data_dir: Path, seed: int, prompt: PromptFormat = S2A_PROMPT,
            parent: Optional[dict[str, Any]] = None) -> str:
    """Identifies a run: training files, settings (all but the profile's name), seed, and where
    they are not S2A's defaults the prompt and the parent model (`parent_model`)."""
    settings = {k: v for k, v in asdict(config).items() if k != "profile"}
    extra = "".join([f"|prompt={prompt.describe()}" if prompt.describe() else "",
                     f"|parent={json.dumps(parent, sort_keys=True)}" if parent is not None else ""])
    return digest_files([data_dir / "src-train.txt", data_dir / "tgt-train.txt"],
                        json.dumps(settings, sort_keys=True) + f"|seed={seed}" + extra)


def parent_model(init_from: Path) -> tuple[Path, dict[str, Any]]:
    """(`final/` folder, stamp) of the fine-tuned model a run starts from: `init_from` is its work
    dir or its `final/`. The stamp is the parent's run key and the identity of its weight files,
    so a parent trained again (even on the same settings) makes its children stale."""
    final = init_from / "final" if (init_from / "final").is_dir() else init_from
    meta = read_meta(final)
    if meta is None:
        raise MissingArtifact(str(final), "no fine-tuned LLM to start from (train that model first)")
    if meta.get("config", {}).get("method") != "full":
        raise UnsupportedOption("llm", "--init-from", f"{final} is a LoRA adapter; start from a fully fine-tuned model")
    weights = sorted(final.glob("*.safetensors"))
    if not weights:
        raise MissingArtifact(str(final), "no weights (*.safetensors) to start from")
    return final, {"key": meta.get("key"), "weights": [file_identity(w) for w in weights]}


def read_meta(final: Path) -> Optional[dict[str, Any]]:
    """The `s2a-llm.json` of a `final/` folder (None if there is none or it does not read)."""
    try:
        meta = json.loads((final / META_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return meta if isinstance(meta, dict) else None


def train(config: LLMConfig, data_dir: Path, work_dir: Path, seed: int = 42,
          stop_after: Optional[int] = None, prompt: PromptFormat = S2A_PROMPT,
          init_from: Optional[Path] = None) -> Path:
    """Fine-tune per `config` and return `work_dir/final`.

    A finished run with the same key is a no-op; an interrupted one resumes from
    `work_dir/checkpoint` (a checkpoint of another key is discarded). `stop_after`: stop after
    that many steps of this call, leaving a checkpoint (for time-boxed runs), and return it.
    `init_from`: a fine-tuned model (work dir or `final/`) whose weights replace the base model's.
    """
    from transformers import get_linear_schedule_with_warmup

    parent_final, parent = None, None
    if init_from is not None:
        if Path(init_from).resolve() in (Path(work_dir).resolve(), (Path(work_dir) / "final").resolve()):
            raise UnsupportedOption("llm", "--init-from", f"{init_from} is this model's own folder")
        parent_final, parent = parent_model(Path(init_from))
    key = run_key(config, data_dir, seed, prompt, parent)
    final, checkpoint = work_dir / "final", work_dir / "checkpoint"
    meta = read_meta(final)
    if meta is not None and meta.get("key") == key:
        log.info("llm: %s is up to date", final)
        return final
    torch.set_num_threads(config.threads)
    torch.manual_seed(seed)
    if parent_final is not None:
        base = str(parent_final)
        log.info("llm: starting from the weights of %s", base)
    else:
        base = resolve_base_model(config.base_model, base_cache_dir())
    tokenizer = load_tokenizer(base)
    examples, dropped = training_examples(tokenizer, config, data_dir, seed, prompt)
    _log_dropped("training", len(examples), dropped, config.train.max_length)

    state: Optional[dict[str, Any]] = None
    if (checkpoint / "state.pt").is_file():
        state = load_checkpoint(checkpoint / "state.pt")
        if state.get("key") != key:
            log.warning("llm: discarding %s (another configuration or data)", checkpoint)
            shutil.rmtree(checkpoint)
            state = None
    device = _device(config)
    model = _load_trainable(config, base, checkpoint if state is not None else None).to(device)
    model.train()
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=config.train.lr, weight_decay=config.train.weight_decay)
    scheduler = get_linear_schedule_with_warmup(optimizer, config.train.warmup_steps, config.train.steps)
    step, losses = 0, []
    if state is not None:
        optimizer.load_state_dict(state["optimizer"])
        scheduler.load_state_dict(state["scheduler"])
        step, losses = int(state["step"]), list(state["losses"])
        log.info("llm: resuming at step %d", step)

    def state_dict() -> dict[str, Any]:
        return {"key": key, "step": step, "optimizer": optimizer.state_dict(),
                "scheduler": scheduler.state_dict(), "losses": losses}

    start, first_step = time.perf_counter(), step
    accum = config.train.grad_accum
    meter = Meter(total=config.train.steps, start_step=step)
    printed = meter.clock()
    no_gpu = (f"no GPU found: profile {config.profile!r} is meant for one (device: auto); training on the CPU"
              if config.device == "auto" and device.type == "cpu" else None)
    valid, valid_dropped = validation_examples(tokenizer, config, data_dir, prompt)
    _log_dropped("validation (learning curve)", len(valid), valid_dropped, config.train.max_length)
    curve_file = work_dir / curve.FILE
    offset = curve.elapsed_before(curve_file, step)

    def record_curve() -> None:
        if valid:
            loss_v, acc_v = evaluate(model, valid, tokenizer.pad_token_id, device, config.train.batch_size)
            curve.merge_points(curve_file, [curve.CurvePoint(step, round(loss_v, 4), round(acc_v, 2),
                                                             seconds=round(offset + time.perf_counter() - start, 1))])

    while step < config.train.steps:
        optimizer.zero_grad(set_to_none=True)
        total = 0.0
        step_start, step_tokens = time.perf_counter(), 0
        for micro in range(accum):
            idx = batch_indices(len(examples), config.train.batch_size, step * accum + micro, seed)
            batch = {k: v.to(device) for k, v in collate([examples[i] for i in idx], tokenizer.pad_token_id).items()}
            step_tokens += int(batch["attention_mask"].sum())
            loss = model(**batch).loss / accum
            loss.backward()
            total += float(loss.detach())
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        optimizer.step()
        scheduler.step()
        step += 1
        losses.append(total)
        meter.update(StepReport(step, total, step_tokens / max(1e-9, time.perf_counter() - step_start)))
        if step % config.train.log_every == 0 or step == config.train.steps or meter.clock() - printed >= HEARTBEAT_S:
            print(f"[llm] {meter.line()}", file=sys.stderr, flush=True)
            printed = meter.clock()
            if no_gpu is not None and meter.total_s() is not None:
                print(f"[llm] {no_gpu}; the {config.train.steps:,} steps take ~{format_duration(meter.total_s() or 0)} "
                      "at the measured speed (going on)", file=sys.stderr, flush=True)
                no_gpu = None
        if step < config.train.steps and (step % config.train.save_every == 0
                                          or (stop_after is not None and step - first_step >= stop_after)):
            _save(model, checkpoint, state=state_dict())
            record_curve()
            if stop_after is not None and step - first_step >= stop_after:
                return checkpoint
    record_curve()
    seconds = time.perf_counter() - start
    meta = {"key": key, "base_model": base, "config": asdict(config), "steps": step, "examples": len(examples),
            "dropped_too_long": dropped, "valid_dropped_too_long": valid_dropped, "prompt": prompt.name,
            "init_from": None if parent is None else {"path": base, **parent}, "losses": losses,
            "seconds_per_step": round(seconds / (step - first_step), 3) if step > first_step else None}
    _save(model, final, tokenizer=tokenizer, meta=meta)
    shutil.rmtree(checkpoint, ignore_errors=True)
    return final


class Generator:
    """A fine-tuned model loaded for decoding: beam search, n-best, stop at end-of-sequence."""

    def __init__(self, config: LLMConfig, work_dir: Path, prompt: PromptFormat = S2A_PROMPT) -> None:
        from transformers import AutoModelForCausalLM

        final = work_dir / "final"
        meta_path = final / META_FILE
        if not meta_path.is_file():
            raise MissingArtifact(str(final), "no fine-tuned LLM (train it first: `s2a train llm`, `s2a tasks train llm`)")
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        torch.set_num_threads(config.threads)
        self.config = config
        self.prompt = prompt
        self.device = _device(config)
        self.tokenizer = load_tokenizer(str(final))
        self.tokenizer.padding_side = "left"
        if meta["config"]["method"] == "lora":
            from peft import PeftModel

            base = AutoModelForCausalLM.from_pretrained(meta["base_model"], dtype=_dtype(config))
            self.model = PeftModel.from_pretrained(base, final).merge_and_unload()
        else:
            self.model = AutoModelForCausalLM.from_pretrained(final, dtype=_dtype(config))
        self.model.to(self.device).eval()

    @torch.inference_mode()
    def predict(self, src: Sequence[str], n_best: int = 1) -> list[list[Hypothesis]]:
        """Up to `n_best` hypotheses per reaction (capped by `generate.max_n_best`), best first.

        Prompts are batched by length (less padding), answers returned in input order.
        """
        gen = self.config.generate
        n_best = min(n_best, gen.max_n_best) if gen.max_n_best else n_best
        prompts = [self.prompt.prompt(s) for s in src]
        lengths = [len(ids) for ids in self.tokenizer(prompts)["input_ids"]]
        order = sorted(range(len(src)), key=lambda i: lengths[i])
        out: dict[int, list[Hypothesis]] = {}
        for start in range(0, len(order), gen.batch_size):
            chunk = order[start: start + gen.batch_size]
            for i, hyps in zip(chunk, self._generate([prompts[i] for i in chunk], n_best)):
                out[i] = hyps
        return [out[i] for i in range(len(src))]

    def _generate(self, prompts: list[str], n_best: int) -> list[list[Hypothesis]]:
        gen = self.config.generate
        beams = max(gen.beam, n_best)
        enc = self.tokenizer(prompts, return_tensors="pt", padding=True,
                             return_token_type_ids=False).to(self.device)
        total = self.config.ranking is not None  # the ranking wants total log-probabilities
        beam_options = {"length_penalty": 0.0 if total else gen.length_penalty, "early_stopping": True} if beams > 1 else {}
        result = self.model.generate(
            input_ids=enc["input_ids"], attention_mask=enc["attention_mask"],
            num_beams=beams, num_return_sequences=n_best, do_sample=False,
            max_new_tokens=gen.max_new_tokens, **beam_options,
            eos_token_id=self.tokenizer.eos_token_id, pad_token_id=self.tokenizer.pad_token_id,
            output_scores=True, return_dict_in_generate=True,
        )
        new = result.sequences[:, enc["input_ids"].shape[1]:]
        if beams > 1:
            scores = result.sequences_scores.tolist()
        else:  # log-probability of the answer: per generated token, like beam search's length-normalised score
            steps = self.model.compute_transition_scores(result.sequences, result.scores, normalize_logits=True)
            scores = [_score_until_eos(row, ids, self.tokenizer.eos_token_id, total) for row, ids in zip(steps, new)]
        texts = self.tokenizer.batch_decode(new, skip_special_tokens=True)
        return [[Hypothesis(first_line(texts[r]), float(scores[r])) for r in range(i * n_best, (i + 1) * n_best)]
                for i in range(len(prompts))]


def _score_until_eos(step_scores: torch.Tensor, ids: torch.Tensor, eos_id: int, total: bool = False) -> float:
    """Mean (or, with `total`, sum) of the token log-probabilities up to and with end of sequence."""
    ends = (ids == eos_id).nonzero()
    n = int(ends[0, 0]) + 1 if len(ends) else len(ids)
    return float(step_scores[:n].sum() if total else step_scores[:n].mean())
