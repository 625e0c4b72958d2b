"""Large-language-model variants of the action predictor (a ChemActor-style comparison).

- `llm`: a causal LM (default SmolLM2-135M-Instruct) fine-tuned on prompt -> `tgt` pairs, full or
  LoRA (finetune.py, base_model.py, prompts.py; configs/llm-{cpu,gpu}.yaml);
- `llm-endpoint`: any OpenAI-compatible server, zero- or few-shot with retrieved examples
  (endpoint.py, retrieval.py, prompts.py; configs/llm-endpoint.yaml);
- distribution-divergence selection of training data (selection.py) and its ablation (ablation.py).

Typical use:
    s2a llm-base                                 # convert the GGUF base model once (~1 min)
    s2a train llm --profile cpu                  # LoRA, ~20 min on 2 cores
    s2a predict-split llm --profile cpu -n 1
    S2A_LLM_BASE_URL=http://127.0.0.1:8000/v1 S2A_LLM_MODEL=<model> s2a predict-split llm-endpoint -n 1
    s2a select --out-dir data/selected           # keep the half closest to the validation split
    s2a select-ablation                          # transformer on selected / random / all

Heavy libraries (torch, transformers, peft, openai) are imported inside the modules that need them.
"""
