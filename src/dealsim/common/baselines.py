"""What a run changes from its preset: the deal and uncertainties against their defaults.

A preset package registers a *lookup* here (:func:`register`): given a deal's name, it
returns the plain data (``to_dict()``) of the preset's default build, or ``None``. The
runners call :func:`changes` with the deal's and the uncertainties' plain data; the
result records the differing fields, and :func:`run_title` names the run after them
(``"Ohio gas power (SB Energy) (price=75)"``), so that two runs of one deal under
different assumptions carry different titles. Registration keeps the layers pointing
down: this module imports nothing from the package, and the presets (a higher layer)
call into it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["IGNORED", "changes", "diff", "register", "run_title"]

#: Keys that document a value rather than change it: never reported as a change.
IGNORED: frozenset[str] = frozenset({"sources", "assumptions", "source", "name"})

_LOOKUPS: list[Callable[[str], Mapping[str, Any] | None]] = []


def register(lookup: Callable[[str], Mapping[str, Any] | None]) -> None:
    """Add a lookup ``deal name -> plain data of the preset's default deal, or None``."""
    if lookup not in _LOOKUPS:
        _LOOKUPS.append(lookup)


def _baseline(name: str) -> Mapping[str, Any] | None:
    for lookup in _LOOKUPS:
        found = lookup(name)
        if found is not None:
            return found
    return None


def diff(old: Any, new: Any, prefix: str = "") -> dict[str, tuple[Any, Any]]:
    """Leaf-by-leaf differences of two plain-data trees: ``path -> (old, new)``.

    Keys of :data:`IGNORED` are skipped; lists of different lengths, and values of
    different kinds, are one change at their path.

    Examples
    --------
    >>> diff({"a": {"b": 1, "c": [1, 2]}, "sources": ["x"]},
    ...      {"a": {"b": 2, "c": [1, 3]}, "sources": ["y"]})
    {'a.b': (1, 2), 'a.c.1': (2, 3)}
    """
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        out: dict[str, tuple[Any, Any]] = {}
        for key in list(old) + [k for k in new if k not in old]:
            if key in IGNORED:
                continue
            out |= diff(old.get(key), new.get(key), f"{prefix}{key}.")
        return out
    if isinstance(old, list | tuple) and isinstance(new, list | tuple) and len(old) == len(new):
        out = {}
        for i, (a, b) in enumerate(zip(old, new, strict=True)):
            out |= diff(a, b, f"{prefix}{i}.")
        return out
    same = old == new or (isinstance(old, float) and isinstance(new, float)
                          and math.isnan(old) and math.isnan(new))
    return {} if same else {prefix.rstrip("."): (old, new)}


def changes(deal_name: str, deal_data: Mapping[str, Any],
            uncertainties: Mapping[str, Any] | None = None,
            default_uncertainties: Mapping[str, Any] | None = None,
            ) -> dict[str, tuple[Any, Any]]:
    """What a run changes: the deal's fields against the default build of the preset of
    the same name (nothing when no registered preset has that name), then
    ``uncertainties.<path>`` where the uncertainties differ from the defaults."""
    out: dict[str, tuple[Any, Any]] = {}
    base = _baseline(deal_name)
    if base is not None:
        out |= diff(base, deal_data)
    if uncertainties is not None and default_uncertainties is not None:
        found = diff(default_uncertainties, uncertainties, "uncertainties.")
        out |= {k.replace("uncertainties.marginals.", "uncertainties."): v
                for k, v in found.items()}
    return out


def _short(value: Any) -> str:
    if isinstance(value, float):
        return format(value, "g")
    if isinstance(value, Mapping | list | tuple):
        return "..."
    return str(value)


def labels(found: Mapping[str, Any]) -> dict[str, str]:
    """The shortest unique trailing part of each dotted path (``project.price`` ->
    ``price``; two ``sigma`` -> ``overrun.sigma``, ``delay.base.sigma``)."""
    parts = {k: k.split(".") for k in found}
    out = {}
    for key, p in parts.items():
        for depth in range(1, len(p) + 1):
            tail = p[-depth:]
            if not any(q[-depth:] == tail for k2, q in parts.items() if k2 != key):
                break
        out[key] = ".".join(tail)
    return out


def run_title(name: str, found: Mapping[str, tuple[Any, Any]], shown: int = 3) -> str:
    """``name`` followed by the changed fields, at most ``shown`` of them.

    Examples
    --------
    >>> run_title("Ohio", {"project.price": (85.0, 75.0)})
    'Ohio (price=75)'
    >>> run_title("Ohio", {})
    'Ohio'
    """
    if not found:
        return name
    short = labels(found)
    items = [f"{short[k]}={_short(new)}" for k, (_, new) in found.items()]
    more = f", +{len(items) - shown} more" if len(items) > shown else ""
    return f"{name} ({', '.join(items[:shown])}{more})"
