"""What every edit mutation shares: optional fields (left out = keep, null = clear), ids, and
turning an edit into ``{ proPay event userErrors }``."""

# No ``from __future__ import annotations``: strawberry reads these annotations at import.
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import strawberry

from protiv.domain.errors import ValidationFailed
from protiv.services.editing import KEEP, Edited, Keep
from schema.errors import UserError, attempt
from schema.idempotency import key_field
from schema.ids import from_global
from schema.mutations.payloads import ProPayPayload
from schema.nodes.pro_pay import ProPay
from schema.nodes.records import Event

T = TypeVar("T")

KEEP_OR_CLEAR = "Leave it out to keep the current value; null returns to the default."


def kept(value: Any) -> Any:
    """strawberry's UNSET (the field was left out) as the services' KEEP."""
    return KEEP if value is strawberry.UNSET else value


def kept_id(value: Any, type_name: str, field: str) -> int | Keep | None:
    """An optional global id: left out -> KEEP, null -> None, else the database id."""
    if value is strawberry.UNSET:
        return KEEP
    return None if value is None else from_global(value, type_name, field)


def ids(values: list[strawberry.ID], type_name: str, field: str) -> tuple[int, ...]:
    return tuple(from_global(v, type_name, field) for v in values)


def kept_ids(value: Any, type_name: str, field: str) -> tuple[int, ...] | Keep:
    """An optional list of global ids: left out -> KEEP, null -> none."""
    if value is strawberry.UNSET:
        return KEEP
    return ids(value or [], type_name, field)


def not_null(value: Any, field: str) -> Any:
    """An optional field that may be left out (KEEP) but not set to null."""
    if value is None:
        raise ValidationFailed(
            f"The field {field} cannot be null: leave it out to keep its value.", field=[field]
        )
    return kept(value)


def edited(done: Edited | None, errors: list[UserError]) -> ProPayPayload:
    if done is None:
        return ProPayPayload(user_errors=errors)
    event = Event.from_row(done.event) if done.event is not None else None
    return ProPayPayload(pro_pay=ProPay.from_row(done.pro_pay), event=event)


async def run_edit(call: Callable[[], Awaitable[Edited]]) -> ProPayPayload:
    """Run an edit; a refusal (id parsing included) becomes userErrors, nothing changed."""
    done, errors = await attempt(call)
    return edited(done, errors)


@strawberry.input(description="Which ProPay to edit, the version you saw, and why.")
class EditTarget:
    id: strawberry.ID = strawberry.field(description="The ProPay to edit.")
    expected_version: int | None = strawberry.field(
        default=None, description="Refuse with CONFLICT if the ProPay is no longer at this version."
    )
    reason: str | None = strawberry.field(
        default=None, description="Why; kept in the edit's event with the list of changes."
    )
    idempotency_key: str | None = key_field()
