"""What the matrix says beyond yes and no: a worker reads only its own records, and a manager
bound to branches acts only on the ProPays of its branches (in the services, in
availableActions, and for every ProPay write: transitions, edits, safeguards, groups)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from protiv.domain.roles import Role
from protiv.persistence.models import Job, LineItem, ProPay, Statement, Worker
from protiv.services import pro_pays, tokens
from schema.ids import to_global
from tests.security.state import snapshot


def two_branches() -> dict[str, Any]:
    """J-1 in Austin (W-1 and W-2 work it), J-2 in Waco (only W-2 works it); W-9 manages
    Austin's job and belongs to Austin."""
    entries = [
        ("T-1", "W-1", "J-1", "16"),
        ("T-2", "W-2", "J-1", "14"),
        ("T-3", "W-2", "J-2", "20"),
    ]
    return {
        "branches": [
            {"externalId": "BR-1", "name": "Austin"},
            {"externalId": "BR-2", "name": "Waco"},
        ],
        "workers": [
            {"externalId": "W-1", "name": "Ana Ruiz", "wage": "50", "branch": "BR-1"},
            {"externalId": "W-2", "name": "Ben Cole", "wage": "50", "branch": "BR-2"},
            {"externalId": "W-9", "name": "Mia Manager", "wage": "40", "branch": "BR-1"},
        ],
        "jobs": [
            {
                "externalId": f"J-{n}",
                "name": f"Job {n}",
                "status": "IN_PROGRESS",
                "branch": f"BR-{n}",
                "manager": "W-9",
                "budgetHours": "40",
            }
            for n in (1, 2)
        ],
        "timeEntries": [
            {"externalId": e, "worker": w, "job": j, "date": "2026-11-02", "hours": h}
            for e, w, j, h in entries
        ],
    }


@pytest.fixture
async def two(ctx, admin) -> dict[str, int]:
    """The two ProPays (by job), both approved, so each worker has line items and statements."""
    from protiv.services import sync

    await sync.sync_batch(ctx, admin, two_branches())
    async with ctx.db.read() as session:
        rows = await session.execute(
            select(Job.external_id, ProPay.id).join(ProPay, ProPay.job_id == Job.id)
        )
        return dict(rows.all())


async def _ids(ctx: Any, model: Any, *where: Any) -> set[str]:
    async with ctx.db.read() as session:
        rows = await session.scalars(select(model.id).where(*where))
        return {to_global(model.__name__, pk) for pk in rows}


async def _worker(ctx: Any, external_id: str) -> int:
    async with ctx.db.read() as session:
        return int(
            await session.scalar(select(Worker.id).where(Worker.external_id == external_id)) or 0
        )


# -- a worker reads only its own --------------------------------------------------------------

MINE = """{
  proPays(first: 100) { totalCount nodes { id availableActions lineItems { id }
    calculation { buckets { shares { amount worker { id } } } } } }
  lineItems(first: 100) { nodes { id worker { id } } }
  statements(first: 100) { nodes { id worker { id } lineItems { id } } }
  viewer { role }
}"""


async def test_a_worker_reads_only_its_own_records(api, ctx, admin, company, two):
    await pro_pays.approve(ctx, admin, two["J-1"])
    await pro_pays.approve(ctx, admin, two["J-2"])
    token = await tokens.create_token(ctx, company.slug, Role.WORKER, worker_external_id="W-1")
    worker = api.as_(token)
    me = to_global("Worker", await _worker(ctx, "W-1"))

    data = await worker(MINE)
    [pro_pay] = data["proPays"]["nodes"]
    assert pro_pay["id"] == to_global("ProPay", two["J-1"])  # not J-2: W-1 never worked it
    assert pro_pay["availableActions"] == []
    shares = [s for b in pro_pay["calculation"]["buckets"] for s in b["shares"]]
    assert shares
    assert {s["worker"]["id"] for s in shares} == {me}
    own_items = await _ids(ctx, LineItem, LineItem.worker_id == await _worker(ctx, "W-1"))
    assert {i["id"] for i in pro_pay["lineItems"]} <= own_items
    assert {i["id"] for i in data["lineItems"]["nodes"]} == own_items
    assert {i["worker"]["id"] for i in data["lineItems"]["nodes"]} == {me}
    assert {s["worker"]["id"] for s in data["statements"]["nodes"]} == {me}

    theirs = await _ids(ctx, Statement, Statement.worker_id == await _worker(ctx, "W-2"))
    async with ctx.db.read() as session:
        waco_job = await session.scalar(select(Job.id).where(Job.external_id == "J-2"))
    others = [to_global("ProPay", two["J-2"]), *theirs, to_global("Job", int(waco_job or 0))]
    for other in others:
        found = await worker("query($id: ID!) { node(id: $id) { id } }", id=other)
        assert found == {"node": None}, other
    assert await worker("query($id: ID!) { proPay(id: $id) { id } }", id=others[0]) == {
        "proPay": None
    }


async def test_a_worker_is_refused_everything_else(api, ctx, company, two):
    token = await tokens.create_token(ctx, company.slug, Role.WORKER, worker_external_id="W-1")
    for query in (
        "{ jobs { totalCount } }",
        "{ events { totalCount } }",
        "{ workers { totalCount } }",
    ):
        body = (await api.as_(token).raw(query)).json()
        assert body["data"] is None
        assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]


# -- a manager acts only in its branches --------------------------------------------------------

APPROVE = """mutation($id: ID!) { proPayApprove(input: {id: $id}) {
  proPay { status } userErrors { code message } } }"""
ACTIONS = "query($id: ID!) { proPay(id: $id) { availableActions } }"
EDITS = {
    "proPayUpdateBudget": '{id: $id, type: AMOUNT, amount: "900"}',
    "proPayAddDisqualifier": '{id: $id, name: "Site clean"}',
    "proPayAddPenalty": '{id: $id, name: "Late", amount: "5"}',
    "proPayCancel": '{id: $id, reason: "no"}',
}


async def test_a_manager_bound_to_a_branch_acts_only_there(api, ctx, company, two):
    token = await tokens.create_token(ctx, company.slug, Role.MANAGER, branch_external_ids=["BR-1"])
    manager = api.as_(token)
    austin, waco = to_global("ProPay", two["J-1"]), to_global("ProPay", two["J-2"])

    assert (await manager(ACTIONS, id=waco))["proPay"]["availableActions"] == []
    assert "APPROVE" in (await manager(ACTIONS, id=austin))["proPay"]["availableActions"]

    before = await snapshot(ctx)
    for name, arguments in EDITS.items():
        document = (
            f"mutation($id: ID!) {{ {name}(input: {arguments}) {{ userErrors {{ code }} }} }}"
        )
        assert (await manager(document, id=waco))[name]["userErrors"] == [{"code": "FORBIDDEN"}]
    group = """mutation($id: ID!) { proPayGroupCreate(input: {name: "g", proPayIds: [$id]}) {
      userErrors { code } } }"""
    assert (await manager(group, id=waco))["proPayGroupCreate"]["userErrors"] == [
        {"code": "FORBIDDEN"}
    ]
    assert await snapshot(ctx) == before
    admin = api  # the admin's client: a disqualifier and a penalty on Waco's ProPay
    added = await admin(
        """mutation($id: ID!) { proPayAddDisqualifier(input: {id: $id, name: "Clean"}) {
          disqualifier { id } }
        proPayAddPenalty(input: {id: $id, name: "Late", amount: "5"}) { penalty { id } } }""",
        id=waco,
    )
    before = await snapshot(ctx)
    question = added["proPayAddDisqualifier"]["disqualifier"]["id"]
    penalty = added["proPayAddPenalty"]["penalty"]["id"]
    for name, arguments, given in (
        ("proPayAnswerDisqualifier", "{disqualifierId: $id, result: PASSED}", question),
        ("proPayRemoveDisqualifier", "{disqualifierId: $id}", question),
        ("proPayRemovePenalty", "{penaltyId: $id}", penalty),
    ):
        document = (
            f"mutation($id: ID!) {{ {name}(input: {arguments}) {{ userErrors {{ code }} }} }}"
        )
        assert (await manager(document, id=given))[name]["userErrors"] == [{"code": "FORBIDDEN"}]
    refused = (await manager(APPROVE, id=waco))["proPayApprove"]
    assert refused["userErrors"][0]["code"] == "FORBIDDEN"
    assert "outside the branches" in refused["userErrors"][0]["message"]
    assert await snapshot(ctx) == before

    assert (await manager(APPROVE, id=austin))["proPayApprove"]["proPay"]["status"] == "APPROVED"


async def test_a_manager_token_of_no_branch_manages_every_branch(api, ctx, company, two):
    everywhere = await tokens.create_token(ctx, company.slug, Role.MANAGER)
    waco = to_global("ProPay", two["J-2"])
    done = (await api.as_(everywhere)(APPROVE, id=waco))["proPayApprove"]
    assert done["proPay"]["status"] == "APPROVED"


async def test_a_manager_token_of_a_worker_manages_that_workers_branch(api, ctx, company, two):
    own = await tokens.create_token(ctx, company.slug, Role.MANAGER, worker_external_id="W-9")
    manager = api.as_(own)
    refused = (await manager(APPROVE, id=to_global("ProPay", two["J-2"])))["proPayApprove"]
    assert refused["userErrors"][0]["code"] == "FORBIDDEN"
    done = (await manager(APPROVE, id=to_global("ProPay", two["J-1"])))["proPayApprove"]
    assert done["proPay"]["status"] == "APPROVED"
