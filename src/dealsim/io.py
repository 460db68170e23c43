"""Saving results: per-scenario arrays to ``.npz`` (numpy) or ``.parquet`` (pyarrow).

``.npz`` files hold plain arrays (no pickled objects) and load back into a
:class:`dealsim.SimulationResult` with :func:`load`; tornado bars are not stored.
A :class:`dealsim.streaming.StreamingSummary` saves its moments, event counts and
histograms to ``.npz``.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import numpy as np

from .errors import InvalidParameterError
from .results import _ARRAYS, SimulationResult
from .streaming import StreamingSummary

__all__ = ["FORMATS", "check_path", "load", "save"]

#: File suffixes :func:`save` writes.
FORMATS = (".npz", ".parquet")
_META = ("title", "seed", "sampler", "first_year", "within_years", "backend")


def check_path(path: str | Path, *, streaming: bool = False, name: str = "path") -> Path:
    """Check that :func:`save` can write ``path`` here, before a long run.

    Raises
    ------
    InvalidParameterError
        Naming ``name`` if the directory does not exist, if the suffix is not in
        :data:`FORMATS`, if ``.parquet`` is
        asked without pyarrow, or for streaming statistics (``.npz`` only).
    """
    p = Path(path)
    if not p.parent.is_dir():
        raise InvalidParameterError(
            f"{name}: directory {str(p.parent)!r} does not exist; got {str(path)!r}")
    if p.suffix not in FORMATS:
        raise InvalidParameterError(f"{name} must end in {' or '.join(FORMATS)}; got {str(path)!r}")
    if p.suffix == ".parquet":
        if streaming:
            raise InvalidParameterError(
                f"{name}: streaming runs keep statistics, not per-scenario rows; write .npz; "
                f"got {str(path)!r}")
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            raise InvalidParameterError(
                f"{name}={str(path)!r} needs pyarrow: pip install 'dealsim[io]' "
                "(or write .npz)") from None
    return p


def save(result: SimulationResult | StreamingSummary, path: str | Path) -> Path:
    """Write a result to ``path`` (``.npz`` or ``.parquet``, by suffix).

    Parameters
    ----------
    result : SimulationResult or StreamingSummary
    path : str or Path

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    InvalidParameterError
        See :func:`check_path`.

    Examples
    --------
    >>> import tempfile, dealsim
    >>> from dealsim.presets import ohio_gas_power
    >>> r = dealsim.simulate(ohio_gas_power(), 50, seed=1)
    >>> p = save(r, tempfile.mkdtemp() + "/r.npz")
    >>> bool((load(p).investor_npv == r.investor_npv).all())
    True
    """
    p = check_path(path, streaming=isinstance(result, StreamingSummary))
    arrays: dict[str, Any] = {k: np.asarray(getattr(result, k, "")) for k in _META}
    if isinstance(result, StreamingSummary):
        arrays.update({"n": np.asarray(result.n), "recovered": result.recovered})
        for name, m in result.moments.items():
            arrays[f"moments:{name}"] = np.array(dataclasses.astuple(m), dtype=np.float64)
            arrays[f"edges:{name}"] = result.edges[name]
            arrays[f"counts:{name}"] = result.counts[name]
        arrays.update({f"event:{k}": np.asarray(c) for k, c in result.events.items()})
    elif p.suffix == ".npz":
        arrays.update({name: getattr(result, name) for name in _ARRAYS})
        arrays.update({"in:" + k: x for k, x in result.inputs.items()})
        arrays.update({"path:" + k: x for k, x in result.paths.items()})
    else:
        result.to_pandas()[0].to_parquet(p, index=False)
        return p
    np.savez_compressed(p, **arrays)
    return p


def load(path: str | Path) -> SimulationResult:
    """Read a :class:`dealsim.SimulationResult` written by :func:`save` to ``.npz``.

    The result has no tornado bars (they describe the deal, not the scenarios);
    :meth:`SimulationResult.tornado` says so, and :func:`dealsim.tornado` recomputes them.

    Raises
    ------
    InvalidParameterError
        If the file is not a dealsim per-scenario ``.npz``.
    """
    wrong = InvalidParameterError(
        f"path must be a per-scenario .npz written by dealsim.io.save (streaming statistics "
        f"and .parquet files are not read back); got {str(path)!r}")
    try:
        with np.load(Path(path), allow_pickle=False) as f:
            if not hasattr(f, "files") or not all(k in f for k in _ARRAYS):
                raise wrong
            data: dict[str, Any] = {k: f[k] for k in f.files}
    except (ValueError, OSError) as exc:
        if isinstance(exc, InvalidParameterError):
            raise
        raise wrong from exc
    meta = {k: data.pop(k).item() for k in _META if k in data}
    return SimulationResult(
        **meta, **{k: data.pop(k) for k in _ARRAYS},
        inputs={k[3:]: x for k, x in data.items() if k.startswith("in:")},
        paths={k[5:]: x for k, x in data.items() if k.startswith("path:")},
    )
