"""ProPay creation exclusion rules (seed 003 step 3; seed 004: made here, not synced).

A rule applies at once to every job synced after it (stored, no ProPay, naming the rule); jobs
that already have their ProPay keep it. Deleting or changing a rule releases the jobs it
excluded that no other rule matches: they get their ProPay at once. Each change is an event
(entity EXCLUSION_RULE: create, edit, delete).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from protiv.domain.errors import ValidationFailed
from protiv.domain.exclusions import ExclusionKind, JobFacts, Rule, check_value, first_match
from protiv.domain.permissions import require
from protiv.domain.roles import Actor
from protiv.domain.statuses import EntityKind, JobStatus
from protiv.persistence.models import ExclusionRule, Job, Milestone, ProPay
from protiv.services import sync_effects as effects
from protiv.services.context import ServiceContext
from protiv.services.logged import Logged, logged
from protiv.services.uow import UnitOfWork


def _logged(row: ExclusionRule) -> Logged:
    return logged(row, "DELETED" if row.deleted_at else "ACTIVE")


@dataclass(frozen=True, slots=True)
class Changed:
    rule: ExclusionRule
    released: int  # jobs that got their ProPay because the rule no longer excludes them


def _checked(kind: ExclusionKind, value: str) -> str:
    problem = check_value(kind, value)
    if problem:
        raise ValidationFailed(problem, field=["value"])
    return value.strip()


async def create(
    ctx: ServiceContext, actor: Actor, kind: ExclusionKind, value: str, note: str | None = None
) -> ExclusionRule:
    require(actor, "exclusion_rule.manage")
    value = _checked(kind, value)
    async with UnitOfWork(ctx) as uow:
        row = ExclusionRule(
            company_id=actor.company_id,
            kind=kind,
            value=value,
            note=(note or "").strip() or None,
            created_at=uow.now,
            created_by=actor.label,
        )
        uow.session.add(row)
        await uow.session.flush()
        uow.log(EntityKind.EXCLUSION_RULE, _logged(row), "create", None, actor, reason=_say(row))
        await uow.commit()
    return row


async def update(
    ctx: ServiceContext,
    actor: Actor,
    rule_id: int,
    *,
    kind: ExclusionKind | None = None,
    value: str | None = None,
    note: str | None = None,
    expected_version: int | None = None,
) -> Changed:
    """Change a rule; jobs it excluded that it (or another rule) no longer matches are released."""
    require(actor, "exclusion_rule.manage")
    async with UnitOfWork(ctx) as uow:
        row = await _live(uow, actor, rule_id, expected_version)
        new_kind = kind or row.kind
        new_value = _checked(new_kind, value if value is not None else row.value)
        row.kind, row.value = new_kind, new_value
        if note is not None:
            row.note = note.strip() or None
        await uow.session.flush()
        uow.log(EntityKind.EXCLUSION_RULE, _logged(row), "edit", "ACTIVE", actor, reason=_say(row))
        released = await _release(uow, actor, row)
        await uow.commit()
    return Changed(row, released)


async def delete(
    ctx: ServiceContext, actor: Actor, rule_id: int, *, expected_version: int | None = None
) -> Changed:
    """Retire a rule (kept for the jobs that name it); the jobs it excluded are released."""
    require(actor, "exclusion_rule.manage")
    async with UnitOfWork(ctx) as uow:
        row = await _live(uow, actor, rule_id, expected_version)
        row.deleted_at = uow.now
        await uow.session.flush()
        uow.log(
            EntityKind.EXCLUSION_RULE, _logged(row), "delete", "ACTIVE", actor, reason=_say(row)
        )
        released = await _release(uow, actor, row)
        await uow.commit()
    return Changed(row, released)


async def _live(
    uow: UnitOfWork, actor: Actor, rule_id: int, expected_version: int | None
) -> ExclusionRule:
    row = await uow.lock(
        ExclusionRule, rule_id, actor, expected_version=expected_version, label="exclusion rule"
    )
    if row.deleted_at is not None:
        raise ValidationFailed("This exclusion rule was deleted.", field=["id"])
    return row


def _say(row: ExclusionRule) -> str:
    return Rule(row.id, row.kind, row.value).describe()


async def active_rules(uow: UnitOfWork, company_id: int) -> list[Rule]:
    rows = await uow.session.scalars(
        select(ExclusionRule).where(
            ExclusionRule.company_id == company_id, ExclusionRule.deleted_at.is_(None)
        )
    )
    return [Rule(r.id, r.kind, r.value) for r in rows]


async def _release(uow: UnitOfWork, actor: Actor, changed: ExclusionRule) -> int:
    """Jobs excluded by ``changed``: re-judged against the rules now active; those no rule
    matches get their ProPay (unless canceled, recurring or already holding one)."""
    jobs = list(
        await uow.session.scalars(
            select(Job)
            .where(Job.company_id == actor.company_id, Job.exclusion_rule_id == changed.id)
            .with_for_update()
        )
    )
    rules = await active_rules(uow, actor.company_id)
    freed: list[Job] = []
    for job in jobs:
        rule = first_match(
            rules, JobFacts(job.name, job.service_type, job.invoice_type, job.property_id)
        )
        job.exclusion_rule_id = rule.id if rule else None
        job.excluded_reason = f"Excluded by {rule.describe()}." if rule else None
        if rule is None:
            freed.append(job)
    await uow.session.flush()
    have = set(
        await uow.session.scalars(
            select(ProPay.job_id).where(ProPay.job_id.in_([j.id for j in freed]))
        )
    )
    live = [j for j in freed if j.id not in have and j.status is not JobStatus.CANCELED]
    fresh = [effects.new_pro_pay(job, None, uow.now) for job in live if not job.recurring]
    by_id = {job.id: job for job in live if job.recurring}
    if by_id:
        milestones = await uow.session.scalars(
            select(Milestone).where(Milestone.job_id.in_(by_id)).order_by(Milestone.id)
        )
        fresh += [effects.new_pro_pay(by_id[m.job_id], m, uow.now) for m in milestones]
    await effects.add_pro_pays(uow, actor, fresh)
    return len(fresh)
