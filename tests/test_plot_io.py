"""Plots render to real PNGs with P5/P50/P95 and the break-even; to_pandas and file formats."""

from __future__ import annotations

import numpy as np
import pytest

import dealsim
from dealsim.errors import InvalidParameterError
from dealsim.interfaces.io import check_path, load, save
from dealsim.montecarlo.streaming import simulate_stream
from dealsim.presets import ohio_gas_power

pytest.importorskip("matplotlib")
from dealsim.analysis import plot  # noqa: E402

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def result():
    return dealsim.simulate(ohio_gas_power(), 2000, seed=5, paths=200)


def saved(fig, path):
    fig.savefig(path, dpi=50)
    data = path.read_bytes()
    assert data[:8] == PNG and len(data) > 5000  # a real, non-blank image
    return data


@pytest.mark.parametrize("output", ["investor_irr", "investor_npv"])
def test_distribution_marks_p5_p50_p95(result, output, tmp_path):
    fig = plot.plot_distribution(result, output)
    saved(fig, tmp_path / "d.png")
    x = result.output(output)
    scale = dealsim.results.summary.OUTPUTS[output][1]
    want = np.quantile(x[~np.isnan(x)], [0.05, 0.5, 0.95]) * scale
    drawn = [line.get_xdata()[0] for line in fig.axes[0].lines if line.get_gid() != "break-even"]
    np.testing.assert_allclose(drawn, want, rtol=1e-12)


def test_streaming_distribution_marks_its_quantiles(tmp_path):
    s = simulate_stream(ohio_gas_power(), 3000, seed=5)
    fig = plot.plot_distribution(s, "investor_npv")
    saved(fig, tmp_path / "s.png")
    drawn = [line.get_xdata()[0] for line in fig.axes[0].lines if line.get_gid() != "break-even"]
    want = [s.quantile("investor_npv", q)[0] * 1e-9 for q in (0.05, 0.5, 0.95)]
    np.testing.assert_allclose(drawn, want, rtol=1e-12)


def test_fan_tornado_recovery_and_report_render(result, tmp_path):
    fan = plot.plot_fan(result)
    median = fan.axes[0].lines[0].get_ydata()
    assert np.all(np.diff(median) >= 0)  # cumulative receipts never fall
    for name, fig in [("fan", fan), ("tornado", plot.plot_tornado(result)),
                      ("recovery", plot.plot_recovery(result)),
                      ("report", plot.plot_report(result))]:
        saved(fig, tmp_path / f"{name}.png")
    years, share = result.recovered_by_year()
    line = plot.plot_recovery(result).axes[0].lines[0]
    np.testing.assert_array_equal(line.get_ydata(), share)


def test_fan_needs_paths():
    r = dealsim.simulate(ohio_gas_power(), 50, seed=1, paths=0)
    with pytest.raises(InvalidParameterError, match="paths"):
        plot.plot_fan(r)


def test_to_pandas_frames(result):
    pytest.importorskip("pandas")
    scenarios, summary = result.to_pandas()
    assert len(scenarios) == result.n
    np.testing.assert_array_equal(scenarios["investor_npv"].to_numpy(), result.investor_npv)
    np.testing.assert_array_equal(scenarios["in_overrun"].to_numpy(), result.inputs["overrun"])
    st = result.summary().statistics["investor_irr"]
    assert summary.loc[("investor_irr", "p50"), "value"] == st.quantiles[0.5][0]
    p = result.probabilities()["p_recover_capital"].p
    assert summary.loc[("p_recover_capital", "p"), "value"] == p


def test_parquet_roundtrip(result, tmp_path):
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    path = save(result, tmp_path / "r.parquet")
    back = pd.read_parquet(path)
    assert path.read_bytes()[:4] == b"PAR1"
    np.testing.assert_array_equal(back["investor_irr"].to_numpy(), result.investor_irr)
    np.testing.assert_array_equal(back["fee_paid"].to_numpy(), result.fee_paid)


def test_npz_roundtrip_keeps_paths(result, tmp_path):
    back = load(save(result, tmp_path / "r.npz"))
    np.testing.assert_array_equal(back.paths["balance"], result.paths["balance"])
    assert back.summary().statistics["investor_npv"] == result.summary().statistics["investor_npv"]


def test_bad_paths_are_named(tmp_path):
    with pytest.raises(InvalidParameterError, match="path must end in"):
        check_path("r.csv")
    with pytest.raises(InvalidParameterError, match="streaming"):
        check_path("r.parquet", streaming=True)
    np.savez(tmp_path / "other.npz", a=np.zeros(2))
    with pytest.raises(InvalidParameterError, match="other.npz"):
        load(tmp_path / "other.npz")


def test_load_keeps_the_backend_and_refuses_other_files(tmp_path):
    r = dealsim.simulate(ohio_gas_power(), 200, seed=2)
    back = load(save(r, tmp_path / "r.npz"))
    assert back.backend == r.backend
    with pytest.raises(InvalidParameterError, match="tornado"):
        back.tornado(method="deterministic")  # the deal's bars are not in the file
    # the paths' summaries are: the conditional tornado is the run's own
    assert [b.name for b in back.tornado()] == [b.name for b in r.tornado()]
    bad = tmp_path / "x.npz"
    bad.write_bytes(b"not a zip file")
    with pytest.raises(InvalidParameterError, match="written by dealsim.io.save"):
        load(bad)
    with pytest.raises(InvalidParameterError, match="does not exist"):
        save(r, tmp_path / "missing" / "r.npz")
