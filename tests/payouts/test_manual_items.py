"""Manual bonuses and deductions: category and sign, a pay period, a note; only on an OPEN
statement; PAYABLE at once (create + release events) unless asked held."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from protiv.domain.errors import DomainError, ErrorCode
from protiv.domain.payouts import ManualCategory as C
from protiv.domain.roles import Actor, Role
from protiv.domain.statuses import LineItemStatus
from protiv.persistence.models import Company
from protiv.services import manual_items, statements
from protiv.services.manual_items import ManualItem
from tests.payouts.helpers import PAY_DATE, Log, items, seed, statement, workers

D = Decimal
L = LineItemStatus


@pytest.fixture
async def w1(ctx, admin) -> int:
    await seed(ctx, admin)
    return (await workers(ctx))["W-1"]


async def test_a_bonus_is_payable_at_once_on_the_period_of_its_day(ctx, payroll, w1):
    log = Log(ctx)
    await log.mark()
    item = ManualItem(w1, D("250.00"), C.SIGNING, note="welcome aboard", day=date(2026, 11, 20))
    done = await manual_items.create(ctx, payroll, item)
    row = done.record
    assert (row.status, row.amount, row.category, row.source.value) == (
        L.PAYABLE,
        D("250.00"),
        "SIGNING",
        "MANUAL",
    )
    assert (row.kind.value, row.note, row.release_at) == ("BONUS", "welcome aboard", None)
    period = (await statement(ctx, row.statement_id)).pay_period
    assert (period.starts_on, period.ends_on) == (date(2026, 11, 16), date(2026, 11, 22))
    assert await log.shape() == [
        ("STATEMENT", "open", None, "OPEN"),
        ("LINE_ITEM", "create", None, "HELD"),
        ("LINE_ITEM", "release", "HELD", "PAYABLE"),
    ]
    assert done.event.trigger == "release"


async def test_a_deduction_can_be_held_until_a_date(ctx, payroll, w1):
    when = datetime(2026, 12, 1, tzinfo=UTC)
    item = ManualItem(w1, D("-40.00"), C.DAMAGE, note="cracked trimmer", held=True, release_at=when)
    done = await manual_items.create(ctx, payroll, item)
    assert (done.record.status, done.record.kind.value, done.record.release_at) == (
        L.HELD,
        "DEDUCTION",
        when,
    )
    assert done.event.trigger == "create"


async def test_custom_items_carry_their_name(ctx, payroll, w1):
    item = ManualItem(w1, D("-15.50"), C.CUSTOM, custom_category="Uniform")
    done = await manual_items.create(ctx, payroll, item)
    assert (done.record.category, done.record.custom_category) == ("CUSTOM", "Uniform")


BAD = [
    (ManualItem(0, D("0.00"), C.CORRECTION), "amount"),
    (ManualItem(0, D("10.001"), C.CORRECTION), "amount"),
    (ManualItem(0, D("-10"), C.SIGNING), "amount"),
    (ManualItem(0, D("10"), C.ADVANCE_REPAYMENT), "amount"),
    (ManualItem(0, D("10"), C.CUSTOM), "customCategory"),
    (ManualItem(0, D("10"), C.REFERRAL, custom_category="x"), "customCategory"),
    (ManualItem(0, D("10"), C.REFERRAL, release_at=datetime(2026, 12, 1, tzinfo=UTC)), "releaseAt"),
]


@pytest.mark.parametrize(("item", "field"), BAD, ids=lambda v: str(v)[:40])
def test_bad_input_is_refused_with_its_field(item, field):
    with pytest.raises(DomainError) as refused:
        manual_items.check(item)
    assert (refused.value.code, refused.value.field) == (ErrorCode.VALIDATION, [field])


async def test_only_on_an_open_statement(ctx, payroll, w1):
    first = await manual_items.create(ctx, payroll, ManualItem(w1, D("10.00"), C.REFERRAL))
    await statements.pay(ctx, payroll, first.record.statement_id, PAY_DATE)
    before = await items(ctx)
    with pytest.raises(DomainError) as refused:
        await manual_items.create(ctx, payroll, ManualItem(w1, D("5.00"), C.CORRECTION))
    assert refused.value.code is ErrorCode.STATEMENT_CLOSED
    assert "OPEN" in refused.value.message
    assert [(i.id, i.version) for i in await items(ctx)] == [(i.id, i.version) for i in before]


async def test_who_may_add_them_and_for_whom(ctx, manager, payroll, w1):
    with pytest.raises(DomainError) as refused:
        await manual_items.create(ctx, manager, ManualItem(w1, D("5.00"), C.CORRECTION))
    assert refused.value.code is ErrorCode.FORBIDDEN
    other = Company(slug="other", name="Other Lawns")
    async with ctx.db.write() as session, session.begin():
        session.add(other)
    outsider = Actor(company_id=other.id, role=Role.ADMIN, name="eve")
    with pytest.raises(DomainError) as refused:
        await manual_items.create(ctx, outsider, ManualItem(w1, D("5.00"), C.CORRECTION))
    assert (refused.value.code, refused.value.field) == (ErrorCode.NOT_FOUND, ["workerId"])
    assert await items(ctx) == []
