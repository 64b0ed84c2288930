"""What a worker token may read (protiv.domain.permissions READ_SCOPE): its own statements and
line items, the ProPays it worked on (time entries or line items on them) with their jobs,
disqualifiers and penalties, the pay periods of its statements, its own worker record, and the
history of those. Nothing else: a model this module does not name is invisible to a worker, so
a table added later stays hidden until someone decides otherwise here.

``only_for_worker(model, worker_id)`` is a WHERE clause; the reads in protiv.services.queries
add it to every statement when they read for a worker.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, false, or_, select

from protiv.domain.permissions import reads_only_own
from protiv.domain.roles import Actor
from protiv.domain.statuses import EntityKind
from protiv.persistence.models import (
    Disqualifier,
    Event,
    Job,
    LineItem,
    PayPeriod,
    Penalty,
    ProPay,
    Statement,
    TimeEntry,
    Worker,
)

NOBODY = -1  # a worker token without its worker sees nothing


def worker_scope(actor: Actor) -> int | None:
    """The worker whose records bound what ``actor`` reads; None when the actor reads its whole
    company."""
    if not reads_only_own(actor):
        return None
    return actor.worker_id if actor.worker_id is not None else NOBODY


def _worked_jobs(worker_id: int) -> Select[int]:
    return select(TimeEntry.job_id).where(TimeEntry.worker_id == worker_id)


def _paid_pro_pays(worker_id: int) -> Select[int | None]:
    return select(LineItem.pro_pay_id).where(LineItem.worker_id == worker_id)


def _pro_pays(worker_id: int) -> ColumnElement[bool]:
    return or_(ProPay.job_id.in_(_worked_jobs(worker_id)), ProPay.id.in_(_paid_pro_pays(worker_id)))


def _pro_pay_ids(worker_id: int) -> Select[int]:
    return select(ProPay.id).where(_pro_pays(worker_id))


def _jobs(worker_id: int) -> ColumnElement[bool]:
    return or_(
        Job.id.in_(_worked_jobs(worker_id)),
        Job.id.in_(select(ProPay.job_id).where(ProPay.id.in_(_paid_pro_pays(worker_id)))),
    )


def _events(worker_id: int) -> ColumnElement[bool]:
    def of(kind: EntityKind, ids: Select[Any]) -> ColumnElement[bool]:
        return and_(Event.entity == kind, Event.entity_id.in_(ids))

    return or_(
        of(EntityKind.STATEMENT, select(Statement.id).where(Statement.worker_id == worker_id)),
        of(EntityKind.LINE_ITEM, select(LineItem.id).where(LineItem.worker_id == worker_id)),
        of(EntityKind.PRO_PAY, _pro_pay_ids(worker_id)),
    )


RULES: dict[type[Any], Callable[[int], ColumnElement[bool]]] = {
    Statement: lambda w: Statement.worker_id == w,
    LineItem: lambda w: LineItem.worker_id == w,
    ProPay: _pro_pays,
    Job: _jobs,
    Worker: lambda w: Worker.id == w,
    PayPeriod: lambda w: PayPeriod.id.in_(
        select(Statement.pay_period_id).where(Statement.worker_id == w)
    ),
    Disqualifier: lambda w: Disqualifier.pro_pay_id.in_(_pro_pay_ids(w)),
    Penalty: lambda w: Penalty.pro_pay_id.in_(_pro_pay_ids(w)),
    Event: _events,
}


def only_for_worker(model: type[Any], worker_id: int) -> ColumnElement[bool]:
    """The rows of ``model`` the worker may read (none for a model not named in RULES)."""
    rule = RULES.get(model)
    return rule(worker_id) if rule is not None else false()
