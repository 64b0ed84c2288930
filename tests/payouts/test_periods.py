"""Pay periods: each cycle's windows from its anchor, a branch's own cycle for the items of its
jobs (and for its workers' manual items), and the pay schedule through GraphQL."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from protiv.domain.errors import DomainError, ErrorCode
from protiv.domain.payouts import ManualCategory
from protiv.domain.periods import PayCycle, Period, PeriodKind
from protiv.domain.roles import Role
from protiv.persistence.models import Branch
from protiv.services import manual_items, pay_schedule
from protiv.services.manual_items import ManualItem
from tests.payouts.helpers import approved, items, statement, workers

K = PeriodKind
MONDAY = date(2026, 1, 5)


@pytest.mark.parametrize(
    ("kind", "day", "window"),
    [
        (K.WEEKLY, date(2026, 11, 4), (date(2026, 11, 2), date(2026, 11, 8))),
        (K.BIWEEKLY, date(2026, 11, 4), (date(2026, 10, 26), date(2026, 11, 8))),
        (K.SEMI_MONTHLY, date(2026, 11, 15), (date(2026, 11, 1), date(2026, 11, 15))),
        (K.SEMI_MONTHLY, date(2026, 2, 16), (date(2026, 2, 16), date(2026, 2, 28))),
        (K.MONTHLY, date(2028, 2, 29), (date(2028, 2, 1), date(2028, 2, 29))),
    ],
)
def test_the_window_of_a_day(kind, day, window):
    assert PayCycle(kind, MONDAY).period(day) == Period(*window)


@given(
    kind=st.sampled_from(list(K)),
    anchor=st.dates(date(2020, 1, 1), date(2030, 12, 31)),
    day=st.dates(date(2020, 1, 1), date(2030, 12, 31)),
)
def test_periods_tile_the_calendar(kind, anchor, day):
    """Every day is in exactly one period, and the next period starts the day after."""
    cycle = PayCycle(kind, anchor)
    period = cycle.period(day)
    assert period.starts_on <= day <= period.ends_on
    following = cycle.after(period)
    assert (following.starts_on - period.ends_on).days == 1
    assert PayCycle.continuing(kind, period).after(period) == following


def test_a_branch_cycle_wins_over_the_companys():
    company = ("WEEKLY", MONDAY)
    assert PayCycle.of(company, ("MONTHLY", None)) == PayCycle(K.MONTHLY, MONDAY)
    assert PayCycle.of(company, (None, None)) == PayCycle(K.WEEKLY, MONDAY)


async def test_items_follow_the_cycle_of_their_branch(ctx, admin, payroll):
    await approved(ctx, admin)  # BR-1 exists now; a first approval on the company's cycle
    async with ctx.db.read() as session:
        branch = await session.scalar(select(Branch))
    schedule = await pay_schedule.update_branch(ctx, admin, branch.id, kind=K.MONTHLY)
    assert [(b.name, b.cycle) for b in schedule.branches] == [
        ("Austin", PayCycle(K.MONTHLY, MONDAY))
    ]
    await approved(ctx, admin, start=2)  # J-2 is in BR-1: its items land on monthly statements
    w = await workers(ctx)
    first, second = await items(ctx, worker_id=w["W-1"])
    weekly = (await statement(ctx, first.statement_id)).pay_period
    monthly = (await statement(ctx, second.statement_id)).pay_period
    assert (weekly.kind, weekly.starts_on, weekly.ends_on) == (
        "WEEKLY",
        date(2026, 11, 2),
        date(2026, 11, 8),
    )
    assert (monthly.kind, monthly.starts_on, monthly.ends_on) == (
        "MONTHLY",
        date(2026, 11, 1),
        date(2026, 11, 30),
    )
    # a manual item follows the worker's branch: W-1 is in BR-1, W-9 in none
    made = await manual_items.create(
        ctx, payroll, ManualItem(w["W-1"], Decimal("5.00"), ManualCategory.REFERRAL)
    )
    assert made.record.statement_id == second.statement_id
    made = await manual_items.create(
        ctx, payroll, ManualItem(w["W-9"], Decimal("5.00"), ManualCategory.REFERRAL)
    )
    assert (await statement(ctx, made.record.statement_id)).pay_period.kind == "WEEKLY"


async def test_the_company_schedule(ctx, admin, payroll):
    schedule = await pay_schedule.update_company(
        ctx, admin, kind=K.BIWEEKLY, anchor=date(2026, 1, 7), waiting_days=3
    )
    assert (schedule.cycle, schedule.waiting_days) == (PayCycle(K.BIWEEKLY, date(2026, 1, 7)), 3)
    with pytest.raises(DomainError) as refused:
        await pay_schedule.update_company(ctx, admin, waiting_days=400)
    assert (refused.value.code, refused.value.field) == (ErrorCode.VALIDATION, ["waitingDays"])
    with pytest.raises(DomainError) as refused:
        await pay_schedule.update_company(ctx, payroll, waiting_days=1)
    assert refused.value.code is ErrorCode.FORBIDDEN


SCHEDULE = """
mutation { payScheduleUpdate(input: {kind: SEMI_MONTHLY, waitingDays: 14}) {
  paySchedule { cycle { kind anchor } waitingDays timezone branches { name cycle { kind } } }
  userErrors { code message field }
} }
"""
READ = "{ paySchedule { cycle { kind } waitingDays } }"


async def test_the_pay_schedule_through_graphql(api, tokens_by_role):
    changed = (await api(SCHEDULE))["payScheduleUpdate"]
    assert changed["userErrors"] == []
    assert changed["paySchedule"] == {
        "cycle": {"kind": "SEMI_MONTHLY", "anchor": "2026-01-05"},
        "waitingDays": 14,
        "timezone": "America/Chicago",
        "branches": [],
    }
    assert (await api(READ))["paySchedule"] == {
        "cycle": {"kind": "SEMI_MONTHLY"},
        "waitingDays": 14,
    }
    refused = (await api.as_(tokens_by_role[Role.PAYROLL])(SCHEDULE))["payScheduleUpdate"]
    assert refused["userErrors"][0]["code"] == "FORBIDDEN"
