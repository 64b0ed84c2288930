"""One company with a record in every state a mutation needs, tokens of every role, and a rival
company: what the generated access tests (test_every_field.py) try every field against.

Names of our records carry the mark ACME, so a response to the rival that contains it, or one
of our global ids, has leaked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select

from protiv.domain.roles import Actor, Role
from protiv.domain.statuses import LineItemStatus, LineItemTrigger, ProPayTrigger
from protiv.persistence.models import (
    ApiToken,
    Branch,
    Company,
    Event,
    Integration,
    Job,
    LineItem,
    Milestone,
    ProPay,
    Route,
    Statement,
    Worker,
)
from protiv.services import groups, line_items, pro_pays, statements, sync, tokens
from protiv.services.context import ServiceContext
from schema import schema
from schema.ids import to_global

MARK = "ACME"
GRAPHQL_MUTATIONS = set(schema._schema.mutation_type.fields)  # type: ignore[union-attr]
PAY_DATE = date(2026, 11, 13)
JOBS = 10


@dataclass
class World:
    ids: dict[str, str] = field(default_factory=dict)  # what a mutation input names -> global id
    tokens: dict[str, str] = field(default_factory=dict)  # role name (and "rival") -> bearer token
    ours: set[str] = field(default_factory=set)  # every global id of our company

    def id(self, name: str) -> str:
        return self.ids[name]


def batch() -> dict[str, Any]:
    jobs, entries = [], []
    for n in range(1, JOBS + 1):
        jobs.append(
            {
                "externalId": f"J-{n}",
                "name": f"{MARK} job {n}",
                "status": "IN_PROGRESS",
                "branch": "BR-1",
                "route": "RT-1",
                "manager": "W-9",
                "budgetHours": "40",
            }
        )
        for worker, hours in (("W-1", "16"), ("W-2", "14")):
            entries.append(
                {
                    "externalId": f"T-{n}-{worker}",
                    "worker": worker,
                    "job": f"J-{n}",
                    "date": "2026-11-02",
                    "hours": hours,
                }
            )
    return {
        "branches": [{"externalId": "BR-1", "name": f"{MARK} Austin"}],
        "routes": [{"externalId": "RT-1", "name": f"{MARK} North", "branch": "BR-1"}],
        "workers": [
            {"externalId": "W-1", "name": f"{MARK} Ana", "wage": "50", "branch": "BR-1"},
            {"externalId": "W-2", "name": f"{MARK} Ben", "wage": "50", "branch": "BR-1"},
            {"externalId": "W-9", "name": f"{MARK} Mia", "wage": "40", "role": "MANAGER"},
        ],
        "jobs": jobs,
        "milestones": [
            {"externalId": "M-1", "job": "J-10", "name": f"{MARK} visit", "budgetHours": "4"}
        ],
        "timeEntries": entries,
    }


async def build(ctx: ServiceContext, company: Company, api: Any) -> World:
    """Our company in every state, its tokens, and a rival company with an admin token."""
    admin = Actor(company_id=company.id, role=Role.ADMIN, name="setup")
    await sync.sync_batch(ctx, admin, batch())
    p = await _pro_pay_ids(ctx, company.id)
    world = World()
    await _pro_pays(ctx, admin, p, world)
    await _groups(ctx, admin, p, world)
    await _items_and_statements(ctx, admin, p, world)
    await _tokens(ctx, company, world)
    await _settings(api.as_(world.tokens["admin"]), world, p[1])
    world.ours = await _every_global_id(ctx, company.id) | set(world.ids.values())
    world.ours.discard("")
    return world


async def _pro_pay_ids(ctx: ServiceContext, company_id: int) -> list[int]:
    async with ctx.db.read() as session:
        ids = await session.scalars(
            select(ProPay.id).where(ProPay.company_id == company_id).order_by(ProPay.id)
        )
        return [0, *ids]  # p[1] is job J-1's ProPay


async def _pay(ctx: ServiceContext, admin: Actor, pro_pay_ids: list[int]) -> int:
    """Release the ProPays' items and pay the statements holding them; one of those statements."""
    for item in await _items(ctx, pro_pay_ids):
        if item.status is LineItemStatus.HELD:
            await line_items.transition(ctx, admin, item.id, LineItemTrigger.RELEASE)
    paid = sorted({i.statement_id for i in await _items(ctx, pro_pay_ids)})
    for statement_id in paid:
        await statements.pay(ctx, admin, statement_id, PAY_DATE)
    return paid[0]


async def _items(ctx: ServiceContext, pro_pay_ids: list[int]) -> list[LineItem]:
    async with ctx.db.read() as session:
        rows = await session.scalars(
            select(LineItem).where(LineItem.pro_pay_id.in_(pro_pay_ids)).order_by(LineItem.id)
        )
        return list(rows)


async def _pro_pays(ctx: ServiceContext, admin: Actor, p: list[int], world: World) -> None:
    await pro_pays.approve(ctx, admin, p[3])
    world.ids["statement_paid"] = to_global("Statement", await _pay(ctx, admin, [p[3]]))
    await pro_pays.approve(ctx, admin, p[2])
    await pro_pays.cancel(ctx, admin, p[4], reason="setup")
    for name, pk in (("active", 1), ("approved", 2), ("paid", 3), ("canceled", 4)):
        world.ids[f"pro_pay_{name}"] = to_global("ProPay", p[pk])


async def _groups(ctx: ServiceContext, admin: Actor, p: list[int], world: World) -> None:
    made = {
        "active": await groups.create(ctx, admin, f"{MARK} g1", [p[5], p[6]]),
        "approved": await groups.create(ctx, admin, f"{MARK} g2", [p[7]]),
        "paid": await groups.create(ctx, admin, f"{MARK} g3", [p[8]]),
        "canceled": await groups.create(ctx, admin, f"{MARK} g4", [p[9]]),
    }
    await groups.transition(ctx, admin, made["approved"].id, ProPayTrigger.APPROVE)
    await groups.transition(ctx, admin, made["paid"].id, ProPayTrigger.APPROVE)
    await _pay(ctx, admin, [p[8]])
    await groups.transition(ctx, admin, made["canceled"].id, ProPayTrigger.CANCEL)
    for name, group in made.items():
        world.ids[f"group_{name}"] = to_global("ProPayGroup", group.id)
    world.ids["group_member"] = to_global("ProPay", p[10])  # ACTIVE, in no group yet


async def _items_and_statements(
    ctx: ServiceContext, admin: Actor, p: list[int], world: World
) -> None:
    held, payable, *_ = await _items(ctx, [p[2]])
    await line_items.transition(ctx, admin, payable.id, LineItemTrigger.RELEASE)
    world.ids["item_held"] = to_global("LineItem", held.id)
    world.ids["item_payable"] = to_global("LineItem", payable.id)
    async with ctx.db.read() as session:
        open_statement = await session.get_one(Statement, payable.statement_id)
        worker = await session.get_one(Worker, payable.worker_id)
    world.ids["statement_open"] = to_global("Statement", open_statement.id)
    world.ids["pay_period"] = to_global("PayPeriod", open_statement.pay_period_id)
    world.ids["worker"] = to_global("Worker", worker.id)
    world.ids["branch"] = to_global("Branch", int(worker.branch_id or 0))
    async with ctx.db.read() as session:
        job = await session.scalar(select(Job.id).where(Job.external_id == "J-1"))
        milestone = await session.scalar(select(Milestone.id).where(Milestone.external_id == "M-1"))
        integration = await session.scalar(
            select(Integration.id).where(Integration.provider == "api")
        )
    world.ids["job"] = to_global("Job", int(job or 0))
    world.ids["milestone"] = to_global("Milestone", int(milestone or 0))
    world.ids["integration"] = to_global("Integration", int(integration or 0))


async def _tokens(ctx: ServiceContext, company: Company, world: World) -> None:
    for role in Role:
        worker = "W-1" if role is Role.WORKER else None
        world.tokens[role.value.lower()] = await tokens.create_token(
            ctx, company.slug, role, name=role.value.lower(), worker_external_id=worker
        )
    spare = await tokens.create_token(ctx, company.slug, Role.INTEGRATION, name="spare")
    async with ctx.db.write() as session, session.begin():
        session.add(Company(slug="rival", name="Rival Lawns"))
        spare_id = await session.scalar(
            select(ApiToken.id).where(ApiToken.token_hash == tokens.hash_token(spare))
        )
    world.ids["api_token"] = to_global("ApiToken", int(spare_id or 0))
    world.tokens["rival"] = await tokens.create_token(ctx, "rival", Role.ADMIN, name="rival")


SETUP = {
    "pool": """mutation { bonusPoolCreate(input: {name: "ACME pool", splitSavingsPct: "50"}) {
        bonusPool { id } userErrors { code message } } }""",
    "division": """mutation { divisionCreate(input: {name: "ACME division"}) {
        division { id } userErrors { code message } } }""",
    "disqualifier": """mutation($id: ID!) { proPayAddDisqualifier(input: {id: $id,
        name: "ACME site clean"}) { proPay { disqualifiers { id } } userErrors { code message } } }""",
    "penalty": """mutation($id: ID!) { proPayAddPenalty(input: {id: $id, name: "ACME late",
        amount: "10"}) { proPay { penalties { id } } userErrors { code message } } }""",
    "rule": """mutation { exclusionRuleCreate(input: {kind: NAME_PATTERN, value: "ACME none*"}) {
        exclusionRule { id } userErrors { code message } } }""",
    "integration": """mutation { integrationCreate(input: {provider: "file", name: "ACME drop"}) {
        integration { id } userErrors { code message } } }""",
    "disconnect": """mutation($id: ID!) { integrationDisconnect(input: {id: $id}) {
        integration { status } userErrors { code message } } }""",
    "webhook": """mutation { webhookEndpointCreate(input: {url: "http://127.0.0.1:9/acme",
        eventTypes: [PRO_PAY], description: "ACME hook", active: false}) {
        webhookEndpoint { id } userErrors { code message } } }""",
}


async def _settings(admin: Any, world: World, active_pro_pay: int) -> None:
    """Records made through the API (pools, divisions, safeguards)."""
    pool = (await admin(SETUP["pool"]))["bonusPoolCreate"]
    world.ids["pool"] = pool["bonusPool"]["id"]
    division = (await admin(SETUP["division"]))["divisionCreate"]
    world.ids["division"] = division["division"]["id"]
    pro_pay = to_global("ProPay", active_pro_pay)
    added = (await admin(SETUP["disqualifier"], id=pro_pay))["proPayAddDisqualifier"]
    world.ids["disqualifier"] = added["proPay"]["disqualifiers"][0]["id"]
    added = (await admin(SETUP["penalty"], id=pro_pay))["proPayAddPenalty"]
    world.ids["penalty"] = added["proPay"]["penalties"][0]["id"]
    world.ids["exclusion_rule"] = (await admin(SETUP["rule"]))["exclusionRuleCreate"][
        "exclusionRule"
    ]["id"]
    made = (await admin(SETUP["integration"]))["integrationCreate"]["integration"]["id"]
    gone = (await admin(SETUP["disconnect"], id=made))["integrationDisconnect"]
    assert gone["integration"]["status"] == "DISCONNECTED", gone
    world.ids["integration_disconnected"] = made
    if "webhookEndpointCreate" in GRAPHQL_MUTATIONS:
        hook = (await admin(SETUP["webhook"]))["webhookEndpointCreate"]
        world.ids["webhook_endpoint"] = hook["webhookEndpoint"]["id"]
    world.ids["webhook_delivery"] = to_global("WebhookDelivery", 1)


async def _every_global_id(ctx: ServiceContext, company_id: int) -> set[str]:
    found: set[str] = set()
    async with ctx.db.read() as session:
        for model, type_name in (
            (ProPay, "ProPay"),
            (Job, "Job"),
            (Worker, "Worker"),
            (LineItem, "LineItem"),
            (Statement, "Statement"),
            (Event, "Event"),
            (Branch, "Branch"),
            (Route, "Route"),
        ):
            ids = await session.scalars(select(model.id).where(model.company_id == company_id))
            found |= {to_global(type_name, pk) for pk in ids}
    return found
