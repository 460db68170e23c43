"""Atomic, non-clobbering writes of result files (used by :mod:`dealsim.interfaces.io`).

A save writes a temporary file beside its target, named
``.<name[:32]>.dealsim-<host>-<pid>-<random>.tmp``, flushes it to disk and moves it into
place: a new file by a hard link (which fails rather than replace a file created
meanwhile), an existing one -- only when asked -- by a rename that keeps its mode; a
symlink's target is replaced, the link kept; a file without any write bit never is.
The temporaries that killed saves leave are removed by the next save of the target
(:func:`clean_stale`).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import secrets
import socket
import stat
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO

from dealsim.errors import InvalidParameterError

__all__ = ["STALE_AFTER", "atomic_write", "clean_stale", "describe_existing", "target"]


def _shown(path: str | Path) -> str:
    text = str(path)
    return text if len(text) <= 120 else text[:117] + "..."


#: Temporary files of a save: ``.<name[:32]>.dealsim-<host>-<pid>-<random>.tmp`` beside the
#: target. A save removes the ones of its own target whose writer is gone (same host, no
#: such process) or that are older than :data:`STALE_AFTER` seconds.
_TMP_TAG = "dealsim"
STALE_AFTER = 3600.0


def _host() -> str:
    return hashlib.sha1(socket.gethostname().encode(), usedforsecurity=False).hexdigest()[:8]


def _tmp_name(p: Path) -> Path:
    return p.parent / f".{p.name[:32]}.{_TMP_TAG}-{_host()}-{os.getpid()}-" \
                      f"{secrets.token_hex(6)}.tmp"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError, OverflowError):
        return True  # someone else's process (or not ours to ask): assume alive
    return True


def clean_stale(path: str | Path) -> list[Path]:
    """Remove the temporary files that killed saves of ``path`` left beside it.

    Only files of dealsim's own naming for this target are considered, and only those
    whose writer is gone (this host, no such process) or older than
    :data:`STALE_AFTER` seconds; a save in progress is never touched.

    Returns
    -------
    list of Path
        The files removed.
    """
    p = Path(path)
    pattern = re.compile(re.escape(f".{p.name[:32]}.{_TMP_TAG}-") +
                         r"([0-9a-f]{8})-(\d+)-[0-9a-f]{12}\.tmp")
    removed: list[Path] = []
    try:
        names = os.listdir(p.parent)
    except OSError:
        return removed
    host, now = _host(), time.time()
    for name in names:
        m = pattern.fullmatch(name)
        if m is None:
            continue
        tmp = p.parent / name
        try:
            st = tmp.lstat()
        except OSError:
            continue
        if not stat.S_ISREG(st.st_mode):
            continue
        gone = m.group(1) == host and not _pid_alive(int(m.group(2)))
        if gone or now - st.st_mtime > STALE_AFTER:
            with contextlib.suppress(OSError):
                tmp.unlink()
                removed.append(tmp)
    return removed


def target(p: Path, overwrite: bool, name: str = "path") -> tuple[Path, int | None]:
    """The file a save replaces (a symlink's target, so that the link stays) and its mode
    (``None`` for a new file); refuses an existing one without ``overwrite``."""
    shown = _shown(p)
    if not os.path.lexists(p):
        return p, None
    if not overwrite:
        raise InvalidParameterError(
            f"{name}: {shown!r} exists ({_describe(p)}); pass overwrite=True (the command "
            "line: --force) to replace it")
    real = Path(os.path.realpath(p))
    try:
        st = real.stat()
    except OSError:  # a dangling symlink: write where it points
        return real, None
    if not stat.S_ISREG(st.st_mode):
        raise InvalidParameterError(f"{name}: {shown!r} is not a regular file; not replaced")
    if not os.access(real, os.W_OK) or not st.st_mode & 0o222:  # root too: the mode says no
        raise InvalidParameterError(
            f"{name}: {shown!r} is read-only (mode {stat.S_IMODE(st.st_mode):o}); not replaced")
    return real, stat.S_IMODE(st.st_mode)


def describe_existing(path: str | Path) -> str:
    """What a save to ``path`` would replace (``a regular file of 1,204 bytes, modified
    2026-12-04 15:30``)."""
    return _describe(Path(path))


def _describe(p: Path) -> str:
    """What a save would replace: ``a regular file of 1.2 MB, modified 2026-12-04 15:30``."""
    try:
        st = p.stat()
    except OSError:
        return "a dangling symlink" if p.is_symlink() else "unreadable"
    kind = "a symlink to a file" if p.is_symlink() else "a regular file"
    if not stat.S_ISREG(st.st_mode):
        kind = "not a regular file"
    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(st.st_mtime))
    return f"{kind} of {st.st_size:,} bytes, modified {when}"


def atomic_write(p: Path, write: Callable[[IO[bytes]], None], *,
                  overwrite: bool = False) -> None:
    """Write ``p`` through a temporary file in its directory, fsync, then move it into
    place: a new file by a hard link (which fails rather than replace a file created
    meanwhile), an existing one (``overwrite``) by a rename, keeping its mode."""
    dest, mode = target(p, overwrite)
    clean_stale(dest)
    tmp = _tmp_name(dest)
    # mode 0o666 less the umask, as open() would give the target itself
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "wb") as f:
            if mode is not None:
                os.fchmod(f.fileno(), mode)
            write(f)
            f.flush()
            os.fsync(f.fileno())
        if mode is None and not overwrite:
            try:
                os.link(tmp, dest)  # no-clobber: fails if it appeared meanwhile
            except FileExistsError:
                raise InvalidParameterError(
                    f"path: {_shown(p)!r} was created while saving; pass overwrite=True "
                    "to replace it") from None
            except OSError:  # no hard links on this file system
                if os.path.lexists(dest):
                    raise InvalidParameterError(
                        f"path: {_shown(p)!r} was created while saving; pass "
                        "overwrite=True to replace it") from None
                os.replace(tmp, dest)
            else:
                os.unlink(tmp)
        else:
            os.replace(tmp, dest)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    with contextlib.suppress(OSError):  # make the rename itself durable
        dfd = os.open(dest.parent, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
