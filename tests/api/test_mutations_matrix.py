"""Every transition mutation of the schema (proPay*, proPayGroup*, lineItem*, statement*) through
GraphQL: a refusal is data (``userErrors`` with a code, the object and event null, no top-level
error, nothing changed), and each has a happy path that moves its object and returns its event.

The transition mutations are read from the schema itself (a name made of an object and one of
its machine's triggers), so a new one fails here until it has both cases.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest

from protiv.domain.roles import Role
from protiv.domain.statuses import LineItemTrigger, ProPayStatus, ProPayTrigger, StatementTrigger
from protiv.persistence.database import Database
from protiv.services import line_items, pro_pays
from schema.ids import to_global
from tests.services import scenarios
from tests.services.scenarios import PAY_DATE, items_of, release_of

MACHINES = {  # mutation name prefix -> the triggers of its machine (longest prefix first)
    "proPayGroup": ProPayTrigger,
    "proPay": ProPayTrigger,
    "lineItem": LineItemTrigger,
    "statement": StatementTrigger,
}
OBJECT_OF = {  # payload type -> its object field
    "ProPayPayload": "proPay",
    "ProPayGroupPayload": "proPayGroup",
    "LineItemPayload": "lineItem",
    "StatementPayload": "statement",
}
INTROSPECT = """{ __type(name: "Mutation") { fields {
  name type { ofType { name } } args { type { ofType { name } } }
} } }"""


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    async for database in scenarios.empty_database(database_url):
        yield database


class Mutations:
    """The schema's transition mutations, called by name with their input."""

    def __init__(self, api: Any, tokens: dict[Role, str], fields: list[dict[str, Any]]) -> None:
        self.api = api
        self.tokens = tokens
        self.signature = {
            f["name"]: (f["args"][0]["type"]["ofType"]["name"], f["type"]["ofType"]["name"])
            for f in fields
            if is_transition(f["name"]) or f["name"] == "proPayGroupCreate"
        }
        self.transitions = {name for name in self.signature if is_transition(name)}
        self.called: dict[str, set[str]] = {"refused": set(), "done": set()}

    async def call(self, name: str, role: Role = Role.ADMIN, /, **given: Any) -> dict[str, Any]:
        input_type, payload_type = self.signature[name]
        target = OBJECT_OF[payload_type]
        document = (
            f"mutation($input: {input_type}!) {{ {name}(input: $input) {{ "
            f"{target} {{ id status version }} event {{ trigger from to actor }} "
            "userErrors { code message field } } }"
        )
        response = await self.api.as_(self.tokens[role]).raw(document, {"input": given})
        body = response.json()
        assert "errors" not in body, (name, body)  # never a top-level error
        payload: dict[str, Any] = body["data"][name]
        payload["object"] = payload.pop(target)
        return payload

    async def refuse(self, name: str, code: str, role: Role = Role.ADMIN, /, **given: Any) -> None:
        payload = await self.call(name, role, **given)
        assert [e["code"] for e in payload["userErrors"]] == [code], (name, payload)
        assert payload["userErrors"][0]["message"]
        assert (payload["object"], payload["event"]) == (None, None), name
        self.called["refused"].add(name)

    async def do(self, name: str, status: str, trigger: str | None = None, /, **given: Any) -> Any:
        payload = await self.call(name, Role.ADMIN, **given)
        assert payload["userErrors"] == [], (name, payload)
        assert payload["object"]["status"] == status, (name, payload)
        if trigger is not None:
            assert payload["event"]["trigger"] == trigger, (name, payload)
            assert payload["event"]["to"] == status
        self.called["done"].add(name)
        return payload["object"]


@pytest.fixture
async def mutations(api, tokens_by_role) -> Mutations:
    fields = (await api(INTROSPECT))["__type"]["fields"]
    return Mutations(api, tokens_by_role, fields)


def is_transition(name: str) -> bool:
    """``proPayRevertPayment``, ``lineItemExtend``, ...: an object, then a trigger of its machine."""
    for prefix, triggers in MACHINES.items():
        if name.startswith(prefix):
            camel = {t.value.title().replace("_", "") for t in triggers}
            return name.removeprefix(prefix) in camel
    return False


def gid(kind: str, pk: int) -> str:
    return to_global(kind, pk)


async def test_every_refusal_is_a_user_error(ctx, admin, mutations):
    ids = await scenarios.seed(ctx, admin, jobs=4)
    group = gid("ProPayGroup", await scenarios.make_group(ctx, admin, ids[1:3]))
    await pro_pays.approve(ctx, admin, ids[3])
    held = (await items_of(ctx, ids[3]))[0]
    item, statement = gid("LineItem", held.id), gid("Statement", held.statement_id)
    lone, member = gid("ProPay", ids[0]), gid("ProPay", ids[1])
    before = await scenarios.snapshot(ctx)
    m = mutations

    await m.refuse("proPayApprove", "FORBIDDEN", Role.PAYROLL, id=lone)
    await m.refuse("proPayApprove", "GROUP_MEMBER", id=member)
    await m.refuse("proPayUnapprove", "INVALID_TRANSITION", id=lone)
    await m.refuse("proPayCancel", "CONFLICT", id=lone, expectedVersion=99)
    await m.refuse("proPayDelete", "NOT_FOUND", id="UHJvUGF5Ojk5OTk5")  # ProPay:99999
    await m.refuse("proPayRestore", "INVALID_TRANSITION", id=lone)
    await m.refuse("proPayRevertPayment", "INVALID_TRANSITION", Role.ADMIN, id=lone, reason="x")
    await m.refuse("proPayGroupApprove", "FORBIDDEN", Role.PAYROLL, id=group)
    await m.refuse("proPayGroupUnapprove", "INVALID_TRANSITION", id=group)
    await m.refuse("proPayGroupCancel", "CONFLICT", id=group, expectedVersion=99)
    await m.refuse("proPayGroupDelete", "NOT_FOUND", id=lone)  # a ProPay's id is no group's
    await m.refuse("proPayGroupRestore", "INVALID_TRANSITION", id=group)
    await m.refuse("proPayGroupRevertPayment", "INVALID_TRANSITION", id=group, reason="x")
    await m.refuse("proPayGroupCreate", "VALIDATION", name="Again", proPayIds=[member])
    await m.refuse("lineItemRelease", "FORBIDDEN", Role.MANAGER, id=item)
    await m.refuse("lineItemHold", "INVALID_TRANSITION", id=item, reason="x")
    await m.refuse("lineItemVoid", "REASON_REQUIRED", id=item)
    earlier = (release_of(held) - timedelta(days=1)).isoformat()
    await m.refuse("lineItemExtend", "VALIDATION", id=item, releaseAt=earlier)
    await m.refuse("statementPay", "FORBIDDEN", Role.MANAGER, id=statement, payDate="2026-11-13")
    await m.refuse("statementVoid", "CONFLICT", id=statement, expectedVersion=99)
    await m.refuse("statementReopen", "INVALID_TRANSITION", id=statement, reason="x")

    assert await scenarios.snapshot(ctx) == before  # nothing changed
    assert len(m.transitions) == 19
    assert m.transitions <= m.called["refused"]


async def test_every_mutation_has_a_happy_path(ctx, admin, mutations):
    a, b, c, d = await scenarios.seed(ctx, admin, jobs=4)
    m = mutations
    pa = gid("ProPay", a)

    # ProPay A: around the table, ending DELETED and out of the working list
    await m.do("proPayApprove", "APPROVED", "approve", id=pa)
    await m.do("proPayUnapprove", "ACTIVE", "unapprove", id=pa, reason="wrong crew")
    await m.do("proPayCancel", "CANCELED", "cancel", id=pa, reason="paused")
    await m.do("proPayRestore", "ACTIVE", "restore", id=pa)
    await m.do("proPayDelete", "DELETED", "delete", id=pa, reason="duplicate")
    listed = await m.api("{ proPays(first: 100) { nodes { id } } }")
    assert pa not in {n["id"] for n in listed["proPays"]["nodes"]}
    deleted = await m.api("{ proPays(first: 100, filter: {status: [DELETED]}) { nodes { id } } }")
    assert [n["id"] for n in deleted["proPays"]["nodes"]] == [pa]

    # ProPay B: its line items by hand, its statements paid, reverted, reopened, voided
    await pro_pays.approve(ctx, admin, b)
    first, *rest = await items_of(ctx, b)
    item, statement = gid("LineItem", first.id), gid("Statement", first.statement_id)
    later = (release_of(first) + timedelta(days=2)).isoformat()
    await m.do("lineItemExtend", "HELD", "extend", id=item, releaseAt=later)
    await m.do("lineItemRelease", "PAYABLE", "release", id=item)
    await m.do("lineItemHold", "HELD", "hold", id=item, reason="callback pending")
    await line_items.transition(ctx, admin, first.id, LineItemTrigger.RELEASE)
    for other in rest:
        await line_items.transition(ctx, admin, other.id, LineItemTrigger.RELEASE)
    await m.do("statementPay", "PAID", "pay", id=statement, payDate=PAY_DATE.isoformat())
    await scenarios.pay_statements_of(ctx, admin, b)
    assert (await scenarios.load_pro_pay(ctx, b)).status is ProPayStatus.PAID
    await m.do("proPayRevertPayment", "APPROVED", "revert_payment", id=gid("ProPay", b), reason="x")
    await scenarios.pay_statements_of(ctx, admin, b)
    await m.do("statementReopen", "OPEN", "reopen", id=statement, reason="paid in error")
    await m.do("lineItemVoid", "VOIDED", "void", id=item, reason="left the company")
    await m.do("statementVoid", "VOID", "void", id=statement, reason="worker left")

    # a group of C and D, around its table
    made = await m.do(
        "proPayGroupCreate",
        "ACTIVE",
        name="Route North",
        proPayIds=[gid("ProPay", c), gid("ProPay", d)],
    )
    group = made["id"]
    await m.do("proPayGroupApprove", "APPROVED", "approve", id=group)
    await m.do("proPayGroupUnapprove", "ACTIVE", "unapprove", id=group)
    await m.do("proPayGroupCancel", "CANCELED", "cancel", id=group)
    await m.do("proPayGroupRestore", "ACTIVE", "restore", id=group)
    await m.do("proPayGroupApprove", "APPROVED", "approve", id=group)
    for member in (c, d):
        await scenarios.release_all(ctx, admin, member)
    for member in (c, d):
        await scenarios.pay_statements_of(ctx, admin, member)
    await m.do("proPayGroupRevertPayment", "APPROVED", "revert_payment", id=group, reason="x")
    await m.do("proPayGroupDelete", "DELETED", "delete", id=group)

    assert m.transitions <= m.called["done"]
