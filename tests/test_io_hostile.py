"""Hostile result files, concurrent saves, killed saves, and what a save replaces.

Every crafted file is refused with a :class:`ResultFileError` naming what is wrong --
never a raw TypeError, MemoryError or JSONDecodeError, and never loaded silently."""

from __future__ import annotations

import io
import json
import os
import signal
import stat
import subprocess
import sys
import textwrap
import threading
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest
from _procs import big_result

import dealsim
from dealsim.errors import InvalidParameterError, ResultFileError
from dealsim.interfaces.io import STALE_AFTER, check_path, clean_stale, load, save
from dealsim.presets import ohio_gas_power

SRC = str(Path(__file__).resolve().parents[1] / "src")


@pytest.fixture(scope="module")
def result():
    return dealsim.simulate(ohio_gas_power(), 200, seed=3, paths=20)


@pytest.fixture(scope="module")
def arrays(result, tmp_path_factory):
    path = save(result, tmp_path_factory.mktemp("good") / "r.npz")
    with np.load(path) as f:
        return {k: f[k] for k in f.files}


def _npy(shape, dtype="<f8", body=b""):
    """A .npy member whose header declares ``shape`` whatever its body holds."""
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        buf, {"descr": dtype, "fortran_order": False, "shape": shape})
    return buf.getvalue() + body


def _changed(arrays, **changes):
    out = dict(arrays)
    for k, x in changes.items():
        if x is None:
            out.pop(k)
        else:
            out[k] = x
    return out


NPZ_CASES = {
    "metadata array": (dict(title=np.array(["a", "b"])), "metadata 'title' must be one value"),
    "string column": (dict(investor_npv=np.array(["1.0"] * 200)), "investor_npv"),
    "datetime column": (dict(investor_npv=np.zeros(200, "datetime64[s]")), "investor_npv"),
    "structured column": (dict(investor_npv=np.zeros(200, [("a", "f8")])), "records"),
    "complex npv": (dict(investor_npv=np.zeros(200, complex)), "investor_npv"),
    "bool npv": (dict(investor_npv=np.zeros(200, bool)), "investor_npv"),
    "2-D npv": (dict(investor_npv=np.zeros((200, 2))), "investor_npv"),
    "NaN npv": (dict(investor_npv=np.full(200, np.nan)), "investor_npv.*finite"),
    "inf irr": (dict(investor_irr=np.full(200, np.inf)), "investor_irr"),
    "negative moic": (dict(investor_moic=np.full(200, -1.0)), "investor_moic"),
    "float statuses": (dict(irr_status=np.zeros(200)), "irr_status"),
    "unknown status": (dict(irr_status=np.full(200, 9, np.int8)), "irr_status"),
    "recovered below -1": (dict(recovered_at=np.full(200, -7)), "recovered_at"),
    "fee as floats": (dict(fee_paid=np.zeros(200)), "fee_paid"),
    "within_years -5": (dict(within_years=np.array(-5)), "within_years must be >= 1"),
    "unknown sampler": (dict(sampler=np.array("halton")), "sampler must be one of"),
    "unknown backend": (dict(backend=np.array("gpu")), "backend must be one of"),
    "numeric seed": (dict(seed=np.array(5)), "'seed' must be str"),
    "bool n": (dict(n=np.array(True)), "'n' must be int"),
    "zero n": (dict(n=np.array(0)), "n must be >= 1"),
    "year 10000": (dict(first_year=np.array(10000)), "first_year"),
    "requested < n": (dict(requested=np.array(5)), "requested"),
    "other format": (dict(format=np.array("dealsim.io/9")), "format 'dealsim.io/9'"),
    "unknown kind": (dict(kind=np.array("pickle")), "kind must be"),
    "no format marker": (dict(format=None), "no format marker"),
    "no title": (dict(title=None), "no 'title'"),
    "input of strings": (dict(**{"in:overrun": np.array(["x"] * 200)}), "in:overrun"),
    "input too short": (dict(**{"in:overrun": np.zeros(3)}), "in:overrun"),
    "NaN input": (dict(**{"in:overrun": np.full(200, np.nan)}), "in:overrun"),
    "1-D path": (dict(**{"path:investor": np.zeros(20)}), "path:investor"),
    "path summaries longer than n": (dict(**{"pin:price": np.zeros(300)}), "pin:price"),
    "unknown array": (dict(extra=np.zeros(200)), "unknown array 'extra'"),
    "unknown metadata": (dict(colour=np.array("red")), None),
}


@pytest.mark.parametrize("case", list(NPZ_CASES), ids=list(NPZ_CASES))
def test_crafted_npz_files_are_refused_naming_what_is_wrong(arrays, tmp_path, case):
    changes, message = NPZ_CASES[case]
    path = tmp_path / "bad.npz"
    np.savez(path, **_changed(arrays, **changes))
    with pytest.raises(ResultFileError, match=message or "bad.npz"):
        load(path)


def test_a_bare_npy_and_a_pickle_are_refused(tmp_path, arrays):
    np.save(tmp_path / "a.npy", np.zeros(3))
    os.replace(tmp_path / "a.npy", tmp_path / "a.npz")
    with pytest.raises(ResultFileError, match="bare .npy"):
        load(tmp_path / "a.npz")
    np.savez(tmp_path / "o.npz", **_changed(arrays, investor_npv=np.array([{}] * 200)))
    with pytest.raises(ResultFileError, match="objects"):
        load(tmp_path / "o.npz")


def test_a_tiny_member_declaring_1e12_elements_is_refused_before_reading(arrays, tmp_path):
    path = tmp_path / "bomb.npz"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for k, x in arrays.items():
            if k != "investor_npv":
                buf = io.BytesIO()
                np.lib.format.write_array(buf, x)
                z.writestr(k + ".npy", buf.getvalue())
        z.writestr("investor_npv.npy", _npy((10**12,), body=b"\0" * 64))
    assert path.stat().st_size < 100_000
    with pytest.raises(ResultFileError, match=r"declares 1,000,000,000,000 elements"):
        load(path)


def test_a_member_claiming_more_than_deflate_can_give_is_refused(arrays, tmp_path):
    path = tmp_path / "ratio.npz"
    np.savez_compressed(path, **arrays)
    raw = bytearray(path.read_bytes())
    # the central directory's uncompressed size of the first member: claim 4 GB
    cd = raw.rfind(b"PK\x01\x02", 0, len(raw))
    first = raw.find(b"PK\x01\x02")
    assert cd >= first >= 0
    raw[first + 24:first + 28] = (0xFFFF0000).to_bytes(4, "little")
    path.write_bytes(bytes(raw))
    with pytest.raises(ResultFileError):
        load(path)


def test_a_fifo_or_device_is_not_read(tmp_path):
    fifo = tmp_path / "f.npz"
    os.mkfifo(fifo)
    with pytest.raises(ResultFileError, match="not a regular file"):
        load(fifo)  # returns at once: nothing opens the FIFO
    with pytest.raises(ResultFileError, match="not a regular file"):
        load("/dev/zero")


# --- parquet ----------------------------------------------------------------------------


def _parquet(result, path, *, meta_change=None, raw_meta=None, column=None):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    good = save(result, path.with_name("good_" + path.name), overwrite=True)
    table = pq.read_table(good)
    meta = json.loads(table.schema.metadata[b"dealsim"])
    if meta_change:
        meta.update(meta_change)
    if column:
        name, values = column
        table = table.set_column(table.column_names.index(name), name, pa.array(values))
    raw = raw_meta if raw_meta is not None else json.dumps(meta).encode()
    table = table.replace_schema_metadata({b"dealsim": raw})
    pq.write_table(table, path)
    return path


PARQUET_CASES = {
    "metadata not JSON": (dict(raw_meta=b"{not json"), "not JSON"),
    "metadata a list": (dict(raw_meta=b"[1, 2]"), "not a table"),
    "NaN constant": (dict(raw_meta=b'{"n": NaN}'), "not JSON"),
    "dict seed": (dict(meta_change={"seed": {"a": 1}}), "'seed' must be str"),
    "unknown sampler": (dict(meta_change={"sampler": "halton"}), "sampler"),
    "within_years -5": (dict(meta_change={"within_years": -5}), "within_years"),
    "no format": (dict(meta_change={"format": None}), "must be str|format"),
    "n disagrees": (dict(meta_change={"n": 7}), "has 200 rows"),
    "ragged paths": (dict(meta_change={"paths": {"investor": [[1.0], [1.0, 2.0]]}}),
                     "paths"),
    "string column": (dict(column=("investor_npv", ["x"] * 200)), "column 'investor_npv'"),
    "nulls in a column": (dict(column=("investor_npv", [None] * 200)), "investor_npv"),
}


@pytest.mark.parametrize("case", list(PARQUET_CASES), ids=list(PARQUET_CASES))
def test_crafted_parquet_files_are_refused_naming_what_is_wrong(result, tmp_path, case):
    kwargs, message = PARQUET_CASES[case]
    path = _parquet(result, tmp_path / "bad.parquet", **kwargs)
    with pytest.raises(ResultFileError, match=message):
        load(path)


def test_parquet_loads_while_another_process_saves_the_same_path(result, tmp_path):
    pytest.importorskip("pyarrow")
    target = save(result, tmp_path / "r.parquet")
    other = dealsim.simulate(ohio_gas_power(), 5000, seed=4, paths=20)
    stop = threading.Event()

    def writer():
        while not stop.is_set():
            save(other if time.monotonic() % 0.02 < 0.01 else result, target, overwrite=True)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        sizes = {load(target).n for _ in range(60)}  # every version on disk is complete
    finally:
        stop.set()
        thread.join()
    assert sizes <= {200, 5000}


# --- what a save replaces ---------------------------------------------------------------


def test_a_save_refuses_an_existing_file_unless_asked(result, tmp_path):
    path = save(result, tmp_path / "r.npz")
    with pytest.raises(InvalidParameterError, match=r"exists \(a regular file of .* bytes"):
        save(result, path)
    with pytest.raises(InvalidParameterError, match="overwrite=True"):
        check_path(path)
    assert save(result, path, overwrite=True) == path


def test_overwriting_keeps_the_mode_and_the_symlink(result, tmp_path):
    path = save(result, tmp_path / "r.npz")
    path.chmod(0o600)
    save(result, path, overwrite=True)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    link = tmp_path / "link.npz"
    link.symlink_to(path)
    save(result, link, overwrite=True)
    assert link.is_symlink() and os.readlink(link) == str(path)
    assert load(link).n == result.n


def test_a_read_only_file_is_never_replaced(result, tmp_path):
    path = save(result, tmp_path / "r.npz")
    path.chmod(0o444)  # even for root, whom os.access would let write it
    before = path.read_bytes()
    with pytest.raises(InvalidParameterError, match="read-only"):
        save(result, path, overwrite=True)
    assert path.read_bytes() == before and stat.S_IMODE(path.stat().st_mode) == 0o444


# --- temporaries of killed saves --------------------------------------------------------


def _fake_tmp(target: Path, pid: int, age: float = 0.0, token: str = "ab") -> Path:
    from dealsim.interfaces.atomic import _host

    tmp = target.parent / f".{target.name[:32]}.dealsim-{_host()}-{pid}-{token * 6}.tmp"
    tmp.write_bytes(b"partial")
    if age:
        t = time.time() - age
        os.utime(tmp, (t, t))
    return tmp


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_a_save_removes_temporaries_whose_writer_is_gone(result, tmp_path):
    target = tmp_path / "r.npz"
    dead = _fake_tmp(target, _dead_pid())
    alive = _fake_tmp(target, os.getppid())  # a live writer: kept
    old = _fake_tmp(target, os.getppid(), age=STALE_AFTER + 60, token="cd")  # alive but long stale
    other = tmp_path / ".x.npz.dealsim-00000000-1-abababababab.tmp"  # another target
    other.write_bytes(b"x")
    foreign = tmp_path / ".r.npz.notes.tmp"  # not dealsim's naming
    foreign.write_bytes(b"x")
    save(result, target)
    left = {p.name for p in tmp_path.iterdir()}
    assert dead.name not in left and old.name not in left
    assert {alive.name, other.name, foreign.name, "r.npz"} <= left
    assert clean_stale(target) == []


_SAVER = big_result("1_500_000", 6) + textwrap.dedent("""
    print("saving", flush=True)
    save(big, sys.argv[1], overwrite=True)
""")


@pytest.mark.slow
def test_a_killed_save_leaves_nothing_after_the_next_save(result, tmp_path):
    target = save(result, tmp_path / "r.npz")
    env = dict(os.environ, PYTHONPATH=SRC)
    with subprocess.Popen([sys.executable, "-c", _SAVER, str(target)], env=env,
                          stdout=subprocess.PIPE, text=True) as proc:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "saving"
        time.sleep(0.3)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
    save(result, target, overwrite=True)
    assert [p.name for p in tmp_path.iterdir()] == ["r.npz"]


# --- any damage: a ResultFileError or a checked result, nothing else ---------------------


@pytest.fixture(scope="module")
def good_files(result, tmp_path_factory):
    d = tmp_path_factory.mktemp("files")
    files = {".npz": save(result, d / "r.npz").read_bytes()}
    try:
        import pyarrow  # noqa: F401
        files[".parquet"] = save(result, d / "r.parquet").read_bytes()
    except ImportError:
        pass
    return files


@pytest.mark.parametrize("suffix", [".npz", ".parquet"])
def test_damaged_files_raise_result_file_error_or_load_checked(good_files, tmp_path, suffix):
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    if suffix not in good_files:
        pytest.skip("needs pyarrow")
    good = good_files[suffix]
    path = tmp_path / f"d{suffix}"

    @settings(max_examples=150, deadline=None, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(st.lists(st.tuples(st.integers(0, len(good) - 1), st.integers(0, 255)),
                    min_size=1, max_size=4),
           st.integers(1, len(good)))
    def check(flips, keep):
        raw = bytearray(good[:keep])
        for at, byte in flips:
            if at < len(raw):
                raw[at] = byte
        path.write_bytes(bytes(raw))
        try:
            back = load(path)
        except ResultFileError:
            return
        # a flip the checks cannot see (inside a number): still a well-formed result
        assert back.n == 200 and np.isfinite(back.investor_npv).all()
        assert back.investor_npv.dtype == np.float64 and back.fee_paid.dtype == bool

    check()
