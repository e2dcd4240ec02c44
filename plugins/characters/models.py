"""The model files this plugin loads, found inside the pip packages that ship them.

``face_recognition_models`` and ``resemblyzer`` are read as data packages: their files are
located without importing them (their ``__init__`` modules import ``pkg_resources`` and
``webrtcvad``, which recent setuptools no longer provide and this plugin does not need).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from reelsearch.sdk import ModelUnavailableError, require

EXTRA = "characters"

FACE_MODELS = "face_recognition_models"
LANDMARKS_5 = "shape_predictor_5_face_landmarks.dat"
"""dlib's 5-point landmarks (CC0), enough to align a face; the 68-point model is not used:
its training data (iBUG 300-W) excludes commercial use."""
FACE_DESCRIPTOR = "dlib_face_recognition_resnet_model_v1.dat"
CNN_DETECTOR = "mmod_human_face_detector.dat"


def packaged_file(package: str, *parts: str, needed_by: str) -> Path:
    """The file ``parts`` inside the installed ``package``, without importing it.

    Raises:
        MissingExtraError: The package is not installed (naming the extra that installs it).
        ModelUnavailableError: It is installed but lacks the file.
    """
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        require(package, extra=EXTRA, needed_by=needed_by)  # raises, naming the extra
        raise ModelUnavailableError(f"{needed_by} needs the package {package}")
    path = Path(next(iter(spec.submodule_search_locations)), *parts)
    if not path.is_file():
        raise ModelUnavailableError(
            f"{needed_by} needs {path.name}, which the installed {package} lacks; "
            f"reinstall it: pip install --force-reinstall 'reelsearch[{EXTRA}]'"
        )
    return path


def face_model(name: str, needed_by: str) -> Path:
    """One of dlib's models shipped by ``face_recognition_models``."""
    return packaged_file(FACE_MODELS, "models", name, needed_by=needed_by)
