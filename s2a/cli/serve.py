"""`s2a serve`: the web page and JSON API (s2a.serve) on uvicorn."""
from __future__ import annotations

from pathlib import Path

import click

from s2a.errors import UserError
from s2a.paths import DATA_DIR, MODELS_DIR


class NoModels(UserError):
    def __init__(self, models_dir: Path) -> None:
        super().__init__(f"no trained model under {models_dir}/ (run `make demo`, or name them with --models)")


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind (loopback by default).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option("--models", "model_names", default="",
              help="Comma-separated models to load, e.g. transformer,nn (NAME:PROFILE for a profile of its own) "
                   "[default: every trained model under --models-dir].")
@click.option("--data-dir", type=click.Path(path_type=Path), default=DATA_DIR, show_default=True,
              help="Processed splits (examples on the page, the nn model's training reactions).")
@click.option("--models-dir", type=click.Path(path_type=Path), default=MODELS_DIR, show_default=True)
@click.option("--profile", default="cpu", show_default=True)
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Parallel model calls of the transformer and BART (CTranslate2) [default: one per core, up to 4]; "
                   "the other families take one call at a time.")
@click.option("--examples", default=8, show_default=True, type=click.IntRange(0, 100),
              help="Test-split reactions linked on the page.")
def serve(host: str, port: int, model_names: str, data_dir: Path, models_dir: Path, profile: str,
          workers: int | None, examples: int) -> None:
    """Serve the prediction page (/) and the JSON API (/predict, /predict/batch, /export, /models, /docs)."""
    import uvicorn

    from s2a.serve import available_models, create_app, load_examples, load_models

    names = [n.strip() for n in model_names.split(",") if n.strip()] or available_models(models_dir)
    if not names:
        raise NoModels(models_dir)
    loaded = load_models(names, data_dir=data_dir, models_dir=models_dir, profile=profile, workers=workers)
    app = create_app(loaded, examples=load_examples(data_dir, examples))
    click.echo(f"s2a serve: {', '.join(loaded)} on http://{host}:{port}/ (API docs at /docs)", err=True)
    uvicorn.run(app, host=host, port=port, log_level="warning")


commands = [serve]
