"""The events feed never skips an event that commits late, and never repeats one; subscribers
resuming with ``after:`` get the missed events, then the live ones, with no hole at the seam."""

from __future__ import annotations

import asyncio
import contextlib
import itertools

import pytest

from protiv.domain.errors import DomainError
from protiv.domain.events import EventRecord
from protiv.domain.statuses import ProPayTrigger
from protiv.persistence.models import ProPay
from protiv.services import feed, pro_pays
from protiv.services.uow import UnitOfWork
from statemachines.pro_pay import MACHINE as PRO_PAY
from tests.feed.conftest import logged, seed


async def _head(ctx) -> int:
    return await feed.head(ctx)


async def test_an_event_with_a_lower_id_that_commits_last_is_not_skipped(ctx, admin, on_postgres):
    first, second = await seed(ctx, admin, jobs=2)
    everyone = feed.Selector(admin.company_id)
    cursor = await _head(ctx)
    async with UnitOfWork(ctx) as late:
        pro_pay = await late.lock(ProPay, first, admin, options=pro_pays.LOAD)
        late_event = await late.fire(PRO_PAY, pro_pay, ProPayTrigger.CANCEL, admin, reason="late")
        await late.session.flush()  # its id is taken now; its transaction stays open
        early = await pro_pays.cancel(ctx, admin, second, reason="early")
        # Paging by id would now page past late_event: its id is lower and it is not committed.
        assert late_event.id < early.event.id

        page = await feed.page(ctx, everyone, after=cursor, first=100)
        assert [row.id for row in page.rows] == [early.event.id]
        cursor = page.rows[-1].position
        await late.commit()

    page = await feed.page(ctx, everyone, after=cursor, first=100)
    assert [row.id for row in page.rows] == [late_event.id]
    assert (await feed.page(ctx, everyone, after=page.rows[-1].position, first=100)).rows == []


async def test_on_sqlite_positions_follow_ids_as_writers_commit_one_at_a_time(
    ctx, admin, on_sqlite
):
    await seed(ctx, admin, jobs=3)
    events = await logged(ctx)
    assert [e.position for e in events] == list(range(1, len(events) + 1))


async def _contend(ctx, admin, pro_pay_id: int, trigger: str, rounds: int) -> None:
    """Fire ``trigger`` again and again on one ProPay; refusals (wrong status, lost race) are
    expected while another task fires the opposite one."""
    fire = pro_pays.cancel if trigger == "cancel" else pro_pays.restore
    for _ in range(rounds):
        with contextlib.suppress(DomainError):
            await fire(ctx, admin, pro_pay_id)
        await asyncio.sleep(0)


def _commit_late(monkeypatch: pytest.MonkeyPatch) -> None:
    """Hold a transaction whose last event has an even id open a moment after its event rows
    are written, so on PostgreSQL transactions commit out of id order (as under real load)."""
    commit = UnitOfWork.commit

    async def late(self: UnitOfWork) -> None:
        await self.session.flush()
        if self._events and self._events[-1].id % 2 == 0:
            await asyncio.sleep(0.02)
        await commit(self)

    monkeypatch.setattr(UnitOfWork, "commit", late)


async def test_concurrent_writers_and_a_poller_see_every_event_once_in_commit_order(
    ctx, admin, monkeypatch: pytest.MonkeyPatch
):
    ids = await seed(ctx, admin, jobs=4)
    _commit_late(monkeypatch)
    everyone = feed.Selector(admin.company_id)
    start = await _head(ctx)
    writing = True
    seen: list[int] = []

    async def poll() -> None:
        cursor = start
        while True:
            last_round = not writing
            page = await feed.page(ctx, everyone, after=cursor, first=3, with_total=False)
            seen.extend(row.position for row in page.rows)
            cursor = seen[-1] if seen else cursor
            if last_round and not page.has_next:
                return
            await asyncio.sleep(0.005)

    poller = asyncio.create_task(poll())
    await asyncio.gather(
        *(_contend(ctx, admin, i, trigger, 4) for i in ids for trigger in ("cancel", "restore"))
    )
    writing = False
    await asyncio.wait_for(poller, 30)

    events = [e for e in await logged(ctx) if e.position and e.position > start]
    assert len(events) >= len(ids)
    assert seen == sorted(e.position or 0 for e in events)  # each once, none skipped, in order
    assert seen == list(range(start + 1, start + len(events) + 1))  # no hole
    by_position = sorted(events, key=lambda e: e.position or 0)
    if not ctx.db.is_sqlite:  # the case the feed exists for did happen
        assert any(a.id > b.id for a, b in itertools.pairwise(by_position))
    for pro_pay_id in ids:  # one record's changes in the order they committed
        versions = [e.version for e in by_position if e.entity_id == pro_pay_id]
        assert versions == sorted(versions)
        assert len(set(versions)) == len(versions)


async def test_follow_replays_what_was_missed_then_goes_live_with_no_seam(
    ctx, admin, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(feed, "REPLAY_PAGE", 2)  # a replay of several reads, while writes land
    ids = await seed(ctx, admin, jobs=3)
    for pro_pay_id in ids:
        await pro_pays.cancel(ctx, admin, pro_pay_id)
    resume_from = await _head(ctx) - 2  # the subscriber missed the last two cancels
    received: list[EventRecord] = []

    async def subscriber() -> None:
        async for record in feed.follow(ctx, feed.Selector(admin.company_id), resume_from):
            received.append(record)

    task = asyncio.create_task(subscriber())
    for pro_pay_id in ids:  # these commit while the subscriber replays, or after it went live
        await pro_pays.restore(ctx, admin, pro_pay_id)
        await asyncio.sleep(0)
    end = await _head(ctx)
    for _ in range(500):
        if received and received[-1].position == end:
            break
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.05)  # anything repeated would arrive now
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    assert [r.position for r in received] == list(range(resume_from + 1, end + 1))


async def test_follow_sees_only_its_selection(ctx, admin):
    first, second = await seed(ctx, admin, jobs=2)
    cursor = await _head(ctx)
    await pro_pays.cancel(ctx, admin, first)
    await pro_pays.cancel(ctx, admin, second)
    one = feed.Selector(admin.company_id, entity_id=second)
    other_company = feed.Selector(admin.company_id + 1)
    replayed: list[EventRecord] = []
    for selector, sink in ((one, replayed), (other_company, [])):
        follower = feed.follow(ctx, selector, cursor)
        with contextlib.suppress(TimeoutError):
            while True:
                sink.append(await asyncio.wait_for(anext(follower), 0.1))
        await follower.aclose()
        if selector is other_company:
            assert sink == []
    assert [(r.entity_id, r.trigger) for r in replayed] == [(second, "cancel")]
