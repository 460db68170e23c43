"""simulate_stream(): statistics equal those of the gathered arrays, determinism across
executors, and the stated quantile error bound."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from _alarm import alarm  # noqa: F401 - fixture

import dealsim
from dealsim.errors import DeadlineExceeded, InvalidParameterError, RunCancelled
from dealsim.montecarlo.engine import MAX_N
from dealsim.montecarlo.run import BLOCK_SIZE
from dealsim.montecarlo.streaming import Moments, simulate_stream
from dealsim.presets import ohio_gas_power
from dealsim.results.summary import OUTPUTS

DEAL = ohio_gas_power()
N = 2 * BLOCK_SIZE + 321  # three blocks, the last one partial
BINS = 1024


@pytest.fixture(scope="module")
def pair():
    stream = simulate_stream(DEAL, N, seed=21, bins=BINS, window=1)
    return stream, dealsim.simulate(DEAL, N, seed=21, paths=0)


def _valid(result, name):
    x = np.asarray(result.output(name), dtype=np.float64)
    return x[~np.isnan(x)]


def _ranked(result, name):
    """The values the summaries rank: the investor IRR counts total losses at -100%."""
    x = result.statistic_values(name)
    return x[~np.isnan(x)]


@pytest.mark.parametrize("name", list(OUTPUTS))
def test_moments_match_gathered_arrays(pair, name):
    stream, full = pair
    x, m = _valid(full, name), stream.moments[name]
    assert m.count == x.size
    assert (m.min, m.max) == (x.min(), x.max())
    np.testing.assert_allclose(m.mean, x.mean(), rtol=1e-9, atol=1e-12 * np.abs(x).max())
    np.testing.assert_allclose(m.std, x.std(ddof=1), rtol=1e-9)


def test_event_and_recovery_counts_are_exact(pair):
    stream, full = pair
    assert stream.events == {k: int(np.count_nonzero(m)) for k, m in full.events().items()}
    years, share = full.recovered_by_year()
    s_years, s_share = stream.recovered_by_year()
    np.testing.assert_array_equal(s_years[: years.size], years)
    np.testing.assert_array_equal(s_share[: share.size], share)
    assert stream.probabilities()["p_recover_daa"].p == full.probabilities()["p_recover_daa"].p


@pytest.mark.parametrize("name", list(OUTPUTS))
@pytest.mark.parametrize("q", [0.05, 0.5, 0.95])
def test_quantile_bracket_holds_exact_value_within_two_bins(pair, name, q):
    stream, full = pair
    exact = np.quantile(_ranked(full, name), q)
    value, low, high = stream.quantile(name, q)
    width = (stream.edges[name][-1] - stream.edges[name][0]) / BINS
    assert low <= exact <= high
    assert low <= value <= high
    assert high - low <= 2 * width * (1 + 1e-9)  # the module docstring's bound


def test_summary_intervals_contain_the_exact_ones(pair):
    stream, full = pair
    s, f = stream.summary(), full.summary()
    for name, st in f.statistics.items():
        for q, (_, lo, hi) in st.quantiles.items():
            _, s_lo, s_hi = s.statistics[name].quantiles[q]
            assert s_lo <= lo and hi <= s_hi, (name, q)
    assert "investor_irr" in str(s)


def test_same_result_whatever_the_executor(pair):
    stream, _ = pair
    with ThreadPoolExecutor(max_workers=2) as pool:
        other = simulate_stream(DEAL, N, seed=21, bins=BINS, executor=pool, window=2)
    assert other.moments == stream.moments  # merged in block order: bit-identical
    for name in OUTPUTS:
        np.testing.assert_array_equal(other.counts[name], stream.counts[name])


def test_progress_is_reported_in_block_order():
    calls = []
    simulate_stream(DEAL, 2 * BLOCK_SIZE, seed=1, progress=lambda d, t: calls.append((d, t)))
    assert calls == [(1, 2), (2, 2)]


def test_moments_merge_is_chan():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=100), rng.normal(3.0, 2.0, size=37)
    m = Moments.of(a).merge(Moments.of(b))
    both = np.concatenate([a, b])
    np.testing.assert_allclose([m.mean, m.std], [both.mean(), both.std(ddof=1)], rtol=1e-12)
    assert Moments.of(np.array([])).merge(m) is m


@pytest.mark.parametrize("kw, word", [({"bins": 3}, "bins"), ({"window": 0}, "window"),
                                      ({"n": 0}, "n")])
def test_bad_arguments_are_named(kw, word):
    args = {"n": 10, **kw}
    with pytest.raises(InvalidParameterError, match=word):
        simulate_stream(DEAL, args.pop("n"), seed=1, **args)


def test_unknown_output_is_named(pair):
    with pytest.raises(InvalidParameterError, match="nope"):
        pair[0].quantile("nope", 0.5)


# --- metadata, strict JSON, deadlines and cancellation (issues 9 §3, 13 §3-§4) ----------


def test_summary_keeps_the_backend(pair):
    stream, gathered = pair
    assert stream.backend == gathered.backend != ""
    assert stream.summary().backend == gathered.summary().backend


def test_to_dict_is_strict_json_with_the_run(pair):
    stream, gathered = pair
    d = json.loads(json.dumps(stream.to_dict(), allow_nan=False))
    exact = gathered.summary().to_dict()
    assert (d["schema_version"], d["n"], d["seed"], d["backend"], d["statistics_from"],
            d["bins"]) == (1, N, "21", gathered.backend, "streaming", BINS)
    for name in OUTPUTS:
        assert d["statistics"][name]["unit"] == exact["statistics"][name]["unit"]
        assert d["statistics"][name]["mean"] == pytest.approx(
            exact["statistics"][name]["mean"], rel=1e-12)
    assert d["probabilities"] == exact["probabilities"]  # exact counts


def test_cancel_hook_gives_the_statistics_of_the_prefix():
    calls = []

    def stop_after_two(done, total):
        calls.append((done, total))
        return done < 2

    s = simulate_stream(DEAL, N, seed=21, bins=BINS, progress=stop_after_two)
    assert calls == [(1, 3), (2, 3)]
    assert (s.n, s.requested, s.partial) == (2 * BLOCK_SIZE, N, True)
    prefix = dealsim.simulate(DEAL, 2 * BLOCK_SIZE, seed=21, paths=0)
    for name in OUTPUTS:  # merged moments of the two blocks == moments of their rows
        x = _valid(prefix, name)
        assert s.moments[name].count == x.size
        assert s.moments[name].mean == pytest.approx(x.mean(), rel=1e-12)
    assert s.to_dict()["partial"] is True


def test_tiny_deadline_stops_after_the_first_block_or_raises():
    s = simulate_stream(DEAL, N, seed=21, deadline=1e-9)
    assert (s.n, s.partial) == (BLOCK_SIZE, True)
    with pytest.raises(DeadlineExceeded) as exc:
        simulate_stream(DEAL, N, seed=21, deadline=1e-9, on_stop="raise")
    assert exc.value.result.n == BLOCK_SIZE
    with ThreadPoolExecutor(max_workers=2) as pool, pytest.raises(RunCancelled):
        simulate_stream(DEAL, N, seed=21, executor=pool, progress=lambda d, t: False,
                        on_stop="raise")


def test_huge_n_is_planned_lazily_and_cut_by_the_deadline():
    # MAX_N scenarios (6e6 blocks) would take a day; planning is lazy, so the deadline
    # ends the run after the first block instead of building 6e6 block objects first.
    s = simulate_stream(DEAL, MAX_N, seed=1, deadline=1e-9)
    assert (s.n, s.requested, s.partial) == (BLOCK_SIZE, MAX_N, True)


@pytest.mark.usefixtures("alarm")
def test_impossible_n_is_refused():
    for n in (1e300, 2**62, 1e12, MAX_N + 1):
        with pytest.raises(InvalidParameterError, match="at most 1e[+]11"):
            simulate_stream(DEAL, n, seed=1)
