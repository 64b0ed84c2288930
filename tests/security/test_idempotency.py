"""Idempotency keys: a retry with the same key answers with the first result and changes
nothing; the same key with a different input is IDEMPOTENCY_KEY_REUSED; concurrent retries
execute exactly once; a refusal claims nothing; keys expire."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import func, select

from protiv.domain.roles import Role
from protiv.domain.statuses import EntityKind
from protiv.persistence.models import Event, IdempotencyKey, ProPayGroup
from protiv.services import idempotency
from tests.security.state import snapshot

APPROVE = """mutation($id: ID!, $key: String, $reason: String) {
  proPayApprove(input: {id: $id, idempotencyKey: $key, reason: $reason}) {
    proPay { id status version } event { id trigger to } userErrors { code field }
} }"""
GROUP = """mutation($ids: [ID!]!, $key: String, $name: String!) {
  proPayGroupCreate(input: {name: $name, proPayIds: $ids, idempotencyKey: $key}) {
    proPayGroup { id name } userErrors { code message }
} }"""


async def _pro_pay_ids(api: Any) -> list[str]:
    return [
        n["id"] for n in (await api("{ proPays(first: 10) { nodes { id } } }"))["proPays"]["nodes"]
    ]


async def _count(ctx: Any, model: Any) -> int:
    async with ctx.db.read() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_a_retry_answers_with_the_first_result_and_changes_nothing(api, ctx, synced):
    [pro_pay] = await _pro_pay_ids(api)
    first = (await api(APPROVE, id=pro_pay, key="k-1", reason="ok"))["proPayApprove"]
    assert first["userErrors"] == []
    before = await snapshot(ctx)

    again = (await api(APPROVE, id=pro_pay, key="k-1", reason="ok"))["proPayApprove"]
    assert again == first  # the same event; the ProPay as it is now (unchanged since)
    assert await snapshot(ctx) == before

    other = (await api(APPROVE, id=pro_pay, key="k-2", reason="ok"))["proPayApprove"]
    assert [e["code"] for e in other["userErrors"]] == ["INVALID_TRANSITION"]  # a new key runs


async def test_the_same_key_with_another_input_is_refused(api, ctx, synced):
    [pro_pay] = await _pro_pay_ids(api)
    await api(APPROVE, id=pro_pay, key="k-1", reason="walked the site")
    before = await snapshot(ctx)
    reused = (await api(APPROVE, id=pro_pay, key="k-1", reason="another"))["proPayApprove"]
    assert reused == {
        "proPay": None,
        "event": None,
        "userErrors": [{"code": "IDEMPOTENCY_KEY_REUSED", "field": ["input", "idempotencyKey"]}],
    }
    assert await snapshot(ctx) == before


async def test_a_refusal_claims_nothing(api, ctx, synced, tokens_by_role):
    [pro_pay] = await _pro_pay_ids(api)
    payroll = api.as_(tokens_by_role[Role.PAYROLL])
    refused = (await payroll(APPROVE, id=pro_pay, key="k-1"))["proPayApprove"]
    assert [e["code"] for e in refused["userErrors"]] == ["FORBIDDEN"]
    assert await _count(ctx, IdempotencyKey) == 0
    done = (await api(APPROVE, id=pro_pay, key="k-1"))["proPayApprove"]
    assert done["proPay"]["status"] == "APPROVED"


async def test_concurrent_retries_execute_exactly_once(api, ctx, synced):
    ids = await _pro_pay_ids(api)
    answers = await asyncio.gather(
        *(api(GROUP, ids=ids, key="same", name="Route North") for _ in range(6))
    )
    groups = {a["proPayGroupCreate"]["proPayGroup"]["id"] for a in answers}
    assert len(groups) == 1, answers
    assert all(a["proPayGroupCreate"]["userErrors"] == [] for a in answers)
    assert await _count(ctx, ProPayGroup) == 1
    async with ctx.db.read() as session:
        creates = await session.scalar(
            select(func.count())
            .select_from(Event)
            .where(Event.entity == EntityKind.PRO_PAY_GROUP, Event.trigger == "create")
        )
    assert creates == 1


async def test_concurrent_approvals_with_one_key_approve_once(api, ctx, synced):
    [pro_pay] = await _pro_pay_ids(api)
    answers = await asyncio.gather(*(api(APPROVE, id=pro_pay, key="k") for _ in range(4)))
    assert {a["proPayApprove"]["event"]["id"] for a in answers} != {None}
    assert len({a["proPayApprove"]["event"]["id"] for a in answers}) == 1
    assert all(a["proPayApprove"]["userErrors"] == [] for a in answers)


async def test_a_key_is_kept_for_its_retention_then_forgotten(api, ctx, clock, synced):
    ids = await _pro_pay_ids(api)
    first = (await api(GROUP, ids=ids, key="weekly", name="A"))["proPayGroupCreate"]
    clock.advance(days=6)
    kept = (await api(GROUP, ids=ids, key="weekly", name="A"))["proPayGroupCreate"]
    assert kept == first
    clock.advance(days=2)
    assert await idempotency.purge(ctx) == 1
    expired = (await api(GROUP, ids=ids, key="weekly", name="A"))["proPayGroupCreate"]
    assert expired["proPayGroup"] is None  # it ran again: those ProPays are in a group now
    assert expired["userErrors"][0]["code"] == "VALIDATION"


async def test_a_bad_key_is_a_validation_error(api, ctx, synced):
    [pro_pay] = await _pro_pay_ids(api)
    for key in ("", " ", "k" * 256):
        refused = (await api(APPROVE, id=pro_pay, key=key))["proPayApprove"]
        assert [e["code"] for e in refused["userErrors"]] == ["VALIDATION"]
    assert await _count(ctx, IdempotencyKey) == 0


REPLAYS = {
    "a sync report (plain values, nested)": (
        """mutation($key: String) { syncBatch(input: {idempotencyKey: $key, batch: {workers: [
          {externalId: "W-7", name: "New Hire", wage: "30"}]}}) {
          report { outcome kinds { kind created updated } } userErrors { code } } }""",
        {},
    ),
    "an edit": (
        """mutation($id: ID!, $key: String) { proPayUpdateBudget(input: {id: $id,
          idempotencyKey: $key, type: AMOUNT, amount: "2100"}) {
          proPay { version budget { amount } } event { id trigger } userErrors { code } } }""",
        {"id": "pro_pay"},
    ),
    "a create": (
        """mutation($key: String) { bonusPoolCreate(input: {name: "Crew first",
          idempotencyKey: $key, splitSavingsPct: "40"}) {
          bonusPool { id name } userErrors { code } } }""",
        {},
    ),
}


@pytest.mark.parametrize("kind", list(REPLAYS))
async def test_every_kind_of_answer_is_replayed(api, ctx, synced, kind):
    document, wanted = REPLAYS[kind]
    [pro_pay] = await _pro_pay_ids(api)
    variables = {"key": f"k-{kind}", **dict.fromkeys(wanted, pro_pay)}
    first = await api(document, **variables)
    assert all(not answer.get("userErrors") for answer in first.values()), first
    before = await snapshot(ctx)
    assert await api(document, **variables) == first
    assert await snapshot(ctx) == before


def test_the_server_forgets_expired_keys_every_hour():
    from protiv.config import Settings
    from protiv.server.scheduler import jobs

    [purge] = [job for job in jobs(Settings()) if job.run is idempotency.purge]
    assert purge.every == 3600
