"""The CLI as a client of the server that owns its data home.

When ``<home>/server.json`` names a live server, the commands that would open the home
(``ingest``, ``search``, ``titles``, ``jobs``, ``backfill``) send their work to it over HTTP,
with the API key of the settings in the ``X-API-Key`` header and the home's local token (which
only a caller that can read the home has) so that ingest may name any file. Only the standard
library is used: a command through the server loads no server, store or model code, and
no pydantic (the data home and the API key are read from the environment and the TOML file
the way the settings read them; anything unusual falls back to the settings themselves).
"""

from __future__ import annotations

import json
import mimetypes
import os
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reelsearch.core.errors import ServerError
from reelsearch.server.address import LOCAL_HEADER, ServerAddress, ServerFile

if TYPE_CHECKING:
    from reelsearch.core.config import Settings

TIMEOUT_S = 600.0
API_KEY_HEADER = "X-API-Key"


class ServerGoneError(ServerError):
    """The server the home's file names does not answer (it stopped meanwhile)."""


class ServerClient:
    """Requests to the server of one data home.

    Args:
        address: Where the server listens, from its file in the home.
        api_key: The API key to send, if the server has one.
    """

    def __init__(self, address: ServerAddress, api_key: str | None = None) -> None:
        self.address = address
        self.api_key = api_key

    @classmethod
    def of(cls, settings: Settings) -> ServerClient | None:
        """The client of the live server of ``settings``' home, or ``None`` when none runs."""
        address = ServerFile(settings.home).read()
        return None if address is None else cls(address, settings.api_key)

    @property
    def url(self) -> str:
        return self.address.url

    def get(self, path: str, **params: Any) -> Any:
        query = {k: v for k, v in params.items() if v is not None}
        suffix = "?" + urllib.parse.urlencode(query, doseq=True) if query else ""
        return self.request("GET", path + suffix)

    def post(self, path: str, body: Any) -> Any:
        data = json.dumps(body).encode()
        return self.request("POST", path, data, "application/json")

    def delete(self, path: str) -> Any:
        return self.request("DELETE", path)

    def post_file(self, path: str, file: Path, fields: dict[str, str]) -> Any:
        """A multipart POST of ``file`` (as the ``file`` field) and text ``fields``."""
        boundary = uuid.uuid4().hex
        parts = []
        for name, value in fields.items():
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                f"{value}\r\n".encode()
            )
        kind = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        quoted = urllib.parse.quote(file.name)
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="{quoted}"\r\nContent-Type: {kind}\r\n\r\n'.encode()
            + file.read_bytes()
            + b"\r\n"
        )
        parts.append(f"--{boundary}--\r\n".encode())
        return self.request(
            "POST", path, b"".join(parts), f"multipart/form-data; boundary={boundary}"
        )

    def request(
        self, method: str, path: str, data: bytes | None = None, content_type: str | None = None
    ) -> Any:
        """Send a request; its JSON answer.

        Raises:
            ServerError: The server answered with an error (its problem detail, one line).
            ServerGoneError: It could not be reached.
        """
        headers = {"Accept": "application/json", LOCAL_HEADER: self.address.local_token}
        if self.api_key:
            headers[API_KEY_HEADER] = self.api_key
        if content_type:
            headers["Content-Type"] = content_type
        request = urllib.request.Request(self.url + path, data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as exc:
            raise ServerError(_detail(exc)) from None
        except (urllib.error.URLError, ConnectionError, TimeoutError) as exc:
            reason = getattr(exc, "reason", exc)
            raise ServerGoneError(
                f"the server at {self.url} (pid {self.address.pid}) does not answer: {reason}"
            ) from None

    def follow(self, job_ids: list[int], interval: float = 0.2) -> Iterator[dict[str, Any]]:
        """Each job as it changes (new progress or state), until every one has ended."""
        seen: dict[int, str] = {}
        pending = list(job_ids)
        while pending:
            for job_id in list(pending):
                job = self.get(f"/api/jobs/{job_id}")
                signature = json.dumps([job["state"], job["progress"]], sort_keys=True)
                if seen.get(job_id) != signature:
                    seen[job_id] = signature
                    yield job
                if job["state"] in ("done", "failed", "cancelled"):
                    pending.remove(job_id)
            if pending:
                time.sleep(interval)


def server_of_home() -> ServerClient | None:
    """The client of the server that owns the configured data home, or ``None`` when none
    runs (the command then opens the home itself).

    Raises:
        ConfigError: The settings are invalid.
    """
    found = _home_and_key()
    if found is None:  # something only the settings can read: ask them
        from reelsearch.core.config import load_settings

        return ServerClient.of(load_settings())
    home, api_key = found
    address = ServerFile(home).read()
    return None if address is None else ServerClient(address, api_key)


def _home_and_key() -> tuple[Path, str | None] | None:
    """The data home and API key as :class:`~reelsearch.core.config.Settings` would read them
    (environment, then the TOML file, then the default home), without pydantic; ``None`` when
    the TOML file is missing where named, malformed or odd, or the environment names a
    setting in another case."""
    env = {k: v for k, v in os.environ.items() if k.upper().startswith("REELSEARCH_")}
    if any(not k.isupper() for k in env if k.upper() in ("REELSEARCH_HOME", "REELSEARCH_API_KEY")):
        return None
    home_env = env.get("REELSEARCH_HOME")
    named = env.get("REELSEARCH_CONFIG")
    default = home_env or _user_data_dir()
    path = Path(named or Path(default) / "reelsearch.toml").expanduser()
    toml: dict[str, Any] = {}
    if path.is_file():
        import tomllib

        try:
            toml = tomllib.loads(path.read_text())
        except (OSError, ValueError):
            return None
    elif named:
        return None
    home = home_env or toml.get("home") or default
    key = env.get("REELSEARCH_API_KEY", toml.get("api_key"))
    if not isinstance(home, str) or not isinstance(key, str | None):
        return None
    return Path(home).expanduser(), key or None


def _detail(error: urllib.error.HTTPError) -> str:
    try:
        body = json.loads(error.read() or b"{}")
    except ValueError:
        body = {}
    detail = body.get("detail") if isinstance(body, dict) else None
    return str(detail) if isinstance(detail, str) else f"HTTP {error.code} {error.reason}"


def _user_data_dir() -> str:
    import platformdirs

    return platformdirs.user_data_dir("reelsearch")
