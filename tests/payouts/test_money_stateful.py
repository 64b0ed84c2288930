"""Money never appears or vanishes: random sequences of approvals, unapprovals, cancels,
manual bonuses and deductions, holds, releases (by hand and when due), voids, payments of one
statement or a whole period, payment reverts and statement reopens, driven through the real
services on a real database (hypothesis stateful testing). After every step:

- each live line item is on exactly one statement, and what the statements account for
  (items + rollover - carried forward) adds up to the live items: every carry out of one
  statement is the rollover of another;
- every PAID ProPay has at least one live item and only PAID ones;
- a PAID statement holds only PAID live items and never pays out a negative amount;
- only deductions are negative.

Refusals are expected along the way (that is the point: the rules are tried in any order); a
refused step must leave the ledger as it was.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import delete, select
from sqlalchemy.orm import selectinload

from protiv.domain.bonus import LineItemKind
from protiv.domain.errors import DomainError
from protiv.domain.payouts import ManualCategory
from protiv.domain.roles import Actor, Role
from protiv.domain.statuses import LineItemStatus, LineItemTrigger, ProPayStatus, StatementStatus
from protiv.persistence.database import Database, create_database
from protiv.persistence.models import (
    Base,
    Company,
    LineItem,
    PayPeriod,
    ProPay,
    Statement,
    Worker,
)
from protiv.services import (
    line_items,
    manual_items,
    payouts,
    pro_pays,
    release,
    statements,
    sync,
)
from protiv.services.context import ServiceContext
from tests.conftest import Clock
from tests.payouts.helpers import batch

L, S = LineItemStatus, StatementStatus
D = Decimal
JOBS = 2
RUNS = settings(
    max_examples=15,
    stateful_step_count=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


class Ledger(RuleBasedStateMachine):
    url: str = ""
    engine: Database | None = None

    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.clock = Clock()
        assert Ledger.engine is not None
        self.ctx = ServiceContext(db=Ledger.engine, clock=self.clock)
        self.pro_pay_ids: list[int] = []
        self.worker_ids: list[int] = []
        self.before: Any = None

    def run(self, coroutine: Awaitable[Any]) -> Any:
        return self.loop.run_until_complete(coroutine)

    def attempt(self, action: Callable[[], Awaitable[Any]]) -> None:
        """Run a step; a refusal must change nothing (the invariants of the step before saw
        the ledger as it was)."""
        try:
            self.run(action())
        except DomainError:
            assert self.run(self.snapshot()) == self.before

    def teardown(self) -> None:
        self.run(self.ctx.db.dispose())  # the pool only: the engine serves the next example
        self.loop.close()

    # -- setup ---------------------------------------------------------------------------------

    @initialize()
    def seed(self) -> None:
        self.run(self._seed())

    async def _seed(self) -> None:
        async with self.ctx.db.engine.begin() as conn:
            for table in reversed(Base.metadata.sorted_tables):
                await conn.execute(delete(table))
        async with self.ctx.db.write() as session, session.begin():
            company = Company(slug="acme", name="Acme Landscaping")
            session.add(company)
        self.admin = Actor(company_id=company.id, role=Role.ADMIN, name="ada")
        self.payroll = Actor(company_id=company.id, role=Role.PAYROLL, name="pat")
        await sync.sync_batch(self.ctx, self.admin, batch(JOBS))
        async with self.ctx.db.read() as session:
            self.pro_pay_ids = list(await session.scalars(select(ProPay.id).order_by(ProPay.id)))
            self.worker_ids = list(await session.scalars(select(Worker.id).order_by(Worker.id)))

    # -- reading -------------------------------------------------------------------------------

    async def rows(self) -> tuple[list[LineItem], list[Statement], list[ProPay]]:
        async with self.ctx.db.read() as session:
            items = list(await session.scalars(select(LineItem).order_by(LineItem.id)))
            stmts = list(await session.scalars(select(Statement).order_by(Statement.id)))
            pays = list(
                await session.scalars(
                    select(ProPay).order_by(ProPay.id).options(selectinload(ProPay.line_items))
                )
            )
        return items, stmts, pays

    async def snapshot(self) -> Any:
        return self.shape(*await self.rows())

    def shape(self, items: list[LineItem], stmts: list[Statement], pays: list[ProPay]) -> Any:
        return (
            [(i.id, i.status, i.statement_id, i.version) for i in items],
            [(s.id, s.status, s.rollover, s.carried_forward, s.version) for s in stmts],
            [(p.id, p.status, p.version) for p in pays],
        )

    def pick(self, rows: list[Any], index: int) -> Any | None:
        return rows[index % len(rows)] if rows else None

    def item(self, index: int, *statuses: LineItemStatus) -> LineItem | None:
        items, _, _ = self.run(self.rows())
        return self.pick([i for i in items if i.status in statuses], index)

    def statement(self, index: int, status: StatementStatus) -> Statement | None:
        _, stmts, _ = self.run(self.rows())
        return self.pick([s for s in stmts if s.status is status], index)

    # -- rules ---------------------------------------------------------------------------------

    @rule(n=st.integers(0, JOBS - 1))
    def approve(self, n: int) -> None:
        self.attempt(lambda: pro_pays.approve(self.ctx, self.admin, self.pro_pay_ids[n]))

    @rule(n=st.integers(0, JOBS - 1), how=st.sampled_from(["unapprove", "cancel", "restore"]))
    def take_back(self, n: int, how: str) -> None:
        service = getattr(pro_pays, how)
        self.attempt(lambda: service(self.ctx, self.admin, self.pro_pay_ids[n], reason="redo"))

    @rule(n=st.integers(0, JOBS - 1))
    def revert_payment(self, n: int) -> None:
        pk = self.pro_pay_ids[n]
        self.attempt(lambda: pro_pays.revert_payment(self.ctx, self.admin, pk, reason="error"))

    @rule(
        w=st.integers(0, 5),
        cents=st.integers(-30000, 20000).filter(lambda c: c != 0),
        held=st.booleans(),
    )
    def manual(self, w: int, cents: int, held: bool) -> None:
        amount = D(cents) / 100
        category = ManualCategory.CORRECTION
        worker = self.worker_ids[w % len(self.worker_ids)]
        day = self.clock.now.date()
        item = manual_items.ManualItem(worker, amount, category, day=day, held=held)
        self.attempt(lambda: manual_items.create(self.ctx, self.payroll, item))

    @rule(
        i=st.integers(0, 50),
        trigger=st.sampled_from(
            [LineItemTrigger.RELEASE, LineItemTrigger.HOLD, LineItemTrigger.VOID]
        ),
    )
    def by_hand(self, i: int, trigger: LineItemTrigger) -> None:
        found = self.item(i, L.HELD, L.PAYABLE)
        if found is not None:
            self.attempt(
                lambda: line_items.transition(self.ctx, self.payroll, found.id, trigger, reason="x")
            )

    @rule(i=st.integers(0, 50), size=st.integers(1, 4))
    def bulk_void(self, i: int, size: int) -> None:
        items, _, _ = self.run(self.rows())
        live = [x.id for x in items if x.status is not L.VOIDED][i : i + size]
        if live:
            self.attempt(
                lambda: payouts.line_items(
                    self.ctx, self.payroll, live, LineItemTrigger.VOID, reason="x"
                )
            )

    @rule(days=st.integers(0, 9))
    def time_passes(self, days: int) -> None:
        self.clock.advance(days=days)
        self.attempt(lambda: release.release_due(self.ctx))

    @rule(i=st.integers(0, 20))
    def pay(self, i: int) -> None:
        found = self.statement(i, S.OPEN)
        if found is not None:
            pay_date = self.clock.now.date()
            self.attempt(lambda: statements.pay(self.ctx, self.payroll, found.id, pay_date))

    @rule(i=st.integers(0, 20))
    def pay_period(self, i: int) -> None:
        async def periods() -> list[int]:
            async with self.ctx.db.read() as session:
                return list(await session.scalars(select(PayPeriod.id).order_by(PayPeriod.id)))

        found = self.pick(self.run(periods()), i)
        if found is not None:
            day = self.clock.now.date()
            self.attempt(lambda: payouts.pay_period(self.ctx, self.payroll, found, day))

    @rule(i=st.integers(0, 20))
    def reopen(self, i: int) -> None:
        found = self.statement(i, S.PAID)
        if found is not None:
            self.attempt(lambda: statements.reopen(self.ctx, self.admin, found.id, reason="oops"))

    @rule(i=st.integers(0, 20))
    def void_statement(self, i: int) -> None:
        found = self.statement(i, S.OPEN)
        if found is not None:
            self.attempt(lambda: statements.void(self.ctx, self.payroll, found.id, reason="x"))

    # -- invariants ----------------------------------------------------------------------------

    @invariant()
    def money_is_kept(self) -> None:
        items, stmts, pays = self.run(self.rows())
        self.before = self.shape(items, stmts, pays)
        live = [i for i in items if i.status is not L.VOIDED]
        on_statements = {s.id: D(0) for s in stmts}
        for item in live:
            on_statements[item.statement_id] += item.amount  # exactly one statement each
        assert sum(on_statements.values(), D(0)) == sum((i.amount for i in live), D(0))
        accounted = sum((on_statements[s.id] + s.rollover - s.carried_forward for s in stmts), D(0))
        assert accounted == sum((i.amount for i in live), D(0))
        for s in stmts:
            if s.status is S.PAID:
                assert all(i.status is L.PAID for i in live if i.statement_id == s.id)
                payout = on_statements[s.id] + s.rollover - s.carried_forward - s.written_off
                assert payout >= 0, (s.number, payout)
        for p in pays:
            if p.status is ProPayStatus.PAID:
                mine = [i for i in p.line_items if i.status is not L.VOIDED]
                assert mine
                assert all(i.status is L.PAID for i in mine)
        for item in items:
            assert (item.amount < 0) == (item.kind is LineItemKind.DEDUCTION), item.id


def test_money_never_appears_or_vanishes(database_url: str) -> None:
    Ledger.url = database_url
    Ledger.engine = create_database(database_url, pool_size=2)
    try:
        run_state_machine_as_test(Ledger, settings=RUNS)
    finally:
        asyncio.run(Ledger.engine.dispose())
        Ledger.engine = None
