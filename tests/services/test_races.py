"""Conflicting transitions fired at the same moment through separate units of work (each service
call opens its own session): one wins, the other is refused with a domain error (CONFLICT or a
guard's code), and the database ends in a state some serial order of the winners explains:
never half done, never a duplicated line item. Each race is run ROUNDS times on each backend.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError

from protiv.domain.errors import Conflict, DomainError, ErrorCode
from protiv.domain.statuses import (
    EntityKind,
    LineItemStatus,
    ProPayStatus,
    ProPayTrigger,
    StatementStatus,
)
from protiv.persistence.models import Event, LineItem
from protiv.services import groups, pro_pays, statements
from protiv.services.results import Transitioned
from protiv.services.uow import UnitOfWork
from tests.services import scenarios
from tests.services.scenarios import PAY_DATE, items_of, load_pro_pay, load_statement

ROUNDS = 20
GROUP_ROUNDS = 10
L = LineItemStatus
P = ProPayStatus
LOSING_CODES = {ErrorCode.CONFLICT, ErrorCode.INVALID_TRANSITION, ErrorCode.BONUS_ALREADY_PAID}


async def race(*calls: Awaitable[Any]) -> list[Any]:
    """Start every call at once; each result is the Transitioned or the domain error raised.
    Anything else (a deadlock, a StaleDataError, ...) escapes and fails the test."""
    results = await asyncio.gather(*calls, return_exceptions=True)
    for result in results:
        if isinstance(result, BaseException) and not isinstance(result, DomainError):
            raise result
        if isinstance(result, DomainError):
            assert result.code in LOSING_CODES, (result.code, result.message)
    return results


def won(result: Any) -> bool:
    return isinstance(result, Transitioned)


async def events_of(ctx, pro_pay_id: int) -> list[str]:
    async with ctx.db.read() as session:
        rows = await session.scalars(
            select(Event.trigger)
            .where(Event.entity == EntityKind.PRO_PAY, Event.entity_id == pro_pay_id)
            .order_by(Event.id)
        )
        return list(rows)


async def item_count(ctx) -> int:
    async with ctx.db.read() as session:
        return int(await session.scalar(select(func.count()).select_from(LineItem)) or 0)


async def test_approve_against_approve(ctx, admin, manager):
    ids = await scenarios.seed(ctx, admin, jobs=ROUNDS, solo=True)
    for pro_pay_id in ids:
        results = await race(
            pro_pays.approve(ctx, admin, pro_pay_id), pro_pays.approve(ctx, manager, pro_pay_id)
        )
        assert sum(map(won, results)) == 1, results
        pro_pay = await load_pro_pay(ctx, pro_pay_id)
        assert (pro_pay.status, pro_pay.version) == (P.APPROVED, 2)
        assert [i.status for i in pro_pay.line_items] == [L.HELD]  # made once
        assert await events_of(ctx, pro_pay_id) == ["create", "approve"]
    assert await item_count(ctx) == ROUNDS


@pytest.mark.parametrize("versioned", [True, False], ids=["expected-version", "no-version"])
async def test_approve_against_cancel(ctx, admin, manager, versioned):
    """With the version both saw, exactly one wins; without, both may win in either order, and
    the end state is that order's: approve→cancel voids the new item, cancel→approve refuses."""
    ids = await scenarios.seed(ctx, admin, jobs=ROUNDS // 2, solo=True)
    version = 1 if versioned else None
    for pro_pay_id in ids:
        approved, canceled = await race(
            pro_pays.approve(ctx, manager, pro_pay_id, expected_version=version),
            pro_pays.cancel(ctx, admin, pro_pay_id, expected_version=version, reason="race"),
        )
        pro_pay = await load_pro_pay(ctx, pro_pay_id)
        items = [(i.status, i.void_reason) for i in pro_pay.line_items]
        history = await events_of(ctx, pro_pay_id)
        if versioned:
            assert won(approved) != won(canceled), (approved, canceled)
        assert won(approved) or won(canceled)
        if won(approved) and won(canceled):  # approve first, then cancel
            assert (pro_pay.status, pro_pay.version) == (P.CANCELED, 3)
            assert items == [(L.VOIDED, "CANCELED")]
            assert history == ["create", "approve", "cancel"]
        elif won(approved):
            assert (pro_pay.status, pro_pay.version) == (P.APPROVED, 2)
            assert items == [(L.HELD, None)]
            assert history == ["create", "approve"]
        else:
            assert (pro_pay.status, pro_pay.version) == (P.CANCELED, 2)
            assert items == []
            assert history == ["create", "cancel"]


async def test_statement_pay_against_pro_pay_cancel(ctx, clock, admin, payroll):
    """Before the fix, paying locked the item and then (settling) the ProPay, the cancel the
    ProPay and then the item: PostgreSQL found a deadlock and it escaped as a DBAPIError."""
    ids = await scenarios.seed(ctx, admin, jobs=ROUNDS, solo=True)
    for pro_pay_id in ids:
        clock.advance(days=7)  # a pay period each: the next approval lands on an OPEN statement
        await pro_pays.approve(ctx, admin, pro_pay_id)
        await scenarios.release_all(ctx, admin, pro_pay_id)
        statement_id = (await items_of(ctx, pro_pay_id))[0].statement_id

        paid, canceled = await race(
            statements.pay(ctx, payroll, statement_id, PAY_DATE),
            pro_pays.cancel(ctx, admin, pro_pay_id, reason="race"),
        )

        assert won(paid) or won(canceled), (paid, canceled)
        pro_pay = await load_pro_pay(ctx, pro_pay_id)
        items = [(i.status, i.void_reason) for i in pro_pay.line_items]
        statement = await load_statement(ctx, statement_id)
        assert statement.status is (StatementStatus.PAID if won(paid) else StatementStatus.OPEN)
        if won(canceled):  # then nothing of it was paid, whatever the order
            assert (pro_pay.status, items) == (P.CANCELED, [(L.VOIDED, "CANCELED")])
        else:  # the statement paid first, and settled it: the cancel found it PAID
            assert (pro_pay.status, items) == (P.PAID, [(L.PAID, None)])
            assert canceled.code is ErrorCode.INVALID_TRANSITION


async def test_statement_pay_against_group_cancel(ctx, clock, admin, payroll):
    """The same race one level up: paying the members' items settles the members and then their
    group, while the group's cancel holds the group and waits for its members."""
    ids = await scenarios.seed(ctx, admin, jobs=2 * GROUP_ROUNDS, solo=True)
    for members in zip(ids[::2], ids[1::2], strict=True):
        clock.advance(days=7)
        group_id = await scenarios.make_group(ctx, admin, members)
        await groups.transition(ctx, admin, group_id, ProPayTrigger.APPROVE)
        for member in members:
            await scenarios.release_all(ctx, admin, member)
        statement_id = (await items_of(ctx, members[0]))[0].statement_id  # W-1's, both items

        paid, canceled = await race(
            statements.pay(ctx, payroll, statement_id, PAY_DATE),
            groups.transition(ctx, admin, group_id, ProPayTrigger.CANCEL, reason="race"),
        )

        assert won(paid) or won(canceled), (paid, canceled)
        group = await scenarios.load_group(ctx, group_id)
        statuses = {group.status} | {m.status for m in group.members}
        items = {i.status for m in group.members for i in m.line_items}
        if won(canceled):
            assert (statuses, items) == ({P.CANCELED}, {L.VOIDED})
        else:
            assert (statuses, items) == ({P.PAID}, {L.PAID})


async def test_revert_payment_against_statement_reopen(ctx, admin):
    """Two admins correcting the same payment: the revert locks the ProPay, unpays its items and
    then locks their statements; the reopen locks the statement, unpays its items and then locks
    their ProPays. PostgreSQL sees a deadlock (after its deadlock_timeout, 1 s by default) and
    aborts one: that one answers CONFLICT, and the other's correction stands alone."""
    (pro_pay_id,) = await scenarios.seed(ctx, admin, solo=True)
    await scenarios.drive(ctx, admin, pro_pay_id, P.PAID)
    statement_id = (await items_of(ctx, pro_pay_id))[0].statement_id

    reverted, reopened = await race(
        pro_pays.revert_payment(ctx, admin, pro_pay_id, reason="paid twice"),
        statements.reopen(ctx, admin, statement_id, reason="paid in error"),
    )

    assert won(reverted) or won(reopened)
    pro_pay = await load_pro_pay(ctx, pro_pay_id)
    assert (pro_pay.status, [i.status for i in pro_pay.line_items]) == (P.APPROVED, [L.PAYABLE])
    assert (await load_statement(ctx, statement_id)).status is StatementStatus.OPEN
    assert (await events_of(ctx, pro_pay_id)).count("revert_payment") == 1


class _DriverError(Exception):
    def __init__(self, message: str, sqlstate: str | None) -> None:
        super().__init__(message)
        self.sqlstate = sqlstate


@pytest.mark.parametrize(
    ("sqlstate", "conflict"),
    [("40P01", True), ("40001", True), ("55P03", True), ("23502", False), (None, False)],
)
async def test_a_lost_race_in_the_database_is_a_conflict(ctx, admin, sqlstate, conflict):
    """Whatever lock-order cycle remains (e.g. a statement reopen against a revert_payment of
    the same payment), the deadlock's victim answers CONFLICT, never a raw DBAPIError."""
    error = DBAPIError("SELECT 1", None, _DriverError("deadlock detected", sqlstate))

    async def lose() -> None:
        async with UnitOfWork(ctx) as uow:
            await uow.session.execute(select(1))
            raise error

    with pytest.raises(Conflict if conflict else DBAPIError):
        await lose()
