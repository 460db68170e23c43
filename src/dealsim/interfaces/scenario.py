"""Scenarios: a deal, its uncertainties and run settings, in TOML, JSON or a Python dict.

One format for all three, published as a JSON Schema by :func:`schema` (and in the
repository as ``docs/scenario.schema.json``). Files are read with the standard library's
:mod:`tomllib` or :mod:`json` (:func:`load_scenario`), data with :func:`from_dict`;
nothing is evaluated or unpickled, and every value is checked. An error names the file
(or ``source``), the table and the key; an unknown key or uncertainty name gets the
nearest valid one::

    ohio.toml: [uncertainties.overrun] sigma must be finite and > 0; got -1
    request: [uncertainties.overun] 'overun' is not an input of the model; did you mean
    'overrun'? (valid: overrun, delay, ...)

Schema (every table but ``[deal]`` is optional)::

    [deal]
    preset = "ohio_gas_power"     # a deal preset: `dealsim presets` lists them
    name = "Ohio, high price"     # label (default: the preset's)
    discount_rate = 0.06          # default: the deemed rate in force

    [deal.options]                # keyword arguments of the preset (numbers, strings)
    power_price = 95.0

    [deal.terms]                  # fields of dealsim.DealTerms to replace
    deemed_rate = 0.055

    [simulation]                  # command-line flags override these
    n = 100000
    seed = 2025
    sampler = "random"            # "random", "lhs" or "sobol"
    within_years = 20

    [uncertainties]               # default_uncertainties(reference_class), then:
    reference_class = "fossil_thermal"   # default: the project's

    [uncertainties.overrun]       # replace or add one uncertainty by name
    distribution = "lognormal"    # see DISTRIBUTIONS; the other keys are its parameters
    median = 1.1
    sigma = 0.3
    source = "assumption: ..."

    [uncertainties.delay]         # nested distributions are inline tables
    distribution = "rounded"
    base = { distribution = "lognormal", median = 1.5, sigma = 0.8 }
    low = 0
    high = 10

    [[correlation]]               # if present, replaces the default correlation
    pair = ["overrun", "delay"]
    rho = 0.6

``[deal]`` may instead be a whole deal, as :meth:`dealsim.Deal.to_dict` writes it
(``project``, ``terms``, ``fees``, ...). An optional top-level ``schema_version = 1`` pins
the format. ``examples/*.toml`` holds one file per deal preset.
"""

from __future__ import annotations

import dataclasses
import inspect
import json
import math
import os
import stat
import tomllib
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dealsim.common import names as _names
from dealsim.common import serial as _serial
from dealsim.common import validate as _validate
from dealsim.errors import DealsimError, InvalidParameterError
from dealsim.model.deal import Deal
from dealsim.model.terms import DealTerms
from dealsim.montecarlo import distributions as _dist
from dealsim.montecarlo.distributions import Distribution, LogNormal
from dealsim.montecarlo.uncertainty import (
    REFERENCE_CLASSES,
    SAMPLERS,
    Uncertainties,
    default_uncertainties,
)

__all__ = [
    "DISTRIBUTIONS",
    "SCHEMA_VERSION",
    "Scenario",
    "ScenarioError",
    "deal_presets",
    "from_dict",
    "load_scenario",
    "schema",
]

#: Version of the scenario format described by :func:`schema`.
SCHEMA_VERSION = 1
#: Deepest nesting of tables a scenario may have (``[uncertainties.delay]`` with an inline
#: ``base`` is 4); deeper documents are refused before they are walked.
MAX_DEPTH = 8

#: Largest scenario file :func:`load_scenario` reads (16 MiB; the examples are about
#: 1 KiB): anything larger is refused before it is read.
MAX_FILE_BYTES = 16 * 2**20

#: Names accepted by ``distribution = ...`` and the class each one builds: every
#: distribution of :mod:`dealsim.montecarlo.distributions`, by its class name in lower
#: case; the other keys of the table are the class's fields (``lognormal`` also takes
#: ``mean`` instead of ``median``).
DISTRIBUTIONS: dict[str, type[Distribution]] = {
    name.lower(): getattr(_dist, name) for name in _dist.__all__ if name != "Distribution"
}

_TOP = {"schema_version", "deal", "simulation", "uncertainties", "correlation"}
_DEAL = {"preset", "name", "discount_rate", "options", "terms"}
#: ``[simulation]``: each key's JSON Schema, which :func:`from_dict` checks by
#: :func:`_check_simple` and :func:`schema` publishes as is (one source for both). An
#: integer may be written as a whole float (``n = 1e6``, ``seed = 1.0``), as JSON Schema's
#: "integer" allows.
_SIMULATION: dict[str, dict[str, Any]] = {
    "n": {"type": "integer", "minimum": 1},
    "seed": {"type": "integer", "minimum": 0},
    "sampler": {"enum": list(SAMPLERS)},
    "within_years": {"type": "integer", "minimum": 1},
}


class ScenarioError(InvalidParameterError):
    """A scenario file is missing, is not TOML, or holds an invalid key or value."""


@dataclass(frozen=True, slots=True)
class Scenario:
    """A validated scenario file.

    Attributes
    ----------
    path : Path or None
        The file it was read from (``None`` for :func:`from_dict`).
    deal : Deal
    uncertainties : Uncertainties
    simulation : dict
        The ``[simulation]`` settings present in the file (``n``, ``seed``,
        ``sampler``, ``within_years``).
    """

    path: Path | None
    deal: Deal
    uncertainties: Uncertainties
    simulation: dict[str, Any]


@dataclass(frozen=True, slots=True)
class _LocalPreset:
    """Stand-in for ``dealsim.presets.Preset`` when the catalog is not available."""

    name: str
    build: Callable[..., Deal]
    kind: str = "deal"

    @property
    def description(self) -> str:
        return (self.build.__doc__ or "").strip().splitlines()[0]

    def describe(self) -> str:
        deal = self.build()
        lines = [f"{self.name} ({self.kind}): {self.description}", "sources:"]
        lines += [f"  - {s}" for s in deal.project.sources + deal.sources]
        lines += ["assumptions:"] + [f"  - {a}" for a in deal.project.assumptions]
        return "\n".join(lines)


def deal_presets() -> dict[str, Any]:
    """Every preset by name: ``dealsim.presets.catalog()`` where it exists.

    Each value has ``.name``, ``.kind`` (``"deal"`` for the ones a scenario can use),
    ``.description``, ``.describe()`` and ``.build(**options)``.

    Examples
    --------
    >>> deal_presets()["ohio_gas_power"].kind
    'deal'
    """
    from dealsim import presets

    catalog = getattr(presets, "catalog", None)
    if catalog is not None:
        return dict(catalog())
    return {"ohio_gas_power": _LocalPreset("ohio_gas_power", presets.ohio_gas_power)}


def _fail(where: str, message: str) -> ScenarioError:
    return ScenarioError(f"{where} {message}")


def _table(where: str, key: str, value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _fail(where, f"{key} must be a table; got {value!r}")
    return value


def _keys(where: str, table: Mapping[str, Any], allowed: set[str]) -> None:
    for key in table:
        if key not in allowed:
            raise ScenarioError(f"{where} unknown key {key!r}{_names.suggest(key, allowed)}; "
                                f"allowed: {sorted(allowed)}")


def _scalar(where: str, key: str, value: Any, kind: type) -> Any:
    ok = isinstance(value, kind) and not isinstance(value, bool)
    if kind is float:
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        try:
            ok = ok and math.isfinite(value)
        except OverflowError:  # an integer beyond float64, 1e400 written out
            ok = False
    if ok and kind is str and not _validate.unicode_ok(value):
        raise _fail(where, f"{key} must be valid Unicode text (no lone surrogates); got "
                           f"{_short(value)}")
    if not ok:
        raise _fail(where, f"{key} must be {'a finite number' if kind is float else kind.__name__}"
                    f"; got {_short(value)}")
    return value


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _check_simple(where: str, key: str, value: Any, spec: Mapping[str, Any]) -> Any:
    """``value`` checked against a flat JSON Schema ``spec`` (``type`` integer/number/string
    with ``minimum``/``maximum``, or ``enum``): the same rule the schema publishes."""
    if "enum" in spec:
        if isinstance(value, bool) or value not in spec["enum"] or (
                type(value) is not type(spec["enum"][0])):
            raise _fail(where, f"{key} must be one of {spec['enum']}; got {_short(value)}")
        return value
    kind = spec["type"]
    if kind == "integer":
        if isinstance(value, float) and math.isfinite(value) and value.is_integer():
            value = int(value)  # n = 1e6, as JSON Schema's integer allows
        if not isinstance(value, int) or isinstance(value, bool):
            raise _fail(where, f"{key} must be an integer; got {_short(value)}")
    else:
        value = _scalar(where, key, value, {"number": float, "string": str}[kind])
    if "minimum" in spec and value < spec["minimum"]:
        raise _fail(where, f"{key} must be >= {spec['minimum']}; got {_short(value)}")
    if "maximum" in spec and value > spec["maximum"]:
        raise _fail(where, f"{key} must be <= {spec['maximum']}; got {_short(value)}")
    return value


def _distribution(where: str, spec: Any) -> Distribution:
    spec = dict(_table(where, "an uncertainty", spec))
    kind = spec.pop("distribution", None)
    if kind not in DISTRIBUTIONS:
        raise _fail(where, f"distribution must be one of {sorted(DISTRIBUTIONS)}; got {kind!r}")
    cls = DISTRIBUTIONS[kind]
    fields = {f.name: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    allowed = set(fields) | ({"mean"} if cls is LogNormal else set())
    _keys(where, spec, allowed)
    hints = dict(_serial.field_types(cls), mean=float)
    args: dict[str, Any] = {}
    for key, value in spec.items():  # by the field's type, as the schema describes it
        options = _serial.options(hints[key])
        if value is None and type(None) in options:  # an optional bound given as null
            args[key] = None
            continue
        (tp,) = (o for o in options if o is not type(None))
        if tp is Distribution:
            args[key] = _distribution(f"{where[:-1]}.{key}]", value)
        else:
            args[key] = _scalar(where, key, value, tp)
    try:
        if cls is LogNormal and "mean" in args:
            if "median" in args:
                raise InvalidParameterError("give median or mean, not both")
            return LogNormal.from_mean(args.pop("mean"), **args)
        return cls(**args)
    except TypeError as exc:  # a missing parameter
        required = [k for k, f in fields.items() if f.default is dataclasses.MISSING
                    and f.default_factory is dataclasses.MISSING]
        raise _fail(where, f"{kind} needs {required}; got {sorted(spec)}") from exc
    except DealsimError as exc:
        raise _fail(where, str(exc)) from exc


def _preset_options(builder: Callable[..., Deal]) -> dict[str, Any]:
    """The preset's keyword arguments (but ``terms``) and their types."""
    hints = typing.get_type_hints(builder)
    return {k: hints.get(k, Any) for k in inspect.signature(builder).parameters if k != "terms"}


def _deal(where: str, spec: dict[str, Any]) -> Deal:
    if "preset" not in spec and "project" in spec:  # a whole deal, as Deal.to_dict() writes
        try:
            return _serial.load(Deal, spec, "deal")  # type: ignore[no-any-return]
        except DealsimError as exc:
            raise ScenarioError(f"{where.split(':')[0]}: {exc}") from None
    _keys(where, spec, _DEAL)
    presets = deal_presets()
    name = spec.get("preset")
    deals = sorted(k for k, p in presets.items() if p.kind == "deal")
    if name not in deals:
        hint = _names.suggest(name, deals) if isinstance(name, str) else ""
        raise _fail(where, f"preset must be one of {deals}{hint}; got {name!r}")
    builder = presets[name].build
    at_options = f"{where[:-1]}.options]"
    options = _table(where, "options", spec.get("options", {}))
    params = _preset_options(builder)
    _keys(at_options, options, set(params))
    try:  # power_price = 95 means 95.0; "95", true and [1] are refused
        options = {k: float(x) if params[k] is float and type(x) is int
                   else (x if params[k] is Any else _serial.load(params[k], x, k))
                   for k, x in options.items()}
    except DealsimError as exc:
        raise _fail(at_options, str(exc).replace(": must", " must", 1)) from None
    terms = _table(where, "terms", spec.get("terms", {}))
    term_types = {k: tp for k, tp in _serial.field_types(DealTerms).items() if k != "sources"}
    _keys(f"{where[:-1]}.terms]", terms, set(term_types))
    try:  # each value of the type the schema gives it, before the class's own checks
        terms = {k: _serial.load(term_types[k], x, k) for k, x in terms.items()}
    except DealsimError as exc:
        raise _fail(f"{where[:-1]}.terms]", str(exc).replace(": must", " must", 1)) from None
    try:
        deal = builder(**options)
    except DealsimError as exc:
        raise _fail(at_options, str(exc)) from exc
    try:
        changes: dict[str, Any] = {"terms": dataclasses.replace(deal.terms, **terms)}
    except DealsimError as exc:
        raise _fail(f"{where[:-1]}.terms]", str(exc)) from exc
    deal_types = _serial.field_types(Deal)
    for key in ("name", "discount_rate"):  # of Deal's field types (discount_rate may be null)
        if key in spec:
            try:
                changes[key] = _serial.load(deal_types[key], spec[key], key)
            except DealsimError as exc:
                raise _fail(where, str(exc).replace(": must", " must", 1)) from None
    try:
        return dataclasses.replace(deal, **changes)
    except DealsimError as exc:
        raise _fail(where, str(exc)) from exc


def _uncertainties(file: str, deal: Deal, spec: dict[str, Any],
                   correlation: Any) -> Uncertainties:
    where = f"{file}: [uncertainties]"
    spec = dict(spec)
    rc = spec.pop("reference_class", deal.project.reference_class or "all_electricity")
    for name in spec:  # before the tables: [uncertainties.overun] names no model input
        if name not in _names.STANDARD_NAMES:
            raise _fail(f"{file}: [uncertainties.{name}]",
                        f"{name!r} is not an input of the model"
                        f"{_names.suggest(name, _names.STANDARD_NAMES)} (valid: "
                        f"{', '.join(_names.STANDARD_NAMES)}, reference_class)")
    overrides = {name: _distribution(f"{file}: [uncertainties.{name}]", table)
                 for name, table in spec.items()}
    pairs = None
    if correlation is not None:
        if not isinstance(correlation, list):
            raise _fail(f"{file}:", f"correlation must be an array of tables ([[correlation]])"
                        f"; got {correlation!r}")
        pairs = {}
        for i, item in enumerate(correlation):
            at = f"{file}: [[correlation]] #{i + 1}"
            item = _table(at, "an entry", item)
            _keys(at, item, {"pair", "rho"})
            pair = item.get("pair")
            if not (isinstance(pair, list) and len(pair) == 2
                    and all(isinstance(p, str) for p in pair)):
                raise _fail(at, f"pair must be two uncertainty names; got {pair!r}")
            pairs[(pair[0], pair[1])] = _scalar(at, "rho", item.get("rho"), float)
    rc = _scalar(where, "reference_class", rc, str)
    if rc not in REFERENCE_CLASSES:
        raise _fail(where, f"reference_class must be one of {sorted(REFERENCE_CLASSES)}"
                           f"{_names.suggest(rc, REFERENCE_CLASSES)}; got {rc!r}")
    try:
        return default_uncertainties(rc, correlation=pairs, **overrides)
    except DealsimError as exc:
        raise _fail(where if pairs is None else f"{file}: [[correlation]]", str(exc)) from exc


def _depth(doc: Any, limit: int, level: int = 0) -> int:
    """Nesting depth of tables and arrays, stopping past ``limit`` (no deep recursion)."""
    if level > limit:
        return level
    if isinstance(doc, Mapping):
        return max((_depth(x, limit, level + 1) for x in doc.values()), default=level + 1)
    if isinstance(doc, list):
        return max((_depth(x, limit, level + 1) for x in doc), default=level + 1)
    return level


def from_dict(doc: Mapping[str, Any], *, source: str = "scenario") -> Scenario:
    """Validate a scenario given as plain data (parsed TOML or JSON, or a Python dict).

    The format is the one of the scenario files (module docstring) and of :func:`schema`;
    ``[deal]`` may also be a whole deal as :meth:`dealsim.Deal.to_dict` writes it.

    Parameters
    ----------
    doc : mapping
    source : str
        How errors name the document (a file name, ``"request"``).

    Returns
    -------
    Scenario
        With ``path=None``.

    Raises
    ------
    ScenarioError
        Naming ``source``, the table and the key; unknown keys and uncertainty names
        suggest the nearest valid one.

    Examples
    --------
    >>> s = from_dict({"deal": {"preset": "ohio_gas_power"}, "simulation": {"n": 500}})
    >>> s.simulation
    {'n': 500}
    >>> from_dict({"deal": {"preset": "ohio_gas_power"},
    ...            "uncertainties": {"overun": {}}})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    dealsim.interfaces.scenario.ScenarioError: scenario: [uncertainties.overun] 'overun' is ...
    """
    file = source
    if not isinstance(doc, Mapping):
        raise ScenarioError(f"{file}: a scenario must be a table (object); got {type(doc)}")
    if _depth(doc, MAX_DEPTH) > MAX_DEPTH:
        raise ScenarioError(f"{file}: tables nested deeper than {MAX_DEPTH} levels")
    _keys(f"{file}:", doc, _TOP)
    version = doc.get("schema_version", SCHEMA_VERSION)
    if version != SCHEMA_VERSION or isinstance(version, bool):
        raise _fail(f"{file}:", f"schema_version must be {SCHEMA_VERSION}; got {version!r}")
    if "deal" not in doc:
        raise _fail(f"{file}:", "a [deal] table with a preset is required")
    deal = _deal(f"{file}: [deal]", dict(_table(f"{file}:", "deal", doc["deal"])))
    sim = dict(_table(f"{file}:", "simulation", doc.get("simulation", {})))
    _keys(f"{file}: [simulation]", sim, set(_SIMULATION))
    for key, value in sim.items():
        sim[key] = _check_simple(f"{file}: [simulation]", key, value, _SIMULATION[key])
    unc = _uncertainties(file, deal, dict(_table(f"{file}:", "uncertainties",
                                                 doc.get("uncertainties", {}))),
                         doc.get("correlation"))
    return Scenario(None, deal, unc, sim)


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario file (schema in the module docstring).

    Parameters
    ----------
    path : str or Path
        A ``.toml`` file, or a ``.json`` file of the same structure (:func:`schema`).

    Returns
    -------
    Scenario

    Raises
    ------
    ScenarioError
        If the file is missing, not a regular file (a FIFO, ``/dev/zero``), larger than
        :data:`MAX_FILE_BYTES`, not UTF-8 or not TOML/JSON, or a key or value is
        invalid; the message names the file, the table and the key.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "s.toml"
    >>> _ = p.write_text('[deal]\\npreset = "ohio_gas_power"\\n[simulation]\\nn = 500\\n')
    >>> s = load_scenario(p)
    >>> s.deal.project.capacity, s.simulation
    (9200.0, {'n': 500})
    """
    p = Path(path)
    file = p.name
    try:
        text = _read_limited(p, file).decode("utf-8")
    except ValueError as exc:  # a NUL in the path (UnicodeDecodeError is handled below)
        if isinstance(exc, ScenarioError):
            raise
        if isinstance(exc, UnicodeDecodeError):
            line = exc.object.count(b"\n", 0, exc.start) + 1
            raise ScenarioError(f"{file}: not UTF-8 text (line {line}: byte "
                                f"{exc.object[exc.start:exc.start + 1]!r})") from None
        raise ScenarioError(f"{str(path)[:120]!r}: not a usable path ({exc})") from None
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise ScenarioError(f"{path}: cannot read the scenario file ({reason})") from None
    try:
        if p.suffix == ".json":
            doc = json.loads(text, parse_constant=_no_constant)
        else:
            doc = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, json.JSONDecodeError, ValueError) as exc:
        kind = "JSON" if p.suffix == ".json" else "TOML"
        raise ScenarioError(f"{file}: not valid {kind}: {exc}") from None
    except RecursionError:
        raise ScenarioError(f"{file}: tables nested too deeply") from None
    return dataclasses.replace(from_dict(doc, source=file), path=p)


def _read_limited(p: Path, file: str) -> bytes:
    """The bytes of a regular file of at most :data:`MAX_FILE_BYTES`, checked on the open
    handle before reading (a FIFO is opened without blocking, ``/dev/zero`` never read)."""
    fd = os.open(p, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    with os.fdopen(fd, "rb") as f:
        st = os.fstat(f.fileno())
        if not stat.S_ISREG(st.st_mode):
            raise ScenarioError(f"{file}: not a regular file (a device, FIFO, socket or "
                                "directory); a scenario is a .toml or .json file")
        if st.st_size > MAX_FILE_BYTES:
            raise ScenarioError(f"{file}: {st.st_size:,} bytes, more than a scenario may "
                                f"have ({MAX_FILE_BYTES // 2**20} MiB)")
        data = f.read(MAX_FILE_BYTES + 1)  # a file growing meanwhile stops here
    if len(data) > MAX_FILE_BYTES:
        raise ScenarioError(f"{file}: more than a scenario may have "
                            f"({MAX_FILE_BYTES // 2**20} MiB)")
    return data


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number in a scenario")


def schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a scenario, as TOML, JSON or a Python dict.

    It is generated from the same field tables that :func:`from_dict` checks against
    (the value classes' fields, the presets' keyword arguments, the standard uncertainty
    names), and written to ``docs/scenario.schema.json`` in the repository (``dealsim
    schema`` prints it). A service can validate a request with it (e.g. with the
    ``jsonschema`` package) before it calls dealsim; dealsim itself does not need
    ``jsonschema``. Ranges (``capex > 0``) are checked by the classes, not the schema;
    otherwise a document passes the schema exactly when :func:`from_dict` accepts it
    (``tests/test_schema_agrees.py`` holds this as a hypothesis property). Integers may
    be written as whole floats (``20.0``), as the schema's "integer" allows; strings
    must be valid Unicode (no lone surrogates, which no schema keyword excludes).

    Examples
    --------
    >>> s = schema()
    >>> s["required"], sorted(s["properties"]["simulation"]["properties"])
    (['deal'], ['n', 'sampler', 'seed', 'within_years'])
    """
    defs: dict[str, Any] = {}
    dist = _serial.schema(Distribution, defs)
    lognormal = defs["LogNormal"]
    lognormal["properties"]["mean"] = {"type": "number",
                                       "description": "instead of median (scenario files)"}
    lognormal["required"] = [k for k in lognormal["required"] if k != "median"]
    lognormal["oneOf"] = [{"required": ["median"]}, {"required": ["mean"]}]
    full_deal = _serial.schema(Deal, defs)
    deal_types = _serial.field_types(Deal)
    presets = deal_presets()
    names = sorted(k for k, p in presets.items() if p.kind == "deal")
    _serial.schema(DealTerms, defs)
    term_props = {k: v for k, v in defs["DealTerms"]["properties"].items() if k != "sources"}
    rules = []
    for name in names:
        opts = {k: ({} if tp is Any else _serial.schema(tp, defs))
                for k, tp in _preset_options(presets[name].build).items()}
        rules.append({"if": {"properties": {"preset": {"const": name}}},
                      "then": {"properties": {"options": {
                          "type": "object", "properties": opts,
                          "additionalProperties": False}}}})
    defs["PresetDeal"] = {
        "type": "object", "additionalProperties": False, "required": ["preset"],
        "description": "A deal preset (`dealsim presets`), its options and terms replaced",
        "properties": {
            "preset": {"enum": names},
            "name": _serial.schema(deal_types["name"], defs),
            "discount_rate": _serial.schema(deal_types["discount_rate"], defs),
            "options": {"type": "object"},
            "terms": {"type": "object", "properties": term_props,
                      "additionalProperties": False}},
        "allOf": rules}
    unc_props: dict[str, Any] = {"reference_class": {"enum": sorted(REFERENCE_CLASSES)}}
    unc_props.update({k: dist for k in _names.STANDARD_NAMES})
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "dealsim scenario",
        "description": "A deal, its uncertainties and run settings (dealsim.scenario).",
        "type": "object",
        "additionalProperties": False,
        "required": ["deal"],
        "properties": {
            "schema_version": {"const": SCHEMA_VERSION},
            "deal": {"oneOf": [{"$ref": "#/$defs/PresetDeal"}, full_deal]},
            "simulation": {"type": "object", "additionalProperties": False,
                           "properties": {k: dict(v) for k, v in _SIMULATION.items()}},
            "uncertainties": {"type": "object", "additionalProperties": False,
                              "properties": unc_props},
            "correlation": {"anyOf": [{"type": "null"}, {"type": "array", "items": {
                "type": "object", "additionalProperties": False, "required": ["pair", "rho"],
                "properties": {"pair": {"type": "array", "minItems": 2, "maxItems": 2,
                                        "items": {"enum": list(_names.STANDARD_NAMES)}},
                               "rho": {"type": "number", "minimum": -1, "maximum": 1}}}}],
                            "description": "null or absent: the default correlation"},
        },
        "$defs": dict(sorted(defs.items())),
    }
