"""simulate on the call's own threads (the default): the same bits as one thread, no
thread left behind, results written in place (issue 9, speed)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

import dealsim
from dealsim.common.outputs import ARRAYS
from dealsim.errors import InvalidParameterError
from dealsim.kernels.block import available
from dealsim.montecarlo.engine import BLOCK_SIZE, Collector, Runner, check_workers
from dealsim.presets import ohio_gas_power

DEAL = ohio_gas_power()
N = 3 * BLOCK_SIZE + 17  # three full blocks and a short one
BACKENDS = ["numpy"] + (["numba"] if available() else [])


def columns(r):
    """Every per-scenario array of a result (outputs, inputs, paths), by name."""
    out = {name: np.asarray(getattr(r, name)) for name in ARRAYS}
    out.update({"in:" + k: x for k, x in r.inputs.items()})
    out.update({"path:" + k: x for k, x in r.paths.items()})
    return out


def assert_same_bits(a, b):
    ca, cb = columns(a), columns(b)
    assert ca.keys() == cb.keys()
    for name in ca:
        assert ca[name].dtype == cb[name].dtype, name
        assert ca[name].shape == cb[name].shape, name
        assert ca[name].tobytes() == cb[name].tobytes(), name  # NaNs included, bit for bit
    assert (a.n, a.backend, a.seed) == (b.n, b.backend, b.seed)


@pytest.fixture(scope="module", params=BACKENDS)
def serial(request):
    return request.param, dealsim.simulate(DEAL, N, seed=5, paths=1200, backend=request.param,
                                           workers=1)


@pytest.mark.parametrize("how", ["default", "workers=3", "executor"])
def test_threads_give_the_serial_bits(serial, how):
    backend, one = serial
    kw = dict(seed=5, paths=1200, backend=backend)
    if how == "default":
        got = dealsim.simulate(DEAL, N, **kw)
    elif how == "workers=3":  # more threads than blocks in flight per CPU
        got = dealsim.simulate(DEAL, N, workers=3, **kw)
    else:  # a user's executor: blocks come back as arrays and are copied
        with ThreadPoolExecutor(max_workers=2) as pool:
            got = dealsim.simulate(DEAL, N, executor=pool, **kw)
    assert_same_bits(got, one)


def test_the_call_uses_its_own_pool_and_leaves_no_thread():
    before = {t.ident for t in threading.enumerate()}
    seen: list[list[str]] = []

    def progress(done, total):
        seen.append([t.name for t in threading.enumerate()])

    r = dealsim.simulate(DEAL, N, seed=5, paths=0, workers=2, progress=progress)
    assert r.n == N
    assert any(name.startswith("dealsim") for name in seen[0])  # blocks ran on the pool
    assert {t.ident for t in threading.enumerate()} == before  # and it is gone
    assert not any(t.name.startswith("dealsim") for t in threading.enumerate())


def test_one_block_runs_in_the_calling_thread():
    names: list[str] = []
    dealsim.simulate(DEAL, 100, seed=5, paths=0, workers=2,
                     progress=lambda d, t: names.extend(x.name for x in threading.enumerate()))
    assert not any(name.startswith("dealsim") for name in names)


def test_a_failing_block_raises_and_leaves_no_thread():
    def work(k):
        if k == 2:
            raise ValueError("block 2 failed")
        return k

    got = []
    with pytest.raises(ValueError, match="block 2"):
        with Runner(5 * BLOCK_SIZE, threads=2) as runner:
            got.extend(runner.run(work, ((BLOCK_SIZE, k) for k in range(5))))
    assert got == [0, 1]
    assert not any(t.name.startswith("dealsim") for t in threading.enumerate())


def test_runner_threads_apply_only_without_an_executor():
    with ThreadPoolExecutor(max_workers=3) as pool:
        runner = Runner(4 * BLOCK_SIZE, executor=pool, threads=2)
        assert runner.threads == 1 and runner.workers == 3
    assert Runner(4 * BLOCK_SIZE, threads=2).workers == 2
    assert Runner(4 * BLOCK_SIZE).workers == 1


@pytest.mark.parametrize("bad", [0, -1, 1.5, "2", True])
def test_bad_workers_are_named(bad):
    with pytest.raises(InvalidParameterError, match="workers"):
        dealsim.simulate(DEAL, 10, seed=1, workers=bad)


def test_workers_with_an_executor_is_refused():
    assert check_workers(None, object()) == 1  # the executor decides
    assert check_workers(None, None) >= 1  # the CPUs
    with ThreadPoolExecutor(max_workers=2) as pool:
        with pytest.raises(InvalidParameterError, match="workers"):
            dealsim.simulate(DEAL, 10, seed=1, executor=pool, workers=2)


def test_collector_keeps_in_place_rows_and_copies_others():
    c = Collector(5)
    c.reserve({"x": np.float64})
    view = c.rows_at(0, 3)["x"]
    view[...] = [1.0, 2.0, 3.0]
    c.add({"x": view}, 3)  # written in place: kept as is
    other = np.array([4.0, 5.0])
    c.add({"x": other}, 2)  # a block from elsewhere: copied
    other[:] = -1.0
    np.testing.assert_array_equal(c.filled()["x"], [1.0, 2.0, 3.0, 4.0, 5.0])
    assert np.shares_memory(c.filled()["x"], view)
