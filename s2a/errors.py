"""Typed errors. Each carries the offending value so callers can count and report by kind.

`UserError` subclasses are problems with what the user gave us (a bad file, an unparsable SMILES):
the CLI prints them on one line and exits with code 2, without a traceback.
"""
from __future__ import annotations

from typing import Any


class S2AError(Exception):
    """Base class of every error raised on purpose by s2a.

    Remembers its constructor arguments so that it survives pickling (errors raised while a
    worker pool reads records travel between processes).
    """

    _init_args: tuple[tuple[Any, ...], dict[str, Any]]

    def __new__(cls, *args: Any, **kwargs: Any) -> "S2AError":
        self = super().__new__(cls, *args)
        self._init_args = (args, kwargs)
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        args, kwargs = self._init_args
        return (_rebuild, (type(self), args, kwargs))


def _rebuild(cls: type[S2AError], args: tuple[Any, ...], kwargs: dict[str, Any]) -> S2AError:
    return cls(*args, **kwargs)


class UserError(S2AError):
    """Bad input from the user; reported in one line, exit code 2."""

    exit_code = 2


class InvalidSmiles(UserError):
    def __init__(self, smiles: str, reason: str = "cannot be parsed") -> None:
        super().__init__(f"invalid SMILES {smiles!r}: {reason}")
        self.smiles = smiles
        self.reason = reason


class InvalidReaction(UserError):
    def __init__(self, reaction: str, reason: str) -> None:
        super().__init__(f"invalid reaction {reaction!r}: {reason}")
        self.reaction = reaction
        self.reason = reason


class TokenizationError(UserError):
    def __init__(self, text: str, reason: str) -> None:
        super().__init__(f"cannot tokenise {text!r}: {reason}")
        self.text = text
        self.reason = reason


class RecordError(UserError):
    """A record in an input file that cannot be read at all (not a filtered record)."""

    def __init__(self, path: str, record: str, reason: str) -> None:
        super().__init__(f"{path}: record {record}: {reason}")
        self.path = path
        self.record = record
        self.reason = reason


class InputFileError(UserError):
    """An input file that cannot be opened or decoded."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class MissingArtifact(UserError):
    """A checkpoint, index or data file that a step needs and cannot find or read."""

    def __init__(self, path: str, reason: str = "not found") -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class CorruptArtifact(MissingArtifact):
    """An artefact that is there but cannot be read (cut short, overwritten, another format)."""


class DataError(UserError):
    """Data files that are there but cannot be used as they are: misaligned or empty splits."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class DeviceUnavailable(UserError):
    """A profile asks for a device (a GPU) that this machine does not have."""

    def __init__(self, device: str, reason: str) -> None:
        super().__init__(f"device {device}: {reason}")
        self.device = device
        self.reason = reason


class UnknownModel(UserError):
    def __init__(self, name: str, known: list[str]) -> None:
        super().__init__(f"unknown model {name!r}; known models: {', '.join(sorted(known))}")
        self.name = name
        self.known = known


class ConfigError(UserError):
    """A configuration file (configs/*.yaml) or profile that is missing or holds a bad value.

    `where` names the file (or profile), `key` the setting when one is at fault.
    """

    def __init__(self, where: str, reason: str, key: str = "") -> None:
        super().__init__(f"configuration {where}{f' [{key}]' if key else ''}: {reason}")
        self.where = where
        self.reason = reason
        self.key = key


class UnsafeCheckpoint(UserError):
    """A checkpoint that would unpickle an object outside s2a's allowlist (s2a.checkpoint)."""

    def __init__(self, path: str, global_name: str) -> None:
        super().__init__(
            f"{path}: refusing to load: it contains {global_name}, which is not on s2a's checkpoint allowlist"
        )
        self.path = path
        self.global_name = global_name


class PredictionMismatch(UserError):
    """A prediction file whose number of lines differs from the reactions it should answer."""

    def __init__(self, what: str, expected: int, got: int, path: str = "") -> None:
        where = f"{path}: " if path else ""
        super().__init__(f"{where}{got} {what} for {expected} reactions")
        self.what = what
        self.expected = expected
        self.got = got
        self.path = path


class ExternalToolFailed(S2AError):
    """An external trainer or converter (fairseq, OpenNMT-py, CTranslate2) exited with an error."""

    def __init__(self, tool: str, returncode: int, log: str, tail: str = "") -> None:
        detail = f"; last lines:\n{tail}" if tail else ""
        super().__init__(f"{tool} failed with exit code {returncode} (log: {log}){detail}")
        self.tool = tool
        self.returncode = returncode
        self.log = log


class InvalidNames(UserError):
    """Compound names given for a reaction that do not fit its compounds."""

    def __init__(self, names: list[str], n_compounds: int, reaction: str) -> None:
        super().__init__(f"{len(names)} names given for the {n_compounds} compounds of {reaction!r} "
                         "(names go in the order the compounds appear, products included)")
        self.names = names
        self.n_compounds = n_compounds
        self.reaction = reaction


class EndpointError(UserError):
    """An LLM server (OpenAI-compatible endpoint) that refused or failed a request."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"LLM endpoint {url}: {reason}")
        self.url = url
        self.reason = reason


class EndpointUnavailable(EndpointError):
    """An LLM server that cannot be reached (connection refused, timeout) after all retries."""


class StaleArtifact(UserError):
    """A model folder built from other data than the data it is now asked to train on."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class UnknownActionSource(UserError):
    """An `--actions` choice that names no action source."""

    def __init__(self, name: str, known: list[str]) -> None:
        super().__init__(f"unknown action source {name!r}; known: {', '.join(known)}")
        self.name = name
        self.known = known


class GoldSetMissing(MissingArtifact):
    """An optional reference set that is not there (the public samples in `../shared`): whoever
    needs it skips that part with a note naming the path, rather than failing."""


class UnknownTask(UserError):
    """A task name (s2a, d2a, r2d, ...) that names no task of s2a.formats.tasks."""

    def __init__(self, name: str, known: list[str]) -> None:
        super().__init__(f"unknown task {name!r}; known: {', '.join(known)}")
        self.name = name
        self.known = known


class UnsupportedOption(UserError):
    """An option a model family does not offer (e.g. `--init-from` for a family that cannot start
    from another trained model's weights): said before any work is done."""

    def __init__(self, family: str, option: str, reason: str) -> None:
        super().__init__(f"model {family!r} does not support {option}: {reason}")
        self.family = family
        self.option = option
        self.reason = reason
