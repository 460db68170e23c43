"""Tests of the package's import surface: a light ``import dealsim``, lazy submodules,
the ``dealsim.montecarlo.uncertainty`` facade over its split modules, and data kept free of code.

The import-time budget (2.5x ``import numpy``) is measured in ``benchmarks/run.py``, not
here: timings in a test run are noise.
"""

from __future__ import annotations

import ast
import importlib
import json
import os
import pathlib
import subprocess
import sys

import pytest

import dealsim
import dealsim.montecarlo.uncertainty

SRC = pathlib.Path(dealsim.__file__).parent
HEAVY = ("scipy", "numba", "pandas", "matplotlib", "dask")


def _fresh(code: str) -> str:
    """Run ``code`` in a fresh interpreter with this dealsim first on the path."""
    env = dict(os.environ, PYTHONPATH=str(SRC.parent))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=env, check=True, timeout=120)
    return done.stdout.strip()


def test_import_dealsim_loads_no_heavy_dependency() -> None:
    out = _fresh(
        "import json, sys, dealsim\n"
        f"print(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r}))))"
    )
    assert json.loads(out) == []


def test_heavy_dependency_check_can_fail() -> None:
    # the same probe sees scipy once something imports it (so the test above can fail)
    out = _fresh(
        "import json, sys, dealsim, scipy.special\n"
        f"print(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r}))))"
    )
    assert json.loads(out) == ["scipy"]


def test_presets_reachable_after_import_dealsim() -> None:
    # issue 9 §6: `import dealsim; dealsim.presets.catalog()` raised AttributeError
    out = _fresh("import dealsim\nprint(sorted(dealsim.presets.catalog())[0])\n"
                 "print(type(dealsim.presets.ohio_gas_power()).__name__)")
    assert out.splitlines() == ["gas_tranche2", "Deal"]


@pytest.mark.parametrize("name, module", [
    ("presets", "dealsim.presets"), ("plot", "dealsim.analysis.plot"),
    ("io", "dealsim.interfaces.io"), ("cli", "dealsim.interfaces.cli"),
    ("scenario", "dealsim.interfaces.scenario"), ("streaming", "dealsim.montecarlo.streaming"),
    ("uncertainty", "dealsim.montecarlo.uncertainty")])
def test_public_namespaces_are_attributes(name: str, module: str) -> None:
    # (an ``import dealsim.plot`` elsewhere may leave the old-path namespace of
    # dealsim._compat in the attribute: it resolves to the same objects)
    real = importlib.import_module(module)
    names = getattr(real, "__all__", ())
    assert names and all(getattr(getattr(dealsim, name), n) is getattr(real, n) for n in names)
    assert name in dir(dealsim)


def test_every_public_name_resolves_in_a_fresh_interpreter() -> None:
    # names imported on first use (the portfolio's) resolve like the eager ones
    out = _fresh("import dealsim\n"
                 "missing = [n for n in dealsim.__all__ if getattr(dealsim, n, None) is None]\n"
                 "from dealsim import simulate_portfolio\n"
                 "print(missing, simulate_portfolio.__module__)")
    assert out == "[] dealsim.montecarlo.portfolio"


def test_unknown_attribute_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="has no attribute 'presetz'"):
        dealsim.presetz  # noqa: B018


# Every module-level name of dealsim/uncertainty.py before it was split (commit e7242bc).
_OLD_UNCERTAINTY_NAMES = (
    "FloatArray U_MIN U_MAX SAMPLERS STANDARD_NAMES _SOBOL_SCRAMBLE_KEY _MAX_BLOCK "
    "_SOBOL_MAX_POINTS _SOBOL_MAX_DIM as_seed_sequence _child sampler_uniforms _as_u _fmt "
    "Distribution _numeric_mean _UNSOURCED _LOG_MAX Fixed _bounds Uniform Normal LogNormal "
    "Triangular Pert LogStudentT Rounded PointMass NUSCALE_OVERRUN NUSCALE_OVERRUN_SOURCE "
    "ReferenceClass _sigma_from_share_over _FG _SOV25 _ALL_SIGMA _ASSUME REFERENCE_CLASSES "
    "TAILS _reference_class overrun_distribution Pair Uncertainties _DELAY_MEAN_SOURCE "
    "_DELAY_DEFAULT _DELAY_SIGMA _DELAY_MAX _delay_distribution default_uncertainties"
).split()


@pytest.mark.parametrize("name", _OLD_UNCERTAINTY_NAMES)
def test_uncertainty_facade_keeps_every_name(name: str) -> None:
    assert hasattr(dealsim.montecarlo.uncertainty, name)


def test_uncertainty_facade_is_the_split_modules() -> None:
    from dealsim.montecarlo import copula, distributions, reference_classes, sampling

    u = dealsim.montecarlo.uncertainty
    assert u.LogNormal is distributions.LogNormal
    assert u.Uncertainties is copula.Uncertainties
    assert u.REFERENCE_CLASSES is reference_classes.REFERENCE_CLASSES
    assert u.sampler_uniforms is sampling.sampler_uniforms
    assert set(u.__all__) <= set(dir(u))


def _dealsim_imports(path: pathlib.Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and (node.level or (node.module or "").startswith(
                "dealsim")):
            found.append(node.module or ".")
        elif isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.startswith("dealsim")]
    return found


def test_facts_module_imports_nothing_from_dealsim() -> None:
    # any layer may read the deal's figures without pulling dealsim.presets (which imports
    # the core): so _facts must import nothing from dealsim, not even inside functions
    assert _dealsim_imports(SRC / "common" / "facts.py") == []


def test_core_never_imports_presets() -> None:
    # only the presets themselves and the interfaces (scenario files, the CLI) name presets
    core = [p for p in SRC.rglob("*.py")
            if p.parent.name not in ("presets", "interfaces") and p.stem != "__init__"]
    offenders = {p.name: m for p in core for m in _dealsim_imports(p) if "presets" in m}
    assert offenders == {}
