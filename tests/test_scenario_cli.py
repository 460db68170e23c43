"""Scenario files and the command line: keyed errors, exit codes, progress bar, outputs."""

from __future__ import annotations

import io
import json
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from _procs import cli_interrupted

import dealsim
from dealsim.interfaces.cli import main
from dealsim.interfaces.io import load
from dealsim.interfaces.scenario import ScenarioError, deal_presets, load_scenario

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
DEALS = sorted(k for k, p in deal_presets().items() if p.kind == "deal")


def write(tmp_path, text, name="s.toml"):
    path = tmp_path / name
    path.write_text(text)
    return path


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.toml")), ids=lambda p: p.name)
def test_every_example_loads_and_runs(path):
    preset = path.read_text().split('preset = "')[1].split('"')[0]
    if preset not in DEALS:  # another branch adds this preset; the error must say which exist
        with pytest.raises(ScenarioError, match=r"\[deal\] preset must be one of"):
            load_scenario(path)
        return
    s = load_scenario(path)
    r = dealsim.simulate(s.deal, 50, seed=s.simulation["seed"], uncertainties=s.uncertainties)
    assert r.n == 50 and np.isfinite(r.investor_npv).all()


def test_ohio_example_overrides_reach_the_deal():
    s = load_scenario(EXAMPLES / "ohio.toml")
    assert s.deal.terms.reading == "aggregate"
    assert s.uncertainties["price"].sigma == 0.2
    assert s.uncertainties.correlation == {("overrun", "delay"): 0.6}
    assert s.simulation == {"n": 100000, "seed": 2025, "sampler": "random", "within_years": 20}


def test_options_and_terms_change_the_deal(tmp_path):
    s = load_scenario(write(tmp_path, '[deal]\npreset = "ohio_gas_power"\nname = "x"\n'
                                      '[deal.options]\npower_price = 95\n'
                                      '[deal.terms]\nshare_after = 0.2\n'))
    assert s.deal.name == "x" and s.deal.terms.share_after == 0.2
    base = dealsim.evaluate(dealsim.presets.ohio_gas_power(power_price=95.0)).investor_npv
    assert s.deal.project == dealsim.presets.ohio_gas_power(power_price=95.0).project
    assert np.isfinite(base)


@pytest.mark.parametrize("body, message", [
    ('[deal]\npreset = "ohio_gas_power"\n[uncertainties.overrun]\ndistribution = "lognormal"\n'
     "median = 1.1\nsigma = -1\n",
     r"s.toml: \[uncertainties.overrun\] sigma must be finite and > 0; got -1"),
    ('[deal]\npreset = "nowhere"\n', r"s.toml: \[deal\] preset must be one of .*'nowhere'"),
    ('[deal]\npreset = "ohio_gas_power"\n[deal.options]\npower = 1\n',
     r"s.toml: \[deal.options\] unknown key 'power'"),
    ('[deal]\npreset = "ohio_gas_power"\n[deal.options]\ncapacity_factor = 2.0\n',
     r"s.toml: \[deal.options\] .*got 2.0"),
    ('[deal]\npreset = "ohio_gas_power"\n[deal.terms]\nshare_before = 1.5\n',
     r"s.toml: \[deal.terms\] share_before"),
    ('[deal]\npreset = "ohio_gas_power"\n[simulation]\nn = 0\n',
     r"s.toml: \[simulation\] n must be >= 1; got 0"),
    ('[deal]\npreset = "ohio_gas_power"\n[simulation]\nseed = "one"\n',
     r"s.toml: \[simulation\] seed must be an integer; got 'one'"),
    ('[deal]\npreset = "ohio_gas_power"\n[simulation]\nsampler = "halton"\n',
     r"s.toml: \[simulation\] sampler must be one of"),
    ('[deal]\npreset = "ohio_gas_power"\n[uncertainties.delay]\ndistribution = "rounded"\n'
     'base = { distribution = "lognormal", median = 1.5, sigma = "wide" }\n',
     r"s.toml: \[uncertainties.delay.base\] sigma must be a finite number; got 'wide'"),
    ('[deal]\npreset = "ohio_gas_power"\n[uncertainties.price]\ndistribution = "cauchy"\n',
     r"s.toml: \[uncertainties.price\] distribution must be one of"),
    ('[deal]\npreset = "ohio_gas_power"\n[uncertainties.price]\ndistribution = "uniform"\n'
     "low = 1\n",
     r"s.toml: \[uncertainties.price\] uniform needs \['low', 'high'\]; got \['low'\]"),
    # a misspelt uncertainty used to be carried along unused (issue 13 §2)
    ('[deal]\npreset = "ohio_gas_power"\n[uncertainties.overun]\ndistribution = "fixed"\n'
     "value = 3.0\n",
     r"s.toml: \[uncertainties.overun\] 'overun' is not an input of the model; did you mean "
     r"'overrun'\?"),
    ('[deal]\npreset = "ohio_gas_power"\n[deal.terms]\nshare_befor = 0.4\n',
     r"s.toml: \[deal.terms\] unknown key 'share_befor'; did you mean 'share_before'\?"),
    # fee = [1] reached the preset unchecked (issue 13 §11)
    ('[deal]\npreset = "ohio_gas_power"\n[deal.options]\nfee = [1]\n',
     r"s.toml: \[deal.options\] fee must be one of \['reduced', 'original', 'none'\]; got \[1\]"),
    ('[deal]\npreset = "ohio_gas_power"\n[deal.options]\npower_price = "95"\n',
     r"s.toml: \[deal.options\] power_price must be a finite number; got '95'"),
    ("schema_version = 2\n[deal]\npreset = \"ohio_gas_power\"\n",
     r"s.toml: schema_version must be 1; got 2"),
    ('[deal]\npreset = "ohio_gas_power"\n[uncertainties]\nreference_class = "fosil_thermal"\n',
     r"did you mean 'fossil_thermal'\?"),
    ('[deal]\npreset = "ohio_gas_power"\n[[correlation]]\npair = ["overrun", "nope"]\n'
     "rho = 0.5\n", r"s.toml: \[\[correlation\]\] .*nope"),
    ('[deal]\npreset = "ohio_gas_power"\n[extra]\n', r"s.toml: unknown key 'extra'"),
    ("[simulation]\nn = 5\n", r"s.toml: a \[deal\] table with a preset is required"),
    ("[deal\n", r"s.toml: not valid TOML"),
])
def test_errors_name_the_file_table_and_key(tmp_path, body, message):
    with pytest.raises(ScenarioError, match=message):
        load_scenario(write(tmp_path, body))


def test_lognormal_from_mean(tmp_path):
    s = load_scenario(write(tmp_path, '[deal]\npreset = "ohio_gas_power"\n'
                                      '[uncertainties.overrun]\ndistribution = "lognormal"\n'
                                      "mean = 1.2\nsigma = 0.4\n"))
    assert s.uncertainties["overrun"].mean == pytest.approx(1.2, rel=1e-12)


# --- command line --------------------------------------------------------------------


def test_exit_codes(tmp_path, capsys):
    bad = write(tmp_path, '[deal]\npreset = "ohio_gas_power"\n[simulation]\nn = -3\n')
    assert main(["run", str(bad)]) == 2
    assert "s.toml: [simulation] n must be >= 1; got -3" in capsys.readouterr().err
    assert main(["run", str(tmp_path / "missing.toml")]) == 2
    assert main(["run", str(EXAMPLES / "ohio.toml"), "--out", "r.csv"]) == 2
    assert "--out must end in .npz or .parquet" in capsys.readouterr().err
    assert main(["bogus"]) == 2
    assert main(["presets", "nope"]) == 2
    assert main(["example", "zzz"]) == 2


def test_unexpected_failure_exits_1(tmp_path, capsys, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("worker lost")
    monkeypatch.setattr(dealsim.montecarlo.run, "simulate", boom)
    assert main(["example", "ohio", "--n", "10", "--quiet"]) == 1
    assert "RuntimeError: worker lost" in capsys.readouterr().err


def test_presets_list_and_show(capsys):
    assert main(["presets"]) == 0
    assert "ohio_gas_power" in capsys.readouterr().out
    assert main(["presets", "ohio_gas_power"]) == 0
    out = capsys.readouterr().out
    assert "sources:" in out and "deal-facts" in out


def test_example_ohio_prints_the_summary(capsys):
    assert main(["example", "ohio", "--n", "200", "--seed", "3", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "p_recover_daa" in out and "200 scenarios" in out and "seed 3" in out


def test_run_writes_npz_that_reloads_bit_identical(tmp_path, capsys):
    out = tmp_path / "r.npz"
    assert main(["run", str(EXAMPLES / "ohio.toml"), "--n", "300", "--seed", "4",
                 "--out", str(out), "--workers", "2", "--quiet"]) == 0
    s = load_scenario(EXAMPLES / "ohio.toml")
    ref = dealsim.simulate(s.deal, 300, seed=4, uncertainties=s.uncertainties)
    got = load(out)
    np.testing.assert_array_equal(got.investor_irr, ref.investor_irr)
    np.testing.assert_array_equal(got.inputs["overrun"], ref.inputs["overrun"])
    assert got.seed == "4" and got.first_year == 2026


def test_stream_flag_writes_statistics(tmp_path, capsys):
    out = tmp_path / "s.npz"
    assert main(["example", "ohio", "--n", "400", "--stream", "--out", str(out), "--quiet"]) == 0
    assert "streaming statistics" in capsys.readouterr().out
    with np.load(out) as f:
        assert int(f["n"]) == 400 and int(f["counts:investor_npv"].sum()) == 400
    assert main(["example", "ohio", "--n", "400", "--stream", "--out", "x.parquet"]) == 2


class _Tty(io.StringIO):
    def isatty(self):
        return True


def test_progress_bar_on_a_terminal_is_the_engines_tqdm_bar(monkeypatch, capsys):
    pytest.importorskip("tqdm")
    import dealsim.montecarlo.run

    seen = []
    real = dealsim.montecarlo.run.simulate
    monkeypatch.setattr(dealsim.montecarlo.run, "simulate",
                        lambda *a, **k: seen.append(k["progress"]) or real(*a, **k))
    monkeypatch.setattr(sys, "stderr", _Tty())
    assert main(["example", "ohio", "--n", "100"]) == 0
    assert seen == [True]  # the engine draws the bar (tqdm: rate and ETA)
    assert main(["example", "ohio", "--n", "100", "--quiet"]) == 0
    assert seen == [True, False]


def test_no_progress_when_stderr_is_not_a_terminal(tmp_path, capsys):
    assert main(["example", "ohio", "--n", "100"]) == 0
    assert capsys.readouterr().err == ""  # pytest's stderr is not a tty


@pytest.mark.parametrize("module", ["dealsim", "dealsim.interfaces.cli"])
def test_python_dash_m_exits_with_mains_code(tmp_path, module):
    # `python -m dealsim.interfaces.cli` once imported the module and exited 0 silently.
    bad = write(tmp_path, '[deal]\npreset = "ohio_gas_power"\n[simulation]\nn = 0\n')
    proc = subprocess.run([sys.executable, "-m", module, "run", str(bad)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "[simulation] n must be >= 1" in proc.stderr


# --- every invalid input: exit 2 with file and key, before the run (issue 13 §11) -------


@pytest.fixture
def no_run(monkeypatch):
    """Fail the test if a simulation starts: the error must come before any work."""
    def boom(*args, **kwargs):
        raise AssertionError("the run started before the input was checked")
    monkeypatch.setattr(dealsim.montecarlo.run, "simulate", boom)
    monkeypatch.setattr(dealsim.montecarlo.streaming, "simulate_stream", boom)


OHIO = str(EXAMPLES / "ohio.toml")


@pytest.mark.parametrize("make_args, message", [
    (lambda p: ["run", str(write(p, "x"))[:-6] + "bad.toml"], r"cannot read the scenario file"),
    (lambda p: ["run", str(p / ("x" * 5000 + ".toml"))], r"cannot read .*File name too long"),
    (lambda p: ["run", OHIO, "--scheduler", "not a url"],
     r"--scheduler must be an address such as tcp://host:8786; got 'not a url'"),
    (lambda p: ["run", OHIO, "--scheduler", "tcp://h:99999"], r"--scheduler must be"),
    (lambda p: ["run", OHIO, "--n", "1.5"], r"--n must be a whole number of scenarios; got 1.5"),
    (lambda p: ["run", OHIO, "--n", "nan"], r"--n must be a whole number"),
    (lambda p: ["run", OHIO, "--workers", "0"], r"--workers must be >= 1; got 0"),
    (lambda p: ["run", OHIO, "--seed", "-1", "--cluster", "2"], r"--seed must be >= 0; got -1"),
    (lambda p: ["run", OHIO, "--out", str(p)], r"--out must end in"),
    (lambda p: ["run", OHIO, "--out", str(p / "d.npz") if (p / "d.npz").mkdir() is None
                else ""], r"--out: .*d.npz' is a directory"),
    (lambda p: ["run", OHIO, "--out", "/proc/x.npz"],
     r"--out: cannot write in directory '/proc'"),
    (lambda p: ["run", OHIO, "--out", str(p / ("x" * 300 + ".npz"))],
     r"--out: file name longer than"),
    (lambda p: ["run", OHIO, "--plot", "/proc/x.png"], r"--plot: cannot write in directory"),
    (lambda p: ["run", OHIO, "--plot", str(p / "r.svg")], r"--plot must end in .png"),
    (lambda p: ["run", str(p / "a\x00b.toml")], r"not a usable path"),
    (lambda p: ["run", OHIO, "--out", str(p / "a\x00b.npz")], r"--out must not contain a NUL"),
])
def test_bad_flags_and_paths_exit_2_before_the_run(tmp_path, capsys, no_run, make_args,
                                                   message):
    assert main(make_args(tmp_path)) == 2
    err = capsys.readouterr().err
    assert err.startswith("dealsim: error: ") and err.count("\n") == 1
    assert re.search(message, err), err


@pytest.mark.parametrize("content, message", [
    (b'[deal]\npreset = "ohio\xff"\n', r"s.toml: not UTF-8 text \(line 2: byte b'\\xff'\)"),
    (b'[deal]\npreset = "ohio_gas_power"\n[deal.options]\nfee = [1]\n',
     r"s.toml: \[deal.options\] fee must be one of"),
    (b"a = " + b"[" * 100_000 + b"]" * 100_000 + b"\n", r"s.toml: (tables nested|not valid)"),
    (b'[deal]\npreset = "ohio_gas_power"\n[deal.options]\n' + b"x = {" * 50 + b"}" * 50,
     r"s.toml: (tables nested|not valid TOML)"),
    (b'[deal]\npreset = "ohio_gas_power"\n[uncertainties.overun]\ndistribution = "fixed"\n'
     b"value = 3.0\n", r"s.toml: \[uncertainties.overun\] .*did you mean 'overrun'"),
])
def test_bad_files_exit_2_naming_file_and_key(tmp_path, capsys, no_run, content, message):
    path = tmp_path / "s.toml"
    path.write_bytes(content)
    assert main(["run", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert re.search(message, err), err


def test_deeply_nested_json_is_refused(tmp_path, capsys, no_run):
    path = tmp_path / "s.json"
    path.write_text('{"deal": ' + "[" * 100_000 + "]" * 100_000 + "}")
    assert main(["run", str(path)]) == 2
    assert re.search(r"s.json: (tables nested|not valid JSON)", capsys.readouterr().err)


def test_error_during_a_run_is_one_line_exit_1(capsys, monkeypatch):
    def boom(*args, **kwargs):
        raise MemoryError("Unable to allocate 4.66 EiB\nfor an array")
    monkeypatch.setattr(dealsim.montecarlo.run, "simulate", boom)
    assert main(["example", "ohio", "--n", "10", "--quiet"]) == 1
    err = capsys.readouterr().err
    assert err == "dealsim: MemoryError: Unable to allocate 4.66 EiB for an array\n"


def test_schema_command_prints_the_schema(capsys):
    assert main(["schema"]) == 0
    assert json.loads(capsys.readouterr().out) == dealsim.interfaces.scenario.schema()


def test_sigint_exits_130_with_one_line():
    code, err = cli_interrupted(signal.SIGINT)
    assert code == 130, err
    assert err == "dealsim: interrupted\n"


@pytest.mark.parametrize("n, echo", [("1e300", "got 1e+300"), ("4e12", "got 4000000000000")])
def test_an_impossible_n_exits_2_at_once_echoing_it(capsys, n, echo):
    start = time.monotonic()
    assert main(["example", "ohio", "--n", n, "--quiet"]) == 2
    err = capsys.readouterr().err
    assert time.monotonic() - start < 30
    assert err.count("\n") == 1 and "n must be at most" in err and err.rstrip().endswith(echo)
