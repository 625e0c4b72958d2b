"""Time per training step and per predicted reaction of the `llm` family on this machine.

Runs a few steps of the profile's fine-tuning (default: LoRA on SmolLM2-135M-Instruct, configs/
llm-cpu.yaml) on the processed data (or the test fixture if `make data` has not run), then
predicts a few test reactions. Prints the figures; writes nothing outside a temporary directory
(except the base model cache, models/llm/base/, on first use).

    python benchmarks/bench_llm.py --profile cpu --steps 5 --predict 4
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import tempfile
import time
from pathlib import Path

from s2a.llm import finetune
from s2a.llm.config import load_llm_config
from s2a.paths import REPO_ROOT


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--profile", default="cpu")
    parser.add_argument("--method", choices=["lora", "full"], default=None, help="override the profile's method")
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--predict", type=int, default=4, help="test reactions to predict")
    parser.add_argument("--n-best", type=int, default=1)
    parser.add_argument("--max-new-tokens", type=int, default=None, help="override the profile's decoding cap")
    parser.add_argument("--data-dir", type=Path, default=REPO_ROOT / "data" / "processed")
    args = parser.parse_args()

    data_dir = args.data_dir
    if not (data_dir / "src-train.txt").is_file():
        data_dir = REPO_ROOT / "tests" / "fixtures" / "smiles2actions-sample"
    config = load_llm_config(args.profile)
    config = dataclasses.replace(
        config, method=args.method or config.method,
        train=dataclasses.replace(config.train, steps=args.steps, warmup_steps=1, save_every=10**9, log_every=1),
        generate=dataclasses.replace(config.generate,
                                     max_new_tokens=args.max_new_tokens or config.generate.max_new_tokens),
    )
    start = time.perf_counter()
    base = finetune.resolve_base_model(config.base_model, finetune.base_cache_dir())
    print(f"base model {config.base_model}: ready in {time.perf_counter() - start:.1f} s ({base})")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        start, cpu = time.perf_counter(), time.process_time()
        final = finetune.train(config, data_dir, work)
        total, cpu = time.perf_counter() - start, time.process_time() - cpu
        meta = json.loads((final / finetune.META_FILE).read_text(encoding="utf-8"))
        print(f"train {config.method} batch {config.train.batch_size} on {data_dir} ({meta['examples']} examples): "
              f"{args.steps} steps, {meta['seconds_per_step']:.2f} s/step wall (loop); {total:.1f} s wall and "
              f"{cpu:.1f} s CPU in total with loading and saving ({config.threads} threads); "
              f"last loss {meta['losses'][-1]:.3f}")
        src = (data_dir / "src-test.txt").read_text(encoding="utf-8").splitlines()[: args.predict]
        start = time.perf_counter()
        generator = finetune.Generator(config, work)
        loaded = time.perf_counter() - start
        start, cpu = time.perf_counter(), time.process_time()
        hyps = generator.predict(src, n_best=args.n_best)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        n = max(1, len(src))
        print(f"predict beam {max(config.generate.beam, args.n_best)} n_best {args.n_best} "
              f"max_new_tokens {config.generate.max_new_tokens}: {seconds / n:.2f} s/reaction wall, "
              f"{cpu / n:.2f} s/reaction CPU ({len(src)} reactions, model load {loaded:.1f} s)")
        for h in hyps[:2]:
            print("  e.g.", h[0].actions[:120] if h else "")


if __name__ == "__main__":
    main()
