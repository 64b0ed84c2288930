"""Waiting period and retention: approval items are HELD until approved_at + max(waiting days,
the bucket's retention days); release_due lets them go through the machine, one event each,
in chunks; a hand-held item waits for a person."""

from __future__ import annotations

from datetime import timedelta

import pytest

from protiv.domain.bonus import Bucket
from protiv.domain.errors import ErrorCode, Forbidden
from protiv.domain.roles import Actor, Role
from protiv.domain.statuses import LineItemStatus, LineItemTrigger
from protiv.persistence.models import BonusPool, Company
from protiv.services import line_items, release
from tests.payouts.helpers import Log, approved, items

L = LineItemStatus


async def test_items_wait_out_the_waiting_period(ctx, clock, admin):
    await approved(ctx, admin)
    held = await items(ctx)
    assert {i.status for i in held} == {L.HELD}
    assert {i.release_at for i in held} == {clock.now + timedelta(days=7)}

    clock.advance(days=7, seconds=-1)
    assert (await release.release_due(ctx)).count == 0
    clock.advance(seconds=1)
    log = Log(ctx)
    await log.mark()
    assert (await release.release_due(ctx)).count == 3
    assert {i.status for i in await items(ctx)} == {L.PAYABLE}
    events = await log.new()
    assert [(e.trigger, e.from_status, e.to_status) for e in events] == [
        ("release", "HELD", "PAYABLE")
    ] * 3
    assert {(e.actor, e.reason) for e in events} == {("admin:scheduler", "waiting period over")}
    assert (await release.release_due(ctx)).count == 0  # idempotent


async def test_retention_of_a_bucket_holds_longer(ctx, clock, admin):
    async with ctx.db.write() as session, session.begin():
        session.add(
            BonusPool(
                company_id=admin.company_id,
                name="Default",
                is_company_default=True,
                retention_days_manager=30,
            )
        )
    await approved(ctx, admin)
    by_bucket = {i.bucket: i.release_at for i in await items(ctx)}
    assert by_bucket[Bucket.CREW] == clock.now + timedelta(days=7)
    assert by_bucket[Bucket.MANAGER] == clock.now + timedelta(days=30)
    clock.advance(days=8)
    assert (await release.release_due(ctx)).count == 2
    clock.advance(days=22)
    assert (await release.release_due(ctx)).count == 1


async def test_release_runs_in_chunks_each_its_own_transaction(ctx, clock, admin):
    await approved(ctx, admin, jobs=3)  # 9 items
    clock.advance(days=7)
    assert (await release.release_due(ctx, chunk=2)).count == 9
    assert {i.status for i in await items(ctx)} == {L.PAYABLE}


async def test_a_hand_held_item_waits_for_a_person(ctx, clock, admin):
    await approved(ctx, admin)
    first, *_ = await items(ctx)
    await line_items.transition(ctx, admin, first.id, LineItemTrigger.RELEASE)
    done = await line_items.transition(
        ctx, admin, first.id, LineItemTrigger.HOLD, reason="customer complaint"
    )
    assert (done.record.status, done.record.release_at) == (L.HELD, None)
    clock.advance(days=60)
    assert (await release.release_due(ctx)).count == 2  # the other two
    assert (await items(ctx, id=first.id))[0].status is L.HELD
    later = clock.now + timedelta(days=3)  # extend: held until a date again
    await line_items.transition(
        ctx, admin, first.id, LineItemTrigger.EXTEND, release_at=later, reason="review"
    )
    clock.advance(days=3)
    assert (await release.release_due(ctx)).count == 1


async def test_for_one_company_only_and_named_after_the_caller(ctx, clock, admin, payroll):
    await approved(ctx, admin)
    other = Company(slug="other", name="Other Lawns")
    async with ctx.db.write() as session, session.begin():
        session.add(other)
    await approved(ctx, Actor(company_id=other.id, role=Role.ADMIN, name="olga"))
    clock.advance(days=7)
    log = Log(ctx)
    await log.mark()
    assert (await release.release_due(ctx, payroll)).count == 3
    assert {(e.company_id, e.actor) for e in await log.new()} == {(admin.company_id, "payroll:pat")}
    assert (await release.release_due(ctx)).count == 3  # the scheduler: every company
    assert {i.status for i in await items(ctx)} == {L.PAYABLE}


async def test_only_admin_and_payroll_release_what_is_due(ctx, manager):
    with pytest.raises(Forbidden) as refused:
        await release.release_due(ctx, manager)
    assert refused.value.code is ErrorCode.FORBIDDEN
