"""`s2a` command line: a click group whose subcommands live in small modules of this package.

Commands are thin: they parse arguments and call the library. No module here imports torch.
"""
from __future__ import annotations

import logging
import sys
from typing import Any

import click

from s2a.errors import UserError


class S2AGroup(click.Group):
    """Reports user errors (bad files, bad SMILES, missing checkpoints) in one line, exit code 2."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except UserError as e:
            click.echo(f"error: {e}", err=True)
            sys.exit(e.exit_code)


class StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes each record to sys.stderr as it is at that moment (tests and notebooks replace it)."""

    @property  # type: ignore[override]
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, value: Any) -> None:
        pass


def log_to_stderr(level: str) -> None:
    """s2a's own log records (training progress, skipped work) to stderr; other libraries untouched."""
    logger = logging.getLogger("s2a")
    if not any(isinstance(h, StderrHandler) for h in logger.handlers):
        handler = StderrHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%H:%M:%S"))
        logger.addHandler(handler)
    logger.setLevel(level)
    logger.propagate = False  # libraries that configure the root logger would print it twice


@click.group(cls=S2AGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="s2a")
@click.option("--log-level", type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"], case_sensitive=False),
              default="INFO", show_default=True, help="Of s2a's progress messages on stderr.")
def main(log_level: str) -> None:
    """s2a: predict the experimental procedure (a sequence of lab actions) of a reaction.

    Typical use: `s2a data fetch`, `s2a data build`, `s2a train transformer`,
    `s2a predict "CC(=O)Cl.OCC>>CC(=O)OCC" --model transformer`.
    """
    log_to_stderr(log_level.upper())


def _register() -> None:
    from s2a.cli import data, evaluate, llm, models, review, serve, tasks

    main.add_command(data.data)
    for module in (models, evaluate, review, tasks, llm, serve):
        for command in module.commands:
            main.add_command(command)


_register()
