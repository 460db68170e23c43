"""Scenario files and the command line: keyed errors, exit codes, progress bar, outputs."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import dealsim
from dealsim.cli import main
from dealsim.io import load
from dealsim.scenario import ScenarioError, deal_presets, load_scenario

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
     r"s.toml: \[simulation\] seed must be int; got 'one'"),
    ('[deal]\npreset = "ohio_gas_power"\n[simulation]\nsampler = "halton"\n',
     r"s.toml: \[simulation\] sampler must be one of"),
    ('[deal]\npreset = "ohio_gas_power"\n[uncertainties.delay]\ndistribution = "rounded"\n'
     'base = { distribution = "lognormal", median = 1.5, sigma = "wide" }\n',
     r"s.toml: \[uncertainties.delay.base\] sigma must be a finite number; got 'wide'"),
    ('[deal]\npreset = "ohio_gas_power"\n[uncertainties.x]\ndistribution = "cauchy"\n',
     r"s.toml: \[uncertainties.x\] distribution must be one of"),
    ('[deal]\npreset = "ohio_gas_power"\n[uncertainties.x]\ndistribution = "uniform"\n'
     "low = 1\n", r"s.toml: \[uncertainties.x\] uniform needs \['low', 'high'\]; got \['low'\]"),
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
    monkeypatch.setattr(dealsim.montecarlo, "simulate", boom)
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
    import dealsim.montecarlo

    seen = []
    real = dealsim.montecarlo.simulate
    monkeypatch.setattr(dealsim.montecarlo, "simulate",
                        lambda *a, **k: seen.append(k["progress"]) or real(*a, **k))
    monkeypatch.setattr(sys, "stderr", _Tty())
    assert main(["example", "ohio", "--n", "100"]) == 0
    assert seen == [True]  # the engine draws the bar (tqdm: rate and ETA)
    assert main(["example", "ohio", "--n", "100", "--quiet"]) == 0
    assert seen == [True, False]


def test_no_progress_when_stderr_is_not_a_terminal(tmp_path, capsys):
    assert main(["example", "ohio", "--n", "100"]) == 0
    assert capsys.readouterr().err == ""  # pytest's stderr is not a tty


def test_python_dash_m_exits_with_mains_code(tmp_path):
    bad = write(tmp_path, '[deal]\npreset = "ohio_gas_power"\n[simulation]\nn = 0\n')
    proc = subprocess.run([sys.executable, "-m", "dealsim", "run", str(bad)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "[simulation] n must be >= 1" in proc.stderr
