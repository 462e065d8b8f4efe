"""Checking values read from files a user may have edited (presets, ``session.json``, config).

Each checker takes the value and the key it came from and returns the value as the program
wants it, or raises :class:`SchemaError` with one line naming the key: ``allow_groups must be
true or false, not "no"``, ``options.min_free_mb must be a whole number, not "lots"``. NaN,
infinities, booleans posing as numbers and numbers posing as text are refused, never coerced.
:func:`fields_of` checks a JSON object against a dataclass's annotated field types.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Iterable, Mapping
from typing import Any

# Deeper than any file of ours nests (session.json: 3 levels); a deeper one is hand-made.
MAX_DEPTH = 16
MAX_TEXT = 10_000  # characters in one text value


class SchemaError(ValueError):
    """A value of the wrong type or out of range; the message names its key (one line)."""


def _shown(value: object) -> str:
    text = json.dumps(value) if isinstance(value, str | bool) or value is None else repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def depth(value: object, limit: int = MAX_DEPTH) -> int:
    """How deeply ``value`` nests lists and mappings (iteratively: no RecursionError); stops
    counting past ``limit``."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, Mapping | list | tuple):
            deepest = max(deepest, level)
            if level > limit:
                return level
            children: Iterable[object] = item.values() if isinstance(item, Mapping) else item
            stack.extend((child, level + 1) for child in children)
    return deepest


def shallow(value: object, key: str, limit: int = MAX_DEPTH) -> object:
    if depth(value, limit) > limit:
        raise SchemaError(f"{key} is nested more than {limit} levels deep")
    return value


def boolean(value: object, key: str) -> bool:
    if not isinstance(value, bool):
        raise SchemaError(f"{key} must be true or false, not {_shown(value)}")
    return value


def text(value: object, key: str, *, empty: bool = True, limit: int = MAX_TEXT) -> str:
    if not isinstance(value, str):
        raise SchemaError(f"{key} must be text, not {_shown(value)}")
    if not empty and not value.strip():
        raise SchemaError(f"{key} must not be empty")
    if len(value) > limit:
        raise SchemaError(f"{key} is longer than {limit} characters")
    return value


def number(value: object, key: str, *, lo: float | None = None, hi: float | None = None,
           lo_open: bool = False, whole: bool = False) -> float:
    """A finite number (a whole one with ``whole``) within the bounds given."""
    kind = "a whole number" if whole else "a number"
    if isinstance(value, bool) or not isinstance(value, int | float) or (whole and isinstance(value, float)
                                                                          and not value.is_integer()):
        raise SchemaError(f"{key} must be {kind}, not {_shown(value)}")
    if isinstance(value, int) and value.bit_length() > 63:  # math.isfinite/:g overflow past 1e308
        raise SchemaError(f"{key} must be at most {hi:g}, not a {value.bit_length()}-bit number"
                          if hi is not None else f"{key} is too large (a {value.bit_length()}-bit number)")
    if not math.isfinite(value):
        raise SchemaError(f"{key} must be a finite number, not {value}")
    if lo is not None and (value <= lo if lo_open else value < lo):
        words = "positive" if lo == 0 and lo_open else f"{'more than' if lo_open else 'at least'} {lo:g}"
        raise SchemaError(f"{key} must be {words}, not {value:g}")
    if hi is not None and value > hi:
        raise SchemaError(f"{key} must be at most {hi:g}, not {value:g}")
    return value


def whole(value: object, key: str, *, lo: int | None = None, hi: int | None = None) -> int:
    return int(number(value, key, lo=lo, hi=hi, whole=True))


def mapping(value: object, key: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise SchemaError(f"{key} must be an object/table, not {_shown(value)}")
    return value


def choice(value: object, key: str, allowed: Iterable[str]) -> str:
    options = tuple(allowed)
    if not isinstance(value, str) or value not in options:
        shown = ", ".join(json.dumps(o) for o in options)
        raise SchemaError(f"{key} must be one of {shown}, not {_shown(value)}")
    return value


_BY_ANNOTATION = {
    "str": lambda v, k: text(v, k),
    "int": lambda v, k: whole(v, k),
    "float": lambda v, k: number(v, k),
    "bool": boolean,
}


def fields_of(cls: type, data: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """The entries of ``data`` that are fields of the dataclass ``cls``, each checked against
    its annotation (``str``, ``int``, ``float``, ``bool``, ``dict[...]``, ``list[...]``); fields
    of other types pass unchecked, unknown keys are dropped (a newer version's additions)."""
    out: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if f.name not in data:
            continue
        value, key = data[f.name], f"{prefix}{f.name}"
        annotation = str(f.type).replace(" ", "")
        check = _BY_ANNOTATION.get(annotation)
        if check is not None:
            value = check(value, key)
        elif annotation.startswith("dict["):
            table = mapping(value, key)
            shallow(table, key)
            if annotation == "dict[str,int]":
                table = {k: whole(v, f"{key}.{k}") for k, v in table.items()}
            value = table
        elif annotation.startswith("list["):
            if not isinstance(value, list):
                raise SchemaError(f"{key} must be a list, not {_shown(value)}")
            items: list[Any] = value
            shallow(items, key)
            if annotation == "list[str]":
                items = [text(v, f"{key}[{i}]") for i, v in enumerate(items)]
            value = items
        out[f.name] = value
    return out
