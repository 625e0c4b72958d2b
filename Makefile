# s2a — entry points. Logic lives in the Python package; these targets only call `s2a ...`.
# Newcomers: `make demo` (whole pipeline on the open default data), `make test`.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DELETE_ON_ERROR:
.DEFAULT_GOAL := help

PYTHON   ?= python3.11
VENV     ?= .venv
BIN      := $(VENV)/bin
PY       := $(BIN)/python
S2A      := $(BIN)/s2a
INSTALLED := $(VENV)/.installed

PROFILE  ?= cpu
SEED     ?= 42
NBEST    ?= 10
SPLIT    ?= patent
SOURCE   ?=
ACTIONS  ?= text
RAW      := data/raw
INTERIM  := data/interim
STD      := $(INTERIM)/$(ACTIONS)/standardised.jsonl
# Rewritten only when ACTIONS differs from the last run, so the split is redone after a switch.
ACTIONS_STAMP := $(INTERIM)/actions.stamp
DATA     := data/processed
MODELS_ALL := transformer bart nn random random-same-size
# Runs of a profile other than cpu live in models/<model>-<profile>, predictions/<model>-<profile>
# (s2a.paths.run_name): `make train-transformer PROFILE=cpu-long` adds a row, it replaces nothing.
RUN      := $(if $(filter cpu,$(PROFILE)),,-$(PROFILE))

# Offline and quiet: models ship in wheels; no process may reach a model hub at run time.
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false
export PYTHONUNBUFFERED := 1

.PHONY: FORCE help install data train-transformer train-bart nn random compare demo test bench \
        bench-data bench-models bench-decode bench-d2a train-llm select-ablation chemactor-ablation bench-chemactor bench-llm clean clean-data \
        serve bench-serve browser bench-recipe bench-ranking tasks task-rules chemactor task-llm review

help:
	@echo "make demo               install, build the data, train every model (cpu profile), compare (~30 min)"
	@echo "make test               install, then run the test suite"
	@echo "make data [SOURCE=...]  records -> data/processed (default: ORD USPTO slices from orderly 1.0.0), data report"
	@echo "make tasks              ChemActor's tasks (d2a, d2a-sentence, r2d, a2d, d2a-gold) -> data/processed/tasks"
	@echo "make chemactor          ChemActor's tasks: transformers for d2a-sentence (+ gold fine-tune), r2d, a2d; then compare"
	@echo "make review             the LLM judge panel (circle review) on the S2A models' answers, with controls (REVIEW_SAMPLE=20)"
	@echo "make task-llm           the LLM on d2a-sentence, fine-tuned on the gold sentences, scored on d2a-gold"
	@echo "make task-rules         the rule-based extractor's answers to the D2A tasks -> predictions/tasks/<task>/rules"
	@echo "make train-transformer | train-bart | nn | random   train + write predictions/<model>/test.txt"
	@echo "make compare            reports/comparison.md from every model's predictions"
	@echo "make train-llm          fine-tune SmolLM2-135M (LoRA, cpu profile) + predictions"
	@echo "make select-ablation    ChemActor-style data selection: selected vs random vs all (3 seeds, mean ± std)"
	@echo "make chemactor-ablation ChemActor's data framework: seed / +unfiltered / +selected / +random / generated only"
	@echo "make bench-chemactor    training / decoding throughput of the task models (after make chemactor)"
	@echo "make serve [PORT=8000]  web page + JSON API on 127.0.0.1 over the trained models (after make demo)"
	@echo "make bench              benchmarks (data, models, decoding)"
	@echo "make bench-serve        load run of s2a serve on 127.0.0.1 (latency, throughput, malformed requests)"
	@echo "make gpu-wheels         wheels for benchmarks/gpu_check.sh on a lent GPU machine (see README)"
	@echo "Options: PROFILE=cpu|paper SEED=42 NBEST=10 SPLIT=patent|random SOURCE=files-or-dirs ACTIONS=text|ord"

# ---------------------------------------------------------------- install
# Everything pinned in requirements/lock.txt and installed with --no-deps: several packages declare
# requirements that are wrong for Python 3.11 / torch 2.13 (OpenNMT-py: torch<2.3; rxnfp: old
# scipy), and a loose torch requirement would pull GBs of CUDA wheels. torch comes first, from the
# CPU build; fairseq-fixed compiles (~4 min on 2 cores) against it without build isolation.
install: $(INSTALLED)

# pip's output goes to a log; on failure its last lines are shown and make stops.
PIP_QUIET = run() { $(PY) -m pip install --no-deps "$$@" >>$(VENV)/install.log 2>&1 || { tail -n 25 $(VENV)/install.log; echo "error: pip install $$* failed (full log: $(VENV)/install.log)"; exit 2; }; }; run

$(INSTALLED): requirements/lock.txt requirements/build.txt setup.cfg pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "error: $(PYTHON) not found (s2a needs Python 3.11)"; exit 2; }
	$(PYTHON) -m venv $(VENV)
	@echo "installing pinned packages into $(VENV) (log: $(VENV)/install.log; fairseq compiles, ~4 min)"
	@$(PIP_QUIET) -r requirements/build.txt
	@$(PIP_QUIET) --no-build-isolation -r requirements/lock.txt
	@$(PIP_QUIET) --no-build-isolation -e .
	$(PY) -c 'import torch, sys; sys.exit(0 if torch.version.cuda is None else "a CUDA torch got in; s2a pins the CPU build")'
	touch $@

# ---------------------------------------------------------------- data
# ACTIONS=text (default): actions from the procedure text, as the paper; ACTIONS=ord: from ORD's
# structured fields. Both are built (each into data/interim/<actions>/) for the side-by-side report.
data: $(DATA)/data_report.md
	@cat $<

$(RAW)/ord/ATTRIBUTION.txt: | $(INSTALLED)
	$(S2A) data fetch --raw-dir $(RAW)

$(INTERIM)/text/standardised.jsonl $(INTERIM)/ord/standardised.jsonl: $(INTERIM)/%/standardised.jsonl: $(if $(SOURCE),$(SOURCE),$(RAW)/ord/ATTRIBUTION.txt) $(filter-out preprocessing/tasks.py,$(wildcard preprocessing/*.py configs/common_reagents*)) | $(INSTALLED)
	$(S2A) data build $(if $(SOURCE),$(SOURCE),$(RAW)/ord) -o $@ --seed $(SEED) --actions $*

FORCE:

$(ACTIONS_STAMP): FORCE
	@mkdir -p $(@D); [ "$$(cat $@ 2>/dev/null)" = "$(ACTIONS)" ] || echo "$(ACTIONS)" > $@

$(DATA)/src-train.txt: $(STD) $(ACTIONS_STAMP)
	$(S2A) data split -i $(STD) -o $(DATA) --seed $(SEED) --mode $(SPLIT)

$(DATA)/data_report.md: $(DATA)/src-train.txt $(INTERIM)/text/standardised.jsonl $(INTERIM)/ord/standardised.jsonl
	$(S2A) data report --text $(INTERIM)/text/standardised.jsonl --ord $(INTERIM)/ord/standardised.jsonl -o $@ >/dev/null

# ChemActor's tasks (issue 13) from the processed records, and the paragraph2actions gold sample when
# ../shared has it. Always asks: `s2a data tasks` is a no-op while its stamp (inputs + extractor code) matches.
tasks: $(DATA)/src-train.txt | $(INSTALLED)
	$(S2A) data tasks --data-dir $(DATA)

# The rule-based extractor as a D2A model (seconds): on d2a / d2a-sentence it reproduces its own
# silver labels; d2a-gold test is its held-out score. Reads the task files `make tasks` wrote.
task-rules: | $(INSTALLED)
	$(S2A) tasks predict-rules --task d2a --split test
	$(S2A) tasks predict-rules --task d2a-sentence --split test
	@if [ -f $(GOLD_TASK) ]; then \
	  $(S2A) tasks predict-rules --task d2a-gold --split test && \
	  $(S2A) tasks predict-rules --task d2a-gold --split all; \
	else echo "d2a-gold skipped: no gold sample (../shared/data/paragraph2actions-sample)"; fi

# ChemActor's tasks on the cpu profiles (issue 13): the task files, the rule baseline, a transformer
# for d2a-sentence, fine-tuned on the gold training sentences when ../shared has them, one for r2d
# and one for a2d, the round trip of the extractor and the a2d model (50 test paragraphs, 3 rounds);
# `make compare` then shows the "ChemActor tasks" section. Training resumes and
# is a no-op when finished, so re-running only predicts again.
GOLD_TASK = $(DATA)/tasks/d2a-gold/src-train.txt
chemactor: tasks task-rules
	$(S2A) tasks train transformer --task d2a-sentence
	$(S2A) tasks predict transformer --task d2a-sentence --split test
	@if [ -f $(GOLD_TASK) ]; then \
	  $(S2A) tasks train transformer --task d2a-gold --init-from models/tasks/d2a-sentence/transformer && \
	  $(S2A) tasks predict transformer --task d2a-gold --split test && \
	  $(S2A) tasks predict transformer --task d2a-gold --split all; \
	else echo "d2a-gold skipped: no gold sample (../shared/data/paragraph2actions-sample)"; fi
	$(S2A) tasks train transformer --task r2d
	$(S2A) tasks predict transformer --task r2d --split test
	$(S2A) tasks train transformer --task a2d
	$(S2A) tasks predict transformer --task a2d --split test
	$(S2A) tasks round-trip --d2a rules --a2d transformer --sample-size 50 --rounds 3
	$(S2A) compare

# The circle review's LLM panel (configs/judges-$(JUDGES).yaml; the default judge is the packaged
# SmolLM2-135M, served by s2a itself) on the top-1 answers of the S2A models that have predictions.
# ~30 s per example and model on 2 cores (3 rounds); SmolLM2-135M answers no judgment in the
# format (README, Comparing with ChemActor): give it judges of your own (JUDGES=NAME or a .yaml).
# The panel also reviews three controls made from the references (identical / one action dropped /
# another reaction's actions): a judge worth reading scores them in that order (REVIEW_CONTROLS= : off).
JUDGES          ?= default
REVIEW_MODELS   ?= $(MODELS_ALL)
REVIEW_SAMPLE   ?= 20
REVIEW_CONTROLS ?= --controls
review: | $(INSTALLED)
	$(S2A) llm-base >/dev/null
	$(S2A) review $(foreach m,$(REVIEW_MODELS),$(wildcard predictions/$(m)/test.txt)) \
	  --judges $(JUDGES) --sample-size $(REVIEW_SAMPLE) $(REVIEW_CONTROLS)

# The LLM on the D2A tasks (configs/llm-text-cpu.yaml): d2a-sentence, then fine-tuned on the gold
# training sentences; on a CPU only d2a-gold is decoded (an LLM's whole d2a-sentence test split
# takes hours there). Without the gold sample (../shared) it trains d2a-sentence only.
task-llm: tasks | $(INSTALLED)
	$(S2A) tasks train llm --task d2a-sentence
	@if [ -f $(GOLD_TASK) ]; then \
	  $(S2A) tasks train llm --task d2a-gold --init-from models/tasks/d2a-sentence/llm && \
	  $(S2A) tasks predict llm --task d2a-gold --split test && \
	  $(S2A) tasks predict llm --task d2a-gold --split all; \
	else echo "d2a-gold skipped: no gold sample (../shared/data/paragraph2actions-sample)"; fi

# ---------------------------------------------------------------- models
# Training resumes from the last checkpoint and is a no-op when finished; prediction files are
# what later steps depend on (the report only reads them). `--split transfer`: the model's answers
# to the public Smiles2Actions sample, for the report's transfer check (skipped without ../shared).
predictions/%$(RUN)/test.txt: $(DATA)/src-train.txt | $(INSTALLED)
	$(S2A) train $* --profile $(PROFILE) --seed $(SEED)
	$(S2A) predict-split $* --profile $(PROFILE) --seed $(SEED) -n $(NBEST)
	$(S2A) predict-split $* --profile $(PROFILE) --seed $(SEED) -n 1 --split transfer

train-transformer: predictions/transformer$(RUN)/test.txt
train-bart: predictions/bart$(RUN)/test.txt
nn: predictions/nn$(RUN)/test.txt
random: predictions/random$(RUN)/test.txt predictions/random-same-size$(RUN)/test.txt

# ---------------------------------------------------------------- evaluation and demo
DEMO_REACTION ?= CC(=O)Cl.OCC>>CC(=O)OCC
DEMO_NAMES    ?= acetyl chloride;ethanol

compare: | $(INSTALLED)
	$(S2A) compare

demo: $(foreach m,$(MODELS_ALL),predictions/$(m)/test.txt)
	$(S2A) compare
	@echo
	@echo '$$ s2a predict "$(DEMO_REACTION)" --names "$(DEMO_NAMES)" --model transformer -n 2'
	$(S2A) predict "$(DEMO_REACTION)" --names "$(DEMO_NAMES)" --model transformer -n 2

# ---------------------------------------------------------------- web page and API
HOST ?= 127.0.0.1
PORT ?= 8000
# Loads every model trained under models/ (`s2a serve --models transformer,nn` to choose).
serve: | $(INSTALLED)
	$(S2A) serve --host $(HOST) --port $(PORT)

# ---------------------------------------------------------------- tests and benchmarks
# The browser test (tests/test_serve_browser.py) needs Debian's chromium + chromium-driver: installed
# here when missing, apt-get is there and we are root (CI); otherwise that test is skipped.
browser:
	@if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then :; \
	elif command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
	  echo "installing chromium and chromium-driver for the browser test (log: /tmp/s2a-apt.log)"; \
	  { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium chromium-driver; } >/tmp/s2a-apt.log 2>&1 \
	    || echo "warning: apt-get could not install chromium (see /tmp/s2a-apt.log); the browser test will be skipped"; \
	else echo "no chromium, and apt-get as root is not available: the browser test will be skipped"; fi

test: $(INSTALLED) browser
	$(PY) -m pytest -q tests

bench: bench-data bench-models bench-decode

bench-data: $(RAW)/ord/ATTRIBUTION.txt
	$(PY) benchmarks/bench_data.py $(RAW)/ord

bench-models: $(DATA)/src-train.txt
	$(PY) benchmarks/bench_transformer_train.py $(DATA) --profile $(PROFILE) --steps 40
	$(PY) benchmarks/bench_bart.py $(DATA) --profile $(PROFILE) --steps 40 --lines 20
	$(PY) benchmarks/bench_nn.py
	$(PY) benchmarks/bench_evaluation.py

bench-serve: | $(INSTALLED)
	$(PY) benchmarks/bench_serve.py

bench-d2a: | $(INSTALLED)
	$(PY) benchmarks/bench_d2a.py

# The CPU recipe sweep on the validation split (minutes per variant; RECIPE_MODEL=transformer|bart,
# LEVERS=..., SEEDS=42,43,44).
RECIPE_MODEL ?= transformer
LEVERS ?= baseline,retrieval
SEEDS  ?= 42
bench-recipe: $(DATA)/src-train.txt | $(INSTALLED)
	$(PY) benchmarks/bench_recipe.py $(DATA) models/recipe --model $(RECIPE_MODEL) --profile $(PROFILE) --levers "$(LEVERS)" --seeds $(SEEDS)

# Decoding levers (ranking width / length exponent) of the trained transformer on the validation split.
RANK_MODEL ?= transformer
RANK_WIDTH ?= $(if $(filter bart,$(RANK_MODEL)),10,20)
bench-ranking: predictions/$(RANK_MODEL)$(RUN)/test.txt
	$(PY) benchmarks/bench_ranking.py $(RANK_MODEL) valid $(RANK_WIDTH) --profile $(PROFILE)

bench-decode: predictions/transformer/test.txt predictions/bart/test.txt
	$(PY) benchmarks/bench_decode.py $(DATA) models/transformer --profile $(PROFILE)
	$(PY) benchmarks/bench_decode.py $(DATA) models/bart --profile $(PROFILE) --family bart --limit 200

# ---------------------------------------------------------------- LLM variant (ChemActor comparison)
train-llm: predictions/llm$(RUN)/test.txt

select-ablation: $(DATA)/src-train.txt
	$(S2A) select-ablation --data-dir $(DATA) --profile $(PROFILE) --seeds $(ABLATION_SEEDS)

# ChemActor's data framework (s2a/chemactor_framework.py): R2D descriptions of withheld training
# reactions -> rule D2A -> S2A targets -> JSD selection; five arms x seeds, validation split.
# ChemActor selects 1:3; on the default data the describer's 3-best give 598 examples, under 3 x the
# 778 seed examples, so every one is kept and the three "seed +" arms coincide (README). The default
# here is its 10-best at 1:1 (1,223 examples, 778 selected): the arms differ. CHEMACTOR_RATIO=3
# CHEMACTOR_DESCRIPTIONS=3 gives ChemActor's ratio.
ABLATION_SEEDS ?= 42,43,44
CHEMACTOR_RATIO ?= 1
CHEMACTOR_DESCRIPTIONS ?= 10
chemactor-ablation: $(DATA)/src-train.txt | $(INSTALLED)
	$(S2A) chemactor-ablation --data-dir $(DATA) --profile ablation --seeds $(ABLATION_SEEDS) \
	  --ratio $(CHEMACTOR_RATIO) --descriptions-per-reaction $(CHEMACTOR_DESCRIPTIONS)

bench-chemactor: | $(INSTALLED)
	$(PY) benchmarks/bench_chemactor.py

bench-llm: | $(INSTALLED)
	$(PY) benchmarks/bench_llm.py --steps 5 --predict 4

clean-data:
	rm -rf data/interim data/processed

clean: clean-data
	rm -rf models predictions reports

# ---------------------------------------------------------------- lent GPU machine
# The cp312 manylinux wheels benchmarks/gpu_check.sh installs there (no network there): the list and
# why in benchmarks/gpu-wheels.txt; ~52 MB, so they travel with data/processed in 64 MiB.
GPU_PLATFORMS := $(foreach p,manylinux2014_x86_64 manylinux_2_17_x86_64 manylinux_2_27_x86_64 manylinux_2_28_x86_64,--platform $(p))

.PHONY: gpu-wheels
gpu-wheels: benchmarks/gpu-wheels.txt | $(INSTALLED)
	$(PY) -m pip download -q --only-binary=:all: --python-version 3.12 --implementation cp $(GPU_PLATFORMS) \
	    --no-deps -d gpu-wheels/ -r benchmarks/gpu-wheels.txt
	@du -ch gpu-wheels/*.whl | tail -n 1
