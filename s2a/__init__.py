"""s2a: predict the experimental procedure (lab actions) of a chemical reaction from its SMILES."""
from __future__ import annotations

__version__ = "0.1.0"
