"""Where a running server listens, written into its data home (``<home>/server.json``).

The server that owns a data home writes this file once it listens, and removes it when it
stops; the CLI reads it to go through the server instead of opening the home. A file left by a
server that died (its pid gone) is ignored. The file is readable by its owner only: besides the
URL it holds a token that marks a caller as local (one who can read the data home), whose
ingest jobs may name any file the server can read, as a direct ingest could.

This module imports nothing of the server's dependencies, so the CLI reads the file cheaply.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import time
from dataclasses import asdict, dataclass
from pathlib import Path

FILE_NAME = "server.json"
LOCAL_HEADER = "X-Reelsearch-Local"
"""The header carrying :attr:`ServerAddress.local_token`."""


@dataclass(frozen=True)
class ServerAddress:
    """A running server of a data home.

    Attributes:
        url: ``http://host:port``, without a trailing slash.
        pid: The server's process id.
        host: The machine it runs on.
        started: When it started listening (seconds since the epoch).
        local_token: Marks requests from callers who can read the data home.
    """

    url: str
    pid: int
    host: str
    started: float
    local_token: str

    def alive(self) -> bool:
        """Whether the process is still running (on this machine; another's cannot tell)."""
        if self.host != socket.gethostname():
            return True
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True


class ServerFile:
    """``<home>/server.json``: written by the server, read by the CLI.

    Args:
        home: The data home.
    """

    def __init__(self, home: Path | str) -> None:
        self.path = Path(home) / FILE_NAME

    def write(self, url: str) -> ServerAddress:
        """Say that this process serves the home at ``url`` (atomically, owner-only)."""
        address = ServerAddress(
            url=url.rstrip("/"),
            pid=os.getpid(),
            host=socket.gethostname(),
            started=time.time(),
            local_token=secrets.token_urlsafe(32),
        )
        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_name(f".{FILE_NAME}.{os.getpid()}")
        handle = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(handle, "w") as file:
            json.dump(asdict(address), file)
        os.replace(partial, self.path)
        return address

    def read(self) -> ServerAddress | None:
        """The live server the file names; ``None`` if there is no file, it is unreadable, or
        its server is gone."""
        try:
            data = json.loads(self.path.read_text())
            address = ServerAddress(
                url=str(data["url"]),
                pid=int(data["pid"]),
                host=str(data["host"]),
                started=float(data["started"]),
                local_token=str(data["local_token"]),
            )
        except (OSError, ValueError, TypeError, KeyError):
            return None
        return address if address.alive() else None

    def remove(self, address: ServerAddress | None = None) -> None:
        """Remove the file (only if it still names ``address``, when given)."""
        if address is not None:
            current = self.read()
            if current is not None and current.local_token != address.local_token:
                return
        self.path.unlink(missing_ok=True)
