"""Load run of `s2a serve` on 127.0.0.1 (not a test): latency, throughput, errors, peak memory.

    python benchmarks/bench_serve.py                      # the models under models/ (after make demo)
    python benchmarks/bench_serve.py --tiny               # tiny models trained on the fixture sample
    python benchmarks/bench_serve.py --models transformer:PROFILE --models-dir DIR --data-dir DIR

The server runs in its own process (`s2a serve`, as a user starts it); N client threads (httpx,
keep-alive) send requests as fast as answers come back. Per model four runs: single reactions from
one client (a lone request's latency), single reactions from N clients (POST /predict), batches
(POST /predict/batch), and single reactions with a share of malformed
requests mixed in (bad SMILES, unknown model, n-best 0, broken JSON, too many names, a body over
the limit) — those must all be 4xx, none 5xx, and the throughput of the run should stay within
10 % of the clean one (the two alternate in --rounds slices, so that other work on the machine weighs
on both alike). Each run stops after --requests requests or --max-seconds, whichever first.
Peak memory is the server process's highest resident set size, sampled every 50 ms.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psutil

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "tests" / "fixtures" / "smiles2actions-sample"
S2A = [sys.executable, "-m", "s2a"]


@dataclass
class Run:
    model: str
    kind: str
    requests: int = 0
    reactions: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)  # of the well-formed requests, seconds
    ok: int = 0
    client_errors: int = 0  # 4xx
    server_errors: int = 0  # 5xx or no answer
    unexpected: int = 0  # a well-formed request not 200, or a malformed one not 4xx
    load: float = 0.0  # 1-minute load average at the end of the run (other work on the machine shows here)

    def pct(self, q: float) -> float:
        if not self.latencies:
            return float("nan")
        xs = sorted(self.latencies)
        return 1000 * xs[min(len(xs) - 1, int(round(q / 100 * (len(xs) - 1))))]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def reactions_from(data_dir: Path, n: int = 500) -> list[str]:
    path = data_dir / "src-test.txt"
    if not path.is_file():
        path = SAMPLE / "src-test.txt"
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return ["".join(line.split()) for line in lines[:n]]


def train_tiny(root: Path) -> tuple[list[str], Path, Path]:
    """The test suite's tiny models on the fixture sample: transformer (tiny profile), nn, random."""
    models = root / "models"
    steps = [("transformer", "tiny"), ("nn", "cpu"), ("random-same-size", "cpu")]
    for name, profile in steps:
        print(f"training tiny {name} ({profile}) on the fixture sample ...", file=sys.stderr, flush=True)
        subprocess.run([*S2A, "train", name, "--profile", profile, "--data-dir", str(SAMPLE),
                        "--work-dir", str(models / name)], check=True, stdout=subprocess.DEVNULL)
    return ["transformer:tiny", "nn", "random-same-size"], SAMPLE, models


class Server:
    def __init__(self, models: list[str], data_dir: Path, models_dir: Path, profile: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        cmd = [*S2A, "serve", "--host", "127.0.0.1", "--port", str(self.port), "--models", ",".join(models),
               "--data-dir", str(data_dir), "--models-dir", str(models_dir), "--profile", profile]
        env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
        self.proc = subprocess.Popen(cmd, env=env, stderr=subprocess.PIPE, text=True)
        self.peak_rss = 0
        self._stop = threading.Event()
        deadline = time.monotonic() + 300
        while True:
            if self.proc.poll() is not None:
                raise SystemExit(f"s2a serve exited: {self.proc.stderr.read() if self.proc.stderr else ''}")
            try:
                if httpx.get(self.url + "/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                self.close()
                raise SystemExit("s2a serve did not start within 300 s")
            time.sleep(0.2)
        threading.Thread(target=self._sample, daemon=True).start()

    def _sample(self) -> None:
        process = psutil.Process(self.proc.pid)
        while not self._stop.is_set():
            try:
                rss = process.memory_info().rss + sum(c.memory_info().rss for c in process.children(recursive=True))
            except psutil.Error:
                return
            self.peak_rss = max(self.peak_rss, rss)
            time.sleep(0.05)

    def close(self) -> None:
        self._stop.set()
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


Request = tuple[str, dict[str, object] | bytes, int, bool]  # path, body, reactions, malformed


def malformed_requests(model: str, reaction: str) -> list[Request]:
    return [
        ("/predict", {"reaction": "C1CC>>CC", "model": model}, 0, True),
        ("/predict", {"reaction": "not a reaction", "model": model}, 0, True),
        ("/predict", {"reaction": reaction, "model": "no-such-model"}, 0, True),
        ("/predict", {"reaction": reaction, "model": model, "n_best": 0}, 0, True),
        ("/predict", {"reaction": reaction, "model": model, "names": ";".join("x" * 40)}, 0, True),
        ("/predict", b'{"reaction": "CCO>>CC", ', 0, True),
        ("/predict", b'{"reaction": "' + b"C" * 70_000 + b'>>C"}', 0, True),
    ]


def run_load(url: str, model: str, kind: str, make: Callable[[int], Request], n_requests: int, clients: int,
             max_seconds: float, first: int = 0) -> Run:
    result = Run(model, kind)
    lock = threading.Lock()
    counter = iter(range(first, first + n_requests))
    deadline = time.monotonic() + max_seconds

    def client() -> None:
        with httpx.Client(base_url=url, timeout=120) as http:
            while time.monotonic() < deadline:
                with lock:
                    i = next(counter, None)
                if i is None:
                    return
                path, body, n_reactions, malformed = make(i)
                start = time.perf_counter()
                try:
                    if isinstance(body, bytes):
                        r = http.post(path, content=body, headers={"content-type": "application/json"})
                    else:
                        r = http.post(path, json=body)
                    status = r.status_code
                except httpx.HTTPError:
                    status = 599
                elapsed = time.perf_counter() - start
                with lock:
                    result.requests += 1
                    if status == 200:
                        result.ok += 1
                    elif 400 <= status < 500:
                        result.client_errors += 1
                    else:
                        result.server_errors += 1
                    if malformed:
                        result.unexpected += not (400 <= status < 500)
                    else:
                        result.unexpected += status != 200
                        result.latencies.append(elapsed)
                        result.reactions += n_reactions

    threads = [threading.Thread(target=client) for _ in range(clients)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    result.seconds = time.perf_counter() - start
    result.load = os.getloadavg()[0]
    return result


def merged(runs: list[Run]) -> Run:
    out = Run(runs[0].model, runs[0].kind)
    for r in runs:
        out.requests += r.requests
        out.reactions += r.reactions
        out.seconds += r.seconds
        out.latencies += r.latencies
        out.ok += r.ok
        out.client_errors += r.client_errors
        out.server_errors += r.server_errors
        out.unexpected += r.unexpected
        out.load = max(out.load, r.load)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", default="", help="comma-separated; default: those under --models-dir, else --tiny")
    parser.add_argument("--models-dir", type=Path, default=ROOT / "models")
    parser.add_argument("--data-dir", type=Path, default=ROOT / "data" / "processed")
    parser.add_argument("--profile", default="cpu")
    parser.add_argument("--tiny", action="store_true", help="train and serve the tests' tiny models")
    parser.add_argument("--requests", type=int, default=2000, help="single requests per run")
    parser.add_argument("--latency-requests", type=int, default=200,
                        help="single requests from one client (the latency of a lone request)")
    parser.add_argument("--batch-requests", type=int, default=100, help="batch requests per run")
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--n-best", type=int, default=1)
    parser.add_argument("--malformed", type=float, default=0.10, help="share of malformed requests in the third run")
    parser.add_argument("--max-seconds", type=float, default=90, help="each run stops by itself after this")
    parser.add_argument("--rounds", type=int, default=4, help="slices in which the clean and mixed runs alternate")
    parser.add_argument("--json", type=Path, default=None, help="also write the rows here")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop the server and clean up on a plain kill too
    os.chdir(ROOT)
    sys.path.insert(0, str(ROOT))

    scratch: Path | None = None
    models = [m for m in args.models.split(",") if m]
    data_dir, models_dir = args.data_dir, args.models_dir
    if not models and not args.tiny:
        from s2a.serve.service import available_models

        models = available_models(models_dir)
        if not models:
            print("no trained models under models/ (run `make demo` for the real ones); "
                  "benchmarking the tests' tiny models instead", file=sys.stderr)
    if not models:
        scratch = Path(tempfile.mkdtemp(prefix="s2a-bench-serve-"))
        models, data_dir, models_dir = train_tiny(scratch)
    names = [m.partition(":")[0] for m in models]
    reactions = reactions_from(data_dir)
    rng = random.Random(0)

    print(f"starting s2a serve with {', '.join(models)} ...", file=sys.stderr, flush=True)
    server = Server(models, data_dir, models_dir, args.profile)
    rows: list[Run] = []
    try:
        for name in names:
            def single(i: int, name: str = name) -> Request:
                return "/predict", {"reaction": reactions[i % len(reactions)], "model": name,
                                    "n_best": args.n_best}, 1, False

            def batch(i: int, name: str = name) -> Request:
                start = (i * args.batch_size) % len(reactions)
                items = [{"reaction": reactions[(start + k) % len(reactions)]} for k in range(args.batch_size)]
                return "/predict/batch", {"reactions": items, "model": name, "n_best": args.n_best}, args.batch_size, False

            bad = malformed_requests(name, reactions[0])
            marks = set(rng.sample(range(args.requests), int(args.malformed * args.requests)))

            def mixed(i: int, name: str = name) -> Request:
                return bad[i % len(bad)] if i in marks else single(i)

            run_load(server.url, name, "warm-up", single, 4 * args.clients, args.clients, 30)
            rows.append(run_load(server.url, name, "single, 1 client", single, args.latency_requests, 1,
                                 args.max_seconds))
            # clean and mixed runs alternate in slices, so that other work on the machine weighs on both alike
            clean_runs, mixed_runs = [], []
            per = -(-args.requests // args.rounds)
            for k in range(args.rounds):
                n = min(per, args.requests - k * per)
                clean_runs.append(run_load(server.url, name, "single", single, n, args.clients,
                                           args.max_seconds / args.rounds, first=k * per))
                mixed_runs.append(run_load(server.url, name, f"single + {args.malformed:.0%} malformed", mixed, n,
                                           args.clients, args.max_seconds / args.rounds, first=k * per))
            rows.append(merged(clean_runs))
            rows.append(run_load(server.url, name, f"batch of {args.batch_size}", batch, args.batch_requests,
                                 args.clients, args.max_seconds))
            rows.append(merged(mixed_runs))
            print(f"  {name} done", file=sys.stderr, flush=True)
    finally:
        server.close()
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)

    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"\ns2a serve on 127.0.0.1, {args.clients} concurrent clients, n-best {args.n_best}, {cores} cores "
          f"(server and clients share them); models: {', '.join(models)}")
    print("| model | run | requests | req/s | reactions/s | p50 ms | p95 ms | p99 ms | 4xx | 5xx | unexpected | load |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r.model} | {r.kind} | {r.requests} | {r.requests / r.seconds:,.1f} | {r.reactions / r.seconds:,.1f} "
              f"| {r.pct(50):.1f} | {r.pct(95):.1f} | {r.pct(99):.1f} | {r.client_errors} | {r.server_errors} "
              f"| {r.unexpected} | {r.load:.1f} |")
    print(f"\npeak server memory (RSS): {server.peak_rss / 2**20:,.0f} MiB")
    for name in names:
        clean = next(r for r in rows if r.model == name and r.kind == "single")
        lone = next(r for r in rows if r.model == name and r.kind == "single, 1 client")
        mixed_run = next(r for r in rows if r.model == name and r.kind.startswith("single +"))
        ratio = (mixed_run.requests / mixed_run.seconds) / (clean.requests / clean.seconds)  # requests answered/s
        print(f"{name}: malformed mixed in: throughput {ratio:.0%} of the clean run "
              f"(target >= 90 %), 5xx {mixed_run.server_errors}, "
              f"misanswered {mixed_run.unexpected}; one request alone: p95 {lone.pct(95):.0f} ms; with {args.clients} "
              f"clients: p95 {clean.pct(95):.0f} ms"
              + (" (target <= 150 ms)" if name == "transformer" else ""))
    if args.json:
        args.json.write_text(json.dumps([{**r.__dict__, "latencies": None, "p50": r.pct(50), "p95": r.pct(95),
                                          "p99": r.pct(99)} for r in rows], indent=1))
    if any(r.unexpected or r.server_errors for r in rows):
        sys.exit(1)


if __name__ == "__main__":
    main()
