"""Settings: a TOML file plus ``REELSEARCH_*`` environment variables, validated by pydantic.

Precedence, highest first: arguments given in code, environment variables, the TOML file
(``REELSEARCH_CONFIG``, else ``reelsearch.toml`` in the data home), defaults.

Example ``reelsearch.toml``::

    store_url = "http://qdrant.internal:6333"
    executor = "ray"
    ray_address = "ray://head:10001"
    disable_plugins = ["colorstats"]

    [watch]
    folders = ["/srv/incoming"]

    [components.algos.shots]
    detector = "transnetv2"

Component options are keyed by kind and name, ``[components.<kind>s.<name>]``: an algo and a
searcher may share a name (``[components.algos.colorstats]``,
``[components.searchers.colorstats]``). In the environment:
``REELSEARCH_COMPONENTS='{"algos": {"shots": {"detector": "transnetv2"}}}'``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any, Literal

import platformdirs
from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from reelsearch.core.components import ComponentKind
from reelsearch.core.errors import ConfigError, validation_problems

CONFIG_FILE_NAME = "reelsearch.toml"


def default_home() -> Path:
    """``REELSEARCH_HOME``, else the platform's user data folder for reelsearch."""
    env = os.environ.get("REELSEARCH_HOME")
    return Path(env).expanduser() if env else Path(platformdirs.user_data_dir("reelsearch"))


def _config_file() -> Path | None:
    explicit = os.environ.get("REELSEARCH_CONFIG")
    if explicit:
        path = Path(explicit).expanduser()
        if not path.is_file():
            raise ConfigError(f"REELSEARCH_CONFIG points at {path}, which is not a file")
        return path
    candidate = default_home() / CONFIG_FILE_NAME
    return candidate if candidate.is_file() else None


WATCH_KEYS = ("folders", "deleted", "stable_seconds")
"""The keys of the ``[watch]`` table, each the setting ``watch_<key>``."""

CommaList = Annotated[list[str], NoDecode]
PathList = Annotated[list[Path], NoDecode]

DEFAULT_POSTPROCESSORS = ("min_score", "fuse", "intersect", "sort", "group", "paginate")
"""The post-processor chain of a request that names none: each step does nothing unless the
request asks for it (fusion only when several searchers answered)."""


class Settings(BaseSettings):
    """Everything reelsearch can be configured with."""

    model_config = SettingsConfigDict(
        env_prefix="REELSEARCH_", extra="forbid", validate_default=True
    )

    home: Path = Field(default_factory=default_home, description="Data home: store, media, cache.")
    store_url: str | None = Field(
        default=None,
        description="Qdrant server URL (http://...), or a folder for Qdrant Edge; "
        "default: Qdrant Edge under <home>/store.",
    )
    store_api_key: str | None = Field(default=None, description="API key of the Qdrant server.")
    features_url: str | None = Field(
        default=None,
        description="Feature store: a folder or an fsspec URL (s3://...); default <home>/features.",
    )
    executor: Literal["local", "ray"] = Field(default="local", description="Where algos run.")
    ray_address: str | None = Field(
        default=None, description="Ray cluster address; unset starts a local Ray."
    )
    ray_num_cpus: int | None = Field(default=None, ge=1, description="CPUs for a local Ray.")
    ray_actors: int | None = Field(
        default=None,
        ge=1,
        description="Actors in the pool of each stateful algo (a model loaded once per actor); "
        "default as many as the Ray cluster fits.",
    )
    plugins: CommaList | None = Field(
        default=None, description="Allow-list of plugin entry-point names (comma separated)."
    )
    disable_plugins: CommaList = Field(
        default_factory=list, description="Plugin entry-point names never to load."
    )
    algos: CommaList | None = Field(
        default=None, description="Algos ingest runs (with their dependencies); default all."
    )
    components: dict[str, dict[str, dict[str, Any]]] = Field(
        default_factory=dict,
        description="Options of each component by kind and name: [components.algos.shots], "
        "[components.encoders.clip], [components.searchers.visual]...",
    )
    postprocessors: CommaList = Field(
        default_factory=lambda: list(DEFAULT_POSTPROCESSORS),
        description="Post-processor chain of a request that names none, in order.",
    )
    search_candidates: int = Field(
        default=100,
        ge=1,
        description="Hits asked of each searcher (at least offset + limit + 1) when a "
        "post-processor works beyond the page: fusion, grouping, time sort, merge, intersection; "
        "otherwise each is asked for the page and one more hit.",
    )
    search_workers: int = Field(
        default=8, ge=1, description="Searchers one request may call at the same time."
    )
    translator: str | None = Field(
        default=None, description="Translator of queries in other languages; default none."
    )
    search_language: str = Field(
        default="en", description="Language the searchable text and text models are in."
    )
    telemetry: Literal["none", "console", "otlp"] = Field(
        default="none",
        description="Where OpenTelemetry spans go: the application's tracer provider (none), "
        "stderr (console) or an OTLP/HTTP collector (otlp).",
    )
    otlp_endpoint: str | None = Field(
        default=None,
        description="OTLP/HTTP traces URL; default: OTEL_EXPORTER_OTLP_* or localhost:4318.",
    )
    api_key: str | None = Field(
        default=None,
        description="Key HTTP clients must send (X-API-Key header) to `reelsearch serve`; "
        "unset: no key needed.",
    )
    cors_origins: CommaList = Field(
        default_factory=list,
        description="Origins browsers may call the HTTP API from (comma separated); '*': any.",
    )
    max_page_size: int = Field(
        default=100, ge=1, le=1000, description="Most hits one HTTP search returns (limit)."
    )
    max_query_chars: int = Field(
        default=500, ge=1, le=2000, description="Longest text query the HTTP API accepts."
    )
    max_upload_bytes: int = Field(
        default=10 * 2**20, ge=1024, description="Largest image the HTTP API accepts, in bytes."
    )
    max_upload_pixels: int = Field(
        default=25_000_000,
        ge=1,
        description="Most pixels (width x height) of an image the HTTP API accepts, read from "
        "its header before it is decoded.",
    )
    upload_keep_count: int = Field(
        default=32,
        ge=0,
        description="Uploaded images kept in memory for further pages of their search; the "
        "oldest goes first. On disk an upload lives only while its search runs.",
    )
    upload_keep_bytes: int = Field(
        default=64 * 2**20, ge=0, description="Total bytes of the uploaded images kept in memory."
    )
    upload_keep_seconds: float = Field(
        default=600, ge=0, description="How long an uploaded image is kept for further pages."
    )
    max_offset: int = Field(
        default=10_000,
        ge=0,
        le=1_000_000,
        description="Deepest hit an HTTP search may page to (offset, page or cursor).",
    )
    max_intersections: int = Field(
        default=8,
        ge=0,
        le=32,
        description="Most other queries one HTTP search may intersect with, at all depths.",
    )
    max_intersect_depth: int = Field(
        default=2, ge=0, le=4, description="Deepest nesting of intersect in one HTTP search."
    )
    max_search_candidates: int = Field(
        default=100_000,
        ge=1,
        description="Most hits one HTTP search may ask of its searchers, its intersections' "
        "included.",
    )
    max_request_bytes: int = Field(
        default=2**20, ge=1024, description="Largest JSON request body the HTTP API accepts."
    )
    max_response_bytes: int = Field(
        default=16 * 2**20, ge=1024, description="Largest search answer the HTTP API sends."
    )
    media_link_seconds: int = Field(
        default=3600,
        ge=60,
        description="How long the signed media links in HTTP search hits stay valid.",
    )
    jobs_concurrency: int = Field(
        default=1, ge=1, le=64, description="Jobs (ingest, backfill...) the server runs at once."
    )
    jobs_max_attempts: int = Field(
        default=3,
        ge=1,
        le=100,
        description="Times a job is tried when it fails for a passing reason.",
    )
    ingest_roots: PathList = Field(
        default_factory=list,
        description="Folders whose files ingest jobs may read (besides the watch folders); "
        f"in the environment separated by {os.pathsep!r}.",
    )
    watch_folders: PathList = Field(
        default_factory=list,
        description="Folders the server watches for videos to ingest (with sub-folders); "
        f"in the environment separated by {os.pathsep!r}.",
    )
    watch_deleted: Literal["remove", "keep"] = Field(
        default="remove",
        description="What a video deleted from a watch folder does to its catalog entry.",
    )
    watch_stable_seconds: float = Field(
        default=2.0,
        ge=0,
        le=3600,
        description="How long a new video's size must stay the same before it is ingested.",
    )
    max_video_upload_bytes: int = Field(
        default=4 * 2**30,
        ge=1024,
        description="Largest video the HTTP API takes as an upload to ingest, in bytes.",
    )
    backfill_per_minute: float = Field(
        default=30.0, gt=0, description="Assets a backfill queues per minute at most."
    )
    backfill_max_concurrent: int = Field(
        default=2, ge=1, description="A backfill's jobs queued or running at once, at most."
    )
    backfill_auto: bool = Field(
        default=True,
        description="The server starts a backfill by itself when an algo is new or its "
        "version or config changed (resuming one under way).",
    )
    jobs_keep_days: float = Field(
        default=30,
        gt=0,
        description="Days the server keeps finished jobs and ended backfills before pruning.",
    )

    @model_validator(mode="before")
    @classmethod
    def _watch_table(cls, data: object) -> object:
        """``[watch] folders = [...], deleted = ..., stable_seconds = ...`` in the TOML file
        sets ``watch_folders``, ``watch_deleted`` and ``watch_stable_seconds``, unless they
        are given otherwise (``REELSEARCH_WATCH_FOLDERS`` in the environment, in code)."""
        if not isinstance(data, dict) or "watch" not in data:
            return data
        data = dict(data)
        table = data.pop("watch")
        if not isinstance(table, dict):
            raise ValueError("[watch] must be a table: folders, deleted, stable_seconds")
        for key, value in table.items():
            if key not in WATCH_KEYS:
                raise ValueError(
                    f"[watch] has no setting {key!r}; it takes {', '.join(WATCH_KEYS)}"
                )
            data.setdefault(f"watch_{key}", value)
        return data

    @field_validator("ingest_roots", "watch_folders", mode="before")
    @classmethod
    def _split_paths(cls, value: object) -> object:
        if isinstance(value, str):
            return [part for part in value.split(os.pathsep) if part.strip()]
        return value

    @field_validator(
        "plugins", "disable_plugins", "algos", "cors_origins", "postprocessors", mode="before"
    )
    @classmethod
    def _split_commas(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("components", mode="before")
    @classmethod
    def _by_kind(cls, value: object) -> object:
        if not isinstance(value, dict):
            return value
        sections = [kind.section for kind in ComponentKind]
        for key in value:
            if key in sections:
                continue
            if key in {kind.value for kind in ComponentKind}:
                raise ValueError(f"[components.{key}] should be [components.{key}s]")
            raise ValueError(
                f"[components.{key}] is the old form: options are keyed by the component's "
                f"kind and name now; write [components.algos.{key}] for the algo {key!r}, "
                f"[components.searchers.{key}] for the searcher {key!r}, and so on "
                f"(kinds: {', '.join(sections)})"
            )
        return value

    def options_of(self, kind: ComponentKind | str, name: str) -> dict[str, Any]:
        """The configured options of component ``name`` of ``kind``
        (``[components.<kind>s.<name>]``); empty if none."""
        return self.components.get(ComponentKind(kind).section, {}).get(name, {})

    @field_validator("home", mode="after")
    @classmethod
    def _expand(cls, value: Path) -> Path:
        return value.expanduser()

    @property
    def store_dir(self) -> Path:
        return self.home / "store"

    @property
    def media_dir(self) -> Path:
        return self.home / "media"

    @property
    def features_location(self) -> str:
        return self.features_url or str(self.home / "features")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        path = _config_file()
        if path is not None:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=path))
        return tuple(sources)


def load_settings(**overrides: Any) -> Settings:
    """Read and validate the settings; any problem is one :class:`ConfigError`."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        problems = validation_problems(exc, "settings")
        raise ConfigError(f"invalid reelsearch configuration: {problems}") from None
    except ValueError as exc:  # malformed TOML
        raise ConfigError(f"invalid reelsearch configuration file: {exc}") from None
