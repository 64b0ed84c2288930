"""Editing a ProPay: allowed only while ACTIVE, one unit of work per edit.

    require the role -> lock the ProPay (expectedVersion checked) -> refuse with LOCKED unless
    ACTIVE, saying the way out -> apply the change (each change returns what it changed, in
    words) -> nothing changed: nothing written -> else one version bump and one event row
    (trigger "edit", from = to = ACTIVE, the reason listing the changes) -> commit.

An edit is not a transition: the status never changes, so no machine is fired; the event row is
still written so integrators see every edit in the same feed as the transitions. Approved
ProPays keep their frozen figures: that is why editing one is refused rather than recalculated.
"""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NoReturn

from sqlalchemy import select
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from protiv.domain.errors import Conflict, Locked, NotFound, ValidationFailed
from protiv.domain.permissions import require
from protiv.domain.roles import Actor
from protiv.domain.statuses import EntityKind, ProPayStatus
from protiv.persistence.models import Event, ProPay, Worker
from protiv.services.context import ServiceContext
from protiv.services.uow import CONFLICT_MESSAGE, UnitOfWork

EDIT_TRIGGER = "edit"


class Keep(enum.Enum):
    """An optional edit field that was left out: keep the current value (None clears it)."""

    KEEP = "KEEP"


KEEP = Keep.KEEP

WAY_OUT: dict[ProPayStatus, str] = {
    ProPayStatus.APPROVED: "its figures are frozen: unapprove it, edit, approve again",
    ProPayStatus.PAID: (
        "its bonuses are paid: revert the payment first (admin), then unapprove it, edit and "
        "approve again"
    ),
    ProPayStatus.CANCELED: "restore it first, then edit it",
    ProPayStatus.DELETED: "restore it first, then edit it",
}


def locked_reason(status: ProPayStatus) -> str | None:
    """Why a ProPay in ``status`` cannot be edited and what to do instead; None when it can."""
    if status is ProPayStatus.ACTIVE:
        return None
    return f"This ProPay is {status.value}, and only an ACTIVE ProPay can be edited; {WAY_OUT[status]}."


def ensure_editable(pro_pay: ProPay) -> None:
    reason = locked_reason(pro_pay.status)
    if reason:
        raise Locked(reason)


@dataclass(frozen=True, slots=True)
class Edited:
    """The ProPay as committed, the event written (None when nothing changed), and the record
    the edit made or changed, if any (a disqualifier, a penalty)."""

    pro_pay: ProPay
    event: Event | None
    detail: Any = None


class Changes:
    """What an edit changed, in words, for the event's reason; plus the record it made."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.detail: Any = None

    def add(self, line: str) -> None:
        self.lines.append(line)

    def set(self, record: object, values: Mapping[str, Any], labels: Mapping[str, str]) -> None:
        """Set each attribute that differs, noting "label old → new"."""
        for attr, new in values.items():
            old = getattr(record, attr)
            if old != new:
                setattr(record, attr, new)
                self.add(f"{labels[attr]} {show(old)} → {show(new)}")


def show(value: object) -> str:
    """A value as the event's reason shows it."""
    if value is None:
        return "none"
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


Change = Callable[[UnitOfWork, ProPay, Changes], Awaitable[None]]
Locate = Callable[[UnitOfWork], Awaitable[int]]


async def edit(
    ctx: ServiceContext,
    actor: Actor,
    target: int | Locate,
    change: Change,
    *,
    expected_version: int | None = None,
    reason: str | None = None,
    action: str = "pro_pay.edit",
    load: Sequence[Any] = (),
) -> Edited:
    """Run ``change`` on the ACTIVE ProPay ``target`` (its id, or a function finding it)."""
    require(actor, action)
    async with UnitOfWork(ctx) as uow:
        pro_pay_id = target if isinstance(target, int) else await target(uow)
        pro_pay = await uow.lock(
            ProPay,
            pro_pay_id,
            actor,
            options=load,
            expected_version=expected_version,
            label="ProPay",
        )
        ensure_editable(pro_pay)
        changes = Changes()
        await change(uow, pro_pay, changes)
        event = None
        if changes.lines:
            flag_modified(pro_pay, "title")  # child rows only changed: the ProPay still moves on
            await flush(uow)
            event = uow.log(
                EntityKind.PRO_PAY,
                pro_pay,
                EDIT_TRIGGER,
                pro_pay.status.value,
                actor,
                reason=describe(changes.lines, reason),
            )
        await uow.commit()  # also when nothing changed: the rows stay loaded for the answer
    return Edited(pro_pay, event, changes.detail)


async def flush(uow: UnitOfWork) -> None:
    """Flush; the row moved on under us (it cannot, once locked, but say so if it did)."""
    try:
        await uow.session.flush()
    except StaleDataError as error:
        raise Conflict(CONFLICT_MESSAGE, field=["expectedVersion"]) from error


def describe(lines: Sequence[str], reason: str | None) -> str:
    """The event's reason: what changed, then why (when given); at most 1,000 characters."""
    text = "Edited " + "; ".join(lines)
    why = (reason or "").strip()
    if why:
        text += f". Reason: {why}"
    return text if len(text) <= 1000 else text[:999] + "…"


async def company_worker(uow: UnitOfWork, actor: Actor, worker_id: int, field: list[str]) -> Worker:
    """A worker of the actor's company, else NOT_FOUND on ``field``."""
    worker = await uow.session.scalar(
        select(Worker).where(Worker.id == worker_id, Worker.company_id == actor.company_id)
    )
    if worker is None:
        raise NotFound("No worker with that id.", field=field)
    return worker


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def api_field(
    path: Sequence[str] | None, prefix: str, renames: Mapping[str, str] | None = None
) -> list[str] | None:
    """A calculation's field path (``["budget", "labor_pct"]``) as the mutation input's
    (``["laborPct"]``): the calc's leading ``prefix`` dropped, names camelCased or renamed."""
    if not path:
        return None
    parts = list(path[1:] if path[0] == prefix and len(path) > 1 else path)
    renamed = [(renames or {}).get(part, camel(part)) for part in parts]
    return [segment for part in renamed for segment in part.split(".") if segment] or None


def refuse(
    error: ValidationFailed, prefix: str, renames: Mapping[str, str] | None = None
) -> NoReturn:
    """Raise the calculation's refusal again as a sentence, on the mutation input's field."""
    text = error.message[:1].upper() + error.message[1:]
    text = text if text.endswith(".") else text + "."
    raise ValidationFailed(text, field=api_field(error.field, prefix, renames)) from error


def finite(value: Decimal, label: str, field: list[str], *, minimum: Decimal = Decimal(0)) -> None:
    """A finite number of at least ``minimum``, else VALIDATION on ``field``."""
    if not value.is_finite():
        raise ValidationFailed(f"{label} must be a finite number, not {value}.", field=field)
    if value < minimum:
        raise ValidationFailed(
            f"{label} must be at least {show(minimum)}, not {show(value)}.", field=field
        )


def whole_cents(value: Decimal, label: str, field: list[str]) -> None:
    finite(value, label, field)
    if value != value.quantize(Decimal("0.01")):
        raise ValidationFailed(f"{label} {show(value)} is not whole cents.", field=field)
