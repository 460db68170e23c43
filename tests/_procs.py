"""Helpers for tests that run dealsim in a child process: a large result to save, and
the CLI interrupted by a signal."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import dealsim

#: The child's environment: this checkout's dealsim first.
ENV = dict(os.environ, PYTHONPATH=str(Path(dealsim.__file__).parents[1]))


def big_result(n: str, inputs: int) -> str:
    """Python source that builds ``big``, a :class:`SimulationResult` of ``n`` (an
    expression) random rows and ``inputs`` drawn inputs, for saves slow enough to be
    interrupted."""
    return textwrap.dedent(f"""
        import sys
        import numpy as np
        from dealsim.interfaces.io import save
        from dealsim.results import SimulationResult
        n = {n}
        rng = np.random.default_rng(7)
        big = SimulationResult(
            title="big", seed="7", sampler="random", first_year=2026,
            investor_irr=rng.random(n), irr_status=np.zeros(n, np.int8),
            investor_npv=rng.random(n), host_npv=rng.random(n), investor_moic=rng.random(n),
            recovered_at=np.zeros(n, np.int64), fee_paid=np.zeros(n, bool),
            fee_pv=rng.random(n), inputs={{f"x{{i}}": rng.random(n) for i in range({inputs})}})
    """)


def cli_interrupted(sig: signal.Signals) -> tuple[int, str]:
    """Start ``dealsim example ohio --n 5e6 --stream``, send ``sig`` 2 s after it is
    ready; its exit code and standard error."""
    proc = subprocess.Popen(
        [sys.executable, "-c", "import sys, dealsim.interfaces.cli; print('ready', flush=True); "
         "sys.exit(dealsim.interfaces.cli.main(['example', 'ohio', '--n', '5e6', '--quiet', "
         "'--stream']))"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV)
    with proc:
        try:
            assert proc.stdout is not None and proc.stdout.readline() == "ready\n"
            time.sleep(2.0)
            proc.send_signal(sig)
            _, err = proc.communicate(timeout=120)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=30)
    return proc.returncode, err
