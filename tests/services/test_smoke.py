from __future__ import annotations

from sqlalchemy import select

from protiv.domain.statuses import LineItemStatus, ProPayStatus
from protiv.persistence.models import LineItem, ProPay
from protiv.services import pro_pays, sync
from tests.services.batches import crew_batch


async def test_sync_then_approve(ctx, admin, manager):
    report = await sync.sync_batch(ctx, admin, crew_batch())
    assert report.pro_pays_created == 1, report.as_dict()
    async with ctx.db.read() as s:
        pro_pay = (await s.scalars(select(ProPay))).one()
    result = await pro_pays.approve(ctx, manager, pro_pay.id)
    assert result.record.status is ProPayStatus.APPROVED
    async with ctx.db.read() as s:
        items = list(await s.scalars(select(LineItem)))
    assert items
    assert all(i.status is LineItemStatus.HELD for i in items)
    assert sum(i.amount for i in items) == 250
