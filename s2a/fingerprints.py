"""rxnfp reaction fingerprints (Schwaller et al., Nat. Mach. Intell. 2021), computed by our own code.

rxnfp's `RXNBERTFingerprintGenerator` is the embedding of the [CLS] token in the last layer of a
12-layer BERT trained on reaction SMILES. Its tokenizer subclasses transformers' `BertTokenizer` and
silently breaks with transformers 5; so we load the same weights with `BertModel.from_pretrained`
and tokenise with rxnfp's regex and `vocab.txt` ourselves (tests check equality with rxnfp's own
generator). Only rxnfp's data files are used (the `rxnfp` wheel ships them), not its code.

Fragment notation: our canonical reactions join the fragments of one compound with '~'. rxnfp's
regex has a '~' token and its vocabulary lists '~' as its 16th most frequent symbol (before 'Br' or
'S'), i.e. the model was trained on this very notation; we therefore feed '~' unchanged.
"""
from __future__ import annotations

import importlib.resources
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

import numpy as np
from tqdm import tqdm

from s2a.errors import MissingArtifact, TokenizationError

# rxnfp.tokenization.SMI_REGEX_PATTERN (kept verbatim: the vocabulary was built with it).
RXNFP_REGEX = re.compile(
    r"(\%\([0-9]{3}\)|\[[^\]]+]|Br?|Cl?|N|O|S|P|F|I|b|c|n|o|s|p|\||\(|\)|\.|=|#|-|\+|\\|\/|:|~|@|\?|>>?|\*|\$|\%[0-9]{2}|[0-9])"
)
DEFAULT_MODEL = "bert_ft"

if TYPE_CHECKING:
    import torch


def rxnfp_model_dir(name: str = DEFAULT_MODEL) -> Path:
    """Directory of a BERT model shipped inside the rxnfp wheel (e.g. 'bert_ft', 256-d)."""
    try:
        root = importlib.resources.files("rxnfp")
    except ModuleNotFoundError:
        raise MissingArtifact("rxnfp", "package not installed (pip install --no-deps rxnfp==0.1.0)") from None
    path = Path(str(root)) / "models" / "transformers" / name
    if not (path / "config.json").is_file() or not (path / "vocab.txt").is_file():
        raise MissingArtifact(str(path), "rxnfp model directory without config.json/vocab.txt")
    return path


def tokenize_reaction(smiles: str) -> list[str]:
    """rxnfp's regex tokens of 'precursors>>products'; the tokens must join back to the input."""
    tokens: list[str] = RXNFP_REGEX.findall(smiles)
    if "".join(tokens) != smiles:
        raise TokenizationError(smiles, "rxnfp's SMILES regex does not cover every character")
    return tokens


class RxnfpFingerprinter:
    """Batched rxnfp fingerprints: `fingerprints(["CC(=O)Cl.OCC>>CCOC(C)=O"])` -> float32 (n, 256).

    torch and transformers are imported here, not with the module (≈ 10 s on a busy 2-core
    machine): a no-op `train` or loading an index does not pay for them.
    """

    def __init__(
        self,
        model: str | Path = DEFAULT_MODEL,
        batch_size: int = 32,
        threads: Optional[int] = None,
        device: str = "cpu",
    ) -> None:
        import torch
        from transformers import BertModel

        path = Path(model) if Path(model).is_dir() else rxnfp_model_dir(str(model))
        if threads:
            torch.set_num_threads(threads)
        self.batch_size = batch_size
        self.device = torch.device(device)
        self.vocab = self._read_vocab(path / "vocab.txt")
        try:
            self.model = BertModel.from_pretrained(str(path)).eval().to(self.device)
        except (OSError, ValueError, RuntimeError) as e:
            raise MissingArtifact(str(path), f"cannot load the BERT model ({str(e).splitlines()[0]})") from None
        self.max_length = int(self.model.config.max_position_embeddings)
        self.dim = int(self.model.config.hidden_size)
        self.cls_id, self.sep_id = self.vocab["[CLS]"], self.vocab["[SEP]"]
        self.pad_id, self.unk_id = self.vocab["[PAD]"], self.vocab["[UNK]"]

    @staticmethod
    def _read_vocab(path: Path) -> dict[str, int]:
        tokens = path.read_text(encoding="utf-8").splitlines()
        return {t: i for i, t in enumerate(tokens)}

    def encode(self, smiles: str) -> list[int]:
        """Token ids as rxnfp's `encode_plus(truncation=True, max_length=512)`: [CLS] tokens [SEP]."""
        ids = [self.vocab.get(t, self.unk_id) for t in tokenize_reaction(smiles)]
        return [self.cls_id, *ids[: self.max_length - 2], self.sep_id]

    def _embed(self, encoded: Sequence[list[int]]) -> np.ndarray:
        import torch

        width = max(len(e) for e in encoded)
        ids = torch.full((len(encoded), width), self.pad_id, dtype=torch.long)
        mask = torch.zeros((len(encoded), width), dtype=torch.long)
        for row, e in enumerate(encoded):
            ids[row, : len(e)] = torch.tensor(e)
            mask[row, : len(e)] = 1
        with torch.inference_mode():
            out: Any = self.model(
                input_ids=ids.to(self.device),
                attention_mask=mask.to(self.device),
                token_type_ids=torch.zeros_like(ids).to(self.device),
            )
        cls: np.ndarray = out.last_hidden_state[:, 0, :].float().cpu().numpy()
        return cls

    def fingerprints(self, reactions: Sequence[str], progress: bool = False, bar: Optional[tqdm] = None) -> np.ndarray:
        """Fingerprints of reaction SMILES 'precursors>>products' (untokenised), in input order.

        Batches hold reactions of similar length (less padding); padding is masked, so the result
        does not depend on the batching. `progress` shows a bar; `bar` updates a caller's bar.
        """
        out = np.zeros((len(reactions), self.dim), dtype=np.float32)
        if not reactions:
            return out
        encoded = [self.encode(r) for r in reactions]
        order = sorted(range(len(encoded)), key=lambda i: len(encoded[i]))
        with tqdm(total=len(order), desc="rxnfp", unit="rxn", disable=not progress) as own:
            for start in range(0, len(order), self.batch_size):
                rows = order[start : start + self.batch_size]
                out[rows] = self._embed([encoded[i] for i in rows])
                for b in (own, bar):
                    if b is not None:
                        b.update(len(rows))
        return out


def l2_normalise(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (inner product = cosine); a zero row stays zero."""
    v = np.ascontiguousarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(v, axis=1, keepdims=True)
    out: np.ndarray = v / np.where(norms > 0, norms, 1.0)
    return out.astype(np.float32)
