"""The memory guard counts what a run will hold and compares it with what this process
may still use (RLIMIT_AS, the cgroup limit, MemAvailable), with a margin."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import dealsim
from dealsim.errors import InvalidParameterError
from dealsim.montecarlo import engine as _engine
from dealsim.montecarlo.engine import MEMORY_SHARE, check_n, usable_memory, working_bytes

ENV = dict(os.environ, PYTHONPATH=str(Path(dealsim.__file__).parents[1]))


def test_usable_memory_is_at_most_what_the_machine_has():
    have = usable_memory()
    assert 0 < have <= os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def test_the_guard_keeps_a_margin(monkeypatch):
    monkeypatch.setattr(_engine, "usable_memory", lambda: 2**30)
    fits = int(MEMORY_SHARE * 2**30) // 100
    assert check_n(fits, row_bytes=100) == fits
    with pytest.raises(InvalidParameterError, match=r"n=.* need .* GiB, more than 70% of"):
        check_n(fits + 1000, row_bytes=100)
    with pytest.raises(InvalidParameterError, match="paths and block arrays"):
        check_n(10, row_bytes=100, fixed_bytes=2**30)


@given(st.integers(1, 2000), st.integers(0, 10**7), st.integers(1, 64))
def test_working_memory_grows_with_horizon_paths_and_workers(horizon, kept, workers):
    base = working_bytes(horizon=horizon, kept_paths=kept, workers=workers)
    assert working_bytes(horizon=horizon + 1, kept_paths=kept, workers=workers) > base
    assert working_bytes(horizon=horizon, kept_paths=kept + 1, workers=workers) > base
    assert working_bytes(horizon=horizon, kept_paths=kept, workers=workers + 1) > base
    # at least the kept series themselves and one block's arrays
    assert base >= kept * horizon * 8 + _engine.BLOCK_SIZE * horizon * 8


def test_a_million_kept_paths_are_counted():
    # observed: n = 1e6 with 1e6 kept market paths peaked at 4.2 GB
    assert working_bytes(horizon=35, kept_paths=10**6) > 4 * 2**30


def test_simulate_counts_its_kept_paths_before_any_work(monkeypatch):
    # with 3 GiB usable, a million kept paths (about 4.3 GiB) are refused at once, while
    # the same n with the default few kept paths runs (no per-scenario arrays of 1e6
    # rows: n = 1000 keeps the test cheap; the paths are what is counted)
    from dealsim.presets import ohio_gas_power

    monkeypatch.setattr(_engine, "usable_memory", lambda: 3 * 2**30)
    with pytest.raises(InvalidParameterError, match="paths and block arrays"):
        dealsim.simulate(ohio_gas_power(), 10**6, seed=1, paths=10**6)
    assert dealsim.simulate(ohio_gas_power(), 1000, seed=1, paths=1000).n == 1000


_UNDER_LIMIT = textwrap.dedent("""
    import resource, sys, time
    resource.setrlimit(resource.RLIMIT_AS, (4 * 2**30, 4 * 2**30))
    import dealsim
    from dealsim.presets import ohio_gas_power
    start = time.perf_counter()
    try:
        dealsim.simulate(ohio_gas_power(), 6e7, seed=1)
    except dealsim.errors.InvalidParameterError as exc:
        print("refused", round(time.perf_counter() - start, 1), exc)
""")


@pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_AS as Linux applies it")
def test_an_address_space_limit_is_respected():
    out = subprocess.run([sys.executable, "-c", _UNDER_LIMIT], env=ENV, capture_output=True,
                         text=True, timeout=300)
    assert out.stdout.startswith("refused"), out.stdout + out.stderr[-2000:]
    assert "this process may still use" in out.stdout
    assert float(out.stdout.split()[1]) < 30  # at once, not after the run
