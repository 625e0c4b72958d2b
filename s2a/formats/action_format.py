"""The action text format: paragraph2actions' ReadableConverter with ' ; ' between actions.

Everything in s2a that turns actions into text or back gets its converter here.

paragraph2actions 1.5.0 compares attribute types by identity (`value_type is Optional[str]`),
but typing caches parametrised generics in an LRU cache of 128 entries: once a process has built
enough other generics (transformers, pydantic, fastapi do), `Optional[str]` is a new object and
valid actions fail to convert ("Cannot convert type Optional"). We hand the converter the type
object it compares against, evaluated just before its comparison, so identity holds again.
"""
from __future__ import annotations

from typing import Any, Optional, Union, get_origin

import paragraph2actions.default_converters as _default_converters
from paragraph2actions.actions import Chemical
from paragraph2actions.introspection import get_variable_type as _get_variable_type
from paragraph2actions.readable_converter import ReadableConverter

from s2a.formats.tokenization import ACTION_SEPARATOR


def _variable_type(cls: Any, name: str) -> Any:
    found = _get_variable_type(cls, name)
    if get_origin(found) is Union:  # only parametrised generics go stale
        for known in (Optional[str], Optional[Chemical]):  # written as the converter writes them
            if found == known:
                return known
    return found


_default_converters.get_variable_type = _variable_type  # type: ignore[assignment]


def readable_converter() -> ReadableConverter:
    """Converter for `tgt` lines: actions separated by ' ; ', no end mark."""
    return ReadableConverter(separator=ACTION_SEPARATOR, end_mark="")
