"""s2a: predict the experimental procedure (lab actions) of a chemical reaction from its SMILES."""
from __future__ import annotations

__version__ = "0.1.0"


def __getattr__(name: str) -> object:
    """Lazy exports: `from s2a import predict_procedure` loads the API (and models) only then."""
    if name in ("predict_procedure", "ProcedurePredictor"):
        from s2a import api

        return getattr(api, name)
    raise AttributeError(f"module 's2a' has no attribute {name!r}")
