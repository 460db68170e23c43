"""simulate(): reproducibility contract, agreement with the deterministic model,
statistical checks with stated tolerances, precision control, errors."""

from __future__ import annotations

import dataclasses
import json
import multiprocessing
import sys
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import numpy as np
import pytest
from _alarm import alarm  # noqa: F401 - fixture

import dealsim
import dealsim.montecarlo.run
from dealsim.common.outputs import ARRAYS, OUTPUT_TABLE, RUN_META
from dealsim.errors import DeadlineExceeded, InvalidParameterError, RunCancelled
from dealsim.model.market import Market
from dealsim.montecarlo.engine import MAX_N
from dealsim.montecarlo.run import BLOCK_SIZE
from dealsim.montecarlo.streaming import simulate_stream
from dealsim.montecarlo.uncertainty import (
    Fixed,
    LogNormal,
    Rounded,
    Uncertainties,
    default_uncertainties,
)
from dealsim.presets import ohio_gas_power

DEAL = ohio_gas_power()
# evaluate takes the factors it is given: a block equals evaluate on its draws where the
# market is levels (Market(); with paths each year moves: tests/test_owner_economics.py)
LEVELS = dataclasses.replace(DEAL, market=Market())


def same(a, b, rows=slice(None)):
    for name in ARRAYS:
        np.testing.assert_array_equal(getattr(a, name)[rows], getattr(b, name)[rows],
                                      err_msg=name)
    assert a.inputs.keys() == b.inputs.keys()
    for name in a.inputs:
        np.testing.assert_array_equal(a.inputs[name][rows], b.inputs[name][rows], err_msg=name)


@pytest.fixture(scope="module")
def two_blocks():
    return dealsim.simulate(DEAL, BLOCK_SIZE + 500, seed=11)


# --- reproducibility contract ---------------------------------------------------------


def test_first_k_scenarios_do_not_depend_on_n(two_blocks):
    small = dealsim.simulate(DEAL, 300, seed=11)
    same(small, two_blocks, slice(0, 300))
    one_block = dealsim.simulate(DEAL, BLOCK_SIZE + 1, seed=11)
    same(one_block, two_blocks, slice(0, BLOCK_SIZE + 1))


def test_numpy_backend_keeps_the_contract_too():
    # a short last block must not change how a scenario is solved
    long = dealsim.simulate(DEAL, BLOCK_SIZE + 300, seed=11, backend="numpy", paths=0)
    same(dealsim.simulate(DEAL, 200, seed=11, backend="numpy", paths=0), long, slice(0, 200))
    assert long.backend == "numpy"


def test_thread_pool_is_bit_identical(two_blocks):
    with ThreadPoolExecutor(max_workers=2) as pool:
        threaded = dealsim.simulate(DEAL, BLOCK_SIZE + 500, seed=11, executor=pool)
    same(threaded, two_blocks)


def test_process_pool_is_bit_identical(two_blocks):
    # blocks (deal, uncertainties, seed) are pickled to worker processes
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=2, mp_context=ctx) as pool:
        remote = dealsim.simulate(DEAL, BLOCK_SIZE + 500, seed=11, executor=pool)
    same(remote, two_blocks)


@pytest.mark.parametrize("seed_like", [
    lambda: 11,
    lambda: np.random.SeedSequence(11),
])
def test_seed_forms_agree(seed_like, two_blocks):
    same(dealsim.simulate(DEAL, 200, seed=seed_like()), two_blocks, slice(0, 200))


def test_generator_seed_is_reproducible_and_printed():
    a = dealsim.simulate(DEAL, 100, seed=np.random.default_rng(5))
    b = dealsim.simulate(DEAL, 100, seed=np.random.default_rng(5))
    same(a, b)
    same(a, dealsim.simulate(DEAL, 100, seed=int(a.seed)))  # the printed seed reproduces it


def test_different_seeds_differ(two_blocks):
    other = dealsim.simulate(DEAL, 200, seed=12)
    assert not np.array_equal(other.inputs["overrun"], two_blocks.inputs["overrun"][:200])


@pytest.mark.parametrize("sampler", ["lhs", "sobol"])
def test_qmc_samplers_keep_the_contract(sampler):
    a = dealsim.simulate(DEAL, 256, seed=3, sampler=sampler)
    b = dealsim.simulate(DEAL, 64, seed=3, sampler=sampler)
    same(a, b, slice(0, 64))


# --- agreement with the deterministic model (vectorised == loop) -----------------------


def test_each_scenario_equals_evaluate_on_its_draws():
    rows = [0, 7, 123, BLOCK_SIZE + 3]
    two_blocks = dealsim.simulate(LEVELS, BLOCK_SIZE + 10, seed=11, paths=5)
    for i in rows:
        draws = {k: x[i] for k, x in two_blocks.inputs.items()}
        ev = dealsim.evaluate_draws(LEVELS, draws,
                                    horizon=two_blocks.paths["investor"].shape[1])
        np.testing.assert_allclose(two_blocks.investor_npv[i], ev.investor_npv, rtol=1e-12)
        np.testing.assert_allclose(two_blocks.host_npv[i], ev.host_npv, rtol=1e-12)
        np.testing.assert_allclose(two_blocks.investor_irr[i], ev.investor_irr, rtol=1e-10,
                                   equal_nan=True)
        assert two_blocks.recovered_at[i] == ev.recovered_at
        assert two_blocks.fee_paid[i] == ev.fee_paid


def test_fixed_uncertainties_reproduce_the_base_case():
    names = default_uncertainties().names
    fixed = Uncertainties({name: Fixed(default_uncertainties().quantiles(0.5)[name])
                           for name in names})
    r = dealsim.simulate(LEVELS, 50, seed=1, uncertainties=fixed)
    draws = fixed.quantiles(0.5)
    ev = dealsim.evaluate_draws(LEVELS, draws, horizon=r.paths["investor"].shape[1])
    np.testing.assert_allclose(r.investor_npv, ev.investor_npv, rtol=1e-12)
    assert np.ptp(r.investor_npv) == 0.0
    # with market paths (the default) the years still move: fixed levels are only the
    # paths' starts
    assert np.ptp(dealsim.simulate(DEAL, 50, seed=1, uncertainties=fixed).investor_npv) > 0


# --- statistical checks --------------------------------------------------------------


def test_overrun_draws_match_their_distribution(two_blocks):
    # seeded mean within 4 standard errors of the analytic mean of the marginal
    dist = default_uncertainties("fossil_thermal").marginals["overrun"]
    x = two_blocks.inputs["overrun"]
    assert abs(x.mean() - dist.mean) < 4 * x.std(ddof=1) / np.sqrt(x.size)


def test_overrun_lowers_investor_npv(two_blocks):
    rho = two_blocks.rank_correlation(["investor_npv"])["overrun"]["investor_npv"]
    assert rho < -0.1
    bars = {b.name: b for b in two_blocks.tornado_bars}
    assert bars["overrun"].high["investor_npv"] < bars["overrun"].low["investor_npv"]
    assert bars["price"].high["investor_npv"] > bars["price"].low["investor_npv"]


def test_probabilities_have_binomial_standard_errors(two_blocks):
    probs = two_blocks.probabilities()
    n = two_blocks.n
    for p in probs.values():
        assert 0.0 <= p.p <= 1.0
        assert p.se == pytest.approx(np.sqrt(p.p * (1 - p.p) / n))
    assert probs["p_fee_paid"].p == pytest.approx(two_blocks.fee_paid.mean())


def test_summary_intervals_bracket_the_estimates(two_blocks):
    s = two_blocks.summary()
    for st in s.statistics.values():
        lo, hi = st.mean_ci
        assert lo <= st.mean <= hi
        for value, qlo, qhi in st.quantiles.values():
            assert qlo <= value <= qhi
    text = str(s)
    assert "seed = 11" in text and "investor_irr" in text and "p_recover_daa" in text


def test_mean_interval_covers_a_known_mean():
    # overrun ~ LogNormal with known mean; 95% CI from 4,000 draws must cover it in
    # (nearly) all of 20 independent seeds: allow 3 misses (P(>3 misses) ~ 1.6%).
    unc = Uncertainties({"overrun": LogNormal(median=1.1, sigma=0.4)})
    true = unc.marginals["overrun"].mean
    misses = 0
    for seed in range(20):
        r = dealsim.simulate(DEAL, 4000, seed=seed, uncertainties=unc, paths=0)
        lo, hi = r.summary(outputs=["overrun"]).statistics["overrun"].mean_ci
        misses += not (lo <= true <= hi)
    assert misses <= 3


def test_conditional_view_of_never_recovering():
    r = dealsim.simulate(DEAL, 5000, seed=4)
    never = ~r.events()["p_recover_daa"]
    view = r.conditional(never)
    assert view["overrun"]["share"] == pytest.approx(never.mean())
    if 0 < never.sum() < r.n:
        assert view["overrun"]["mean_in"] >= view["overrun"]["mean_all"] - 1e-12
    with pytest.raises(InvalidParameterError, match="mask"):
        r.conditional(np.ones(3, dtype=bool))


# --- precision control ---------------------------------------------------------------


def test_until_stops_at_the_target_deterministically():
    kw = dict(seed=9, until={"p_fee_paid": 0.01, "investor_npv": 2e9})
    a = dealsim.simulate(DEAL, 10 * BLOCK_SIZE, **kw)
    b = dealsim.simulate(DEAL, 10 * BLOCK_SIZE, **kw)
    assert a.n == b.n and a.n < 10 * BLOCK_SIZE and a.n % BLOCK_SIZE == 0
    assert a.half_width("p_fee_paid") <= 0.01 and a.half_width("investor_npv") <= 2e9
    with ThreadPoolExecutor(max_workers=2) as pool:
        c = dealsim.simulate(DEAL, 10 * BLOCK_SIZE, executor=pool, **kw)
    same(a, c)


# --- errors -------------------------------------------------------------------------


@pytest.mark.parametrize(("kwargs", "field"), [
    (dict(n=0, seed=1), "n"),
    (dict(n=10, seed=-1), "seed"),
    (dict(n=10, seed="abc"), "seed"),
    (dict(n=10, seed=1.5), "seed"),
    (dict(n=10, seed=1, sampler="halton"), "sampler"),
    (dict(n=10, seed=1, executor=object()), "executor"),
    (dict(n=10, seed=1, until={"bogus": 1.0}), "until"),
    (dict(n=10, seed=1, until={"investor_irr:x50": 1.0}), "until"),
    (dict(n=10, seed=1, until={"investor_irr:p150": 1.0}), "until"),
    (dict(n=10, seed=1, until={"investor_npv": -1.0}), "until"),
    (dict(n=10, seed=1, paths=-1), "paths"),
])
def test_bad_input_names_the_argument(kwargs, field):
    with pytest.raises(InvalidParameterError, match=field):
        dealsim.simulate(DEAL, **kwargs)


# --- review findings: the user surface ----------------------------------------------


def test_until_warns_when_targets_are_not_met():
    with pytest.warns(dealsim.montecarlo.run.PrecisionWarning, match="p_recover_daa"):
        r = dealsim.simulate(DEAL, 3000, seed=1, until={"p_recover_daa": 1e-6})
    assert r.n == 3000


def test_printed_seed_reproduces_the_run():
    a = dealsim.simulate(DEAL, 50, seed=None)
    b = dealsim.simulate(DEAL, 50, seed=int(a.seed))
    same(a, b)


def test_tornado_output_is_checked():
    r = dealsim.simulate(DEAL, 50, seed=1)
    with pytest.raises(InvalidParameterError, match="output"):
        r.tornado("investor_moic")
    assert r.tornado("host_npv")


# --- one output table; metadata kept by head() and summaries ---------------------------


def test_output_table_drives_the_result_fields():
    fields = {f.name for f in dataclasses.fields(dealsim.SimulationResult)}
    assert set(ARRAYS) <= fields and {f.name for f in RUN_META} <= fields
    r = dealsim.simulate(DEAL, 20, seed=1)
    for o in OUTPUT_TABLE:  # the dtype written in the table is the dtype delivered
        assert getattr(r, o.name).dtype == np.dtype(o.dtype), o.name
    assert list(r.to_pandas().columns[: len(ARRAYS)]) == list(ARRAYS)


@pytest.mark.parametrize("backend", ["numpy", "numba"])
def test_head_keeps_the_backend_and_metadata(backend):
    r = dealsim.simulate(DEAL, 40, seed=3, backend=backend, within_years=15)
    h = r.head(10)
    assert (h.backend, h.seed, h.within_years, h.n, h.partial) == (backend, "3", 15, 10, False)
    assert h.summary().backend == backend


# --- strict JSON summaries (issue 13 §3) -----------------------------------------------


def test_summary_to_dict_is_strict_json_with_units_and_run():
    r = dealsim.simulate(DEAL, 300, seed=2, sampler="lhs")
    d = json.loads(json.dumps(r.summary(confidence=0.9).to_dict(), allow_nan=False))
    assert d["schema_version"] == 1
    assert (d["n"], d["requested"], d["partial"], d["seed"], d["sampler"], d["backend"],
            d["confidence"]) == (300, 300, False, "2", "lhs", r.backend, 0.9)
    npv = d["statistics"]["investor_npv"]
    assert npv["unit"] == "USD" and npv["null_reason"] is None
    assert npv["mean"] == pytest.approx(float(np.mean(r.investor_npv)), rel=1e-12)
    lo, hi = npv["mean_ci"]
    assert lo < npv["mean"] < hi
    p50 = npv["quantiles"]["p50"]
    assert p50["low"] <= p50["value"] <= p50["high"] and p50["q"] == 0.5
    pr = d["probabilities"]["p_recover_capital"]
    assert 0.0 <= pr["ci"][0] <= pr["p"] <= pr["ci"][1] <= 1.0


def test_undefined_statistics_become_null_with_a_reason():
    r = dealsim.simulate(DEAL, 50, seed=2)
    nan_irr = dataclasses.replace(r, investor_irr=np.full(r.n, np.nan))
    d = nan_irr.summary().to_dict()
    irr = d["statistics"]["investor_irr"]
    assert irr["mean"] is None and irr["quantiles"]["p5"]["value"] is None
    assert "undefined" in irr["null_reason"] and irr["n_valid"] == 0
    json.dumps(d, allow_nan=False)  # raises ValueError on any NaN left


# --- deadlines and cancellation (issue 13 §4) -------------------------------------------

N3 = 2 * BLOCK_SIZE + 77  # three blocks


@pytest.fixture(scope="module")
def full3():
    return dealsim.simulate(DEAL, N3, seed=4, paths=0)


def _stop_after(k, calls=None):
    def progress(done, total):
        if calls is not None:
            calls.append((done, total))
        return done < k  # False after block k: the cancel hook

    return progress


@pytest.mark.parametrize("executor", [None, "threads"])
def test_cancel_hook_returns_the_reproducible_prefix(full3, executor):
    calls = []
    if executor:
        with ThreadPoolExecutor(max_workers=2) as pool:
            r = dealsim.simulate(DEAL, N3, seed=4, paths=0, executor=pool,
                                 progress=_stop_after(2, calls))
    else:
        r = dealsim.simulate(DEAL, N3, seed=4, paths=0, progress=_stop_after(2, calls))
    assert calls == [(1, 3), (2, 3)]
    assert (r.n, r.requested, r.partial) == (2 * BLOCK_SIZE, N3, True)
    same(r, full3, slice(0, r.n))
    assert "PARTIAL" in str(r.summary()) and r.summary().to_dict()["partial"] is True


def test_tiny_deadline_returns_exactly_the_first_block(full3):
    r = dealsim.simulate(DEAL, N3, seed=4, paths=0, deadline=1e-9)
    assert (r.n, r.requested, r.partial) == (BLOCK_SIZE, N3, True)
    same(r, full3, slice(0, BLOCK_SIZE))


def test_generous_deadline_is_a_complete_run(full3):
    r = dealsim.simulate(DEAL, N3, seed=4, paths=0, deadline=3600)
    assert (r.n, r.partial, r.requested) == (N3, False, N3)


def test_on_stop_raise_names_the_reason_and_carries_the_prefix(full3):
    with pytest.raises(DeadlineExceeded, match="deadline") as exc:
        dealsim.simulate(DEAL, N3, seed=4, paths=0, deadline=1e-9, on_stop="raise")
    assert isinstance(exc.value, TimeoutError) and exc.value.result.n == BLOCK_SIZE
    same(exc.value.result, full3, slice(0, BLOCK_SIZE))
    with pytest.raises(RunCancelled, match="cancelled") as exc2:
        dealsim.simulate(DEAL, N3, seed=4, paths=0, progress=_stop_after(1), on_stop="raise")
    assert exc2.value.result.n == BLOCK_SIZE


@pytest.mark.parametrize(("kwargs", "field"), [
    (dict(deadline=0), "deadline"), (dict(deadline="1"), "deadline"),
    (dict(deadline=True), "deadline"), (dict(deadline=float("nan")), "deadline"),
    (dict(on_stop="ignore"), "on_stop"), (dict(progress="yes"), "progress"),
])
def test_bad_stop_options_are_named(kwargs, field):
    with pytest.raises(InvalidParameterError, match=field):
        dealsim.simulate(DEAL, 10, seed=1, **kwargs)


# --- progress (issue 13 §5) ------------------------------------------------------------


def test_progress_true_draws_a_tqdm_bar(capsys):
    pytest.importorskip("tqdm")
    r = dealsim.simulate(DEAL, BLOCK_SIZE + 10, seed=1, paths=0, progress=True)
    assert r.n == BLOCK_SIZE + 10
    assert "scen" in capsys.readouterr().err  # tqdm's unit, on stderr


def test_progress_true_without_tqdm_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)  # import raises ImportError
    with pytest.raises(InvalidParameterError, match=r"dealsim\[progress\]"):
        dealsim.simulate(DEAL, 10, seed=1, progress=True)


# --- no hangs (issue 13 §9): refusals within seconds, under an alarm ---------------------


@pytest.mark.usefixtures("alarm")
@pytest.mark.parametrize(("n", "match"), [
    (1e300, "at most"), (2**62, "at most"), (MAX_N + 1, "at most"),
    (MAX_N, "GiB"),  # allowed by count, refused by memory: the arrays cannot be kept
])
def test_impossible_n_is_refused_quickly(n, match):
    with pytest.raises(InvalidParameterError, match=match):
        dealsim.simulate(DEAL, n, seed=1)


@pytest.mark.usefixtures("alarm")
def test_sobol_limit_is_checked_before_any_block():
    with pytest.raises(InvalidParameterError, match=r"2\*\*30"):
        simulate_stream(DEAL, 2**30 + 1, seed=1, sampler="sobol")  # no arrays kept


@pytest.mark.usefixtures("alarm")
def test_unbounded_delay_is_refused_naming_it():
    unc = Uncertainties({"delay": Rounded(LogNormal(1.0, 5.0), low=0.0)})
    with pytest.raises(InvalidParameterError, match=r"uncertainties\['delay'\]"):
        dealsim.simulate(DEAL, 10, seed=1, uncertainties=unc)


# --- the engine itself ------------------------------------------------------------------


def test_plan_is_lazy_and_covers_n_exactly():
    from dealsim.montecarlo.engine import plan

    blocks = list(plan(3 * BLOCK_SIZE + 5))
    assert blocks == [(0, BLOCK_SIZE), (1, BLOCK_SIZE), (2, BLOCK_SIZE), (3, 5)]
    assert list(plan(2 * BLOCK_SIZE, start=1)) == [(1, BLOCK_SIZE)]
    huge = plan(MAX_N)  # a generator: nothing is built up front
    assert next(huge) == (0, BLOCK_SIZE)


def test_runner_keeps_block_order_and_cancels_what_has_not_started():
    import threading
    import time

    from dealsim.montecarlo.engine import Runner

    started = []
    lock = threading.Lock()

    def work(k):
        with lock:
            started.append(k)
        time.sleep(0.02 * (3 - k % 3))  # later blocks finish first
        return k

    jobs = ((1, k) for k in range(40))
    with ThreadPoolExecutor(max_workers=3) as pool:
        runner = Runner(40 * BLOCK_SIZE, executor=pool, window=4,
                        progress=lambda done, total: done < 5)
        got = list(runner.run(work, jobs))
    assert got == [0, 1, 2, 3, 4] and runner.stopped == "cancelled"
    assert len(started) <= 5 + 4  # at most `window` blocks beyond the stop were started


def test_collector_copies_rows_adds_sums_and_joins_paths():
    from dealsim.montecarlo.engine import Collector

    c = Collector(5)
    c.add({"x": np.array([1, 2, 3]), "sum:t": np.array([1.0, 2.0]),
           "path:p": np.array([[1.0], [2.0]])}, 3)
    c.add({"x": np.array([4, 5]), "sum:t": np.array([10.0, 20.0])}, 2)
    np.testing.assert_array_equal(c.filled()["x"], [1, 2, 3, 4, 5])
    np.testing.assert_array_equal(c.sums["t"], [11.0, 22.0])
    np.testing.assert_array_equal(c.paths()["p"], [[1.0], [2.0]])
    assert c.filled()["x"].dtype == np.dtype(int)


def test_deadline_does_not_wait_for_a_slow_block_on_an_executor():
    import time

    from dealsim.montecarlo.engine import Runner

    def work(k):
        time.sleep(0.0 if k == 0 else 3.0)
        return k

    pool = ThreadPoolExecutor(max_workers=2)
    start = time.monotonic()
    runner = Runner(4 * BLOCK_SIZE, executor=pool, deadline=0.3, window=2)
    got = list(runner.run(work, ((BLOCK_SIZE, k) for k in range(4))))
    elapsed = time.monotonic() - start
    pool.shutdown(wait=False, cancel_futures=True)
    assert got == [0] and runner.stopped == "deadline"
    assert elapsed < 2.0  # returned at the deadline, not when block 1 finished (3 s)
