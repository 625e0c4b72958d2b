"""Where a record's actions come from: pluggable action sources (paragraph2actions Action objects).

- GivenActions: the record already has readable actions (JSONL/CSV sources, processed data).
- TextActions: extracted from the record's procedure text by the rule-based extractor
  (preprocessing.text_actions), as the paper built its labels.
- OrdStructuredActions (preprocessing.ord_actions): derived from the structured fields of the ORD
  Reaction message.
- FirstAvailable: the first source that can answer.
- action_source(name): the source the pipeline uses for one `--actions` choice.

A source raises preprocessing.reasons.Dropped when it cannot give actions for a record.
"""
from __future__ import annotations

import abc
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Optional

from paragraph2actions.actions import Action
from paragraph2actions.conversion_utils import StringToActionError

from preprocessing.reasons import Dropped, Reason
from s2a.formats.action_format import readable_converter
from s2a.errors import UnknownActionSource
from s2a.formats.records import Record


class ActionSource(abc.ABC):
    """Gives the actions of a record, or raises Dropped (NO_ACTIONS, INVALID_ACTION, ...)."""

    name: str = ""

    def available(self, record: Record) -> bool:
        """Whether this source has anything to say about `record` (cheap check, used by FirstAvailable)."""
        return True

    @abc.abstractmethod
    def actions(self, record: Record) -> list[Action]:
        ...


class GivenActions(ActionSource):
    """The record's own readable actions (one string per action), parsed by ReadableConverter."""

    name = "given"

    def __init__(self) -> None:
        self.converter = readable_converter()

    def available(self, record: Record) -> bool:
        return bool(record.actions)

    def actions(self, record: Record) -> list[Action]:
        if not record.actions:
            raise Dropped(Reason.NO_ACTIONS, "record has no actions")
        out = []
        for text in record.actions:
            try:
                out.append(self.converter.string_to_action(text.strip()))
            except (StringToActionError, ValueError, TypeError) as e:
                raise Dropped(Reason.INVALID_ACTION, text) from e
        return out


class FirstAvailable(ActionSource):
    """The first of several sources that is available for a record (paragraph2actions combiner style)."""

    def __init__(self, sources: Sequence[ActionSource]) -> None:
        self.sources = list(sources)
        self.name = "first-of(" + ",".join(s.name for s in self.sources) + ")"

    def available(self, record: Record) -> bool:
        return any(s.available(record) for s in self.sources)

    def actions(self, record: Record) -> list[Action]:
        for source in self.sources:
            if source.available(record):
                return source.actions(record)
        raise Dropped(Reason.NO_ACTIONS, f"none of {self.name} applies")

    @property
    def skipped(self) -> Counter[str]:
        """What the combined sources skipped so far (sum of their `skipped` counters)."""
        total: Counter[str] = Counter()
        for source in self.sources:
            total.update(getattr(source, "skipped", Counter()))
        return total


class TextActions(ActionSource):
    """Actions read from `record.procedure` by the rule-based extractor (paragraph2actions classes).

    The extractor is imported when the source is built, so choosing `ord` never needs it. A
    procedure that gives no action at all is NO_ACTIONS; forbidden actions (InvalidAction,
    FollowOtherProcedure, OtherLanguage) are returned as they are, for the standardisation to count.
    """

    name = "text"

    def __init__(self, extract: Optional[Callable[[str], list[Action]]] = None) -> None:
        if extract is None:
            from preprocessing.text_actions import paragraph_actions as extract
        self.extract: Callable[[str], list[Action]] = extract

    def available(self, record: Record) -> bool:
        return bool(record.procedure.strip())

    def actions(self, record: Record) -> list[Action]:
        if not record.procedure.strip():
            raise Dropped(Reason.NO_ACTIONS, "record has no procedure text")
        actions = self.extract(record.procedure)
        if not actions:
            raise Dropped(Reason.NO_ACTIONS, "no action found in the procedure text")
        return actions


def _ord_structured() -> ActionSource:
    from preprocessing.ord_actions import OrdStructuredActions

    return OrdStructuredActions()


# `--actions` choice -> what answers after the record's own actions.
ACTION_SOURCES: dict[str, Callable[[], ActionSource]] = {"text": TextActions, "ord": _ord_structured}
DEFAULT_ACTION_SOURCE = "text"


def check_action_source(name: str) -> None:
    """UnknownActionSource unless `name` is a known `--actions` choice (cheap: builds nothing)."""
    if name not in ACTION_SOURCES:
        raise UnknownActionSource(name, sorted(ACTION_SOURCES))


def action_source(name: str = DEFAULT_ACTION_SOURCE) -> ActionSource:
    """Given actions when the record has them, else the named source ('text': from the procedure
    text, 'ord': from ORD structured fields); a record with neither is NO_ACTIONS."""
    check_action_source(name)
    return FirstAvailable([GivenActions(), ACTION_SOURCES[name]()])

