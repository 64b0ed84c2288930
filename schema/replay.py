"""A mutation's answer, kept so a retry with the same idempotency key can be answered again.

Records (Relay nodes: a ProPay, a line item, the event written) are kept as references and
reloaded on replay, so they show how they are now, through the caller's own loaders (a record
the caller may not see comes back null); everything else (numbers, enums, a sync report,
lists) is kept as it was first answered. JSON, tagged where JSON has no type of its own.
"""

from __future__ import annotations

import dataclasses
import enum
import importlib
import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from strawberry import relay

from schema.context import Info

OUR_MODULES = ("protiv.", "schema.")


class Unreplayable(TypeError):
    """A value this module cannot keep (the payload type needs a rule here)."""


def dumps(payload: Any) -> str:
    return json.dumps(_encode(payload), separators=(",", ":"))


def _encode(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Decimal):
        return {"$decimal": str(value)}
    if isinstance(value, datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, enum.Enum):
        kind = type(value)
        return {"$enum": f"{kind.__module__}:{kind.__qualname__}", "value": value.value}
    if isinstance(value, list | tuple):
        return [_encode(each) for each in value]
    if isinstance(value, dict):
        return {"$json": value}
    definition = getattr(type(value), "__strawberry_definition__", None)
    if definition is None:
        raise Unreplayable(f"cannot keep a {type(value).__name__} for a replay")
    if isinstance(value, relay.Node):
        return {"$node": definition.name, "id": _node_id(value)}
    fields = {f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
    return {"$type": definition.name, "fields": fields}


def _node_id(node: relay.Node) -> str:
    return str(node.id)  # type: ignore[attr-defined]


async def loads(text: str, info: Info) -> Any:
    return await _decode(json.loads(text), info)


async def _decode(value: Any, info: Info) -> Any:
    if isinstance(value, list):
        return [await _decode(each, info) for each in value]
    if not isinstance(value, dict):
        return value
    if "$decimal" in value:
        return Decimal(value["$decimal"])
    if "$datetime" in value:
        return datetime.fromisoformat(value["$datetime"])
    if "$date" in value:
        return date.fromisoformat(value["$date"])
    if "$enum" in value:
        return _enum(value["$enum"])(value["value"])
    if "$json" in value:
        return value["$json"]
    origin = _origin(info, value.get("$node") or value["$type"])
    if "$node" in value:
        found = await origin.resolve_nodes(info=info, node_ids=[value["id"]])
        return found[0]
    fields = {name: await _decode(each, info) for name, each in value["fields"].items()}
    return origin(**fields)


def _origin(info: Info, type_name: str) -> Any:
    definition = info.schema.get_type_by_name(type_name)
    origin = getattr(definition, "origin", None)
    if origin is None:
        raise Unreplayable(f"no type {type_name} in the schema")
    return origin


def _enum(path: str) -> type[enum.Enum]:
    module_name, _, qualname = path.partition(":")
    if not module_name.startswith(OUR_MODULES):
        raise Unreplayable(f"not one of our enums: {path}")
    found: Any = importlib.import_module(module_name)
    for part in qualname.split("."):
        found = getattr(found, part)
    if not (isinstance(found, type) and issubclass(found, enum.Enum)):
        raise Unreplayable(f"not an enum: {path}")
    return found
