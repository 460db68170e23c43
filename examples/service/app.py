"""An example service embedding dealsim (FastAPI; ``pip install 'dealsim[service]'``).

Run it on this machine only::

    uvicorn app:app --app-dir examples/service --host 127.0.0.1 --port 8000

Endpoints
---------
``POST /simulate[?deadline=SECONDS]``
    Body: a scenario as JSON, the format of the scenario files
    (``dealsim.interfaces.scenario.schema()``, ``GET /schema``), e.g.
    ``{"deal": {"preset": "ohio_gas_power"}, "simulation": {"n": 20000, "seed": 1}}``.
    Returns the run's summary as strict JSON (``Summary.to_dict()``, 200). A bad
    scenario, an ``n`` above the cap or a bad ``deadline`` is a 422 whose
    ``detail[0].msg`` names the field. A run cut by its deadline returns the scenarios
    done, marked ``"partial": true`` (``simulate(..., deadline=)`` stops at a block
    boundary), or a 504 if even that does not come back in time.
``GET /presets``
    The deal presets a scenario can name, with their descriptions.
``GET /schema``
    The JSON Schema of a scenario.
``GET /health``
    ``{"status": "ok"}``.

Settings (environment): ``DEALSIM_MAX_N`` (cap on ``n``, default 200,000),
``DEALSIM_DEADLINE`` (the longest deadline a request may ask, seconds, default 30),
``DEALSIM_WORKERS`` (simulations run at once, default 2; further requests wait).

Simulations are CPU-bound numpy work: they run in worker threads (numpy releases the
GIL), never on the event loop, so the service keeps answering while they run; each
request's result depends only on its scenario and seed, not on what runs beside it.
"""

from __future__ import annotations

import json
import os
from typing import Any

import anyio
from fastapi import FastAPI, Query, Request
from fastapi.responses import JSONResponse

import dealsim
from dealsim.errors import DealsimError
from dealsim.interfaces.scenario import ScenarioError, deal_presets, from_dict, schema

MAX_N = int(os.environ.get("DEALSIM_MAX_N", "200000"))
MAX_DEADLINE = float(os.environ.get("DEALSIM_DEADLINE", "30"))
DEFAULT_N = 10_000
#: Largest request body read (a scenario is a few kilobytes).
MAX_BODY = 1_000_000
#: Extra time the service gives a run past its deadline to return its partial result
#: (the engine stops at the next block boundary) before answering 504.
GRACE = 5.0

app = FastAPI(title="dealsim example service", version=dealsim.__version__)
_limiter = anyio.CapacityLimiter(int(os.environ.get("DEALSIM_WORKERS", "2")))


def unprocessable(message: str, loc: list[Any]) -> JSONResponse:
    """A 422 in FastAPI's own error layout, the message naming the bad field."""
    return JSONResponse(status_code=422, content={
        "detail": [{"loc": loc, "msg": message, "type": "value_error"}]})


def run_scenario(doc: dict[str, Any], deadline: float) -> dict[str, Any]:
    """Validate and simulate one request (blocking: called in a worker thread)."""
    scenario = from_dict(doc, source="request")
    sim = scenario.simulation
    result = dealsim.simulate(
        scenario.deal, sim.get("n", DEFAULT_N), seed=sim.get("seed", 2025),
        uncertainties=scenario.uncertainties, sampler=sim.get("sampler", "random"),
        within_years=sim.get("within_years", 20), paths=0, deadline=deadline,
        on_stop="partial")
    return result.summary().to_dict()


@app.get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}


@app.get("/presets")
async def presets() -> list[dict[str, str]]:
    return [{"name": name, "kind": p.kind, "description": p.description}
            for name, p in sorted(deal_presets().items()) if p.kind == "deal"]


@app.get("/schema")
async def scenario_schema() -> dict[str, Any]:
    return schema()


@app.post("/simulate", response_model=None)
async def simulate(request: Request,
                   deadline: float = Query(MAX_DEADLINE, gt=0)) -> JSONResponse | dict[str, Any]:
    if not deadline <= MAX_DEADLINE:  # also refuses inf and nan
        return unprocessable(f"deadline must be in (0, {MAX_DEADLINE:g}] seconds; "
                             f"got {deadline!r}", ["query", "deadline"])
    body = await request.body()
    if len(body) > MAX_BODY:
        return JSONResponse(status_code=413, content={
            "detail": f"the body is {len(body):,} bytes; this service takes at most "
                      f"{MAX_BODY:,}"})
    try:
        doc = json.loads(body)
    except (ValueError, RecursionError) as exc:
        return unprocessable(f"the body must be a JSON scenario: {exc}", ["body"])
    if not isinstance(doc, dict):
        return unprocessable(f"the body must be a JSON object; got {type(doc).__name__}",
                             ["body"])
    n = doc.get("simulation", {}).get("n") if isinstance(doc.get("simulation"), dict) else None
    if isinstance(n, (int, float)) and not isinstance(n, bool) and n > MAX_N:
        return unprocessable(f"simulation.n must be <= {MAX_N:,} on this service; got {n!r}",
                             ["body", "simulation", "n"])
    try:
        with anyio.fail_after(deadline + GRACE):
            return await anyio.to_thread.run_sync(run_scenario, doc, deadline,
                                                  limiter=_limiter, abandon_on_cancel=True)
    except ScenarioError as exc:
        return unprocessable(str(exc), ["body"])
    except DealsimError as exc:  # a value refused by the engine (a limit on n, ...)
        return unprocessable(str(exc), ["body"])
    except TimeoutError:
        return JSONResponse(status_code=504, content={
            "detail": f"the run did not finish within its deadline of {deadline:g} s"})
