"""Saving results: per-scenario arrays to ``.npz`` (numpy) or ``.parquet`` (pyarrow).

Both formats keep the run's metadata (:data:`_META`: title, seed, sampler, backend,
first year, recovery horizon, plus ``n``, the file format and the dealsim version) and
the year-by-year paths of the first scenarios; :func:`load` reads either back into a
:class:`dealsim.SimulationResult` and checks it. A
:class:`dealsim.montecarlo.streaming.StreamingSummary` saves its moments, event counts and
histograms to ``.npz``. Files hold plain arrays (no pickled objects); tornado bars are
not stored (they describe the deal, not the scenarios).

Writes are atomic: :func:`save` writes a temporary file in the target's directory,
flushes it to disk and renames it over the target, so an interrupted save (SIGINT,
SIGTERM, SIGKILL, a full disk) leaves the earlier file intact.
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import json
import os
import secrets
import tempfile
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import numpy as np

from dealsim._version import __version__
from dealsim.common.outputs import ARRAYS as _ARRAYS
from dealsim.common.outputs import RUN_META
from dealsim.errors import InvalidParameterError, ResultFileError
from dealsim.montecarlo.streaming import StreamingSummary
from dealsim.results.simulation import SimulationResult

__all__ = ["FORMATS", "check_path", "load", "save"]

#: File suffixes :func:`save` writes.
FORMATS = (".npz", ".parquet")
#: Run metadata every file keeps: the table in :mod:`dealsim.common.outputs` (a value the result
#: does not have, or that is None, is left out; load passes on what SimulationResult takes).
_META = tuple(f.name for f in RUN_META)
#: Marks a file as dealsim's and versions its layout; :func:`load` refuses any other.
_FORMAT = "dealsim.io/1"
_PARQUET_KEY = b"dealsim"


def check_path(path: str | Path, *, streaming: bool = False, name: str = "path",
               formats: tuple[str, ...] = FORMATS) -> Path:
    """Check that :func:`save` can write ``path`` here, before a long run.

    The directory is probed by creating (and removing) a temporary file in it, so a
    read-only or pseudo file system (``/proc/x.npz``) is found now, not after the run.

    Raises
    ------
    InvalidParameterError
        Naming ``name`` if the directory does not exist or cannot be written, if
        ``path`` is a directory or too long, if the suffix is not in :data:`FORMATS`, if
        ``.parquet`` is asked without pyarrow, or for streaming statistics (``.npz``
        only). ``formats`` replaces :data:`FORMATS` for other outputs (``(".png",)``).
    """
    p = Path(path)
    shown = str(path) if len(str(path)) <= 120 else str(path)[:117] + "..."
    if "\x00" in str(path):
        raise InvalidParameterError(f"{name} must not contain a NUL character; got {shown!r}")
    if p.suffix not in formats:
        raise InvalidParameterError(f"{name} must end in {' or '.join(formats)}; got {shown!r}")
    with contextlib.suppress(OSError):  # too long to even stat: reported below
        if p.is_dir():
            raise InvalidParameterError(f"{name}: {shown!r} is a directory; give a file name")
    try:
        parent_ok = p.parent.is_dir()
    except OSError:
        parent_ok = False
    if not parent_ok:
        raise InvalidParameterError(
            f"{name}: directory {str(p.parent)[:120]!r} does not exist; got {shown!r}")
    if p.suffix == ".parquet":
        if streaming:
            raise InvalidParameterError(
                f"{name}: streaming runs keep statistics, not per-scenario rows; write .npz; "
                f"got {shown!r}")
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            raise InvalidParameterError(
                f"{name}={shown!r} needs pyarrow: pip install 'dealsim[io]' "
                "(or write .npz)") from None
    try:
        max_name = os.pathconf(p.parent, "PC_NAME_MAX")
    except (OSError, ValueError):
        max_name = 255
    if len(os.fsencode(p.name)) + 16 > max_name:  # room for the temporary file's name
        raise InvalidParameterError(
            f"{name}: file name longer than {max_name - 16} bytes; got {shown!r}")
    try:
        fd, probe = tempfile.mkstemp(prefix=f".{p.name[:32]}.", suffix=".probe", dir=p.parent)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        reason = exc.strerror or errno.errorcode.get(exc.errno or 0, type(exc).__name__)
        raise InvalidParameterError(
            f"{name}: cannot write in directory {str(p.parent)[:120]!r} ({reason}); "
            f"got {shown!r}") from None
    return p


def _atomic_write(p: Path, write: Callable[[IO[bytes]], None]) -> None:
    """Write ``p`` through a temporary file in its directory, fsync, then rename."""
    tmp = p.parent / f".{p.name[:32]}.{secrets.token_hex(6)}.tmp"
    # mode 0o666 less the umask, as open() would give the target itself
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, p)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    with contextlib.suppress(OSError):  # make the rename itself durable
        dfd = os.open(p.parent, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)


def _metadata(result: SimulationResult | StreamingSummary) -> dict[str, Any]:
    meta: dict[str, Any] = {k: getattr(result, k) for k in _META
                            if getattr(result, k, None) is not None}
    kind = "streaming" if isinstance(result, StreamingSummary) else "scenarios"
    meta.update(format=_FORMAT, kind=kind, n=int(result.n), dealsim_version=__version__)
    return {k: (v.item() if isinstance(v, np.generic) else v) for k, v in meta.items()}


def save(result: SimulationResult | StreamingSummary, path: str | Path) -> Path:
    """Write a result to ``path`` (``.npz`` or ``.parquet``, by suffix), atomically.

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
    meta = _metadata(result)
    if p.suffix == ".parquet":
        assert isinstance(result, SimulationResult)
        _atomic_write(p, lambda f: _write_parquet(result, meta, f))
        return p
    arrays: dict[str, Any] = {k: np.asarray(v) for k, v in meta.items()}
    if isinstance(result, StreamingSummary):
        arrays["recovered"] = result.recovered
        for name, m in result.moments.items():
            arrays[f"moments:{name}"] = np.array(dataclasses.astuple(m), dtype=np.float64)
            arrays[f"edges:{name}"] = result.edges[name]
            arrays[f"counts:{name}"] = result.counts[name]
        arrays.update({f"event:{k}": np.asarray(c) for k, c in result.events.items()})
    else:
        arrays.update({name: getattr(result, name) for name in _ARRAYS})
        arrays.update({"in:" + k: x for k, x in result.inputs.items()})
        arrays.update({"path:" + k: x for k, x in result.paths.items()})
    _atomic_write(p, lambda f: np.savez_compressed(f, **arrays))
    return p


def _write_parquet(result: SimulationResult, meta: dict[str, Any], f: IO[bytes]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(result.to_pandas(raw=True), preserve_index=False)
    extra = dict(meta, paths={k: np.asarray(x).tolist() for k, x in result.paths.items()})
    table = table.replace_schema_metadata(
        {**(table.schema.metadata or {}), _PARQUET_KEY: json.dumps(extra).encode()})
    pq.write_table(table, f)


def load(path: str | Path) -> SimulationResult:
    """Read a :class:`dealsim.SimulationResult` written by :func:`save` (``.npz`` or
    ``.parquet``), checking it.

    The result has no tornado bars (they describe the deal, not the scenarios);
    :meth:`SimulationResult.tornado` says so, and :func:`dealsim.tornado` recomputes them.

    Raises
    ------
    ResultFileError
        Saying which: the file is missing, empty, truncated or corrupt, not written by
        :func:`save` (foreign), holds streaming statistics, or its arrays disagree in
        length with its ``n``.
    """
    p = Path(path)
    shown = str(path) if len(str(path)) <= 120 else str(path)[:117] + "..."
    try:
        size = p.stat().st_size
    except OSError as exc:
        raise ResultFileError(f"path {shown!r}: cannot read ({exc.strerror})") from None
    if p.is_dir():
        raise ResultFileError(f"path {shown!r} is a directory")
    if size == 0:
        raise ResultFileError(f"path {shown!r} is empty (0 bytes)")
    if p.suffix == ".parquet":
        meta, data = _read_parquet(p, shown)
    else:
        meta, data = _read_npz(p, shown)
    if meta.get("kind") == "streaming":
        raise ResultFileError(f"path {shown!r} holds streaming statistics, which are not read "
                              "back into per-scenario results")
    missing = [k for k in _ARRAYS if k not in data]
    if missing:
        raise ResultFileError(f"path {shown!r} is not a per-scenario file written by "
                              f"dealsim.io.save (no {missing[0]!r} array)")
    n = meta.pop("n", len(data["investor_npv"]))
    for key in ("format", "kind", "dealsim_version"):
        meta.pop(key, None)
    for key, x in data.items():
        if np.ndim(x) < 1 or (len(x) != n and not key.startswith("path:")):
            raise ResultFileError(
                f"path {shown!r}: array {key!r} has {np.shape(x)} rows but the file says "
                f"n = {n}; the file is damaged")
    takes = {f.name for f in dataclasses.fields(SimulationResult)}
    return SimulationResult(
        **{k: meta[k] for k in _META if k in meta and k in takes},
        **{k: data.pop(k) for k in _ARRAYS},
        inputs={k[3:]: x for k, x in data.items() if k.startswith("in:")},
        paths={k[5:]: x for k, x in data.items() if k.startswith("path:")},
    )


def _read_npz(p: Path, shown: str) -> tuple[dict[str, Any], dict[str, Any]]:
    try:  # our own handle: numpy leaks its own when the zip directory is damaged
        with open(p, "rb") as fh, np.load(fh, allow_pickle=False) as f:
            if not hasattr(f, "files"):  # a bare .npy
                raise ResultFileError(f"path {shown!r} is not a dealsim .npz (a .npy array)")
            data: dict[str, Any] = {k: f[k] for k in f.files}
    except ResultFileError:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise ResultFileError(f"path {shown!r} is truncated or corrupt ({exc})") from None
    except (ValueError, OSError) as exc:
        raise ResultFileError(f"path {shown!r} is not a .npz written by dealsim.io.save "
                              f"({exc})") from None
    fmt = data.pop("format", None)
    if fmt is not None and fmt.item() != _FORMAT:
        raise ResultFileError(f"path {shown!r} has format {fmt.item()!r}; this dealsim reads "
                              f"{_FORMAT!r}")
    meta = {k: data.pop(k).item() for k in (*_META, "kind", "n", "dealsim_version")
            if k in data}
    return meta, data


def _read_parquet(p: Path, shown: str) -> tuple[dict[str, Any], dict[str, Any]]:
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise ResultFileError(f"reading {shown!r} needs pyarrow: pip install "
                              "'dealsim[io]'") from None
    try:
        table = pq.read_table(p)
    except Exception as exc:  # pyarrow raises its own ArrowInvalid for a damaged file
        raise ResultFileError(f"path {shown!r} is truncated or not parquet ({exc})") from None
    raw = (table.schema.metadata or {}).get(_PARQUET_KEY)
    if raw is None:
        raise ResultFileError(f"path {shown!r} is a parquet file not written by "
                              "dealsim.io.save (no dealsim metadata)")
    meta = json.loads(raw)
    if meta.pop("format", None) != _FORMAT:
        raise ResultFileError(f"path {shown!r} is not in format {_FORMAT!r}")
    data: dict[str, Any] = {}
    for col in table.column_names:
        arr = table.column(col).to_numpy()
        data["in:" + col[3:] if col.startswith("in_") else col] = arr
    data.update({"path:" + k: np.asarray(x, dtype=np.float64)
                 for k, x in meta.pop("paths", {}).items()})
    return meta, data
