"""`s2a serve`: a web page and a JSON API over loaded models.

`service` loads the models and batches their calls, `app` is the FastAPI application
(`create_app`), `page` the server-rendered HTML, `draw` the RDKit SVG, `export` the ORD export,
`schemas` the JSON of the API. Importing this package loads no model and no torch.
"""
from __future__ import annotations

from s2a.serve.app import create_app
from s2a.serve.service import Limits, ServedModel, available_models, load_examples, load_models

__all__ = ["Limits", "ServedModel", "available_models", "create_app", "load_examples", "load_models"]
