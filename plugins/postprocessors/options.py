"""A post-processor's options: its configured defaults with the request's options on top."""

from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel, ValidationError

from reelsearch.sdk import PostProcessor, RequestError, SearchRequest, validation_problems

OptionsT = TypeVar("OptionsT", bound=BaseModel)


def options(post: PostProcessor, request: SearchRequest, model: type[OptionsT]) -> OptionsT:
    """``post``'s config (``[components.<name>]``) overridden by ``request.options[<name>]``.

    Raises:
        RequestError: The request's options for ``post`` are not valid ``model`` fields.
    """
    given = request.options.get(post.name, {})
    if not isinstance(given, dict):
        raise RequestError(f"options of post-processor {post.name!r} must be an object")
    try:
        return model.model_validate({**post.config.model_dump(), **given})
    except ValidationError as exc:
        problems = validation_problems(exc)
        raise RequestError(
            f"invalid options for post-processor {post.name!r}: {problems}"
        ) from None
