"""Safeguards on an ACTIVE ProPay (domain-research §3.7): disqualifiers, answered pass or fail
before approval (a PENDING one blocks it with DISQUALIFIERS_PENDING, a FAILED one makes the whole
worker pool $0), and penalties, fixed amounts off the worker pool before the role split (floor 0).

Each is an edit of the ProPay (``editing.edit``): LOCKED unless ACTIVE, one version and one
"edit" event. Answers and penalties are frozen with the rest at approval.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from protiv.domain.bonus import DisqualifierResult
from protiv.domain.errors import NotFound, ValidationFailed
from protiv.domain.roles import Actor
from protiv.persistence.models import Disqualifier, Penalty, ProPay
from protiv.services.context import ServiceContext
from protiv.services.editing import Changes, Edited, edit, flush, show, whole_cents
from protiv.services.uow import UnitOfWork

ACTION = "pro_pay.safeguard"


def _name(name: str, field: list[str]) -> str:
    name = name.strip()
    if not name or len(name) > 200:
        raise ValidationFailed("A name of 1 to 200 characters is needed.", field=field)
    return name


def _owner(
    actor: Actor, model: type[Disqualifier] | type[Penalty], child_id: int, label: str
) -> Callable[[UnitOfWork], Awaitable[int]]:
    """Find the ProPay (of the actor's company) a disqualifier or penalty belongs to."""

    async def locate(uow: UnitOfWork) -> int:
        owner = await uow.session.scalar(
            select(model.pro_pay_id)
            .join(ProPay, ProPay.id == model.pro_pay_id)
            .where(model.id == child_id, ProPay.company_id == actor.company_id)
        )
        if owner is None:
            raise NotFound(f"No {label} with that id.", field=["id"])
        return int(owner)

    return locate


async def _run(
    ctx: ServiceContext,
    actor: Actor,
    target: int | Callable[[UnitOfWork], Awaitable[int]],
    change: Callable[[UnitOfWork, ProPay, Changes], Awaitable[None]],
    expected_version: int | None,
    reason: str | None,
    relation: Any,
) -> Edited:
    return await edit(
        ctx,
        actor,
        target,
        change,
        expected_version=expected_version,
        reason=reason,
        action=ACTION,
        load=[selectinload(relation)],
    )


async def add_disqualifier(
    ctx: ServiceContext,
    actor: Actor,
    pro_pay_id: int,
    name: str,
    *,
    expected_version: int | None = None,
    reason: str | None = None,
) -> Edited:
    """A pass/fail question to answer before approval; it starts PENDING."""
    name = _name(name, ["name"])

    async def change(uow: UnitOfWork, pro_pay: ProPay, changes: Changes) -> None:
        row = Disqualifier(name=name, result=DisqualifierResult.PENDING)
        pro_pay.disqualifiers.append(row)
        await flush(uow)
        changes.add(f"disqualifier {name!r} added (PENDING)")
        changes.detail = row

    return await _run(
        ctx, actor, pro_pay_id, change, expected_version, reason, ProPay.disqualifiers
    )


async def answer_disqualifier(
    ctx: ServiceContext,
    actor: Actor,
    disqualifier_id: int,
    result: DisqualifierResult,
    *,
    expected_version: int | None = None,
    reason: str | None = None,
) -> Edited:
    """PASSED, or FAILED (the worker pool becomes $0 for everyone)."""
    if result is DisqualifierResult.PENDING:
        raise ValidationFailed(
            "Answer PASSED or FAILED; PENDING is what an unanswered disqualifier is.",
            field=["result"],
        )

    async def change(uow: UnitOfWork, pro_pay: ProPay, changes: Changes) -> None:
        row = next(d for d in pro_pay.disqualifiers if d.id == disqualifier_id)
        changes.detail = row
        if row.result is result:
            return
        changes.add(f"disqualifier {row.name!r} {row.result.value} → {result.value}")
        row.result = result
        row.answered_by = actor.label

    locate = _owner(actor, Disqualifier, disqualifier_id, "disqualifier")
    return await _run(ctx, actor, locate, change, expected_version, reason, ProPay.disqualifiers)


async def remove_disqualifier(
    ctx: ServiceContext,
    actor: Actor,
    disqualifier_id: int,
    *,
    expected_version: int | None = None,
    reason: str | None = None,
) -> Edited:
    async def change(uow: UnitOfWork, pro_pay: ProPay, changes: Changes) -> None:
        row = next(d for d in pro_pay.disqualifiers if d.id == disqualifier_id)
        pro_pay.disqualifiers.remove(row)
        changes.add(f"disqualifier {row.name!r} ({row.result.value}) removed")

    locate = _owner(actor, Disqualifier, disqualifier_id, "disqualifier")
    return await _run(ctx, actor, locate, change, expected_version, reason, ProPay.disqualifiers)


async def add_penalty(
    ctx: ServiceContext,
    actor: Actor,
    pro_pay_id: int,
    name: str,
    amount: Decimal,
    *,
    expected_version: int | None = None,
    reason: str | None = None,
) -> Edited:
    """A fixed amount off the worker pool, before the role split (the pool never goes below 0)."""
    name = _name(name, ["name"])
    whole_cents(amount, "The penalty amount", ["amount"])
    if amount <= 0:
        raise ValidationFailed("A penalty takes more than $0.00 off.", field=["amount"])

    async def change(uow: UnitOfWork, pro_pay: ProPay, changes: Changes) -> None:
        row = Penalty(name=name, amount=amount)
        pro_pay.penalties.append(row)
        await flush(uow)
        changes.add(f"penalty {name!r} ${show(amount)} added")
        changes.detail = row

    return await _run(ctx, actor, pro_pay_id, change, expected_version, reason, ProPay.penalties)


async def remove_penalty(
    ctx: ServiceContext,
    actor: Actor,
    penalty_id: int,
    *,
    expected_version: int | None = None,
    reason: str | None = None,
) -> Edited:
    async def change(uow: UnitOfWork, pro_pay: ProPay, changes: Changes) -> None:
        row = next(p for p in pro_pay.penalties if p.id == penalty_id)
        pro_pay.penalties.remove(row)
        changes.add(f"penalty {row.name!r} ${show(row.amount)} removed")

    locate = _owner(actor, Penalty, penalty_id, "penalty")
    return await _run(ctx, actor, locate, change, expected_version, reason, ProPay.penalties)
