"""Saving results: per-scenario arrays to ``.npz`` (numpy) or ``.parquet`` (pyarrow).

Both formats keep the run's metadata (:data:`_META`: title, seed, sampler, backend,
first year, recovery horizon, plus ``n``, the file format and the dealsim version), the
year-by-year paths of the first scenarios and their market paths' summaries
(``path_inputs``, which the conditional tornado ranks by); :func:`load` reads either back
into a :class:`dealsim.SimulationResult`, checking each array's header before its data
and every field's kind, shape and domain after. A
:class:`dealsim.montecarlo.streaming.StreamingSummary` saves its moments, event counts and
histograms to ``.npz``. Files hold plain arrays (no pickled objects); tornado bars are
not stored (they describe the deal, not the scenarios).

Writes are atomic: :func:`save` writes a temporary file in the target's directory,
flushes it to disk and moves it into place, so an interrupted save (SIGINT, SIGTERM,
SIGKILL, a full disk) leaves the earlier file intact; the next save of the same target
removes a killed save's temporary file (:func:`clean_stale`). An existing file is
replaced only with ``overwrite=True``, keeping its mode (and a symlink, whose target is
replaced); a read-only file never is.
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import json
import math
import os
import stat
import tempfile
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import numpy as np
from numpy.typing import NDArray

from dealsim._version import __version__
from dealsim.common.outputs import ARRAYS as _ARRAYS
from dealsim.common.outputs import OUTPUT_TABLE, RUN_META
from dealsim.common.validate import unicode_ok
from dealsim.errors import InvalidParameterError, ResultFileError
from dealsim.interfaces.atomic import (
    STALE_AFTER,
    atomic_write,
    clean_stale,
    describe_existing,
    target,
)
from dealsim.kernels.irr_core import IrrStatus
from dealsim.montecarlo.engine import usable_memory
from dealsim.montecarlo.sampling import SAMPLERS
from dealsim.montecarlo.streaming import StreamingSummary
from dealsim.results.simulation import SimulationResult

__all__ = ["FORMATS", "STALE_AFTER", "check_path", "clean_stale", "describe_existing", "load",
           "save"]

#: File suffixes :func:`save` writes.
FORMATS = (".npz", ".parquet")
#: Run metadata every file keeps: the table in :mod:`dealsim.common.outputs` (a value the result
#: does not have, or that is None, is left out; load passes on what SimulationResult takes).
_META = tuple(f.name for f in RUN_META)
#: Marks a file as dealsim's and versions its layout; :func:`load` refuses any other.
_FORMAT = "dealsim.io/1"
_PARQUET_KEY = b"dealsim"


def check_path(path: str | Path, *, streaming: bool = False, name: str = "path",
               formats: tuple[str, ...] = FORMATS, overwrite: bool = False) -> Path:
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
        If ``path`` exists and ``overwrite`` is false, saying what it is; with
        ``overwrite``, if it is read-only or not a regular file.
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
    target(p, overwrite, name)
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


def _shown(path: str | Path) -> str:
    text = str(path)
    return text if len(text) <= 120 else text[:117] + "..."


def _metadata(result: SimulationResult | StreamingSummary) -> dict[str, Any]:
    meta: dict[str, Any] = {k: getattr(result, k) for k in _META
                            if getattr(result, k, None) is not None}
    kind = "streaming" if isinstance(result, StreamingSummary) else "scenarios"
    meta.update(format=_FORMAT, kind=kind, n=int(result.n), dealsim_version=__version__)
    return {k: (v.item() if isinstance(v, np.generic) else v) for k, v in meta.items()}


def save(result: SimulationResult | StreamingSummary, path: str | Path, *,
         overwrite: bool = False) -> Path:
    """Write a result to ``path`` (``.npz`` or ``.parquet``, by suffix), atomically.

    Parameters
    ----------
    result : SimulationResult or StreamingSummary
    path : str or Path
    overwrite : bool
        Replace an existing file (default: refuse). The replaced file keeps its mode,
        and a symlink keeps pointing where it did (the file it points to is replaced);
        a read-only file is never replaced.

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    InvalidParameterError
        See :func:`check_path`.

    Notes
    -----
    A killed save leaves a temporary file beside the target; the next save of the same
    target removes it (:func:`clean_stale`).

    Examples
    --------
    >>> import tempfile, dealsim
    >>> from dealsim.presets import ohio_gas_power
    >>> r = dealsim.simulate(ohio_gas_power(), 50, seed=1)
    >>> p = save(r, tempfile.mkdtemp() + "/r.npz")
    >>> bool((load(p).investor_npv == r.investor_npv).all())
    True
    """
    p = check_path(path, streaming=isinstance(result, StreamingSummary), overwrite=overwrite)
    meta = _metadata(result)
    if p.suffix == ".parquet":
        assert isinstance(result, SimulationResult)
        atomic_write(p, lambda f: _write_parquet(result, meta, f), overwrite=overwrite)
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
        arrays.update({"pin:" + k: x for k, x in result.path_inputs.items()})
    atomic_write(p, lambda f: np.savez_compressed(f, **arrays), overwrite=overwrite)
    return p


def _write_parquet(result: SimulationResult, meta: dict[str, Any], f: IO[bytes]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(result.to_pandas(raw=True), preserve_index=False)
    extra = dict(meta, paths={k: np.asarray(x).tolist() for k, x in result.paths.items()},
                 path_inputs={k: np.asarray(x).tolist() for k, x in result.path_inputs.items()})
    table = table.replace_schema_metadata(
        {**(table.schema.metadata or {}), _PARQUET_KEY: json.dumps(extra).encode()})
    pq.write_table(table, f)


def load(path: str | Path) -> SimulationResult:
    """Read a :class:`dealsim.SimulationResult` written by :func:`save` (``.npz`` or
    ``.parquet``), checking it.

    Each array's header (dtype and shape) is checked before its data is read, and no
    array is read whose declared size its file could not hold or this process could not
    allocate; then every field's kind, shape and domain: the outputs' dtypes and
    ``(n,)`` shapes, finite money, IRR status codes, the sampler and backend names,
    ``within_years >= 1``, a text seed. The result has no tornado bars (they describe
    the deal, not the scenarios); :meth:`SimulationResult.tornado` says so, and
    :func:`dealsim.tornado` recomputes them. The market paths' summaries
    (``path_inputs``) are kept, so a conditional tornado can be computed after a load.

    Raises
    ------
    ResultFileError
        Naming the path and what is wrong: the file is missing, not a regular file,
        empty, truncated or corrupt, not written by :func:`save` (foreign, or without
        its format marker), holds streaming statistics, or a field has the wrong
        kind, shape or value.
    """
    p = Path(path)
    shown = _shown(path)
    try:
        st = p.stat()
    except (OSError, ValueError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise ResultFileError(f"path {shown!r}: cannot read ({reason})") from None
    if stat.S_ISDIR(st.st_mode):
        raise ResultFileError(f"path {shown!r} is a directory")
    if not stat.S_ISREG(st.st_mode):
        raise ResultFileError(f"path {shown!r} is not a regular file (a device, FIFO or "
                              "socket); not read")
    if st.st_size == 0:
        raise ResultFileError(f"path {shown!r} is empty (0 bytes)")
    if p.suffix == ".parquet":
        meta, data = _read_parquet(p, shown)
    else:
        meta, data = _read_npz(p, shown)
    return _result(meta, data, shown)


class _Bad(Exception):
    """A field of a result file is wrong (turned into ResultFileError with the path)."""


_OUTPUT_KINDS = {o.name: np.dtype(o.dtype) for o in OUTPUT_TABLE}
_PREFIXES = ("in:", "path:", "pin:")
_META_TYPES: dict[str, type] = {f.name: f.type for f in RUN_META}
_META_TYPES.update(kind=str, n=int, dealsim_version=str, format=str)
_BACKENDS = ("numpy", "numba")


def _result(meta: dict[str, Any], data: dict[str, Any], shown: str) -> SimulationResult:
    """Check every field of a file's metadata and arrays; build the result."""
    if "format" not in meta:
        raise ResultFileError(f"path {shown!r} is not a per-scenario file written by "
                              f"dealsim.io.save (no format marker {_FORMAT!r})")
    try:
        _check_meta(meta)
        if meta["kind"] == "streaming":
            raise ResultFileError(f"path {shown!r} holds streaming statistics, which are not "
                                  "read back into per-scenario results")
        arrays = _check_arrays(meta["n"], data)
    except _Bad as exc:
        raise ResultFileError(f"path {shown!r}: {exc}; the file is damaged or not written "
                              "by dealsim.io.save") from None
    takes = {f.name for f in dataclasses.fields(SimulationResult)}
    fields: dict[str, Any] = {k: meta[k] for k in _META if k in meta and k in takes}
    fields.update({k: arrays[k] for k in _ARRAYS})
    return SimulationResult(
        **fields,
        inputs={k[3:]: x for k, x in arrays.items() if k.startswith("in:")},
        paths={k[5:]: x for k, x in arrays.items() if k.startswith("path:")},
        path_inputs={k[4:]: x for k, x in arrays.items() if k.startswith("pin:")},
    )


def _check_meta(meta: dict[str, Any]) -> None:
    fmt = meta.get("format")
    if fmt is None:
        raise _Bad("no format marker (a dealsim file says format = "
                   f"{_FORMAT!r})")
    for key, value in meta.items():
        want = _META_TYPES.get(key)
        if want is None:
            raise _Bad(f"unknown metadata {key!r}")
        ok = isinstance(value, want) and (want is bool or not isinstance(value, bool))
        if not ok:
            raise _Bad(f"metadata {key!r} must be {want.__name__}; got {_short(value)}")
        if want is str and not unicode_ok(value):
            raise _Bad(f"metadata {key!r} is not valid Unicode text; got {_short(value)}")
    if fmt != _FORMAT:
        raise _Bad(f"format {fmt!r}; this dealsim reads {_FORMAT!r}")
    if meta.get("kind") not in ("scenarios", "streaming"):
        raise _Bad(f"kind must be 'scenarios' or 'streaming'; got {_short(meta.get('kind'))}")
    rules: dict[str, tuple[Callable[[Any], bool], str]] = {
        "n": (lambda x: x >= 1, ">= 1"),
        "within_years": (lambda x: x >= 1, ">= 1"),
        "first_year": (lambda x: 1 <= x <= 9999, "a calendar year in [1, 9999]"),
        "requested": (lambda x: x >= meta.get("n", 1), ">= n"),
        "sampler": (lambda x: x in SAMPLERS, f"one of {list(SAMPLERS)}"),
        "backend": (lambda x: x in _BACKENDS, f"one of {list(_BACKENDS)}"),
    }
    for key, (test, rule) in rules.items():
        if key in meta and not test(meta[key]):
            raise _Bad(f"{key} must be {rule}; got {_short(meta[key])}")
    for key in ("n", "title", "seed", "sampler", "first_year"):
        if key not in meta:
            raise _Bad(f"no {key!r} in its metadata")


def _check_arrays(n: int, data: dict[str, Any]) -> dict[str, NDArray[Any]]:
    out: dict[str, NDArray[Any]] = {}
    missing = [k for k in _ARRAYS if k not in data]
    if missing:
        raise _Bad(f"no {missing[0]!r} array (not a per-scenario file)")
    k_paths = None
    for key, x in data.items():
        if not isinstance(x, np.ndarray):
            raise _Bad(f"array {key!r} is not an array")
        want = _OUTPUT_KINDS.get(key)
        if want is None and not key.startswith(_PREFIXES):
            raise _Bad(f"unknown array {key!r}")
        if want is not None:
            if x.dtype.kind != want.kind or not np.can_cast(x.dtype, want, "safe"):
                raise _Bad(f"array {key!r} must be {want}; got {x.dtype}")
            x = x.astype(want, copy=False)
        elif x.dtype.kind not in "iuf":
            raise _Bad(f"array {key!r} must be real numbers; got {x.dtype}")
        else:
            x = x.astype(np.float64, copy=False)
        ndim = 2 if key.startswith("path:") else 1
        if x.ndim != ndim:
            raise _Bad(f"array {key!r} must have {ndim} axes; got shape {x.shape}")
        rows = x.shape[0]
        if key.startswith(("path:", "pin:")):
            if rows > n:
                raise _Bad(f"array {key!r} has {rows} rows, more than n = {n}")
            if k_paths is not None and rows != k_paths:
                raise _Bad(f"array {key!r} has {rows} rows; the other paths have {k_paths}")
            k_paths = rows
        elif rows != n:
            raise _Bad(f"array {key!r} has {x.shape} rows but the file says n = {n}")
        _check_domain(key, x)
        out[key] = x
    return out


def _check_domain(key: str, x: NDArray[Any]) -> None:
    if x.dtype.kind != "f":
        bad = None
        if key == "irr_status":
            codes = np.array([s.value for s in IrrStatus])
            bad = x[~np.isin(x, codes)]
        elif key == "recovered_at":
            bad = x[x < -1]
        if bad is not None and bad.size:
            raise _Bad(f"array {key!r} holds {bad.flat[0]!r}, not a valid value")
        return
    nan_ok = key in ("investor_irr", "investor_moic")
    bad = ~np.isfinite(x) if not nan_ok else np.isinf(x)
    if key == "investor_irr":
        bad |= x < -1
    elif key == "investor_moic":
        bad |= x < 0
    if bad.any():
        value = x[bad].flat[0]
        rule = "finite" if not nan_ok else ("> -1 or NaN" if key == "investor_irr"
                                              else ">= 0 or NaN")
        raise _Bad(f"array {key!r} must be {rule}; got {value!r}")


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


#: The most a deflated member can grow when inflated (deflate's limit is about 1032:1).
_DEFLATE_RATIO = 1100


def _check_size(declared: int, shown: str, what: str) -> None:
    have = usable_memory()
    if have and declared > 0.7 * have:
        raise ResultFileError(f"path {shown!r}: {what} declares {declared / 2**30:,.2f} GiB, "
                              f"more than this process may allocate ({have / 2**30:,.2f} "
                              "GiB); not read")


def _read_npz(p: Path, shown: str) -> tuple[dict[str, Any], dict[str, Any]]:
    meta: dict[str, Any] = {}
    data: dict[str, Any] = {}
    try:  # our own handle: numpy leaks its own when the zip directory is damaged
        with open(p, "rb") as fh:
            head = fh.read(6)
            if head == b"\x93NUMPY":
                raise ResultFileError(f"path {shown!r} is not a dealsim .npz (a bare .npy "
                                      "array)")
            if not head.startswith(b"PK\x03\x04"):
                raise ResultFileError(f"path {shown!r} is not a .npz written by "
                                      f"dealsim.io.save (it starts {head!r}, not a zip)")
            fh.seek(0)
            with zipfile.ZipFile(fh) as z:
                infos = z.infolist()
                headers = {info.filename: _npy_header(z, info, shown) for info in infos}
                _check_size(sum(info.file_size for info in infos), shown, "its arrays")
                for info in infos:
                    key = info.filename[:-4]
                    shape, dtype = headers[info.filename]
                    with z.open(info) as f:
                        x = np.lib.format.read_array(f, allow_pickle=False)
                    if x.shape != shape or x.dtype != dtype:
                        raise ResultFileError(f"path {shown!r}: member {key!r} is damaged")
                    if key in _META_TYPES:
                        if x.ndim != 0:
                            raise ResultFileError(
                                f"path {shown!r}: metadata {key!r} must be one value; got "
                                f"an array of shape {x.shape}")
                        meta[key] = x.item()
                    else:
                        data[key] = x
    except ResultFileError:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise ResultFileError(f"path {shown!r} is truncated or corrupt ({exc})") from None
    except (ValueError, OSError, NotImplementedError, RuntimeError, KeyError) as exc:
        raise ResultFileError(f"path {shown!r} is not a .npz written by dealsim.io.save "
                              f"({type(exc).__name__}: {_short(str(exc))})") from None
    return meta, data


def _npy_header(z: zipfile.ZipFile, info: zipfile.ZipInfo, shown: str
                ) -> tuple[tuple[int, ...], np.dtype[Any]]:
    """A member's declared shape and dtype, checked against the member's size."""
    name = info.filename
    if not name.endswith(".npy") or "/" in name:
        raise ResultFileError(f"path {shown!r}: member {name!r} is not an array")
    stored = info.compress_type == zipfile.ZIP_STORED
    limit = info.compress_size if stored else _DEFLATE_RATIO * info.compress_size + 4096
    if info.file_size > limit:
        raise ResultFileError(f"path {shown!r}: member {name!r} claims {info.file_size:,} "
                              f"bytes from {info.compress_size:,} stored; damaged")
    with z.open(info) as f:
        version = np.lib.format.read_magic(f)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(f)
        elif version == (2, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(f)
        else:
            raise ResultFileError(f"path {shown!r}: member {name!r} has .npy version "
                                  f"{version}; not read")
        header = f.tell()
    key = name[:-4]
    if dtype.hasobject or dtype.names is not None or dtype.subdtype is not None:
        raise ResultFileError(f"path {shown!r}: array {key!r} has dtype {dtype} (objects or "
                              "records); not read")
    text = key in _META_TYPES and dtype.kind == "U"
    if dtype.kind not in "biuf" and not text:
        raise ResultFileError(f"path {shown!r}: array {key!r} has dtype {dtype}; dealsim "
                              "files hold numbers and bools (text only in metadata)")
    count = math.prod(shape)
    if count * dtype.itemsize != info.file_size - header:
        raise ResultFileError(
            f"path {shown!r}: array {key!r} declares {count:,} elements of {dtype} but its "
            f"member holds {info.file_size - header:,} bytes; damaged")
    return shape, dtype


def _read_parquet(p: Path, shown: str) -> tuple[dict[str, Any], dict[str, Any]]:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise ResultFileError(f"reading {shown!r} needs pyarrow: pip install "
                              "'dealsim[io]'") from None
    # one handle for the footer and the data: a save replacing the file meanwhile (a
    # rename) cannot mix the old file's size with the new file's bytes
    with open(p, "rb") as fh:
        try:
            pf = pq.ParquetFile(fh)
            schema = pf.schema_arrow
            rows = pf.metadata.num_rows
        except Exception as exc:  # pyarrow raises its own ArrowInvalid for a damaged file
            raise ResultFileError(f"path {shown!r} is truncated or not parquet "
                                  f"({_short(str(exc))})") from None
        raw = (schema.metadata or {}).get(_PARQUET_KEY)
        if raw is None:
            raise ResultFileError(f"path {shown!r} is a parquet file not written by "
                                  "dealsim.io.save (no dealsim metadata)")
        try:
            meta = json.loads(raw, parse_constant=_no_constant)
        except (ValueError, RecursionError) as exc:
            raise ResultFileError(f"path {shown!r}: its dealsim metadata is not JSON "
                                  f"({_short(str(exc))})") from None
        if not isinstance(meta, dict):
            raise ResultFileError(f"path {shown!r}: its dealsim metadata is not a table")
        extra = {k: meta.pop(k, {}) for k in ("paths", "path_inputs")}
        for field in schema:
            t = field.type
            if not (pa.types.is_integer(t) or pa.types.is_floating(t)
                    or pa.types.is_boolean(t)):
                raise ResultFileError(f"path {shown!r}: column {field.name!r} is {t}; dealsim "
                                      "files hold numbers and bools")
        if meta.get("n") != rows:
            raise ResultFileError(f"path {shown!r} has {rows:,} rows but its metadata says "
                                  f"n = {_short(meta.get('n'))}; the file is damaged")
        _check_size(8 * rows * max(1, len(schema)), shown, "its columns")
        try:
            table = pf.read()
        except Exception as exc:
            raise ResultFileError(f"path {shown!r} is truncated or not parquet "
                                  f"({_short(str(exc))})") from None
    data: dict[str, Any] = {}
    for col in table.column_names:
        column = table.column(col)
        if column.null_count:
            raise ResultFileError(f"path {shown!r}: column {col!r} has missing values")
        data["in:" + col[3:] if col.startswith("in_") else col] = column.to_numpy()
    for prefix, key in (("path:", "paths"), ("pin:", "path_inputs")):
        items = extra[key]
        if not isinstance(items, dict):
            raise ResultFileError(f"path {shown!r}: metadata {key!r} is not a table")
        for name, x in items.items():
            try:
                data[prefix + name] = np.asarray(x, dtype=np.float64)
            except (TypeError, ValueError, OverflowError):
                raise ResultFileError(f"path {shown!r}: metadata {key}[{name!r}] is not "
                                      "an array of numbers") from None
    return meta, data


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number in a dealsim file")
