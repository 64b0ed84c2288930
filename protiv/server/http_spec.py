"""The GraphQL-over-HTTP rules the view follows: which media type to answer with, and the status
code each kind of result gets under it.

``application/graphql-response+json`` (what Apollo Client 4 and graphql-http ask for first) lets
the status code say what happened: a request error (the document does not parse, does not
validate, or its variables do not coerce) is a 400 with no ``data`` entry. Plain
``application/json``, the legacy media type, answers 200 for every well-formed request, so
clients written for it keep working. A request without an ``Accept`` header is treated as
``application/json`` (the spec's rule for legacy clients), and so is ``*/*``: the new media type
is served only to a client that names it.

The negotiation is written out here rather than taken from a MIME library because the rule is
the spec's, not a generic best match: ties go to the media type the client named, and a
wildcard never selects the new one.
"""

from __future__ import annotations

from collections.abc import Iterator

from strawberry.types import ExecutionResult

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
JSON = "application/json"
UNAUTHENTICATED = "UNAUTHENTICATED"


def response_media_type(accept: str | None) -> str:
    """The media type to answer with, given the request's ``Accept`` header."""
    ranges = dict(_media_ranges(accept or ""))
    preferred = ranges.get(GRAPHQL_RESPONSE_JSON, 0.0)
    if preferred > 0 and preferred >= _quality(JSON, ranges):
        return GRAPHQL_RESPONSE_JSON
    return JSON


def _media_ranges(accept: str) -> Iterator[tuple[str, float]]:
    """(media range, q) for each entry of an Accept header; malformed q values count as 0."""
    for entry in accept.split(","):
        media_range, *params = (part.strip() for part in entry.split(";"))
        if not media_range:
            continue
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        yield media_range.lower(), quality


def _quality(media_type: str, ranges: dict[str, float]) -> float:
    """The q of the most specific range that matches: exact, then ``type/*``, then ``*/*``."""
    kind = media_type.split("/", 1)[0]
    for candidate in (media_type, f"{kind}/*", "*/*"):
        if candidate in ranges:
            return ranges[candidate]
    return 0.0


def is_request_error(result: ExecutionResult) -> bool:
    """Nothing was executed: parse, validation and variable errors carry no path and no data."""
    errors = result.errors or []
    return result.data is None and bool(errors) and all(not e.path for e in errors)


def is_unauthenticated(result: ExecutionResult) -> bool:
    return any((e.extensions or {}).get("code") == UNAUTHENTICATED for e in result.errors or ())


def status_code(result: ExecutionResult, media_type: str) -> int | None:
    """The status for a result (None: the default 200). A missing or bad token is a 401 under
    either media type; a request error is a 400 under the new one."""
    if is_unauthenticated(result):
        return 401
    if media_type == GRAPHQL_RESPONSE_JSON and is_request_error(result):
        return 400
    return None
