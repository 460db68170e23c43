"""dask.distributed: a LocalCluster of two worker processes gives bit-identical results,
and the README's command line (TOML scenario on a LocalCluster, PNG and parquet) works."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import dealsim
from dealsim.interfaces.cli import main
from dealsim.interfaces.io import load
from dealsim.interfaces.scenario import load_scenario
from dealsim.montecarlo.run import BLOCK_SIZE
from dealsim.montecarlo.streaming import simulate_stream
from dealsim.presets import ohio_gas_power

distributed = pytest.importorskip("distributed")
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
DEAL = ohio_gas_power()
N = 2 * BLOCK_SIZE + 77


def test_readme_command_line_on_a_local_cluster(tmp_path, capsys):
    # runs first, before the shared cluster below exists: CI has two cores
    png, parquet = tmp_path / "ohio.png", tmp_path / "ohio.parquet"
    npz = tmp_path / "ohio.npz"
    code = main(["run", str(EXAMPLES / "ohio.toml"), "--n", "2e4", "--seed", "1",
                 "--cluster", "2", "--plot", str(png), "--out", str(parquet)])
    assert code == 0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 20000
    pd = pytest.importorskip("pandas")
    frame = pd.read_parquet(parquet)
    s = load_scenario(EXAMPLES / "ohio.toml")
    ref = dealsim.simulate(s.deal, 20000, seed=1, uncertainties=s.uncertainties)
    np.testing.assert_array_equal(frame["investor_npv"].to_numpy(), ref.investor_npv)
    assert "20,000 scenarios" in capsys.readouterr().out
    assert main(["run", str(EXAMPLES / "ohio.toml"), "--n", "300", "--out", str(npz),
                 "--quiet"]) == 0
    assert load(npz).n == 300


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                                  dashboard_address=":0") as cluster, \
            distributed.Client(cluster, timeout="60s") as c:
        c.wait_for_workers(2, timeout=60)
        yield c


def test_local_cluster_is_bit_identical(client):
    serial = dealsim.simulate(DEAL, N, seed=9)
    remote = dealsim.simulate(DEAL, N, seed=9, executor=client)
    for name in ("investor_irr", "irr_status", "investor_npv", "host_npv", "recovered_at",
                 "fee_paid", "fee_pv"):
        np.testing.assert_array_equal(getattr(remote, name), getattr(serial, name))
    np.testing.assert_array_equal(remote.paths["balance"], serial.paths["balance"])


def test_streaming_on_a_cluster_equals_serial(client):
    serial = simulate_stream(DEAL, N, seed=9)
    remote = simulate_stream(DEAL, N, seed=9, executor=client, window=2)
    assert remote.moments == serial.moments and remote.events == serial.events
    np.testing.assert_array_equal(remote.counts["investor_irr"], serial.counts["investor_irr"])


def test_command_line_on_an_existing_scheduler(client, tmp_path, capsys):
    out = tmp_path / "stream.npz"
    assert main(["run", str(EXAMPLES / "ohio.toml"), "--n", str(N), "--seed", "9", "--stream",
                 "--scheduler", client.scheduler.address, "--out", str(out), "--quiet"]) == 0
    s = load_scenario(EXAMPLES / "ohio.toml")
    ref = simulate_stream(s.deal, N, seed=9, uncertainties=s.uncertainties)
    with np.load(out) as f:
        assert f["counts:investor_npv"].tolist() == ref.counts["investor_npv"].tolist()
        assert f["event:p_recover_daa"] == ref.events["p_recover_daa"]
