"""Result files (issue 13 §7, §8): atomic saves, metadata kept in both formats, named errors
for missing, empty, truncated, foreign and inconsistent files."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest
from _procs import big_result

import dealsim
from dealsim.errors import InvalidParameterError, ResultFileError
from dealsim.interfaces.io import check_path, load, save
from dealsim.montecarlo.streaming import simulate_stream
from dealsim.presets import ohio_gas_power

SRC = str(Path(__file__).resolve().parents[1] / "src")


@pytest.fixture(scope="module")
def result():
    return dealsim.simulate(ohio_gas_power(), 300, seed=5, paths=7)


def same(a, b):
    for name in ("investor_irr", "irr_status", "investor_npv", "host_npv", "investor_moic",
                 "recovered_at", "fee_paid", "fee_pv"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    assert a.inputs.keys() == b.inputs.keys()
    for k in a.inputs:
        np.testing.assert_array_equal(a.inputs[k], b.inputs[k])
    assert a.paths.keys() == b.paths.keys()
    for k in a.paths:
        np.testing.assert_array_equal(a.paths[k], b.paths[k])
    assert (a.title, a.seed, a.sampler, a.first_year, a.within_years, a.backend) == (
        b.title, b.seed, b.sampler, b.first_year, b.within_years, b.backend)


@pytest.mark.parametrize("suffix", [".npz", ".parquet"])
def test_both_formats_keep_the_run_metadata_and_paths(result, tmp_path, suffix):
    if suffix == ".parquet":
        pytest.importorskip("pyarrow")
    back = load(save(result, tmp_path / f"r{suffix}"))
    same(back, result)
    assert back.summary().statistics == result.summary().statistics


def test_parquet_metadata_is_readable_without_dealsim(result, tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    path = save(result, tmp_path / "r.parquet")
    meta = json.loads(pq.read_schema(path).metadata[b"dealsim"])
    assert meta["seed"] == result.seed and meta["backend"] == result.backend
    assert meta["sampler"] == "random" and meta["n"] == 300 and meta["format"] == "dealsim.io/1"
    assert np.array_equal(meta["paths"]["investor"], result.paths["investor"])


def test_npz_whose_arrays_disagree_with_n_is_refused(result, tmp_path):
    path = save(result, tmp_path / "r.npz")
    with np.load(path) as f:
        arrays = {k: f[k] for k in f.files}
    arrays["fee_pv"] = arrays["fee_pv"][:-1]
    np.savez(path, **arrays)
    with pytest.raises(ResultFileError, match=r"array 'fee_pv' has \(299,\) rows but the file "
                                              r"says n = 300"):
        load(path)


def test_named_errors_for_missing_empty_truncated_and_foreign_files(result, tmp_path):
    with pytest.raises(ResultFileError, match=r"cannot read \(No such file"):
        load(tmp_path / "nope.npz")
    (tmp_path / "empty.npz").write_bytes(b"")
    with pytest.raises(ResultFileError, match=r"is empty \(0 bytes\)"):
        load(tmp_path / "empty.npz")
    good = save(result, tmp_path / "good.npz").read_bytes()
    for cut in (len(good) // 2, len(good) - 30):
        (tmp_path / "cut.npz").write_bytes(good[:cut])
        with pytest.raises(ResultFileError, match="truncated or corrupt"):
            load(tmp_path / "cut.npz")
    np.savez(tmp_path / "other.npz", a=np.zeros(2))
    with pytest.raises(ResultFileError, match="not a per-scenario file written by dealsim"):
        load(tmp_path / "other.npz")
    stream = simulate_stream(ohio_gas_power(), 200, seed=1)
    with pytest.raises(ResultFileError, match="streaming statistics"):
        load(save(stream, tmp_path / "s.npz"))
    if pytest.importorskip("pandas") and pytest.importorskip("pyarrow"):
        import pandas as pd

        pd.DataFrame({"a": [1.0]}).to_parquet(tmp_path / "f.parquet")
        with pytest.raises(ResultFileError, match="not written by dealsim.io.save"):
            load(tmp_path / "f.parquet")
        (tmp_path / "t.parquet").write_bytes(
            save(result, tmp_path / "p.parquet").read_bytes()[:500])
        with pytest.raises(ResultFileError, match="truncated or not parquet"):
            load(tmp_path / "t.parquet")
    assert issubclass(ResultFileError, ValueError)


def test_check_path_finds_unwritable_targets_before_a_run(tmp_path):
    with pytest.raises(InvalidParameterError, match="is a directory"):
        check_path(tmp_path / "d.npz" if (tmp_path / "d.npz").mkdir() is None else "")
    with pytest.raises(InvalidParameterError, match="cannot write in directory '/proc'"):
        check_path("/proc/x.npz")
    with pytest.raises(InvalidParameterError, match="file name longer than"):
        check_path(tmp_path / ("x" * 300 + ".npz"))
    with pytest.raises(InvalidParameterError, match="does not exist"):
        check_path(tmp_path / ("y" * 300) / "r.npz")
    assert check_path(tmp_path / "ok.npz") == tmp_path / "ok.npz"
    assert list(tmp_path.iterdir()) == [tmp_path / "d.npz"]  # the probe left nothing


def test_a_save_leaves_no_temporary_file_and_keeps_the_umask_mode(result, tmp_path):
    path = save(result, tmp_path / "r.npz")
    assert [p.name for p in tmp_path.iterdir()] == ["r.npz"]
    mask = os.umask(0)
    os.umask(mask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~mask


_SAVER = big_result("int(sys.argv[2])", 6) + textwrap.dedent("""
    print("saving", flush=True)
    save(big, sys.argv[1], overwrite=True)
    print("saved", flush=True)
""")


@pytest.mark.slow
def test_a_save_killed_midway_leaves_the_old_file_intact(result, tmp_path):
    target = tmp_path / "r.npz"
    save(result, target)
    env = dict(os.environ, PYTHONPATH=SRC)
    killed = 0
    for trial, sig in enumerate([signal.SIGTERM, signal.SIGKILL, signal.SIGINT] * 2):
        with subprocess.Popen([sys.executable, "-c", _SAVER, str(target), "1500000"],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                              env=env) as proc:
            try:
                assert proc.stdout is not None
                assert proc.stdout.readline().strip() == "saving"
                time.sleep(0.05 + 0.1 * trial)
                proc.send_signal(sig)
                proc.wait(timeout=60)
            finally:
                if proc.poll() is None:
                    proc.kill()
                    proc.wait(timeout=30)
        killed += proc.returncode != 0
        back = load(target)  # never a truncated file: the old result or a complete new one
        if back.n == result.n:
            same(back, result)
        else:
            assert back.n == 1_500_000 and back.title == "big"
            save(result, target, overwrite=True)  # start the next trial from the old file again
        assert zipfile.is_zipfile(target)
    assert killed >= 4, "the saves finished before the signal: the test proved nothing"
    leftovers = [p.name for p in tmp_path.iterdir() if p.name != "r.npz"]
    assert all(p.startswith(".r.npz.") and p.endswith(".tmp") for p in leftovers)
