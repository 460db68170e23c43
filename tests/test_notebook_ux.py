"""What a notebook user sees: short reprs, HTML tables, one shape for every result,
units carried in the data, seeds that default to fresh entropy and reproduce, runs that
name what they change, :func:`dealsim.compare`, and the command line's first contact.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import math
import os
import pathlib
import re
import subprocess
import sys

import numpy as np
import pytest

import dealsim
from dealsim.common.display import Report, number
from dealsim.errors import InvalidParameterError
from dealsim.presets import georgia_diamond, ohio_gas_power, texas_gulflink
from dealsim.results.summary import Summary

N = 1000
HOSTILE = "<script>alert('x')</script> & Co"


@pytest.fixture(scope="module")
def runs():
    deal = ohio_gas_power()
    pair = {"a": georgia_diamond(), "b": texas_gulflink()}
    return {
        "deal": deal,
        "evaluation": dealsim.evaluate(deal),
        "simulation": dealsim.simulate(deal, N, seed=3),
        "summary": dealsim.simulate(deal, N, seed=3).summary(),
        "fund_or_decline": dealsim.fund_or_decline(deal, N, seed=3),
        "portfolio": dealsim.simulate_portfolio(pair, 300, seed=3),
        "portfolio_decision": dealsim.decide_portfolio(pair, 300, seed=3),
        "stream": dealsim.streaming.simulate_stream(deal, N, seed=3),
    }


# -- 1. short reprs and HTML ---------------------------------------------------------

@pytest.mark.parametrize("name", ["deal", "evaluation", "simulation", "summary",
                                  "fund_or_decline", "portfolio", "portfolio_decision",
                                  "stream"])
def test_repr_is_a_few_lines_with_the_run_and_html_is_a_table(runs, name):
    obj = runs[name]
    text = repr(obj)
    # before: 3,925 (Deal) to 65,233 (SimulationResult) characters of arrays
    assert len(text) <= 300 and len(text.splitlines()) <= 3, text
    assert "array(" not in text and "\n  " not in text
    if name not in ("deal", "evaluation"):
        assert "n=" in text and "seed=" in text and "backend=" in text
    page = obj._repr_html_()
    assert page.startswith("<div>") and "<table" in page and page.count("<tr>") >= 3
    assert "Japan" in page  # labels a reader sees name the parties


def test_summary_html_shows_the_numbers_of_to_dict(runs):
    summ = runs["summary"]
    page, d = summ._repr_html_(), summ.to_dict()
    for name, pr in d["probabilities"].items():  # every probability, to 4 decimals
        assert f"{pr['p']:.4f}" in page, name
        assert pr["unit"] == "probability"
    for name in ("investor_irr", "investor_npv", "host_npv"):  # means, scaled for print
        st = d["statistics"][name]
        scale = {"1/year": 100.0, "USD": 1e-9}[st["unit"]]
        assert f"{st['mean'] * scale:.3f}" in page, name
    assert f"seed = {d['seed']}" in page and f"backend = {d['backend']}" in page


@pytest.mark.parametrize("name", ["evaluation", "fund_or_decline", "portfolio",
                                  "portfolio_decision"])
def test_report_html_and_text_show_the_numbers_of_to_dict(runs, name):
    report = runs[name].summary()
    assert isinstance(report, Report)
    d = json.loads(json.dumps(report.to_dict(), allow_nan=False))  # strict JSON
    page = report._repr_html_()
    assert d["rows"], name
    for key, row in d["rows"].items():
        assert row["unit"] is not None
        shown = "n/a" if row["value"] is None else number(row["value"], row["unit"])
        assert shown in page, key
    df = report.to_pandas()
    assert list(df.index) == list(d["rows"]) and set(df.attrs["units"]) == set(df.index)


def test_html_escapes_a_hostile_title():
    deal = dataclasses.replace(georgia_diamond(), name=HOSTILE)
    sim = dealsim.simulate(deal, 200, seed=1)
    objects = [deal, sim, sim.summary(), dealsim.fund_or_decline(deal, 200, seed=1),
               dealsim.evaluate(deal), dealsim.compare(sim, sim)]
    for obj in objects:
        page = obj._repr_html_()
        assert "<script>" not in page and "&lt;script&gt;" in page, type(obj).__name__
        assert "&amp; Co" in page


# -- 2. one shape --------------------------------------------------------------------

def test_summary_is_an_object_everywhere(runs):
    assert isinstance(runs["simulation"].summary(), Summary)
    assert isinstance(runs["stream"].summary(), Summary)
    for name in ("evaluation", "fund_or_decline", "portfolio", "portfolio_decision"):
        s = runs[name].summary()
        assert isinstance(s, Report) and str(s) == s.text and s.text.count("\n") > 3
    # the text of before is still there: `"..." in summary` and print() keep working
    assert "P(funding beats declining)" in runs["fund_or_decline"].summary()


@pytest.mark.parametrize("name", ["simulation", "fund_or_decline", "portfolio"])
def test_to_pandas_is_one_frame_with_a_unit_for_every_column(runs, name):
    pd = pytest.importorskip("pandas")
    df = runs[name].to_pandas()
    assert isinstance(df, pd.DataFrame) and len(df) == runs[name].n
    units = df.attrs["units"]
    assert set(units) == set(df.columns) and all(isinstance(u, str) and u for u in
                                                 units.values())
    assert df.attrs["seed"] == getattr(runs[name], "seed", runs[name].simulation.seed
                                       if name == "fund_or_decline" else None)


def test_paths_to_pandas_is_long_and_matches_the_arrays(runs):
    pytest.importorskip("pandas")
    r = runs["simulation"]
    df = r.paths_to_pandas()
    k, t = r.paths["investor"].shape
    assert len(df) == k * t and set(df.attrs["units"]) == set(df.columns)
    i, year = 7, r.first_year + 3  # scenario 7, grid year 3
    row = df[(df["scenario"] == i) & (df["year"] == year)]
    assert row["investor"].item() == r.paths["investor"][i, 3]


def test_probability_converts_with_float(runs):
    p = runs["fund_or_decline"].p_fund_better
    assert float(p) == p.p and isinstance(float(p), float)
    for pr in runs["simulation"].probabilities().values():
        assert float(pr) == pr.p


def _same_run(a, b, arrays):
    for name in arrays:
        np.testing.assert_array_equal(a(name), b(name))


def test_seed_none_is_recorded_and_reproduces_every_runner():
    deal, pair = georgia_diamond(), {"a": georgia_diamond(), "b": texas_gulflink()}
    fresh = dealsim.simulate(deal, 300)
    again = dealsim.simulate(deal, 300, seed=int(fresh.seed))
    assert fresh.seed == again.seed and int(fresh.seed) > 2**64  # OS entropy, 128 bits
    _same_run(fresh.output, again.output, ("investor_npv", "investor_irr", "overrun"))
    other = dealsim.simulate(deal, 300)
    assert other.seed != fresh.seed  # fresh entropy each time

    fd = dealsim.fund_or_decline(deal, n=300)
    fd2 = dealsim.fund_or_decline(deal, n=300, seed=int(fd.simulation.seed))
    np.testing.assert_array_equal(fd.advantage, fd2.advantage)

    port = dealsim.simulate_portfolio(pair, 200)
    port2 = dealsim.simulate_portfolio(pair, 200, seed=int(port.seed))
    np.testing.assert_array_equal(port.npv, port2.npv)

    dec = dealsim.decide_portfolio(pair, n=200)
    dec2 = dealsim.decide_portfolio(pair, n=200, seed=int(dec.portfolio.seed))
    np.testing.assert_array_equal(dec.values["each"]["fund all"],
                                  dec2.values["each"]["fund all"])

    st = dealsim.streaming.simulate_stream(deal, 300)
    st2 = dealsim.streaming.simulate_stream(deal, 300, seed=int(st.seed))
    assert st.summary().to_dict() == st2.summary().to_dict()


def test_threat_defaults_and_old_call_forms_agree():
    deal = georgia_diamond()
    old = dealsim.fund_or_decline(deal, dealsim.TariffThreat(), 300, seed=2)
    for new in (dealsim.fund_or_decline(deal, 300, seed=2),
                dealsim.fund_or_decline(deal, n=300, seed=2),
                dealsim.fund_or_decline(deal, None, 300, seed=2)):
        np.testing.assert_array_equal(new.advantage, old.advantage)
    with pytest.raises(InvalidParameterError, match="n .* required"):
        dealsim.fund_or_decline(deal, seed=2)
    with pytest.raises(InvalidParameterError, match="threat must be a TariffThreat"):
        dealsim.fund_or_decline(deal, "high", 300, seed=2)


def test_every_class_needed_to_build_a_deal_is_at_the_front_door():
    for name in ("Deal", "Project", "DealTerms", "DeveloperFee", "Operations", "Market",
                 "PricePaths", "SofrPaths", "UsdJpyPaths", "MeanReverting",
                 "TariffThreat", "CommonFactor", "FundingSplit", "Uncertainties",
                 "compare", "Comparison"):
        assert getattr(dealsim, name) is not None and name in dealsim.__all__


# -- 3. units and names --------------------------------------------------------------

def test_never_recovered_is_missing_in_frames_and_summaries(runs):
    pytest.importorskip("pandas")
    r = runs["simulation"]
    never = r.recovered_at < 0
    assert never.any()
    df = r.to_pandas()
    assert int(df["recovered_at"].isna().sum()) == int(never.sum())
    described = df["recovered_at"].describe()
    if (~never).any():  # the mean of recovered years only, as a loop computes it
        years = [int(x) for x in r.recovered_at if x >= 0]
        assert described["mean"] == pytest.approx(sum(years) / len(years))
    ev = dealsim.evaluate(ohio_gas_power())  # never recovers at the base inputs
    row = ev.summary().to_dict()["rows"]["recovered_year"]
    assert int(ev.recovered_at) < 0 and row["value"] is None


def test_summary_units_are_data(runs):
    d = runs["summary"].to_dict()
    assert {st["unit"] for st in d["statistics"].values()} <= {"USD", "1/year", "x"}
    df = runs["summary"].to_pandas()
    assert df.loc[("investor_npv", "mean"), "unit"] == "USD"
    assert df.loc[("investor_npv", "mean"), "value"] == d["statistics"]["investor_npv"]["mean"]


# -- 4. comparing assumptions ----------------------------------------------------------

def test_a_run_records_what_it_changes_and_is_titled_after_it():
    base = dealsim.simulate(ohio_gas_power(), 200, seed=1)
    cheap = dealsim.simulate(ohio_gas_power(power_price=75), 200, seed=1)
    assert base.changes == {} and base.title == ohio_gas_power().name
    assert cheap.changes == {"project.price": (85.0, 75.0)}
    assert cheap.title == f"{ohio_gas_power().name} (price=75)" != base.title
    unc = dealsim.default_uncertainties("fossil_thermal")
    wider = dealsim.Uncertainties(
        {**unc.marginals, "overrun": dealsim.LogNormal(median=1.2, sigma=0.4)},
        correlation=unc.correlation)
    odd = dealsim.simulate(ohio_gas_power(), 200, seed=1, uncertainties=wider)
    assert set(odd.changes) == {"uncertainties.overrun.median", "uncertainties.overrun.sigma"}
    assert odd.title != base.title
    custom = dataclasses.replace(ohio_gas_power(), name="my plant")  # no preset: no changes
    assert dealsim.simulate(custom, 100, seed=1).changes == {}


def test_compare_shows_the_changed_field_and_the_paired_difference():
    pytest.importorskip("pandas")
    a = dealsim.simulate(ohio_gas_power(), 500, seed=4)
    b = dealsim.simulate(ohio_gas_power(power_price=95), 500, seed=4)
    c = dealsim.compare(a, b)
    text, page = str(c), c._repr_html_()
    assert "project.price" in text and "project.price" in page
    assert c.assumptions == {"project.price": (85.0, 95.0)}
    # the paired difference, computed here with a plain loop
    diffs = [y - x for x, y in zip(a.investor_npv, b.investor_npv, strict=True)]
    mean = sum(diffs) / len(diffs)
    sd = math.sqrt(sum((d - mean) ** 2 for d in diffs) / (len(diffs) - 1))
    d, lo, hi = c.paired[c.labels[1]]
    assert d == pytest.approx(mean, rel=1e-12)
    assert hi - lo == pytest.approx(2 * 1.959963984540054 * sd / math.sqrt(len(diffs)))
    df = c.to_pandas()
    assert df.loc["investor_npv:mean", c.labels[0]] == pytest.approx(a.investor_npv.mean())
    assert df.loc["p_recover_capital", f"difference: {c.labels[1]}"] == pytest.approx(
        float(np.mean(b.investor_moic >= 1)) - float(np.mean(a.investor_moic >= 1)))
    assert set(df.attrs["units"]) == set(df.index)
    with pytest.raises(InvalidParameterError, match="at least two"):
        dealsim.compare(a)
    with pytest.raises(InvalidParameterError, match="runs must be"):
        dealsim.compare(a, "b")


# -- 5. first contact ----------------------------------------------------------------

def test_compile_message_is_logged_once_when_a_compile_happens(monkeypatch, caplog):
    from dealsim.kernels import block

    if not block.available():
        pytest.skip("numba not installed")
    heard = []
    monkeypatch.setattr(block, "_compile_checked", False)
    monkeypatch.setattr(block, "_compile_pending", lambda: True)
    block.add_compile_listener(heard.append)
    try:
        with caplog.at_level(logging.INFO, logger="dealsim"):
            dealsim.simulate(georgia_diamond(), 50, seed=1, backend="numba")
            dealsim.simulate(georgia_diamond(), 50, seed=1, backend="numba")
    finally:
        block.remove_compile_listener(heard.append)
    said = [r.getMessage() for r in caplog.records if "compiling the numba" in r.getMessage()]
    assert len(said) == 1 and "first run only" in said[0] and heard == said
    monkeypatch.setattr(block, "_compile_checked", False)
    monkeypatch.setattr(block, "_compile_pending", lambda: False)  # cached: nothing said
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="dealsim"):
        dealsim.simulate(georgia_diamond(), 50, seed=1, backend="numba")
    assert not [r for r in caplog.records if "compiling" in r.getMessage()]


def test_cli_version_and_defaults_in_help(capsys):
    from dealsim.interfaces.cli import main

    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"dealsim {dealsim.__version__}"
    assert main(["decide", "--help"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "100,000" in out and "decimal, not points" in out
    assert main(["example", "--help"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "default: 20,000" in out and "a first look" in out


def test_cli_same_prefix_rule_for_presets_and_example(capsys):
    from dealsim.interfaces.cli import main

    assert main(["presets", "ohio"]) == 0
    assert capsys.readouterr().out.startswith("ohio_gas_power (deal)")
    assert main(["presets", "g"]) == 2  # gas_tranche2 and georgia_diamond
    assert "unique prefix" in capsys.readouterr().err


def test_cli_refuses_points_where_a_decimal_is_expected(capsys):
    from dealsim.interfaces.cli import main

    assert main(["decide", "examples/ohio.toml", "--rate-increase", "25"]) == 2
    err = capsys.readouterr().err
    assert "--rate-increase takes a decimal" in err and "0.25" in err


def test_cli_closed_pipe_is_quiet_and_exit_0():
    src = str(pathlib.Path(__file__).resolve().parents[1] / "src")
    env = {**os.environ, "PYTHONPATH": src + os.pathsep + os.environ.get("PYTHONPATH", "")}
    code = ("import subprocess, sys\n"
            "p = subprocess.Popen([sys.executable, '-m', 'dealsim', 'schema'],"
            " stdout=subprocess.PIPE, stderr=subprocess.PIPE)\n"
            "p.stdout.readline(); p.stdout.close()\n"
            "err = p.stderr.read(); print(p.wait(), len(err))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120, check=True, env=env).stdout.split()
    assert out == ["0", "0"]


@pytest.mark.parametrize(("flag", "value", "ok"), [
    ("--rate-increase", "0.25", True), ("--rate-increase", "1.0", True),
    ("--rate-increase", "10", False), ("--probability", "50", False),
    ("--reallocation", "0.5", True)])
def test_decimal_flags_take_decimals_only(flag, value, ok):
    from dealsim.interfaces.cli import _decimal_flags, _parser

    args = _parser().parse_args(["decide", "x.toml", flag, value])
    if ok:
        _decimal_flags(args)
    else:
        with pytest.raises(InvalidParameterError, match=re.escape(flag) + " takes a decimal"):
            _decimal_flags(args)


def test_tornado_bars_carry_units(runs):
    bar = runs["simulation"].tornado("investor_npv")[0]
    assert bar.units == {k: "USD" for k in bar.low} and bar.input_unit
    threat_bars = runs["fund_or_decline"].tornado()
    units = {b.name: b.input_unit for b in threat_bars}
    assert units["rate_increase"].startswith("tariff increase (decimal")
    assert threat_bars[0].units == {"p_fund_better": "probability", "mean_advantage": "USD"}
