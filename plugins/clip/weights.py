"""Where CLIP weights come from — a local checkpoint, the local Hugging Face cache, or the hub —
and one clear :class:`ModelUnavailableError`, within seconds, when none can provide them.

open_clip alone would retry an unreachable hub for about 45 seconds before failing with a
generic error. Here the cache is looked up first (no network), ``HF_HUB_OFFLINE`` is honoured,
and the hub is probed once with a short timeout before any download starts.

Nothing in this module imports torch; :func:`architecture` imports open_clip's model registry.
"""

from __future__ import annotations

import importlib.util
import json
import os
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from reelsearch.sdk import ModelUnavailableError, require

CONFIG_FILE = "open_clip_config.json"
"""The architecture file of an open_clip model folder (as published on the Hugging Face hub)."""
WEIGHTS_FILES = ("open_clip_model.safetensors", "open_clip_pytorch_model.bin")
"""The weight files open_clip looks for in a model folder or a hub repository, preferred first."""
LOCAL_DIR = "local-dir:"


@dataclass(frozen=True)
class WeightsSource:
    """How to call ``open_clip.create_model_and_transforms`` for the configured model.

    Attributes:
        model_name: A built-in architecture name, or ``local-dir:<folder>``.
        checkpoint: The weights file for a built-in architecture (``None`` for a folder).
        options: Settings of the pretrained tag that open_clip would otherwise take from the
            tag itself: preprocessing and QuickGELU.
        description: How error messages name the model.
    """

    model_name: str
    checkpoint: str | None
    options: dict[str, Any] = field(default_factory=dict)
    description: str = ""


def describe(model: str, pretrained: str | None, checkpoint: Path | None) -> str:
    """How messages name the configured model."""
    if checkpoint is not None:
        return f"open_clip {model} from {checkpoint}"
    return f"open_clip {model} ({pretrained or 'no pretrained tag'})"


def architecture(model: str, checkpoint: Path | None) -> dict[str, Any]:
    """The open_clip model config (``embed_dim``, towers) of the configured model, read without
    loading any weights: from the checkpoint folder's ``open_clip_config.json`` or open_clip's
    built-in configs.

    Raises:
        ModelUnavailableError: The folder has no readable config, or the name is unknown.
    """
    if checkpoint is not None and checkpoint.is_dir():
        return _folder_config(checkpoint)
    bundled = _bundled_config(model)
    if bundled is not None:
        return bundled
    require("open_clip", extra="clip", needed_by="the clip encoder")
    import open_clip

    config = open_clip.get_model_config(model)
    if config is None:
        known = open_clip.list_models()
        raise ModelUnavailableError(
            f"open_clip has no model named {model!r} (e.g. {', '.join(known[:8])}, ...; "
            "open_clip.list_models() lists all); set components.encoders.clip.model, or point "
            "checkpoint at a model folder holding open_clip_config.json"
        )
    return dict(config)


def _bundled_config(model: str) -> dict[str, Any] | None:
    """A built-in architecture's config read from open_clip's package folder without importing
    open_clip (which takes seconds: it imports torch); ``None`` where it is not there."""
    spec = importlib.util.find_spec("open_clip")
    folders = spec.submodule_search_locations if spec is not None else None
    if not folders:
        return None
    path = Path(next(iter(folders))) / "model_configs" / f"{model.replace('/', '-')}.json"
    try:
        config = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return config if isinstance(config, dict) and "embed_dim" in config else None


def _folder_config(folder: Path) -> dict[str, Any]:
    path = folder / CONFIG_FILE
    try:
        config = json.loads(path.read_text())["model_cfg"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ModelUnavailableError(
            f"CLIP checkpoint folder {folder} needs {CONFIG_FILE} with a 'model_cfg' "
            f"(as in a Hugging Face open_clip repository): {exc}"
        ) from None
    if not isinstance(config, dict):
        raise ModelUnavailableError(f"{path}: 'model_cfg' is not an object")
    return config


def checkpoint_identity(checkpoint: Path) -> str:
    """``checkpoint`` with the size and modification time of each of its files (a folder's
    config and weights): new weights written at the same path give another identity, so the
    algos whose fingerprint holds the encoder's options compute their vectors again."""
    files = [checkpoint / f for f in (CONFIG_FILE, *WEIGHTS_FILES)] if checkpoint.is_dir() else []
    parts = []
    for file in [f for f in files if f.is_file()] or [checkpoint]:
        try:
            status = file.stat()
        except OSError:
            parts.append(f"{file.name}:missing")
            continue
        parts.append(f"{file.name}:{status.st_size}:{status.st_mtime_ns}")
    return f"{checkpoint} ({', '.join(parts)})"


def locate(
    model: str,
    pretrained: str | None,
    checkpoint: Path | None,
    *,
    cache_dir: Path | None = None,
    timeout: float = 5.0,
) -> WeightsSource:
    """Find the configured weights on this machine, downloading them if the hub is reachable.

    Args:
        model: open_clip architecture name (``ViT-B-32``).
        pretrained: open_clip pretrained tag (``laion2b_s34b_b79k``, ``openai``); with a
            checkpoint file it says which preprocessing the weights expect.
        checkpoint: A weights file for ``model``, or a model folder (``open_clip_config.json``
            and weights); wins over downloading.
        cache_dir: Hugging Face cache folder; default: the hub's own default.
        timeout: Seconds to wait for the hub to answer before calling it unreachable.

    Raises:
        ModelUnavailableError: The weights are neither local nor downloadable, with the remedy.
    """
    architecture(model, checkpoint)  # an unknown name or a bad folder fails first
    name = describe(model, pretrained, checkpoint)
    options = _tag_options(model, pretrained) if pretrained else {}
    if checkpoint is not None:
        if checkpoint.is_dir():
            if not any((checkpoint / f).is_file() for f in WEIGHTS_FILES):
                raise ModelUnavailableError(
                    f"CLIP checkpoint folder {checkpoint} holds no weights "
                    f"({' or '.join(WEIGHTS_FILES)})"
                )
            return WeightsSource(f"{LOCAL_DIR}{checkpoint}", None, {}, name)
        if checkpoint.is_file():
            return WeightsSource(model, str(checkpoint), options, name)
        raise ModelUnavailableError(
            f"CLIP checkpoint {checkpoint} does not exist; set "
            "components.encoders.clip.checkpoint to an open_clip weights file "
            "(open_clip_pytorch_model.bin) or model folder"
        )
    if not pretrained:
        raise ModelUnavailableError(
            f"no CLIP weights configured for {model}: set components.encoders.clip.pretrained "
            "to a tag (open_clip.list_pretrained_tags_by_model) or checkpoint to a local file"
        )
    import open_clip

    tag = open_clip.get_pretrained_cfg(model, pretrained)
    if not tag:
        tags = open_clip.list_pretrained_tags_by_model(model)
        raise ModelUnavailableError(
            f"open_clip has no pretrained tag {pretrained!r} for {model}; "
            f"known tags: {', '.join(tags) or 'none'}"
        )
    return WeightsSource(model, _fetch(tag, name, cache_dir, timeout), options, name)


def _tag_options(model: str, pretrained: str) -> dict[str, Any]:
    """What a pretrained tag tells open_clip besides where its weights are."""
    import open_clip

    tag = open_clip.get_pretrained_cfg(model, pretrained) or {}
    renamed = {
        "mean": "image_mean",
        "std": "image_std",
        "interpolation": "image_interpolation",
        "resize_mode": "image_resize_mode",
        "quick_gelu": "force_quick_gelu",
    }
    return {renamed[key]: value for key, value in tag.items() if key in renamed and value}


def _fetch(tag: dict[str, Any], name: str, cache_dir: Path | None, timeout: float) -> str:
    """The local path of a tag's weights: cached, else downloaded once the hub answers."""
    repo, filename = _hub_file(tag)
    url = str(tag.get("url") or "")
    cached = _cached(repo, filename, cache_dir) if repo else _cached_url(url, cache_dir)
    if cached is not None:
        return cached
    where = f"https://huggingface.co/{repo}" if repo else url
    file = filename if repo else os.path.basename(url)
    remedy = (
        f"to use CLIP offline, download {file} from {where} and set "
        f'components.encoders.clip.checkpoint = "/path/to/{file}" in reelsearch.toml, or run once '
        "online to fill the Hugging Face cache (HF_HUB_OFFLINE=1 then reads it without "
        "touching the network)"
    )
    if repo and _hub_offline():
        raise ModelUnavailableError(
            f"CLIP weights unavailable: {name} is not in the local Hugging Face cache and "
            f"HF_HUB_OFFLINE is set; {remedy}"
        )
    endpoint = _hub_endpoint() if repo else url
    unreachable = _unreachable(endpoint, timeout)
    if unreachable:
        raise ModelUnavailableError(
            f"CLIP weights unavailable: cannot reach {endpoint} ({unreachable}) to download "
            f"{name}; {remedy}"
        )
    import open_clip

    try:
        return str(open_clip.download_pretrained(tag, cache_dir=_str(cache_dir)))
    except Exception as exc:
        raise ModelUnavailableError(
            f"CLIP weights unavailable: downloading {name} failed ({exc}); {remedy}"
        ) from None


def _hub_file(tag: dict[str, Any]) -> tuple[str, str]:
    """``(repo id, file name)`` of a tag's weights on the hub; ``("", "")`` for URL-only tags."""
    hub = str(tag.get("hf_hub") or "")
    if not hub:
        return "", ""
    repo, filename = os.path.split(hub)
    return repo, filename or WEIGHTS_FILES[1]


def _cached(repo: str, filename: str, cache_dir: Path | None) -> str | None:
    """The file (or its safetensors twin) from the local Hugging Face cache, never the network."""
    from huggingface_hub import try_to_load_from_cache

    candidates = [filename]
    if filename.endswith((".bin", ".pth")):
        twin = WEIGHTS_FILES[0] if filename == WEIGHTS_FILES[1] else filename[:-4] + ".safetensors"
        candidates.insert(0, twin)
    for candidate in candidates:
        found = try_to_load_from_cache(repo, candidate, cache_dir=_str(cache_dir))
        if isinstance(found, str):
            return found
    return None


def _cached_url(url: str, cache_dir: Path | None) -> str | None:
    """Where open_clip keeps a file it downloaded from ``url``, if it is there."""
    if not url:
        return None
    folder = cache_dir or Path("~/.cache/clip").expanduser()
    path = folder / os.path.basename(urlparse(url).path)
    return str(path) if path.is_file() else None


def _hub_offline() -> bool:
    value = os.environ.get("HF_HUB_OFFLINE", "")
    return value.strip().upper() in {"1", "ON", "YES", "TRUE"}


def _hub_endpoint() -> str:
    return os.environ.get("HF_ENDPOINT", "https://huggingface.co").rstrip("/")


def _unreachable(url: str, timeout: float) -> str | None:
    """Why ``url`` cannot be reached within ``timeout`` seconds, or ``None`` if it answers
    (with any HTTP status). Honours the usual proxy variables."""
    request = urllib.request.Request(url, method="HEAD")
    try:
        with urllib.request.urlopen(request, timeout=timeout):
            return None
    except urllib.error.HTTPError:
        return None
    except urllib.error.URLError as exc:
        return str(exc.reason)
    except (OSError, ValueError) as exc:
        return str(exc) or type(exc).__name__


def _str(path: Path | None) -> str | None:
    return None if path is None else str(path)
