"""Scenario files: a deal, its uncertainties and run settings in TOML.

Read with the standard library's :mod:`tomllib`; nothing in the file is evaluated or
unpickled, and every value is checked. An error names the file, the table and the key::

    ohio.toml: [uncertainties.overrun] sigma must be finite and > 0; got -1

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

``examples/*.toml`` holds one file per deal preset.
"""

from __future__ import annotations

import dataclasses
import inspect
import math
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .deal import Deal
from .errors import DealsimError, InvalidParameterError
from .terms import DealTerms
from .uncertainty import (
    REFERENCE_CLASSES,
    SAMPLERS,
    Distribution,
    Fixed,
    LogNormal,
    LogStudentT,
    Normal,
    Pert,
    PointMass,
    Rounded,
    Triangular,
    Uncertainties,
    Uniform,
    default_uncertainties,
)

__all__ = ["DISTRIBUTIONS", "Scenario", "ScenarioError", "deal_presets", "load_scenario"]

#: Names accepted by ``distribution = ...`` and the class each one builds; the other
#: keys of the table are the class's fields (``lognormal`` also takes ``mean`` instead
#: of ``median``).
DISTRIBUTIONS: dict[str, type[Distribution]] = {
    "fixed": Fixed, "uniform": Uniform, "normal": Normal, "lognormal": LogNormal,
    "triangular": Triangular, "pert": Pert, "logstudentt": LogStudentT,
    "rounded": Rounded, "pointmass": PointMass,
}

_TOP = {"deal", "simulation", "uncertainties", "correlation"}
_DEAL = {"preset", "name", "discount_rate", "options", "terms"}
_SIMULATION = {"n": int, "seed": int, "sampler": str, "within_years": int}


class ScenarioError(InvalidParameterError):
    """A scenario file is missing, is not TOML, or holds an invalid key or value."""


@dataclass(frozen=True, slots=True)
class Scenario:
    """A validated scenario file.

    Attributes
    ----------
    path : Path
    deal : Deal
    uncertainties : Uncertainties
    simulation : dict
        The ``[simulation]`` settings present in the file (``n``, ``seed``,
        ``sampler``, ``within_years``).
    """

    path: Path
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
    from . import presets

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
            raise _fail(where, f"unknown key {key!r}; allowed: {sorted(allowed)}")


def _scalar(where: str, key: str, value: Any, kind: type) -> Any:
    ok = isinstance(value, kind) and not isinstance(value, bool)
    if kind is float:
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        ok = ok and math.isfinite(value)
    if not ok:
        raise _fail(where, f"{key} must be {'a finite number' if kind is float else kind.__name__}"
                    f"; got {value!r}")
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
    args: dict[str, Any] = {}
    for key, value in spec.items():
        if key == "source":
            args[key] = _scalar(where, key, value, str)
        elif key in ("base", "below"):
            args[key] = _distribution(f"{where[:-1]}.{key}]", value)
        else:
            args[key] = _scalar(where, key, value, float)
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


def _deal(where: str, spec: dict[str, Any]) -> Deal:
    _keys(where, spec, _DEAL)
    presets = deal_presets()
    name = spec.get("preset")
    deals = sorted(k for k, p in presets.items() if p.kind == "deal")
    if name not in deals:
        raise _fail(where, f"preset must be one of {deals}; got {name!r}")
    builder = presets[name].build
    options = _table(where, "options", spec.get("options", {}))
    params = dict(inspect.signature(builder).parameters)
    params.pop("terms", None)
    _keys(f"{where[:-1]}.options]", options, set(params))
    options = {k: float(x) if isinstance(params[k].default, float) and type(x) is int else x
               for k, x in options.items()}  # power_price = 95 means 95.0
    terms = _table(where, "terms", spec.get("terms", {}))
    term_fields = {f.name for f in dataclasses.fields(DealTerms)} - {"sources"}
    _keys(f"{where[:-1]}.terms]", terms, term_fields)
    try:
        deal = builder(**options)
    except DealsimError as exc:
        raise _fail(f"{where[:-1]}.options]", str(exc)) from exc
    try:
        changes: dict[str, Any] = {"terms": dataclasses.replace(deal.terms, **terms)}
    except DealsimError as exc:
        raise _fail(f"{where[:-1]}.terms]", str(exc)) from exc
    if "name" in spec:
        changes["name"] = _scalar(where, "name", spec["name"], str)
    if "discount_rate" in spec:
        changes["discount_rate"] = _scalar(where, "discount_rate", spec["discount_rate"], float)
    try:
        return dataclasses.replace(deal, **changes)
    except DealsimError as exc:
        raise _fail(where, str(exc)) from exc


def _uncertainties(file: str, deal: Deal, spec: dict[str, Any],
                   correlation: Any) -> Uncertainties:
    where = f"{file}: [uncertainties]"
    spec = dict(spec)
    rc = spec.pop("reference_class", deal.project.reference_class or "all_electricity")
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
        raise _fail(where, f"reference_class must be one of {sorted(REFERENCE_CLASSES)}; "
                           f"got {rc!r}")
    try:
        return default_uncertainties(rc, correlation=pairs, **overrides)
    except DealsimError as exc:
        raise _fail(where if pairs is None else f"{file}: [[correlation]]", str(exc)) from exc


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario file (schema in the module docstring).

    Parameters
    ----------
    path : str or Path
        A ``.toml`` file.

    Returns
    -------
    Scenario

    Raises
    ------
    ScenarioError
        If the file is missing or not TOML, or a key or value is invalid; the message
        names the file, the table and the key.

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
        doc = tomllib.loads(p.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ScenarioError(f"{path}: cannot read the scenario file ({exc.strerror})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{file}: not valid TOML: {exc}") from exc
    _keys(f"{file}:", doc, _TOP)
    if "deal" not in doc:
        raise _fail(f"{file}:", "a [deal] table with a preset is required")
    deal = _deal(f"{file}: [deal]", _table(f"{file}:", "deal", doc["deal"]))
    sim = _table(f"{file}:", "simulation", doc.get("simulation", {}))
    _keys(f"{file}: [simulation]", sim, set(_SIMULATION))
    for key, value in sim.items():
        if key == "n" and isinstance(value, float) and value.is_integer():
            sim[key] = value = int(value)  # n = 1e6
        _scalar(f"{file}: [simulation]", key, value, _SIMULATION[key])
        if key != "sampler" and value < (0 if key == "seed" else 1):
            raise _fail(f"{file}: [simulation]",
                        f"{key} must be >= {0 if key == 'seed' else 1}; got {value!r}")
    if "sampler" in sim and sim["sampler"] not in SAMPLERS:
        raise _fail(f"{file}: [simulation]",
                    f"sampler must be one of {list(SAMPLERS)}; got {sim['sampler']!r}")
    unc = _uncertainties(file, deal, _table(f"{file}:", "uncertainties",
                                            doc.get("uncertainties", {})),
                         doc.get("correlation"))
    return Scenario(p, deal, unc, dict(sim))
