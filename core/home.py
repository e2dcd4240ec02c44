"""One owner per data home: an OS-level lock on ``<home>/.lock``, held while the home is open.

The embedded store allows one process per home, and two processes creating the same home at
once would each take the other's half-made folders for debris. So the process that opens a home
locks it before it creates anything in it, and keeps the lock until it closes the home (the OS
releases it if the process dies, even by ``kill -9``).

The lock file also says who holds it (pid, command line, since when), so that the process that
is refused can name the holder; :meth:`HomeLock.holder` reads that without taking the lock::

    lock = HomeLock(home)
    lock.acquire(timeout=30)  # HomeLockedError naming the holder if it is still held by then
    try:
        ...
    finally:
        lock.release()

The lock is ``flock(2)`` on an open file: two opens of the same home conflict even within one
process, just as two opens of the embedded store do.
"""

from __future__ import annotations

import fcntl
import json
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from reelsearch.core.errors import HomeLockedError, StoreError

LOCK_FILE = ".lock"
_POLL_SECONDS = 0.1


@dataclass(frozen=True)
class LockHolder:
    """Who holds (or last held) a home's lock, as its lock file says.

    Attributes:
        pid: The holder's process id.
        command: Its command line.
        since: When it took the lock (seconds since the epoch).
    """

    pid: int
    command: str
    since: float

    def describe(self) -> str:
        """``pid 123 (reelsearch ingest a.mp4), since 12:00:01``."""
        when = time.strftime("%H:%M:%S", time.localtime(self.since))
        return f"pid {self.pid} ({self.command}), since {when}"


class HomeLock:
    """The lock of one data home (any folder: a home, or an embedded store's folder).

    Args:
        home: The folder to lock; created (with its parents) by :meth:`acquire`.
    """

    def __init__(self, home: Path | str) -> None:
        self.home = Path(home)
        self.path = self.home / LOCK_FILE
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        """Whether this object holds the lock."""
        return self._fd is not None

    def acquire(self, timeout: float = 0.0) -> None:
        """Take the lock, waiting up to ``timeout`` seconds for its holder to let it go.

        Does nothing if this object already holds it.

        Raises:
            HomeLockedError: Another process (or another open of the home in this process)
                still holds it; the message names the holder and what to do.
            StoreError: The folder or its lock file cannot be created.
        """
        if self._fd is not None:
            return
        try:
            self.home.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise StoreError(f"cannot create the lock file {self.path}: {exc}") from exc
        deadline = time.monotonic() + max(0.0, timeout)
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    os.close(fd)
                    raise self._locked_error(timeout) from None
                time.sleep(_POLL_SECONDS)
            except OSError as exc:
                os.close(fd)
                raise StoreError(f"cannot lock {self.path}: {exc}") from exc
        self._fd = fd
        me = {"pid": os.getpid(), "command": _command_line(), "since": time.time()}
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(me).encode(), 0)

    def release(self) -> None:
        """Let the lock go (and clear the holder); does nothing if it is not held here."""
        fd, self._fd = self._fd, None
        if fd is None:
            return
        try:
            os.ftruncate(fd, 0)
        finally:
            os.close(fd)  # closing the file releases the flock

    def holder(self) -> LockHolder | None:
        """Who holds the lock, from the lock file, without taking it.

        ``None`` when no process has written itself there (never locked, or released). A
        process killed while holding it leaves its line behind, but not the lock itself.
        """
        try:
            data = json.loads(self.path.read_bytes() or b"null")
            return LockHolder(int(data["pid"]), str(data["command"]), float(data["since"]))
        except (OSError, ValueError, TypeError, KeyError):
            return None

    def _locked_error(self, timeout: float) -> HomeLockedError:
        holder = None
        for _ in range(10):  # the holder writes its line just after it takes the lock
            holder = self.holder()
            if holder is not None:
                break
            time.sleep(0.02)
        who = holder.describe() if holder else "another process"
        if holder is not None and holder.pid == os.getpid():
            who = f"this process ({who}): close the other runtime or store on it first"
        waited = f" after waiting {timeout:g} s" if timeout > 0 else ""
        return HomeLockedError(
            f"the data home {self.home} is in use by {who}{waited}; one process at a time "
            "may open it: wait for that one to finish (reelsearch ingest --wait SECONDS "
            "waits for it), stop it, or use another home (REELSEARCH_HOME)",
            holder=holder,
        )

    def __enter__(self) -> HomeLock:
        self.acquire()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()


def _command_line() -> str:
    """This process's command line, the interpreter left out (``reelsearch ingest a.mp4``)."""
    argv = list(sys.orig_argv)
    if len(argv) > 1 and Path(argv[0]).name.startswith("python"):
        argv = argv[1:]
    if argv:
        argv[0] = Path(argv[0]).name
    return " ".join(argv)[:300]
