"""Global IDs (base64 of "Type:id", as Relay and strawberry make them) and cursors."""

from __future__ import annotations

import base64
import binascii

from protiv.domain.errors import NotFound, ValidationFailed


def to_global(type_name: str, pk: int) -> str:
    return base64.b64encode(f"{type_name}:{pk}".encode()).decode()


def from_global(value: str, type_name: str, field: str = "id") -> int:
    """The database id in a global id of ``type_name``; NOT_FOUND for anything else."""
    try:
        decoded = base64.b64decode(value.encode(), validate=True).decode()
        kind, _, raw = decoded.partition(":")
        if kind == type_name and raw.isdigit():
            return int(raw)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        pass
    raise NotFound(f"No {type_name} with id {value!r}.", field=[field])


def cursor_for(pk: int) -> str:
    return base64.b64encode(f"cursor:{pk}".encode()).decode()


def parse_cursor(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        kind, _, raw = base64.b64decode(value.encode(), validate=True).decode().partition(":")
        if kind == "cursor" and raw.isdigit():
            return int(raw)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        pass
    raise ValidationFailed(f"Invalid cursor {value!r}.", field=["after"])


FEED_CURSOR = "feed"


def feed_cursor(position: int) -> str:
    """The events feed's cursor: an event's place in the gap-free feed (opaque to clients)."""
    return base64.b64encode(f"{FEED_CURSOR}:{position}".encode()).decode()


def parse_feed_cursor(value: str | None, field: str = "after") -> int | None:
    if value is None:
        return None
    try:
        kind, _, raw = base64.b64decode(value.encode(), validate=True).decode().partition(":")
        if kind == FEED_CURSOR and raw.isdigit():
            return int(raw)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        pass
    raise ValidationFailed(
        f"Invalid cursor {value!r}: pass the cursor of an event from `events` or a subscription.",
        field=[field],
    )
