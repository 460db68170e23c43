"""The command line under a hostile probe: every invalid input exits 2 before any work
(nothing is run, so nothing is lost), outputs are not replaced unless asked, non-regular
and oversized scenario files are not read, SIGTERM leaves no temporary file."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from _procs import big_result, cli_interrupted

import dealsim
import dealsim.montecarlo.engine
import dealsim.montecarlo.run
import dealsim.montecarlo.streaming
from dealsim.interfaces.cli import main
from dealsim.interfaces.io import load

ENV = dict(os.environ, PYTHONPATH=str(Path(dealsim.__file__).parents[1]))


@pytest.fixture
def no_run(monkeypatch):
    """Fails the test if a simulation starts: bad input must be found before it."""
    def refuse(*args, **kwargs):
        raise AssertionError("the run started")
    monkeypatch.setattr(dealsim.montecarlo.run, "simulate", refuse)
    monkeypatch.setattr(dealsim.montecarlo.streaming, "simulate_stream", refuse)


@pytest.mark.parametrize("doc, message", [
    ('{"deal": {"preset": "ohio_gas_power", "name": "\\ud800"}}', "lone surrogates"),
    ('{"deal": {"preset": "texas_gulflink", "options": {"first_year": 10000}}}',
     "cannot be evaluated|first_year"),
    ('{"deal": {"preset": "ohio_gas_power"}, "uncertainties": {"overrun": '
     '{"distribution": "lognormal", "median": 1.1, "sigma": 100}}}', "sigma must be <= 10"),
])
def test_invalid_input_exits_2_before_any_work(tmp_path, capsys, no_run, doc, message):
    path = tmp_path / "s.json"
    path.write_text(doc, encoding="utf-8")
    assert main(["run", str(path), "--n", "100", "--quiet", "--out",
                 str(tmp_path / "r.npz")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("dealsim: error:") and len(err.splitlines()) == 1
    assert __import__("re").search(message, err), err
    assert not (tmp_path / "r.npz").exists()


@pytest.mark.parametrize("target", ["fifo", "/dev/zero", "big", "dir"])
def test_scenario_files_that_are_not_regular_or_too_big_are_not_read(tmp_path, capsys,
                                                                     no_run, target):
    if target == "fifo":
        path = tmp_path / "s.toml"
        os.mkfifo(path)  # opening it for reading must not wait for a writer
    elif target == "big":
        path = tmp_path / "s.toml"
        with open(path, "wb") as f:
            f.truncate(17 * 2**20)
    elif target == "dir":
        path = tmp_path
    else:
        path = Path(target)
    start = time.perf_counter()
    assert main(["run", str(path), "--quiet"]) == 2
    assert time.perf_counter() - start < 5
    err = capsys.readouterr().err
    assert "not a regular file" in err or "16 MiB" in err or "directory" in err.lower()


def test_out_is_not_replaced_without_force(tmp_path, capsys):
    out = tmp_path / "r.npz"
    args = ["example", "ohio", "--n", "200", "--seed", "1", "--quiet", "--out", str(out)]
    assert main(args) == 0
    out.chmod(0o640)
    before = out.read_bytes()
    capsys.readouterr()
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "exists (a regular file of" in err and "--force" in err
    assert out.read_bytes() == before
    assert main([*args[:5], "2", *args[6:], "--force"]) == 0
    err = capsys.readouterr().err
    assert f"--out will replace {out}" in err
    assert load(out).seed == "2" and out.stat().st_mode & 0o777 == 0o640


_SAVE_UNDER_CLI = big_result("2_000_000", 8) + textwrap.dedent("""
    from dealsim.interfaces.cli import Terminated, _terminate_as_exception
    with _terminate_as_exception():
        try:
            print("saving", flush=True)
            save(big, sys.argv[1])
            print("saved", flush=True)
        except Terminated:
            sys.exit(143)
""")


def test_sigterm_during_a_save_leaves_no_temporary_file(tmp_path):
    target = tmp_path / "r.npz"
    with subprocess.Popen([sys.executable, "-c", _SAVE_UNDER_CLI, str(target)], env=ENV,
                          stdout=subprocess.PIPE, text=True) as proc:
        try:
            assert proc.stdout is not None and proc.stdout.readline() == "saving\n"
            time.sleep(0.2)
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=30)
    if proc.returncode == 0:
        pytest.skip("the save finished before the signal")
    assert proc.returncode == 143
    assert list(tmp_path.iterdir()) == []


def test_sigterm_exits_143_with_one_line():
    code, err = cli_interrupted(signal.SIGTERM)
    assert code == 143, err
    assert err == "dealsim: terminated\n"


def test_the_signal_handler_is_restored_after_main(capsys):
    before = signal.getsignal(signal.SIGTERM)
    assert main(["presets"]) == 0
    assert signal.getsignal(signal.SIGTERM) is before
    json.dumps(capsys.readouterr().out)


@pytest.mark.parametrize("section, key, value, message", [
    # refused by the classes' bounds (dealsim.common.validate), naming the field
    ("project", "capex", 1e-300, r"capex must be in \[0.001, 1e\+15\] \(USD\); got 1e-300"),
    ("project", "fixed_om", 1e300, r"fixed_om must be in \[0, 1e\+15\]; got 1e\+300"),
    (None, "discount_rate", 1e300, r"discount_rate must be in \[-0.5, 10\]; got 1e\+300"),
])
def test_extreme_but_valid_numbers_exit_2_before_the_run(tmp_path, capsys, no_run, section,
                                                         key, value, message):
    deal = dealsim.presets.ohio_gas_power().to_dict()
    (deal if section is None else deal[section])[key] = value
    path = tmp_path / "s.json"
    path.write_text(json.dumps({"deal": deal, "simulation": {"n": 500}}), encoding="utf-8")
    assert main(["run", str(path), "--quiet"]) == 2  # and no RuntimeWarning (an error here)
    assert __import__("re").search(message, capsys.readouterr().err)


def test_a_run_whose_paths_cannot_fit_is_refused_before_it_starts(tmp_path, capsys, no_run,
                                                                  monkeypatch):
    monkeypatch.setattr(dealsim.montecarlo.engine, "usable_memory", lambda: 2**28)  # 256 MiB
    assert main(["example", "ohio", "--n", "1e6", "--quiet", "--workers", "2"]) == 2
    assert "paths and block arrays" in capsys.readouterr().err
