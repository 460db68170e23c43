"""The one block engine behind ``simulate``, ``simulate_stream`` and ``simulate_portfolio``.

A run of ``n`` scenarios is cut into fixed blocks of :data:`BLOCK_SIZE`; block ``b``
holds scenarios ``[b * BLOCK_SIZE, (b + 1) * BLOCK_SIZE)`` and draws from a stream
keyed by ``(seed, b)`` alone (``SeedSequence(entropy, spawn_key=(b,))``, drawn by
:func:`dealsim.montecarlo.uncertainty.sampler_uniforms`). This module owns what the three
runners share and nothing that knows a deal:

- :func:`check_n` refuses, quickly and with the limit in the message, what cannot run;
- :func:`plan` yields ``(block, rows)`` lazily (a run of :data:`MAX_N` scenarios plans
  in constant memory and time);
- :class:`Runner` maps a worker function over block jobs through an executor (``None``,
  a :class:`concurrent.futures.Executor` or a dask ``Client``; with ``threads > 1`` and
  no executor, a thread pool of its own that lives as long as the runner) with a
  bounded window of blocks in flight, yields results **in block order**, shows progress
  and stops at a block boundary on a deadline or a cancel request;
- :class:`Collector` copies per-block arrays into preallocated ``(n,)`` arrays.

Stopping contract (the ``deadline``, ``progress`` and ``on_stop`` arguments of the
runners): the run checks after each block arrives, in block order; on an executor it
also waits for the next block no longer than the deadline, so it returns at the
deadline (serially, at most one block time after it). The blocks that have arrived
form the reproducible prefix of the run: the same values as the first rows of a full
run. At least one block is always computed, so a partial result is never empty and a
tiny deadline returns exactly the first block. Blocks already running on an executor
finish in the background; blocks not yet started are cancelled.
"""

from __future__ import annotations

import math
import os
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, TypeVar

import numpy as np
from numpy.typing import NDArray

from dealsim.common import validate as v
from dealsim.errors import DeadlineExceeded, InvalidParameterError, RunCancelled, RunStopped
from dealsim.kernels import block as _block

__all__ = [
    "BLOCK_SIZE",
    "MAX_N",
    "ON_STOP",
    "Collector",
    "RunStopped",
    "Runner",
    "check_memory",
    "check_n",
    "check_stop_options",
    "check_workers",
    "default_workers",
    "n_blocks",
    "plan",
    "progress_available",
    "usable_memory",
    "working_bytes",
]

J = TypeVar("J")
R = TypeVar("R")

#: Scenarios per block. Part of the reproducibility contract: changing it changes
#: which random stream each scenario reads.
BLOCK_SIZE = 16384

#: Most scenarios one run accepts: ``10**11``. A design limit (**assumption**), not a
#: source: about a day at 1e6 scenarios/s, and far more than any precision target
#: needs (the standard error of a probability at 1e11 scenarios is below 2e-6). Beyond
#: it a request is refused at once, before anything is planned.
MAX_N = 10**11

#: What ``on_stop`` accepts.
ON_STOP = ("partial", "raise")


#: Share of :func:`usable_memory` a run may plan to fill: the rest is the margin for the
#: interpreter, numpy's temporaries and whatever else the process holds.
MEMORY_SHARE = 0.7


def check_n(n: Any, *, row_bytes: int = 0, fixed_bytes: int = 0, name: str = "n") -> int:
    """``n`` as an int in ``[1, MAX_N]``; with ``row_bytes``, also small enough to keep.

    ``row_bytes`` is the memory one kept scenario needs (per-scenario arrays) and
    ``fixed_bytes`` what the run needs whatever ``n`` (kept market paths, ``paths x
    horizon``; block scratch, ``horizon x block``). A run needing more than
    :data:`MEMORY_SHARE` of :func:`usable_memory` is refused before anything is
    allocated.
    """
    given, n = n, v.integer(name, n, minimum=1, maximum=math.inf)
    if n > MAX_N:
        raise InvalidParameterError(
            f"{name} must be at most {MAX_N:.0e} scenarios (dealsim.montecarlo.engine.MAX_N); "
            f"got {given!r}")
    if row_bytes or fixed_bytes:
        check_memory(n * row_bytes + fixed_bytes,
                     f"{name}={n:,} scenarios ({row_bytes} bytes each"
                     + (f", plus {fixed_bytes / 2**30:,.2f} GiB of paths and block arrays)"
                        if fixed_bytes else ")"),
                     hint="use dealsim.simulate_stream for statistics without per-scenario "
                          "arrays, or keep fewer paths")
    return n


#: ``(block, horizon)`` float64 arrays one numpy block pass holds at its peak: measured
#: 19 (30-year life) and 15 (200-year life) with tracemalloc on the Ohio deal; the numba
#: kernel holds about one. Rounded up for the margin.
BLOCK_ARRAYS = 24
#: Year-by-year series a kept path has: ``investor``, ``balance`` and the market's
#: ``price``, ``fuel``, ``deemed_rate``, ``usdjpy``, with room for two more.
PATH_SERIES = 8


def working_bytes(*, horizon: int, kept_paths: int, workers: int = 1,
                  path_series: int = PATH_SERIES) -> int:
    """Memory a run needs beyond its per-scenario rows, which grows with the horizon.

    ``kept_paths x horizon`` for each kept series, twice (the blocks' parts and their
    join), and ``workers x BLOCK_SIZE x horizon`` for the :data:`BLOCK_ARRAYS` arrays of
    each block in flight. Pass it to :func:`check_n` as ``fixed_bytes``.

    Examples
    --------
    >>> round(working_bytes(horizon=35, kept_paths=10**6) / 2**30, 1)  # a million paths
    4.3
    """
    kept = 2 * kept_paths * horizon * 8 * path_series
    scratch = max(1, workers) * BLOCK_SIZE * horizon * 8 * BLOCK_ARRAYS
    return int(kept + scratch)


def check_memory(need: int, what: str, *, hint: str = "") -> None:
    """Refuse ``need`` bytes above :data:`MEMORY_SHARE` of :func:`usable_memory`."""
    have = usable_memory()
    if have and need > MEMORY_SHARE * have:
        raise InvalidParameterError(
            f"{what} need {need / 2**30:,.2f} GiB, more than {MEMORY_SHARE:.0%} of the "
            f"{have / 2**30:,.2f} GiB this process may still use"
            + (f"; {hint}" if hint else ""))


def usable_memory() -> int:
    """Bytes this process may still allocate (0 where nothing can be read: no check).

    The least of: the machine's available memory (``MemAvailable`` in
    ``/proc/meminfo``, else its physical memory), the cgroup's memory limit less its
    usage (v2 ``memory.max``, v1 ``memory.limit_in_bytes``), and the address-space
    limit (``RLIMIT_AS``) less the address space this process already maps.
    """
    limits = [x for x in (_available_memory(), _cgroup_room(), _address_space_room())
              if x is not None]
    return max(0, min(limits)) if limits else 0


def _read_int(path: str) -> int | None:
    try:
        with open(path, encoding="ascii") as f:
            text = f.read().strip()
        return None if text in ("", "max") else int(text)
    except (OSError, ValueError):
        return None


def _meminfo(key: str) -> int | None:
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def _available_memory() -> int | None:
    avail = _meminfo("MemAvailable")
    if avail is not None:
        return avail
    phys = _physical_memory()
    return phys or None


def _cgroup_room() -> int | None:
    rooms = []
    for limit, usage in (("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory.current"),
                         ("/sys/fs/cgroup/memory/memory.limit_in_bytes",
                          "/sys/fs/cgroup/memory/memory.usage_in_bytes")):
        cap = _read_int(limit)
        if cap is not None and cap < 2**60:  # v1 writes "no limit" as about 2**63
            rooms.append(cap - (_read_int(usage) or 0))
    return min(rooms) if rooms else None


def _address_space_room() -> int | None:
    try:
        import resource
        soft = resource.getrlimit(resource.RLIMIT_AS)[0]
    except (ImportError, OSError, ValueError):
        return None
    if soft == resource.RLIM_INFINITY:
        return None
    mapped = 0
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmSize:"):
                    mapped = int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return soft - mapped


def _physical_memory() -> int:
    try:
        return int(os.sysconf("SC_PAGE_SIZE")) * int(os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):  # not POSIX: no check
        return 0


def n_blocks(n: int) -> int:
    """Number of blocks holding ``n`` scenarios."""
    return -(-n // BLOCK_SIZE)


def plan(n: int, start: int = 0) -> Iterator[tuple[int, int]]:
    """``(block, rows)`` for blocks ``start, start + 1, ...`` of an ``n``-scenario run, lazily."""
    for b in range(start, n_blocks(n)):
        yield b, min(BLOCK_SIZE, n - b * BLOCK_SIZE)


def default_workers() -> int:
    """CPUs this process may run on (its affinity mask where the OS has one)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def check_workers(workers: Any, executor: Any) -> int:
    """Threads a runner without an executor uses: ``workers``, or the CPUs when None.

    ``workers`` must be None or an int >= 1, and None when an ``executor`` is given
    (the executor decides its own workers).
    """
    if workers is None:
        return 1 if executor is not None else default_workers()
    if executor is not None:
        raise InvalidParameterError(
            f"workers applies only without an executor (the executor has its own); got "
            f"workers={workers!r} with executor={executor!r}")
    return v.integer("workers", workers, minimum=1)


def check_stop_options(deadline: Any, on_stop: Any, progress: Any) -> float | None:
    """Validate ``deadline``, ``on_stop`` and ``progress``; return the deadline in seconds."""
    if on_stop not in ON_STOP:
        raise InvalidParameterError(f"on_stop must be one of {ON_STOP}; got {on_stop!r}")
    if not (progress is None or isinstance(progress, bool) or callable(progress)):
        raise InvalidParameterError(
            f"progress must be True, False, None or a callable(done, total); got {progress!r}")
    if deadline is None:
        return None
    return v.positive("deadline", deadline)


class _Bar:
    """A tqdm bar in scenarios (``tqdm.auto``: a widget in notebooks, text elsewhere)."""

    def __init__(self, total: int, desc: str) -> None:
        try:
            from tqdm.auto import tqdm
        except ImportError:
            raise InvalidParameterError(
                "progress=True needs tqdm: pip install 'dealsim[progress]' "
                "(or pass a callable progress(done, total))") from None
        self._bar = tqdm(total=total, desc=desc, unit="scen", unit_scale=True, leave=False)
        self._desc, self._noted = desc, False
        _block.add_compile_listener(self._compiling)

    def _compiling(self, message: str) -> None:
        """Show that the kernels are being compiled until the first block is done."""
        self._noted = True
        self._bar.set_description(f"{self._desc}: {message}")

    def update(self, rows: int) -> None:
        if self._noted:
            self._noted = False
            self._bar.set_description(self._desc)
        self._bar.update(rows)

    def close(self) -> None:
        _block.remove_compile_listener(self._compiling)
        self._bar.close()


def progress_available() -> bool:
    """Whether ``progress=True`` can draw a bar (tqdm is installed)."""
    try:
        import tqdm.auto  # noqa: F401
    except ImportError:
        return False
    return True


class Runner:
    """Runs block jobs through an executor in block order, with progress and stopping.

    Parameters
    ----------
    n : int
        Scenarios requested (the progress total and messages). A runner is created
        first thing in a call, so that the deadline counts validation and planning,
        and ``n`` is set once it is validated.
    executor : None, concurrent.futures.Executor or dask.distributed.Client
    progress : bool, callable or None
        ``True``: a tqdm bar with rate and ETA. A callable is called as
        ``progress(done, total)`` (blocks) after each block, in block order; returning
        ``False`` (exactly) asks the run to stop at that block boundary.
    deadline : float or None
        Seconds from the runner's creation; the run stops at the first block boundary
        after it passes.
    on_stop : {"partial", "raise"}
        What :meth:`finish` does with a stopped run.
    window : int, optional
        Blocks in flight at once (default: twice the executor's workers).
    threads : int
        Without an executor: with ``threads > 1`` and more than one block, the runner
        starts a :class:`concurrent.futures.ThreadPoolExecutor` of that many threads
        at its first :meth:`run` and shuts it down in :meth:`close` (waiting for the
        blocks already running; those not started are cancelled), so that no thread
        outlives the runner. Results still come in block order.

    Use it as a context manager so that a progress bar (and a thread pool of its own)
    is closed whatever happens.
    """

    def __init__(self, n: int, *, executor: Any = None, progress: Any = None,
                 deadline: float | None = None, on_stop: str = "partial",
                 window: int | None = None, desc: str = "dealsim", threads: int = 1) -> None:
        self.deadline = check_stop_options(deadline, on_stop, progress)
        self.n, self.on_stop, self.desc = n, on_stop, desc
        self.executor = _check_executor(executor)
        self.threads = threads if executor is None else 1
        if window is None:
            window = 2 * self.threads if self.threads > 1 else _default_window(executor)
        self.window = window
        self._pool: Any = None  # a concurrent.futures.ThreadPoolExecutor once started
        self.progress = progress
        self.stopped: str | None = None  # "deadline" or "cancelled" once stopped early
        self._start = time.monotonic()
        self._done = 0
        self._bar: _Bar | None = None

    def __enter__(self) -> Runner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the progress bar, if one was drawn, and the runner's own thread pool."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = self.executor = None
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    @property
    def workers(self) -> int:
        """Blocks that can run at once: the threads of the runner's own pool, or the
        executor's workers (1 when serial)."""
        if self.executor is None or self.executor is self._pool:
            return self.threads
        return max(1, getattr(self.executor, "_max_workers", 1) or 1)

    def _start_pool(self) -> None:
        """Start the runner's own thread pool if it has threads and several blocks."""
        if self.executor is None and self.threads > 1 and n_blocks(self.n) - self._done > 1:
            from concurrent.futures import ThreadPoolExecutor  # its module loads on first use

            self._pool = ThreadPoolExecutor(self.threads, thread_name_prefix="dealsim")
            self.executor = self._pool

    def run(self, fn: Callable[[J], R], jobs: Iterable[tuple[int, J]]) -> Iterator[R]:
        """Yield ``fn(job)`` for ``(rows, job)`` pairs, in order, until done or stopped.

        Several calls continue one run (block counts, progress and the deadline carry
        over); once stopped, further calls yield nothing.
        """
        if self.stopped:
            return
        total = n_blocks(self.n)
        self._start_pool()
        if self.progress is True and self._bar is None:
            self._bar = _Bar(self.n, self.desc)
        results = _ordered_map(fn, jobs, self.executor, self.window, self._wait)
        try:
            for rows, res in results:
                self._done += 1
                if self._bar is not None:
                    self._bar.update(rows)
                ask = self.progress(self._done, total) if callable(self.progress) else None
                if self._done < total and ask is False:
                    self.stopped = "cancelled"
                elif self._done < total and self._wait() == 0.0:
                    self.stopped = "deadline"
                yield res
                if self.stopped:
                    return
        except _Late:  # the next block was still running at the deadline
            self.stopped = "deadline"
        finally:
            results.close()  # cancels blocks not yet started

    def _wait(self) -> float | None:
        """Seconds left before the deadline (0.0 once passed); None without a deadline
        or before the first block (at least one block always runs)."""
        if self.deadline is None or self._done == 0:
            return None
        return max(0.0, self.deadline - (time.monotonic() - self._start))

    def finish(self, result: R, n_done: int) -> R:
        """Return ``result`` or, for a stopped run with ``on_stop="raise"``, raise."""
        if not self.stopped or self.on_stop == "partial":
            return result
        elapsed = time.monotonic() - self._start
        if self.stopped == "deadline":
            raise DeadlineExceeded(
                f"deadline of {self.deadline:g} s passed after {elapsed:.3g} s with "
                f"{n_done:,} of {self.n:,} scenarios done (exc.result holds them)", result)
        raise RunCancelled(
            f"cancelled by the progress callback after {n_done:,} of {self.n:,} scenarios "
            "(exc.result holds them)", result)


def _check_executor(executor: Any) -> Any:
    if executor is None or _is_executor(executor) or _is_dask(executor):
        return executor
    raise InvalidParameterError(
        "executor must be None, a concurrent.futures.Executor or a dask.distributed.Client; "
        f"got {executor!r}")


def _is_executor(executor: Any) -> bool:
    """Whether ``executor`` is a :class:`concurrent.futures.Executor`, without importing
    the module: an instance exists only once the module has been imported."""
    futures = sys.modules.get("concurrent.futures")
    return futures is not None and isinstance(executor, futures.Executor)


def _is_dask(executor: Any) -> bool:
    return hasattr(executor, "gather") and hasattr(executor, "submit")


def _default_window(executor: Any) -> int:
    if executor is None:
        return 1
    if _is_dask(executor):
        try:
            workers = sum(executor.nthreads().values())
        except Exception:  # noqa: BLE001 - a client without workers yet
            workers = 1
    else:
        workers = getattr(executor, "_max_workers", None) or os.cpu_count() or 1
    return max(2, 2 * int(workers))


class _Late(Exception):  # noqa: N818 - internal signal, never leaves the engine
    """The next block did not arrive before the deadline."""


def _ordered_map(fn: Callable[[J], R], jobs: Iterable[tuple[int, J]], executor: Any,
                 window: int, wait: Callable[[], float | None]) -> Any:
    """``(rows, fn(job))`` in job order, at most ``window`` jobs submitted ahead.

    On an executor, waits for each result at most ``wait()`` seconds (None: no limit),
    then raises :class:`_Late`.
    """
    it = iter(jobs)
    if executor is None:
        for rows, job in it:
            yield rows, fn(job)
        return
    if _is_dask(executor):
        def submit(job: J) -> Any:
            return executor.submit(fn, job, pure=False)
    else:
        def submit(job: J) -> Any:
            return executor.submit(fn, job)
    pending: deque[tuple[int, Any]] = deque()
    try:
        for rows, job in it:
            pending.append((rows, submit(job)))
            if len(pending) >= window:
                break
        while pending:
            rows, fut = pending[0]
            try:
                res = fut.result(timeout=wait())
            except TimeoutError:
                raise _Late from None
            pending.popleft()
            nxt = next(it, None)
            if nxt is not None:
                pending.append((nxt[0], submit(nxt[1])))
            yield rows, res
    finally:
        for _, fut in pending:
            fut.cancel()


class Collector:
    """Copies per-block arrays into preallocated ``(n,)`` arrays as blocks arrive.

    A block is a mapping of names to arrays: ``(rows,)`` arrays are copied into rows
    ``[filled, filled + rows)`` of an ``(n,)`` array (allocated on first sight with the
    block's dtype); keys starting with ``"path:"`` are kept (they hold a bounded prefix
    of scenarios) and joined; keys starting with ``"sum:"`` are added up. So a run holds
    its results once, not once per block plus once joined.
    """

    def __init__(self, n: int) -> None:
        self.n = n
        self.rows = 0
        self.arrays: dict[str, NDArray[Any]] = {}
        self.sums: dict[str, NDArray[Any]] = {}
        self._paths: dict[str, list[NDArray[Any]]] = {}

    def add(self, block: Mapping[str, Any], rows: int) -> None:
        """Append one block of ``rows`` scenarios (blocks must arrive in block order).

        An array that already is the destination (a view from :meth:`rows_at`, which the
        block's worker wrote in place) is not copied.
        """
        for key, x in block.items():
            if key.startswith("path:"):
                self._paths.setdefault(key[5:], []).append(np.asarray(x))
            elif key.startswith("sum:"):
                self.sums[key[4:]] = self.sums[key[4:]] + x if key[4:] in self.sums else x
            else:
                if key not in self.arrays:
                    self.arrays[key] = np.empty(self.n, dtype=np.asarray(x).dtype)
                dest = self.arrays[key][self.rows: self.rows + rows]
                if not _same_memory(x, dest):
                    dest[...] = x
        self.rows += rows

    def reserve(self, dtypes: Mapping[str, Any]) -> None:
        """Allocate the ``(n,)`` arrays of these names and dtypes now (see :meth:`rows_at`)."""
        for key, dtype in dtypes.items():
            if key not in self.arrays:
                self.arrays[key] = np.empty(self.n, dtype=dtype)

    def rows_at(self, start: int, rows: int) -> dict[str, NDArray[Any]]:
        """Views of rows ``[start, start + rows)`` of every allocated array, by name.

        A worker in this process (serially or on threads) can write its block's results
        there and return the views, which :meth:`add` then keeps without a copy.
        """
        return {k: x[start: start + rows] for k, x in self.arrays.items()}

    def filled(self) -> dict[str, NDArray[Any]]:
        """Views of the rows filled so far, by name."""
        return {k: x[: self.rows] for k, x in self.arrays.items()}

    def paths(self) -> dict[str, NDArray[Any]]:
        """The ``"path:"`` arrays joined in block order (names without the prefix)."""
        return {k: np.concatenate(parts) for k, parts in self._paths.items()}


def _same_memory(x: Any, dest: NDArray[Any]) -> bool:
    """Whether ``x`` is exactly the array ``dest`` (same address, dtype and shape)."""
    return (isinstance(x, np.ndarray) and x.dtype == dest.dtype and x.shape == dest.shape
            and x.strides == dest.strides
            and x.__array_interface__["data"][0] == dest.__array_interface__["data"][0])
