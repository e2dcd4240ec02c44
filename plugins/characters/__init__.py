"""The ``characters`` plugin: faces, characters and voices.

Algos (memoised DAG steps): ``faces`` (per shot, faces detected on sampled frames, embedded
and followed into tracks; collection ``face_tracks``), ``characters`` (a video's tracks
clustered into people; ``characters``) and ``voices`` (a speaker embedding per dialogue line,
clustered into voices; ``voices``, and speaker labels on the dialogue lines). Face detectors
``dlib-hog`` (default), ``dlib-cnn`` and ``blazeface``; face encoder ``dlib-face``; searcher
``characters`` (by name or by a photo's face). Names, merges and splits: ``book.py``.
Everything heavy comes with the ``characters`` extra.
"""

from __future__ import annotations

from collections.abc import Callable

from reelsearch.plugins.characters.blazeface import BlazeFaceConfig, BlazeFaceDetector
from reelsearch.plugins.characters.book import (
    CharacterBook,
    CharacterView,
    UnknownCharacterError,
    check_name,
)
from reelsearch.plugins.characters.characters import CharactersAlgo, CharactersConfig
from reelsearch.plugins.characters.detectors import DlibCnnDetector, DlibConfig, DlibHogDetector
from reelsearch.plugins.characters.encoder import DlibFaceEncoder, face_crop
from reelsearch.plugins.characters.faces import FacesAlgo, FacesConfig
from reelsearch.plugins.characters.records import Character, FaceTrack, VoicedLine
from reelsearch.plugins.characters.searcher import CharactersSearcher, NoFaceError
from reelsearch.plugins.characters.voices import VoicesAlgo, VoicesConfig, relabel
from reelsearch.sdk import Algo, Encoder, FaceDetector, Searcher, VectorStore, hookimpl


@hookimpl
def register_algos(register: Callable[[type[Algo]], None]) -> None:
    """Register ``faces``, ``characters`` and ``voices``."""
    for algo in (FacesAlgo, CharactersAlgo, VoicesAlgo):
        register(algo)


@hookimpl
def register_face_detectors(register: Callable[[type[FaceDetector]], None]) -> None:
    """Register ``dlib-hog``, ``dlib-cnn`` and ``blazeface``."""
    register(DlibHogDetector)
    register(DlibCnnDetector)
    register(BlazeFaceDetector)


@hookimpl
def register_encoders(register: Callable[[type[Encoder]], None]) -> None:
    """Register ``dlib-face``."""
    register(DlibFaceEncoder)


@hookimpl
def register_searchers(register: Callable[[type[Searcher]], None]) -> None:
    """Register the ``characters`` searcher."""
    register(CharactersSearcher)


def book(store: VectorStore) -> CharacterBook:
    """The character book over ``store``, relabelling dialogue lines as names change."""
    return CharacterBook(store, relabel)


__all__ = [
    "BlazeFaceConfig",
    "BlazeFaceDetector",
    "Character",
    "CharacterBook",
    "CharacterView",
    "CharactersAlgo",
    "CharactersConfig",
    "CharactersSearcher",
    "DlibCnnDetector",
    "DlibConfig",
    "DlibFaceEncoder",
    "DlibHogDetector",
    "FaceTrack",
    "FacesAlgo",
    "FacesConfig",
    "NoFaceError",
    "UnknownCharacterError",
    "VoicedLine",
    "VoicesAlgo",
    "VoicesConfig",
    "book",
    "check_name",
    "face_crop",
    "register_algos",
    "register_encoders",
    "register_face_detectors",
    "register_searchers",
    "relabel",
]
