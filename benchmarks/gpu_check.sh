#!/usr/bin/env bash
# One prepared check for a lent GPU machine (Python 3.12, CUDA torch preinstalled, no network):
# install the wheels that travel with the run, train the transformer's paper profile for a few
# thousand steps on CUDA, decode the test split there, print steps/s, tokens/s and the metrics.
# Fits in ~8 minutes with the defaults; a timeout stops it before that regardless.
#
#   make gpu-wheels && make data                    # here: gpu-wheels/ (~52 MB) and data/processed/
#   carry gpu-wheels and the six data/processed/{src,tgt}-{train,valid,test}.txt (not the folder:
#   its records and task files do not fit beside the wheels in one run's 64 MiB)
#   bash benchmarks/gpu_check.sh [--steps 2000] [--device cuda|cpu] [--profile paper]
#                                [--wheels gpu-wheels] [--data data/processed] [--limit N] [--out DIR]
#
# Every package OpenNMT-py and s2a import on this path travels as a real wheel, except three that
# only OpenNMT-py's unused transforms import (onmt.transforms imports all of its modules eagerly):
# spacy (terminology; ~30 MB with its dependencies), fasttext (clean) and rapidfuzz (fuzzymatch).
# Where they are missing, empty stand-in modules take their place; s2a uses `filtertoolong` only
# (GPU_CHECK_STUBS=1 puts the stand-ins first even where the real ones exist: the tests do).
set -euo pipefail

steps=2000 device=cuda profile=paper wheels=gpu-wheels data=data/processed limit=0
out="${OUT:-}"
budget_s=${GPU_CHECK_BUDGET_S:-470}
while [ $# -gt 0 ]; do
    case "$1" in
        --steps) steps=$2; shift 2 ;;
        --device) device=$2; shift 2 ;;
        --profile) profile=$2; shift 2 ;;
        --wheels) wheels=$2; shift 2 ;;
        --data) data=$2; shift 2 ;;
        --limit) limit=$2; shift 2 ;;
        --out) out=$2; shift 2 ;;
        -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
        *) echo "error: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done

repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
python=${PYTHON:-python3}
[ -f "$data/src-train.txt" ] || { echo "error: no $data/src-train.txt (run \`make data\` and carry data/processed)" >&2; exit 2; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
paths="$repo"
if compgen -G "$wheels/*.whl" >/dev/null; then
    t0=$SECONDS
    "$python" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --target "$tmp/site" "$wheels"/*.whl
    echo "installed $(ls "$wheels"/*.whl | wc -l) wheels from $wheels in $((SECONDS - t0)) s"
    paths="$paths:$tmp/site"
fi
mkdir -p "$tmp/stubs"
for module in spacy fasttext rapidfuzz; do
    if [ -n "${GPU_CHECK_STUBS:-}" ] || ! PYTHONPATH="$paths" "$python" -c "import $module" 2>/dev/null; then
        printf '"""Stand-in (benchmarks/gpu_check.sh): imported by an OpenNMT-py transform s2a does not use."""\nfuzz = process = None\n' \
            > "$tmp/stubs/$module.py"
        echo "stand-in module for $module (only an unused OpenNMT-py transform imports it)"
    fi
done
export PYTHONPATH="$paths:$tmp/stubs"
export PYTHONUNBUFFERED=1 HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 TOKENIZERS_PARALLELISM=false

command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || true
args=(--data "$data" --steps "$steps" --device "$device" --profile "$profile" --limit "$limit")
[ -n "$out" ] && args+=(--out "$out")
timeout "$budget_s" "$python" benchmarks/gpu_check.py "${args[@]}"
