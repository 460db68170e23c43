"""An example service embedding dealsim (FastAPI; ``pip install 'dealsim[service]'``).

Run it on this machine only, with the settings it is tested with::

    uvicorn app:app --app-dir examples/service --host 127.0.0.1 --port 8000 \\
        --http app:GuardedH11Protocol --limit-concurrency 64 --timeout-keep-alive 5 \\
        --h11-max-incomplete-event-size 16384 --backlog 512 --log-level warning

Endpoints
---------
``POST /simulate[?deadline=SECONDS]``
    Body (``Content-Type: application/json``, else 415): a scenario as JSON, the format
    of the scenario files (``dealsim.interfaces.scenario.schema()``, ``GET /schema``), e.g.
    ``{"deal": {"preset": "ohio_gas_power"}, "simulation": {"n": 20000, "seed": 1}}``.
    Returns the run's summary as strict JSON (``Summary.to_dict()``, 200). The run stops
    at its deadline: the scenarios done come back marked ``"partial": true``.
``GET /presets``
    The deal presets a scenario can name, with their descriptions.
``GET /schema``
    The JSON Schema of a scenario.
``GET /health``
    Readiness: 200 ``{"status": "ok", ...}`` once the start-up warm-up has compiled
    the kernels; 503 ``{"status": "starting"}`` with ``Retry-After`` before.

Errors
------
Every error is JSON in FastAPI's layout, ``{"detail": [{"loc": [...], "msg": ...,
"type": ...}]}``; ``loc`` names the field (``["body", "deal", "fees"]``,
``["query", "deadline"]``, ``["header", "content-type"]``) and ``msg`` says what is
allowed. 422: a bad scenario (a value, an unknown key, a lone surrogate in a string,
malformed JSON), an ``n``, a deadline, a number of fees or a project life above the
service's caps. 413: a body above ``DEALSIM_MAX_BODY``, refused on its
``Content-Length`` before it is read, or when a chunked body passes the cap. 408: a body
that does not arrive within ``DEALSIM_BODY_TIMEOUT``. 415: a body that is not declared
``application/json`` (so a web page cannot post a scenario without a CORS preflight;
this service answers no preflight). 503 with ``Retry-After``: the service is warming
up, or every worker is busy and the queue is full (answered at once), or a queued
request's deadline passed before a worker was free (the run never started).

Deadlines
---------
A request's ``deadline`` counts from when its headers have arrived: the time its body
takes and the time it waits for a worker (the queue) are part of it. When a worker
takes the run, it gets the time left and stops at a block boundary -- before a block
that, at the pace of the blocks done, would end after the deadline (the engine's
``simulate(..., deadline=)`` is the backstop) -- or when its client disconnects, and
returns the blocks done. At least one block (16,384 scenarios) always runs; the caps
on a request (``DEALSIM_MAX_FEES`` fees, ``DEALSIM_MAX_YEARS`` years of construction,
operation and the longest delay, ``n``, the body's size) bound the validation and that
block (at the caps, 0.6 s with numba and 1.3 s with numpy on one core of a busy 2-core
machine). Nothing runs on after its response, and each run uses one thread
(``workers=1``): at most ``DEALSIM_WORKERS`` simulations run at once. The response's
``Server-Timing`` header gives the queue and run times.

Start-up and compilation: the numba kernels compile on first use (5-25 s each on a cold
cache), so the lifespan runs a small simulation of every preset before ``/health``
says ready, and ``/simulate`` answers 503 until then. A deal whose compiled shape (its
dispatch, funding, reading, discounting, market paths, yen fees) no preset has runs
with ``backend="numpy"`` (no compilation, the same results within 1e-12; the summary's
``backend`` says which) while that shape compiles in the background under the worker
cap; later requests of the shape use numba.

Settings (environment)
----------------------
``DEALSIM_MAX_N`` (cap on ``n``, default 200,000), ``DEALSIM_DEADLINE`` (the longest
deadline a request may ask, seconds, default 30), ``DEALSIM_WORKERS`` (simulations run
at once, default 2), ``DEALSIM_QUEUE`` (requests that may wait for a worker, default
4 x workers; more are refused with 503), ``DEALSIM_MAX_BODY`` (bytes, default 65,536:
a scenario is a few kilobytes), ``DEALSIM_BODY_TIMEOUT`` (seconds to receive a body,
default 10), ``DEALSIM_HEADER_TIMEOUT`` (seconds a connection may take to send a
request's headers, default 10), ``DEALSIM_MAX_FEES`` (default 32), ``DEALSIM_MAX_YEARS``
(construction, operating life and the longest delay, default 100), ``DEALSIM_WARMUP``
(``0`` skips the warm-up: for tests only).

Deployment (uvicorn and a proxy)
--------------------------------
uvicorn does not time out a connection that never finishes its request headers, and it
accepts connections until the process runs out of file descriptors. The
``--http app:GuardedH11Protocol`` option above adds both guards (see the class):
headers must arrive within ``DEALSIM_HEADER_TIMEOUT`` (408, then close), and beyond
twice ``--limit-concurrency`` open connections a new one is answered 503 and closed
at once (between once and twice, uvicorn answers its own 503 to the request). The
event loop accepts up to ``--backlog`` connections at a time before the guard closes
them, so keep ``--backlog`` (512) plus twice ``--limit-concurrency`` (64) well below
``ulimit -n`` (2,000 connections opened in 0.25 s peaked at 1,456 descriptors with the
default backlog of 2,048, and were down to 39 within 0.4 s); ``--timeout-keep-alive
5`` closes idle keep-alive connections; ``--h11-max-incomplete-event-size`` caps the
request line and headers (16 KiB). Run one worker process per one or two cores. In
production put a reverse proxy in front (nginx: ``client_max_body_size 64k;
client_header_timeout 10s; client_body_timeout 10s; limit_conn``; or the equivalents
of your proxy), terminate TLS there, and bind uvicorn to a loopback or private address.
``examples/service/README.md`` says the same in short.

Simulations are CPU-bound numpy and numba work: they run in worker threads (numpy and
the compiled kernel release the GIL), never on the event loop, so the service keeps
answering while they run; each request's result depends only on its scenario and seed,
not on what runs beside it.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import json
import logging
import math
import os
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import anyio
import numpy as np
from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from uvicorn.protocols.http.h11_impl import H11Protocol

import dealsim
from dealsim.errors import DealsimError
from dealsim.interfaces.scenario import deal_presets, from_dict, schema

log = logging.getLogger("dealsim.service")


def _setting(name: str, default: float) -> float:
    value = float(os.environ.get(name, default))
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be a positive number; got {value!r}")
    return value


MAX_N = int(_setting("DEALSIM_MAX_N", 200_000))
MAX_DEADLINE = _setting("DEALSIM_DEADLINE", 30)
WORKERS = int(_setting("DEALSIM_WORKERS", 2))
QUEUE = int(_setting("DEALSIM_QUEUE", 4 * WORKERS))
#: Largest request body read (a scenario is a few kilobytes).
MAX_BODY = int(_setting("DEALSIM_MAX_BODY", 65_536))
BODY_TIMEOUT = _setting("DEALSIM_BODY_TIMEOUT", 10)
HEADER_TIMEOUT = _setting("DEALSIM_HEADER_TIMEOUT", 10)
#: Caps on a deal's size: they bound validation and the time of one block.
MAX_FEES = int(_setting("DEALSIM_MAX_FEES", 32))
MAX_YEARS = int(_setting("DEALSIM_MAX_YEARS", 100))
WARMUP = os.environ.get("DEALSIM_WARMUP", "1") != "0"
#: Open connections allowed when uvicorn runs without ``--limit-concurrency``.
DEFAULT_CONNECTIONS = 64
DEFAULT_N = 10_000


# --- responses ------------------------------------------------------------------------

class StrictJSONResponse(JSONResponse):
    """JSON as ASCII (``\\uXXXX`` escapes), so that no string -- not even a lone
    surrogate echoed in a message -- can fail the encoder, and no NaN."""

    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=True, allow_nan=False,
                          separators=(",", ":")).encode("ascii")


def error(status: int, message: str, loc: list[Any], kind: str = "value_error",
          headers: dict[str, str] | None = None) -> StrictJSONResponse:
    """An error in FastAPI's layout: ``loc`` names the field, ``msg`` says what is wrong."""
    return StrictJSONResponse(status_code=status, headers=headers, content={
        "detail": [{"loc": loc, "msg": message, "type": kind}]})


def unprocessable(message: str, loc: list[Any]) -> StrictJSONResponse:
    """A 422 whose message names the bad field."""
    return error(422, message, loc)


# --- connections and bodies -----------------------------------------------------------

def _raw_error(status: str, message: str, loc: list[str], kind: str, extra: str = "") -> bytes:
    """A whole HTTP/1.1 error response, for the connection guard (below the ASGI app)."""
    body = json.dumps({"detail": [{"loc": loc, "msg": message, "type": kind}]},
                      separators=(",", ":")).encode("ascii")
    head = (f"HTTP/1.1 {status}\r\ncontent-type: application/json\r\n{extra}"
            f"connection: close\r\ncontent-length: {len(body)}\r\n\r\n")
    return head.encode("ascii") + body


_RAW_503 = _raw_error("503 Service Unavailable", "too many open connections; try again",
                      ["connection"], "service_busy", "retry-after: 1\r\n")
_RAW_408 = _raw_error("408 Request Timeout", "the request line and headers did not arrive "
                      f"within {HEADER_TIMEOUT:g} s", ["header"], "timeout_error")


class GuardedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with the two guards uvicorn lacks (``--http
    app:GuardedH11Protocol``).

    * A connection must finish its request line and headers within
      ``HEADER_TIMEOUT`` seconds of opening, or of its previous response; else it gets
      a 408 and is closed (a client that trickles header bytes, or opens connections
      and sends nothing, holds a descriptor only that long). The body's own time limit
      is :class:`BodyGuard`'s.
    * Beyond twice ``--limit-concurrency`` (default 64) open connections, a new one is
      answered 503 and closed at once, so descriptors stay bounded whatever a flood
      does (between once and twice, uvicorn's own check answers its request 503).
      Refusals are logged once a second at most, not per connection.

    It relies on ``H11Protocol`` internals (``connections``, ``cycle``,
    ``on_response_complete``); written against uvicorn 0.55.
    """

    _refused = 0
    _refused_logged = 0.0

    def connection_made(self, transport: Any) -> None:
        super().connection_made(transport)
        self._header_timer: Any = None
        limit = 2 * (self.limit_concurrency or DEFAULT_CONNECTIONS)
        if len(self.connections) > limit:
            transport.write(_RAW_503)
            transport.close()
            cls = GuardedH11Protocol
            cls._refused += 1
            now = time.monotonic()
            if now - cls._refused_logged >= 1.0:
                log.warning("refused %d connections beyond %d open", cls._refused, limit)
                cls._refused, cls._refused_logged = 0, now
            return
        self._arm()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        if getattr(self, "_header_timer", None) is not None:
            self._header_timer.cancel()
        super().connection_lost(exc)

    def _arm(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
        self._header_timer = self.loop.call_later(HEADER_TIMEOUT, self._expire, self.cycle)

    def _expire(self, armed_for: Any) -> None:
        self._header_timer = None
        cycle = self.cycle
        if self.transport.is_closing() or cycle is not armed_for or (
                cycle is not None and not cycle.response_complete):
            return  # a request arrived since (its body has its own time limit)
        if self.conn.trailing_data[0]:  # part of a request: say why
            self.transport.write(_RAW_408)
        self.transport.close()


class BodyGuard:
    """Pure ASGI middleware: a body is refused on its ``Content-Length`` (413, never
    read), read to at most ``MAX_BODY`` bytes (a chunked body is cut at the cap: 413),
    within ``BODY_TIMEOUT`` seconds (408); a POST must be ``application/json`` (415).
    The application then receives the body whole, as one message."""

    def __init__(self, app: Callable[..., Awaitable[None]]) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Callable[[], Awaitable[Any]],
                       send: Callable[[Any], Awaitable[None]]) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        scope["dealsim.arrived"] = time.monotonic()  # a deadline counts from here
        headers = {k.lower(): v for k, v in scope["headers"]}
        refusal = self._refusal(scope["method"], headers)
        if refusal is not None:
            refusal.headers["connection"] = "close"
            await refusal(scope, receive, send)
            return
        if scope["method"] not in ("POST", "PUT", "PATCH"):
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        with anyio.move_on_after(BODY_TIMEOUT) as timer:
            more = True
            while more:
                message = await receive()
                if message["type"] == "http.disconnect":
                    return
                chunk = message.get("body", b"")
                size += len(chunk)
                if size > MAX_BODY:
                    too_big = error(413, f"the body is over {MAX_BODY:,} bytes; this service "
                                         f"takes at most {MAX_BODY:,}", ["body"])
                    too_big.headers["connection"] = "close"
                    await too_big(scope, receive, send)
                    return
                chunks.append(chunk)
                more = message.get("more_body", False)
        if timer.cancelled_caught:
            late = error(408, f"the body did not arrive within {BODY_TIMEOUT:g} s "
                              f"({size:,} bytes came)", ["body"], "timeout_error")
            late.headers["connection"] = "close"
            await late(scope, receive, send)
            return
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Any:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()  # then the client's disconnect, if it comes

        await self.app(scope, replay, send)

    @staticmethod
    def _refusal(method: str, headers: dict[bytes, bytes]) -> StrictJSONResponse | None:
        length = headers.get(b"content-length")
        if length is not None:
            if not length.isdigit():  # h11 refuses these first; kept for other servers
                return error(400, f"content-length must be a number of bytes; got "
                                  f"{length[:40]!r}", ["header", "content-length"])
            if len(length) > 15 or int(length) > MAX_BODY:  # no int() of 5,000 digits
                size = f"{int(length):,}" if len(length) <= 15 else length[:40].decode()
                return error(413, f"the body is {size} bytes; this service takes at most "
                                  f"{MAX_BODY:,}", ["header", "content-length"])
        if method in ("POST", "PUT", "PATCH"):
            media = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
            if media != b"application/json":
                shown = media.decode("latin-1")[:60] or "none"
                return error(415, f"content-type must be application/json; got {shown!r}",
                             ["header", "content-type"], "unsupported_media_type")
        return None


# --- the simulation -------------------------------------------------------------------

class RequestTooLarge(ValueError):
    """A scenario above the service's caps (a 422 naming ``loc``)."""

    def __init__(self, message: str, loc: list[Any]) -> None:
        super().__init__(message)
        self.loc = loc


def shape(deal: Any) -> tuple[Any, ...]:
    """What the compiled kernel is specialised on: a deal of a shape not yet compiled
    would compile inside its request's deadline."""
    market = deal.market
    return (deal.operations.dispatch, deal.operations.funding, deal.terms.reading,
            deal.discount_rate is None, market.prices is None, market.sofr is None,
            market.usdjpy is None or not any(f.currency == "JPY" for f in deal.fees))


#: Shapes compiled (by the warm-up, or in the background after a numpy run).
_compiled: set[tuple[Any, ...]] = set()


def build(doc: dict[str, Any]) -> Any:
    """The scenario of a request, within the service's caps."""
    scenario = from_dict(doc, source="request")
    project = scenario.deal.project
    years = int(project.construction_years) + int(project.operating_life)
    if years > MAX_YEARS:
        raise RequestTooLarge(
            f"construction_years + operating_life must be <= {MAX_YEARS} on this service; "
            f"got {years}", ["body", "deal", "project"])
    delay = scenario.uncertainties.marginals.get("delay")
    # the longest delay drawn lengthens every scenario's grid (the engine reads the
    # distribution's top at this quantile)
    top = 0.0 if delay is None else float(np.max(delay.ppf(np.array([0.5, 1.0 - 1e-16]))))
    if not years + top <= MAX_YEARS:  # also refuses nan
        raise RequestTooLarge(
            f"construction_years + operating_life + the longest delay must be <= {MAX_YEARS} "
            f"years on this service; got {years} + {top:g}", ["body", "uncertainties", "delay"])
    if len(scenario.deal.fees) > MAX_FEES:
        raise RequestTooLarge(f"a deal may have at most {MAX_FEES} fees on this service; "
                              f"got {len(scenario.deal.fees)}", ["body", "deal", "fees"])
    return scenario


def run_scenario(doc: dict[str, Any], deadline: float, *, stop: threading.Event | None = None,
                 backend: str | None = None) -> dict[str, Any]:
    """Validate and simulate one request (blocking: called in a worker thread).

    ``deadline``: seconds left for the run. It stops at a block boundary: before a block
    that, at the pace of the blocks done, would end (with the summary) after the
    deadline (the engine's own
    ``deadline=`` stops after the first block past it), or once ``stop`` is set; the
    blocks done come back, marked partial. ``backend``: None picks numba for a compiled
    shape, numpy for another (no compilation inside a deadline).
    """
    start = time.monotonic()
    end = start + deadline
    scenario = build(doc)
    if backend is None:
        backend = "auto" if shape(scenario.deal) in _compiled else "numpy"
    sim = scenario.simulation
    began = time.monotonic()

    def go_on(done: int, total: int) -> bool | None:
        now = time.monotonic()
        spent = now - began  # the summary takes about a tenth of it: keep a fifth
        if (stop is not None and stop.is_set()) or now + spent / done + spent / 5 > end:
            return False
        return None

    result = dealsim.simulate(
        scenario.deal, sim.get("n", DEFAULT_N), seed=sim.get("seed", 2025),
        uncertainties=scenario.uncertainties, sampler=sim.get("sampler", "random"),
        within_years=sim.get("within_years", 20), paths=0, workers=1, backend=backend,
        deadline=max(end - began, 1e-3), on_stop="partial", progress=go_on)
    return result.summary().to_dict()


def compile_shape(deal: Any, uncertainties: Any = None) -> None:
    """Run a small simulation with numba, compiling the deal's shape (blocking); its
    summary loads what the first summary needs (0.8 s cold)."""
    dealsim.simulate(deal, 64, seed=0, uncertainties=uncertainties, paths=0,
                     workers=1).summary().to_dict()
    _compiled.add(shape(deal))


class _State:
    ready = False
    warmup_error: str | None = None
    started = time.monotonic()
    admitted = 0                       # requests running or waiting for a worker
    running: dict[int, float] = {}     # id -> monotonic end of its deadline
    stops: set[threading.Event] = set()
    compiling: set[tuple[Any, ...]] = set()


state = _State()
_limiter = anyio.CapacityLimiter(WORKERS)   # runs at once; held from start to end
_threads = anyio.CapacityLimiter(WORKERS)   # the threads they run on (never waited on)


def warm_up() -> None:
    """Compile every preset's shape before the service says ready."""
    try:
        if WARMUP:
            for name, preset in sorted(deal_presets().items()):
                if preset.kind == "deal":
                    scenario = from_dict({"deal": {"preset": name}}, source="warm-up")
                    compile_shape(scenario.deal, scenario.uncertainties)
    except Exception as exc:  # noqa: BLE001 - the service still runs, on numpy
        state.warmup_error = f"{type(exc).__name__}: {exc}"
        log.exception("warm-up failed; deals run with backend='numpy'")
    state.ready = True
    log.warning("ready after %.1f s (%d compiled shapes)", time.monotonic() - state.started,
                len(_compiled))


@contextlib.asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    state.started = time.monotonic()
    threading.Thread(target=warm_up, name="dealsim-warm-up", daemon=True).start()
    yield
    for stop in list(state.stops):  # shutting down: running simulations stop now
        stop.set()


def retry_after() -> str:
    """Seconds until a worker is likely free: the soonest deadline of a running run."""
    now = time.monotonic()
    soonest = min(state.running.values(), default=now + 1.0)
    return str(max(1, min(math.ceil(soonest - now), math.ceil(MAX_DEADLINE))))


def busy(message: str) -> StrictJSONResponse:
    return error(503, message, ["queue"], "service_busy",
                 headers={"Retry-After": retry_after()})


async def _watch_disconnect(request: Request, stop: threading.Event) -> None:
    while True:
        message = await request.receive()
        if message["type"] == "http.disconnect":
            stop.set()
            return


app = FastAPI(title="dealsim example service", version=dealsim.__version__,
              lifespan=lifespan, default_response_class=StrictJSONResponse)
app.add_middleware(BodyGuard)


@app.exception_handler(RequestValidationError)
async def invalid_parameter(request: Request, exc: RequestValidationError) -> StrictJSONResponse:
    """FastAPI's own checks (a query parameter), as ASCII JSON."""
    return StrictJSONResponse(status_code=422, content={"detail": [
        {"loc": list(e.get("loc", ())), "msg": str(e.get("msg", "")),
         "type": str(e.get("type", "value_error"))} for e in exc.errors()]})


@app.get("/health")
async def health() -> StrictJSONResponse:
    if not state.ready:
        return StrictJSONResponse(status_code=503, headers={"Retry-After": "1"}, content={
            "status": "starting", "detail": "compiling the kernels (warm-up)"})
    return StrictJSONResponse({
        "status": "ok", "ready": True, "compiled_shapes": len(_compiled),
        "warmup_error": state.warmup_error, "workers": WORKERS,
        "running": len(state.running), "waiting": state.admitted - len(state.running),
        "queue": QUEUE})


@app.get("/presets")
async def presets() -> list[dict[str, str]]:
    return [{"name": name, "kind": p.kind, "description": p.description}
            for name, p in sorted(deal_presets().items()) if p.kind == "deal"]


@app.get("/schema")
async def scenario_schema() -> dict[str, Any]:
    return schema()


def _strict_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _lone_surrogate(doc: Any, where: list[Any]) -> list[Any] | None:
    """The path of the first string (key or value) that is not valid Unicode."""
    stack: list[tuple[Any, list[Any]]] = [(doc, where)]
    while stack:
        item, path = stack.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return path
        elif isinstance(item, dict):
            for key, value in item.items():
                try:
                    key.encode("utf-8")
                except UnicodeEncodeError:
                    return path
                stack.append((value, [*path, key]))
        elif isinstance(item, list):
            stack.extend((value, [*path, i]) for i, value in enumerate(item))
    return None


def parse(body: bytes) -> dict[str, Any] | StrictJSONResponse:
    """The request's scenario document, or the 422 that says what is wrong with it."""
    try:
        doc = json.loads(body, parse_constant=_strict_constant)
    except (ValueError, RecursionError) as exc:
        return unprocessable(f"the body must be a JSON scenario: {exc}", ["body"])
    if not isinstance(doc, dict):
        return unprocessable(f"the body must be a JSON object; got {type(doc).__name__}",
                             ["body"])
    bad = _lone_surrogate(doc, ["body"])
    if bad is not None:
        return unprocessable(f"{'.'.join(map(str, bad[1:])) or 'the body'} must be valid "
                             "Unicode text; got a lone surrogate (\\ud800-\\udfff)", bad)
    sim = doc.get("simulation")
    n = sim.get("n") if isinstance(sim, dict) else None
    if isinstance(n, (int, float)) and not isinstance(n, bool) and n > MAX_N:
        return unprocessable(f"simulation.n must be <= {MAX_N:,} on this service; got {n!r}",
                             ["body", "simulation", "n"])
    deal = doc.get("deal")
    fees = deal.get("fees") if isinstance(deal, dict) else None
    if isinstance(fees, list) and len(fees) > MAX_FEES:  # before building any of them
        return unprocessable(f"a deal may have at most {MAX_FEES} fees on this service; "
                             f"got {len(fees)}", ["body", "deal", "fees"])
    return doc


async def _compile_later(deal: Any, key: tuple[Any, ...]) -> None:
    """Compile a new shape in the background, holding a worker like a run."""
    try:
        async with _limiter:
            await anyio.to_thread.run_sync(compile_shape, deal, limiter=_threads)
    except Exception:  # noqa: BLE001 - the shape keeps running on numpy
        log.exception("compiling a deal's shape failed")
    finally:
        state.compiling.discard(key)


@app.post("/simulate", response_model=None)
async def simulate(request: Request,
                   deadline: float = Query(MAX_DEADLINE, gt=0)) -> StrictJSONResponse:
    arrived = request.scope.get("dealsim.arrived", time.monotonic())
    if not deadline <= MAX_DEADLINE:  # also refuses inf and nan
        return unprocessable(f"deadline must be in (0, {MAX_DEADLINE:g}] seconds; "
                             f"got {deadline!r}", ["query", "deadline"])
    doc = parse(await request.body())  # BodyGuard has read it, within its caps
    if isinstance(doc, StrictJSONResponse):
        return doc
    if not state.ready:
        return error(503, "the service is warming up (compiling its kernels)", ["service"],
                     "service_busy", headers={"Retry-After": "2"})
    if state.admitted >= WORKERS + QUEUE:
        return busy(f"all {WORKERS} workers are busy and {QUEUE} requests wait; "
                    "try again later")
    state.admitted += 1
    try:
        started = False
        with anyio.move_on_after(deadline - (time.monotonic() - arrived)):
            await _limiter.acquire()
            started = True
        if not started:
            return busy(f"no worker was free within the deadline of {deadline:g} s; "
                        "the run did not start")
        began = time.monotonic()
        try:
            if began - arrived >= deadline:  # a worker came free just as time ran out
                return busy(f"no worker was free within the deadline of {deadline:g} s; "
                            "the run did not start")
            response = await _run(request, doc, deadline - (began - arrived))
        finally:
            _limiter.release()
        response.headers["server-timing"] = (f"queue;dur={1000 * (began - arrived):.0f}, "
                                             f"run;dur={1000 * (time.monotonic() - began):.0f}")
        return response
    finally:
        state.admitted -= 1


async def _run(request: Request, doc: dict[str, Any], left: float) -> StrictJSONResponse:
    stop = threading.Event()
    key = id(stop)
    state.running[key] = time.monotonic() + left
    state.stops.add(stop)
    outcome: list[Any] = []

    def work() -> None:  # the outcome, kept out of the task group's ExceptionGroup
        try:
            outcome.append(run_scenario(doc, left, stop=stop))
        except (RequestTooLarge, DealsimError) as exc:
            outcome.append(exc)

    try:
        async with anyio.create_task_group() as tg:
            tg.start_soon(_watch_disconnect, request, stop)
            try:  # not abandoned on cancel: the worker stays counted until it ends
                await anyio.to_thread.run_sync(work, limiter=_threads)
            finally:
                tg.cancel_scope.cancel()
        if isinstance(outcome[0], Exception):
            raise outcome[0]
        summary = outcome[0]
    except RequestTooLarge as exc:
        return unprocessable(str(exc), exc.loc)
    except DealsimError as exc:  # a ScenarioError names its field; so do the others
        return unprocessable(str(exc), ["body"])
    finally:
        state.running.pop(key, None)
        state.stops.discard(stop)
    if summary["backend"] == "numpy":
        _schedule_compile(doc)
    return StrictJSONResponse(summary)


def _schedule_compile(doc: dict[str, Any]) -> None:
    try:
        deal = build(doc).deal
    except (DealsimError, RequestTooLarge):  # pragma: no cover - it was built once
        return
    key = shape(deal)
    if key in _compiled or key in state.compiling or not dealsim_numba():
        return
    state.compiling.add(key)
    task = asyncio.get_running_loop().create_task(_compile_later(deal, key))
    _background.add(task)  # the loop keeps only a weak reference
    task.add_done_callback(_background.discard)


_background: set[asyncio.Task[None]] = set()


def dealsim_numba() -> bool:
    """Whether numba is importable (else every run is numpy, and nothing compiles)."""
    return importlib.util.find_spec("numba") is not None
