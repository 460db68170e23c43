"""Frozen dataclasses <-> plain data (the types of JSON and TOML), and the JSON Schema of it.

One walk over a dataclass's fields and type hints does three things, so that they
cannot drift apart:

* :func:`dump` turns a value object into dicts, lists, strings and numbers;
* :func:`load` builds it back, refusing unknown keys (with the nearest valid name) and
  values of the wrong kind, and prefixing every error with the path of the bad field
  (``deal.project.capex``);
* :func:`schema` describes the same data as a JSON Schema (draft 2020-12).

A field typed with an *abstract* class (``base: Distribution``) holds any concrete
subclass: its data carries a tag, the base's name in lower case as the key and the
subclass's name in lower case as the value (``{"distribution": "lognormal", ...}``).

This module imports nothing from the package but :mod:`dealsim.errors`,
:mod:`dealsim.common.names` and :mod:`dealsim.common.validate`; the value classes call it
from thin ``to_dict``/``from_dict`` methods.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import math
import sys
import types
import typing
from collections.abc import Mapping
from typing import Any, Literal, Self, Union

from dealsim.common.names import suggest
from dealsim.common.validate import unicode_ok
from dealsim.errors import DealsimError, InvalidParameterError, UnknownNameError

__all__ = ["MAX_DEPTH", "Plain", "check_depth", "depth", "dump", "load", "schema",
           "subclasses", "tag_key"]

#: Deepest nesting of tables and arrays :func:`load` walks. The deepest value dealsim
#: writes (a deal with market paths, a rounded distribution of a distribution) is about 6
#: levels; deeper data, which ``json.loads`` accepts up to about 100 000 levels, is
#: refused before it is walked (a recursive walk would overflow the stack).
MAX_DEPTH = 32


class Plain:
    """Mixin of the value classes: ``to_dict()`` and ``from_dict()`` over their fields."""

    __slots__ = ()

    def to_dict(self) -> dict[str, Any]:
        """Plain data (JSON and TOML types) of every field; :meth:`from_dict` inverts it.

        Examples
        --------
        >>> import json
        >>> from dealsim import DealTerms
        >>> t = DealTerms.japan_2025()
        >>> DealTerms.from_dict(json.loads(json.dumps(t.to_dict()))) == t
        True
        """
        return dump(self)  # type: ignore[no-any-return]

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Build from :meth:`to_dict` data. Unknown keys (with the nearest valid one) and
        values of the wrong kind are refused, naming their path (``project.capex``); the
        format is the one of :func:`dealsim.interfaces.scenario.schema`."""
        return load(cls, data)  # type: ignore[no-any-return]


def depth(data: Any, limit: int) -> int:
    """Nesting depth of mappings and lists/tuples in ``data`` (a scalar is 0, ``{}`` is 1),
    walked without recursion and stopping once it exceeds ``limit``.

    Examples
    --------
    >>> depth({"a": [1, {"b": 2}]}, 10), depth(1.0, 10)
    (3, 0)
    """
    deepest = 0
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        value, level = stack.pop()
        if isinstance(value, Mapping):
            children: Any = value.values()
        elif isinstance(value, (list, tuple)):
            children = value
        else:
            continue
        level += 1
        deepest = max(deepest, level)
        if deepest > limit:
            break
        stack.extend((x, level) for x in children)
    return deepest


def check_depth(data: Any, path: str = "", limit: int = MAX_DEPTH) -> None:
    """Refuse ``data`` nested deeper than ``limit`` (:data:`MAX_DEPTH`) before any walk."""
    if depth(data, limit) > limit:
        raise _fail(path, f"tables and arrays nested deeper than {limit} levels")


def tag_key(base: type) -> str:
    """Key that names the concrete class in the data of an abstract ``base``."""
    return base.__name__.lower()


def subclasses(base: type) -> dict[str, type]:
    """Concrete dataclass subclasses of ``base`` by tag (lower-case class name)."""
    out: dict[str, type] = {}
    stack: list[type] = list(base.__subclasses__())
    while stack:
        cls = stack.pop(0)
        stack.extend(cls.__subclasses__())
        # dataclass(slots=True) makes a new class: the old one may linger among the
        # subclasses until collected, so keep only the class its module exports
        public = getattr(sys.modules.get(cls.__module__), cls.__qualname__, None) is cls
        if public and dataclasses.is_dataclass(cls) and not inspect.isabstract(cls):
            out.setdefault(cls.__name__.lower(), cls)
    return dict(sorted(out.items()))


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    hints = typing.get_type_hints(cls)
    return {f.name: hints[f.name] for f in dataclasses.fields(cls)}


def field_types(cls: type) -> dict[str, Any]:
    """Each dataclass field's type hint (``float | None`` for an optional bound)."""
    return dict(_hints(cls))


def options(tp: Any) -> tuple[Any, ...]:
    """The members of a union type (``(float, NoneType)``), or ``(tp,)``."""
    return _options(tp)


def _abstract_base(cls: type) -> type | None:
    for base in cls.__mro__[1:]:
        if inspect.isabstract(base):
            return base
    return None


def dump(obj: Any) -> Any:
    """Plain data of ``obj``: dataclasses to dicts (every field), tuples to lists.

    Examples
    --------
    >>> from dealsim.model.terms import DealTerms
    >>> dump(DealTerms(deemed_rate=0.05))["deemed_rate"]
    0.05
    """
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        out: dict[str, Any] = {}
        base = _abstract_base(type(obj))
        if base is not None:
            out[tag_key(base)] = type(obj).__name__.lower()
        for f in dataclasses.fields(obj):
            out[f.name] = dump(getattr(obj, f.name))
        return out
    if isinstance(obj, (tuple, list)):
        return [dump(x) for x in obj]
    if isinstance(obj, Mapping):
        return {str(k): dump(x) for k, x in obj.items()}
    if hasattr(obj, "item") and callable(obj.item):  # numpy scalars
        return obj.item()
    return obj


def _fail(path: str, message: str, error: type[DealsimError] = InvalidParameterError
          ) -> DealsimError:
    return error(f"{path}: {message}" if path else message)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _options(tp: Any) -> tuple[Any, ...]:
    origin = typing.get_origin(tp)
    if origin is Union or origin is types.UnionType:
        return typing.get_args(tp)
    return (tp,)


def load(tp: Any, data: Any, path: str = "") -> Any:
    """Build a value of type ``tp`` from plain ``data`` (the inverse of :func:`dump`).

    Raises
    ------
    UnknownNameError
        For an unknown key, naming its path and the nearest valid key.
    InvalidParameterError
        For a missing key or a value of the wrong kind (a string where a number is
        expected, a bool for an integer), and for any error of the class's own
        validation, each prefixed with the path of the field.

    Examples
    --------
    >>> from dealsim.model.terms import DealTerms
    >>> load(DealTerms, {"share_before": 0.5, "share_after": 0.2}).share_after
    0.2
    >>> load(DealTerms, {"share_befor": 0.5}, "terms")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    dealsim.errors.UnknownNameError: terms: unknown key 'share_befor'; did you mean ...
    """
    check_depth(data, path)  # iterative: the recursive walk below stays shallow
    return _load(tp, data, path)


def _load(tp: Any, data: Any, path: str) -> Any:
    opts = _options(tp)
    if data is None:
        if type(None) in opts:
            return None
        raise _fail(path, "must not be null")
    opts = tuple(o for o in opts if o is not type(None))
    if len(opts) != 1:  # not used by dealsim's value classes
        raise TypeError(f"cannot load a union of {opts}")
    (tp,) = opts
    origin = typing.get_origin(tp)
    if origin is Literal:
        allowed = typing.get_args(tp)
        if data not in allowed:
            raise _fail(path, f"must be one of {list(allowed)}; got {_short(data)}")
        return data
    if origin is tuple:
        if not isinstance(data, (list, tuple)):
            raise _fail(path, f"must be an array; got {_short(data)}")
        (item,) = (a for a in typing.get_args(tp) if a is not Ellipsis)
        return tuple(_load(item, x, f"{path}[{i}]") for i, x in enumerate(data))
    if isinstance(tp, type) and (dataclasses.is_dataclass(tp) or inspect.isabstract(tp)):
        return _load_class(tp, data, path)
    return _load_scalar(tp, data, path)


def _load_scalar(tp: Any, data: Any, path: str) -> Any:
    if tp is str:
        ok = isinstance(data, str)
        if ok and not unicode_ok(data):
            raise _fail(path, f"must be valid Unicode text (no lone surrogates); got "
                              f"{_short(data)}")
    elif tp is bool:
        ok = isinstance(data, bool)
    elif tp is int:
        ok = isinstance(data, int) and not isinstance(data, bool)
        if isinstance(data, float) and data.is_integer():  # 1e6 written as a float
            data, ok = int(data), True
    elif tp is float:
        ok = isinstance(data, (int, float)) and not isinstance(data, bool)
        try:
            ok = ok and math.isfinite(data)
        except OverflowError:  # an integer beyond float64 (10**400 written out in JSON)
            ok = False
    else:
        raise TypeError(f"no loader for {tp!r}")
    if not ok:
        kind = {float: "a finite number", int: "an integer"}.get(tp, tp.__name__)
        raise _fail(path, f"must be {kind}; got {_short(data)}")
    return data


def _load_class(cls: type, data: Any, path: str) -> Any:
    if not isinstance(data, Mapping):
        raise _fail(path, f"must be a table (object); got {_short(data)}")
    data = dict(data)
    if inspect.isabstract(cls):
        key = tag_key(cls)
        kinds = subclasses(cls)
        kind = data.pop(key, None)
        if kind not in kinds:
            hint = suggest(kind, kinds) if isinstance(kind, str) else ""
            raise _fail(path, f"{key} must be one of {list(kinds)}{hint}; got {_short(kind)}")
        cls = kinds[kind]
    elif (base := _abstract_base(cls)) is not None:
        kind = data.pop(tag_key(base), cls.__name__.lower())
        if kind != cls.__name__.lower():
            raise _fail(path, f"{tag_key(base)} must be {cls.__name__.lower()!r}; got "
                              f"{_short(kind)}")
    hints = _hints(cls)
    for key in data:
        if key not in hints:
            raise _fail(path, f"unknown key {key!r}{suggest(key, hints)} "
                              f"(allowed: {', '.join(sorted(hints))})", UnknownNameError)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    missing = [k for k, f in fields.items() if k not in data and f.default is dataclasses.MISSING
               and f.default_factory is dataclasses.MISSING]
    if missing:
        raise _fail(path, f"missing required key{'s' * (len(missing) > 1)} "
                          f"{', '.join(map(repr, missing))}")
    kwargs = {k: _load(hints[k], x, f"{path}.{k}" if path else k) for k, x in data.items()}
    try:
        return cls(**kwargs)
    except DealsimError as exc:
        raise type(exc)(f"{path}: {exc}" if path else str(exc)) from None


def schema(tp: Any, defs: dict[str, Any]) -> dict[str, Any]:
    """JSON Schema of the data :func:`load` accepts for ``tp``; classes go to ``defs``.

    Examples
    --------
    >>> from dealsim.model.terms import DealTerms
    >>> defs = {}
    >>> schema(DealTerms, defs)
    {'$ref': '#/$defs/DealTerms'}
    >>> defs["DealTerms"]["properties"]["reading"]
    {'enum': ['aggregate', 'scheduled']}
    """
    opts = _options(tp)
    if type(None) in opts:
        inner = [schema(o, defs) for o in opts if o is not type(None)]
        return {"anyOf": [*inner, {"type": "null"}]}
    origin = typing.get_origin(tp)
    if origin is Literal:
        return {"enum": list(typing.get_args(tp))}
    if origin is tuple:
        (item,) = (a for a in typing.get_args(tp) if a is not Ellipsis)
        return {"type": "array", "items": schema(item, defs)}
    simple = {str: "string", bool: "boolean", int: "integer", float: "number"}
    if tp in simple:
        return {"type": simple[tp]}
    name = tp.__name__
    if name not in defs:
        defs[name] = {}  # placeholder against recursion (Rounded.base is a Distribution)
        if inspect.isabstract(tp):
            defs[name] = {"oneOf": [schema(c, defs) for c in subclasses(tp).values()]}
        else:
            defs[name] = _class_schema(tp, defs)
    return {"$ref": f"#/$defs/{name}"}


def _class_schema(cls: type, defs: dict[str, Any]) -> dict[str, Any]:
    props: dict[str, Any] = {}
    required: list[str] = []
    base = _abstract_base(cls)
    if base is not None:
        props[tag_key(base)] = {"const": cls.__name__.lower()}
        required.append(tag_key(base))
    for f in dataclasses.fields(cls):
        props[f.name] = schema(_hints(cls)[f.name], defs)
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            required.append(f.name)
    doc = (inspect.getdoc(cls) or "").split("\n\n")[0].replace("\n", " ")
    return {"type": "object", "description": doc, "properties": props, "required": required,
            "additionalProperties": False}


def load_uncertainties(cls: Any, dist: type, data: Any, path: str = "uncertainties") -> Any:
    """Build ``cls`` (:class:`dealsim.Uncertainties`) from its ``to_dict`` data.

    ``dist`` is the abstract distribution class the marginals are loaded as.
    """
    if not isinstance(data, Mapping):
        raise _fail(path, f"must be a table (object); got {_short(data)}")
    check_depth(data, path)
    allowed = ("marginals", "correlation")
    for key in data:
        if key not in allowed:
            raise _fail(path, f"unknown key {key!r}{suggest(key, allowed)} "
                              f"(allowed: {', '.join(allowed)})", UnknownNameError)
    marginals = data.get("marginals")
    if not isinstance(marginals, Mapping):
        raise _fail(f"{path}.marginals", f"must be a table (object); got {_short(marginals)}")
    margs = {k: _load(dist, x, f"{path}.marginals.{k}") for k, x in marginals.items()}
    return cls(margs, correlation_pairs(data.get("correlation", []), f"{path}.correlation"))


def correlation_pairs(items: Any, path: str) -> dict[tuple[str, str], float]:
    """``[{"pair": [a, b], "rho": r}, ...]`` -> ``{(a, b): r}``, checking each entry."""
    if not isinstance(items, (list, tuple)):
        raise _fail(path, f"must be an array of {{pair, rho}} tables; got {_short(items)}")
    pairs: dict[tuple[str, str], float] = {}
    for i, item in enumerate(items):
        at = f"{path}[{i}]"
        if not isinstance(item, Mapping):
            raise _fail(at, f"must be a table (object); got {_short(item)}")
        for key in item:
            if key not in ("pair", "rho"):
                raise _fail(at, f"unknown key {key!r}{suggest(key, ('pair', 'rho'))} "
                                "(allowed: pair, rho)", UnknownNameError)
        pair = item.get("pair")
        if not (isinstance(pair, (list, tuple)) and len(pair) == 2
                and all(isinstance(p, str) for p in pair)):
            raise _fail(at, f"pair must be two uncertainty names; got {_short(pair)}")
        pairs[(pair[0], pair[1])] = load(float, item.get("rho"), f"{at}.rho")
    return pairs


def uncertainties_schema(dist: type, defs: dict[str, Any]) -> dict[str, Any]:
    """JSON Schema of :meth:`dealsim.Uncertainties.to_dict` data."""
    defs["Correlation"] = {
        "type": "array", "description": "Spearman rank correlations between named inputs",
        "items": {"type": "object", "additionalProperties": False, "required": ["pair", "rho"],
                  "properties": {"pair": {"type": "array", "items": {"type": "string"},
                                          "minItems": 2, "maxItems": 2},
                                 "rho": {"type": "number", "minimum": -1, "maximum": 1}}}}
    defs["Uncertainties"] = {
        "type": "object", "additionalProperties": False, "required": ["marginals"],
        "properties": {"marginals": {"type": "object", "minProperties": 1,
                                     "additionalProperties": schema(dist, defs)},
                       "correlation": {"$ref": "#/$defs/Correlation"}}}
    return {"$ref": "#/$defs/Uncertainties"}
