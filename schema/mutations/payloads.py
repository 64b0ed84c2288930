"""Inputs and payloads shared by the transition mutations."""

# No ``from __future__ import annotations``: strawberry reads these annotations at import.
import datetime

import strawberry

from schema.errors import UserError
from schema.idempotency import key_field
from schema.nodes.ledger import LineItem, Statement
from schema.nodes.pro_pay import ProPay, ProPayGroup
from schema.nodes.records import Event


@strawberry.input(description="Which record to move, and optionally the version you saw and why.")
class TransitionInput:
    id: strawberry.ID = strawberry.field(description="The record's global id.")
    expected_version: int | None = strawberry.field(
        default=None, description="Refuse with CONFLICT if the record is no longer at this version."
    )
    reason: str | None = strawberry.field(default=None, description="Why; kept in the event log.")
    idempotency_key: str | None = key_field()


@strawberry.input(description="Push a held line item's release date later.")
class LineItemExtendInput:
    id: strawberry.ID = strawberry.field(description="The line item's global id.")
    release_at: datetime.datetime = strawberry.field(description="The new, later release time.")
    expected_version: int | None = strawberry.field(
        default=None, description="Refuse with CONFLICT unless the item is still at this version."
    )
    reason: str | None = strawberry.field(default=None, description="Why; kept in the event log.")
    idempotency_key: str | None = key_field()


@strawberry.input(description="Pay a statement: its payable items are paid with this pay date.")
class StatementPayInput:
    id: strawberry.ID = strawberry.field(description="The statement's global id.")
    pay_date: datetime.date = strawberry.field(description="The date the money reaches the worker.")
    expected_version: int | None = strawberry.field(
        default=None,
        description="Refuse with CONFLICT unless the statement is still at this version.",
    )
    reason: str | None = strawberry.field(default=None, description="Why; kept in the event log.")
    idempotency_key: str | None = key_field()


@strawberry.input(description="Build a group by hand from ACTIVE ProPays in no group.")
class ProPayGroupCreateInput:
    name: str = strawberry.field(description="The group's name.")
    pro_pay_ids: list[strawberry.ID] = strawberry.field(
        description="The ACTIVE ProPays to group (none may be in a group)."
    )
    idempotency_key: str | None = key_field()


@strawberry.type(description="The ProPay as committed, the event written, or why nothing changed.")
class ProPayPayload:
    pro_pay: ProPay | None = strawberry.field(
        default=None, description="The ProPay after the change; null when refused."
    )
    event: Event | None = strawberry.field(
        default=None, description="The event written, if anything changed."
    )
    user_errors: list[UserError] = strawberry.field(
        description="Why nothing changed: empty on success.", default_factory=list
    )


@strawberry.type(description="The group as committed, the event written, or why nothing changed.")
class ProPayGroupPayload:
    pro_pay_group: ProPayGroup | None = strawberry.field(
        default=None, description="The group after the change; null when refused."
    )
    event: Event | None = strawberry.field(
        default=None, description="The event written, if anything changed."
    )
    user_errors: list[UserError] = strawberry.field(
        description="Why nothing changed: empty on success.", default_factory=list
    )


@strawberry.type(
    description="The line item as committed, the event written, or why nothing changed."
)
class LineItemPayload:
    line_item: LineItem | None = strawberry.field(
        default=None, description="The line item after the change; null when refused."
    )
    event: Event | None = strawberry.field(
        default=None, description="The event written, if anything changed."
    )
    user_errors: list[UserError] = strawberry.field(
        description="Why nothing changed: empty on success.", default_factory=list
    )


@strawberry.type(
    description="The statement as committed, the event written, or why nothing changed."
)
class StatementPayload:
    statement: Statement | None = strawberry.field(
        default=None, description="The statement after the change; null when refused."
    )
    event: Event | None = strawberry.field(
        default=None, description="The event written, if anything changed."
    )
    user_errors: list[UserError] = strawberry.field(
        description="Why nothing changed: empty on success.", default_factory=list
    )
