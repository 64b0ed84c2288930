"""Negative balances (SPEC §3 statement, research §3.8): when a statement is paid with a
negative net, the worker's pool decides whether the negative rolls into the worker's next open
statement (its ``rollover``) or is written off; either way an event says so. A voided
statement passes its rollover on. Reopening a paid statement takes its carry back.

Money is kept, never made or lost: for every statement, ``items + rollover - carried_forward``
is what it accounts for, and every carry out of one statement is the rollover of another, so
the sum over all statements is the sum of the live line items.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from protiv.domain.errors import ErrorCode, TransitionRefused
from protiv.domain.money import ZERO
from protiv.domain.roles import Actor
from protiv.domain.statuses import EntityKind, LineItemStatus, StatementStatus
from protiv.persistence.models import BonusPool, Branch, Company, Statement, Worker
from protiv.services import ledger
from protiv.services.batch import log_change
from protiv.services.uow import UnitOfWork

STAYING = (LineItemStatus.PAYABLE, LineItemStatus.PAID)  # what a payment leaves on a statement


def balance_at_pay(statement: Statement) -> Decimal:
    """What paying the statement now comes to: the items that stay on it, plus its rollover."""
    items = sum((i.amount for i in statement.line_items if i.status in STAYING), ZERO)
    return items + statement.rollover


async def rolls_over(uow: UnitOfWork, company: Company, worker_id: int) -> bool:
    """The worker's pool says whether negatives roll over: the pool of the worker's branch,
    else the company default pool; with no pool at all they roll over (the pool default)."""
    worker = await uow.session.get_one(Worker, worker_id)
    pool_id = None
    if worker.branch_id is not None:
        pool_id = await uow.session.scalar(
            select(Branch.pool_id).where(Branch.id == worker.branch_id)
        )
    if pool_id is None:
        pool_id = await uow.session.scalar(
            select(BonusPool.id).where(
                BonusPool.company_id == company.id, BonusPool.is_company_default.is_(True)
            )
        )
    if pool_id is None:
        return True
    pool = await uow.session.get_one(BonusPool, pool_id)
    return bool(pool.roll_over_negative)


class Settlement:
    """What happens to one statement's negative balance; applied before its pay transition
    (one version for the statement), logged after it."""

    def __init__(self, statement: Statement, balance: Decimal, target: Statement | None) -> None:
        self.statement = statement
        self.balance = balance
        self.target = target

    @classmethod
    async def plan(
        cls, uow: UnitOfWork, company: Company, statement: Statement, actor: Actor
    ) -> Settlement | None:
        balance = balance_at_pay(statement)
        if balance >= 0:
            return None
        target = None
        if await rolls_over(uow, company, statement.worker_id):
            target = await ledger.next_open_statement(uow, company, statement, actor)
        return cls(statement, balance, target)

    def apply(self) -> None:
        if self.target is None:
            self.statement.written_off = self.balance
            return
        self.statement.carried_forward = self.balance
        self.statement.carried_to_id = self.target.id
        self.target.rollover += self.balance

    def log(self, uow: UnitOfWork, actor: Actor) -> None:
        source = self.statement
        if self.target is None:
            why = f"negative balance {self.balance} written off: the worker's pool does not roll negatives over"
            log_change(uow, EntityKind.STATEMENT, source, "write_off", actor, why)
            return
        why = f"negative balance {self.balance} of {source.number} rolled over"
        log_change(uow, EntityKind.STATEMENT, self.target, "rollover", actor, why)


async def pass_on_rollover(
    uow: UnitOfWork, company: Company, statement: Statement, actor: Actor
) -> Statement | None:
    """A statement being voided hands its rollover to the worker's next open statement (set
    before the void fires; the caller logs the target's ``rollover`` event after the flush)."""
    if statement.rollover == 0:
        return None
    target = await ledger.next_open_statement(uow, company, statement, actor)
    statement.carried_forward = statement.rollover
    statement.carried_to_id = target.id
    target.rollover += statement.rollover
    return target


def log_rollover(uow: UnitOfWork, source: Statement, target: Statement, actor: Actor) -> None:
    why = f"rollover {source.carried_forward} of {source.number} passed on"
    log_change(uow, EntityKind.STATEMENT, target, "rollover", actor, why)


async def take_back(uow: UnitOfWork, statement: Statement, actor: Actor) -> Statement | None:
    """Before a paid statement reopens: its carry comes back from the statement it went to
    (which must still be OPEN), its write-off is undone. Returns the statement to log a
    ``rollover`` event on after the flush, if any."""
    statement.written_off = ZERO
    if statement.carried_to_id is None:
        return None
    target = await uow.session.scalar(
        select(Statement).where(Statement.id == statement.carried_to_id).with_for_update()
    )
    assert target is not None
    if target.status is not StatementStatus.OPEN:
        raise TransitionRefused(
            f"Cannot reopen {statement.number}: its negative balance {statement.carried_forward} "
            f"was carried into {target.number}, which is {target.status.name}; reopen "
            f"{target.number} first.",
            code=ErrorCode.STATEMENT_CLOSED,
        )
    target.rollover -= statement.carried_forward
    statement.carried_forward = ZERO
    statement.carried_to_id = None
    return target


def log_taken_back(uow: UnitOfWork, source: Statement, target: Statement, actor: Actor) -> None:
    why = f"carried balance taken back: {source.number} reopened"
    log_change(uow, EntityKind.STATEMENT, target, "rollover", actor, why)
