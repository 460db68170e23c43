"""The example service (issue 13 §6), started with uvicorn in a subprocess on a loopback
port and driven over real HTTP with httpx: a good request, bad requests, concurrent
requests equal to serial ones, and requests cut by their deadline."""

from __future__ import annotations

import importlib.util
import json
import os
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

pytest.importorskip("fastapi", reason="the service extra is not installed")
pytest.importorskip("uvicorn", reason="the service extra is not installed")
httpx = pytest.importorskip("httpx", reason="the service extra is not installed")

import dealsim  # noqa: E402
from dealsim.interfaces.scenario import from_dict  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SERVICE = ROOT / "examples" / "service"
MAX_N = 1_000_000


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def base_url():
    port = free_port()
    env = dict(os.environ, DEALSIM_MAX_N=str(MAX_N), DEALSIM_DEADLINE="60",
               DEALSIM_WORKERS="4",
               PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT / "src"),
                                                        os.environ.get("PYTHONPATH")])))
    cmd = [sys.executable, "-m", "uvicorn", "app:app", "--app-dir", str(SERVICE),
           "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
    with subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True) as proc:
        url = f"http://127.0.0.1:{port}"
        try:
            for _ in range(240):  # up to 60 s to import and bind
                if proc.poll() is not None:
                    pytest.fail(f"uvicorn exited {proc.returncode}: {proc.stderr.read()}")
                try:
                    if httpx.get(f"{url}/health", timeout=1.0).status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.25)
            else:
                pytest.fail("the service did not answer /health within 60 s")
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=20)


def scenario(n=3000, seed=1, **extra):
    return {"deal": {"preset": "ohio_gas_power", "options": {"power_price": 90}},
            "simulation": {"n": n, "seed": seed}, **extra}


def local(doc):
    """The same request run in this process, through the service's own conversion."""
    spec = importlib.util.spec_from_file_location("dealsim_example_service", SERVICE / "app.py")
    assert spec is not None and spec.loader is not None
    app = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(app)
    return json.loads(json.dumps(app.run_scenario(doc, 60.0), allow_nan=False))


def test_presets_and_schema(base_url):
    presets = httpx.get(f"{base_url}/presets", timeout=30).json()
    assert "ohio_gas_power" in [p["name"] for p in presets]
    want = dealsim.interfaces.scenario.schema()
    assert httpx.get(f"{base_url}/schema", timeout=30).json() == want


def test_a_good_request_returns_the_summary_of_the_same_run(base_url):
    doc = scenario(n=4000, seed=11)
    r = httpx.post(f"{base_url}/simulate", json=doc, timeout=120)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["n"] == 4000 and body["seed"] == "11" and body["partial"] is False
    assert body == local(doc)  # bit for bit: the service adds nothing and loses nothing
    ref = dealsim.simulate(from_dict(doc).deal, 4000, seed=11).summary()
    assert body["statistics"]["investor_npv"]["mean"] == ref.statistics["investor_npv"].mean


@pytest.mark.parametrize("doc, status, field", [
    (scenario(extra_key=1), 422, "unknown key 'extra_key'"),
    ({"deal": {"preset": "ohio_gas_power"},
      "uncertainties": {"overun": {"distribution": "fixed", "value": 2.0}}},
     422, "'overun' is not an input of the model; did you mean 'overrun'?"),
    ({"deal": {"preset": "ohio_gas_power", "options": {"power_price": "90"}}}, 422,
     "[deal.options] power_price must be a finite number; got '90'"),
    ({"deal": {"preset": "ohio_gas_power", "terms": {"share_before": 1.5}}}, 422,
     "[deal.terms] share_before must be in (0, 1]; got 1.5"),
    (scenario(n=MAX_N + 1), 422, f"simulation.n must be <= {MAX_N:,}"),
    (scenario(n=0), 422, "[simulation] n must be >= 1; got 0"),
    ([1, 2], 422, "the body must be a JSON object; got list"),
])
def test_bad_requests_are_422_naming_the_field(base_url, doc, status, field):
    r = httpx.post(f"{base_url}/simulate", json=doc, timeout=60)
    assert r.status_code == status, r.text
    assert field in r.json()["detail"][0]["msg"]


def test_malformed_json_and_bad_deadline_are_422(base_url):
    r = httpx.post(f"{base_url}/simulate", content=b'{"deal": ', timeout=30,
                   headers={"content-type": "application/json"})
    assert r.status_code == 422 and "JSON" in r.json()["detail"][0]["msg"]
    r = httpx.post(f"{base_url}/simulate", content=b"[" * 100_000 + b"]" * 100_000,
                   timeout=30, headers={"content-type": "application/json"})
    assert r.status_code == 422
    r = httpx.post(f"{base_url}/simulate", content=b" " * 2_000_000, timeout=30)
    assert r.status_code == 413 and "at most 1,000,000" in r.text
    r = httpx.post(f"{base_url}/simulate?deadline=1000", json=scenario(), timeout=30)
    assert r.status_code == 422 and "deadline must be in (0, 60]" in r.text
    r = httpx.post(f"{base_url}/simulate?deadline=-1", json=scenario(), timeout=30)
    assert r.status_code == 422 and "deadline" in r.text


def test_eight_concurrent_requests_equal_the_serial_results(base_url):
    docs = [scenario(n=2500, seed=s) for s in range(8)]
    with httpx.Client(timeout=300) as client:
        serial = [client.post(f"{base_url}/simulate", json=d).json() for d in docs]
        with ThreadPoolExecutor(8) as pool:
            together = list(pool.map(
                lambda d: client.post(f"{base_url}/simulate", json=d).json(), docs))
    assert together == serial
    assert len({json.dumps(b["statistics"]["investor_npv"]) for b in serial}) == 8
    # the service stays responsive while simulations run in its worker threads
    assert httpx.get(f"{base_url}/health", timeout=5).status_code == 200


def test_a_request_cut_by_its_deadline_returns_the_prefix_of_the_run(base_url):
    # the engine stops at a block boundary after the deadline; the blocks done come back
    # marked partial, and they are the first rows of the full run
    start = time.monotonic()
    r = httpx.post(f"{base_url}/simulate?deadline=0.2", json=scenario(n=MAX_N, seed=4),
                   timeout=120)
    assert time.monotonic() - start < 30
    body = r.json()
    assert r.status_code == 200 and body["partial"] is True
    assert 0 < body["n"] < MAX_N == body["requested"]
    # the first k scenarios of a run are the same for every n >= k (simulate's contract)
    prefix = dealsim.simulate(from_dict(scenario()).deal, body["n"], seed=4,
                              paths=0).summary().to_dict()
    assert body["statistics"] == json.loads(json.dumps(prefix["statistics"]))
