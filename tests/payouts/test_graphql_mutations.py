"""The payout mutations and queries through GraphQL: refusals as userErrors naming the field,
bulk all or nothing, the export refused to a manager."""

from __future__ import annotations

from typing import Any

from protiv.domain.roles import Role
from tests.payouts.helpers import batch

SYNC = "mutation($b: JSON!) { syncBatch(input: {batch: $b}) { userErrors { code } } }"
APPROVE = "mutation($id: ID!) { proPayApprove(input: {id: $id}) { userErrors { code } } }"
STATE = """
{ proPays(first: 5) { nodes { id lineItems { id status worker { id } } } }
  workers(first: 10) { nodes { id externalId } } }
"""
CREATE = """
mutation($input: LineItemCreateInput!) { lineItemCreate(input: $input) {
  lineItem { status amount kind category customCategory note source statement { status } }
  event { trigger from to }
  userErrors { code message field }
} }
"""
BULK = """
mutation($ids: [ID!]!, $reason: String) {
  lineItemsHold(input: {ids: $ids, reason: $reason}) {
    lineItems { status holdReason releaseAt } events { trigger } userErrors { code message field }
  }
}
"""
RELEASE = """
mutation($ids: [ID!]!) { lineItemsRelease(input: {ids: $ids}) {
  lineItems { status } events { trigger from to } userErrors { code message field }
} }
"""
EXPORT = "query($id: ID!) { payrollExport(periodId: $id) { rows } }"


async def world(api, tokens_by_role) -> dict[str, Any]:
    await api.as_(tokens_by_role[Role.INTEGRATION])(SYNC, b=batch())
    state = await api(STATE)
    (pro_pay,) = state["proPays"]["nodes"]
    await api(APPROVE, id=pro_pay["id"])
    state = await api(STATE)
    return {
        "items": state["proPays"]["nodes"][0]["lineItems"],
        "workers": {w["externalId"]: w["id"] for w in state["workers"]["nodes"]},
    }


async def test_manual_items_through_graphql(api, tokens_by_role):
    w = (await world(api, tokens_by_role))["workers"]
    payroll = api.as_(tokens_by_role[Role.PAYROLL])
    made = (
        await payroll(
            CREATE,
            input={
                "workerId": w["W-1"],
                "amount": "-35.00",
                "category": "CUSTOM",
                "customCategory": "Uniform",
                "note": "two shirts",
            },
        )
    )["lineItemCreate"]
    assert made["userErrors"] == []
    assert made["lineItem"] == {
        "status": "PAYABLE",
        "amount": "-35.00",
        "kind": "DEDUCTION",
        "category": "CUSTOM",
        "customCategory": "Uniform",
        "note": "two shirts",
        "source": "MANUAL",
        "statement": {"status": "OPEN"},
    }
    assert made["event"] == {"trigger": "release", "from": "HELD", "to": "PAYABLE"}
    refused = (
        await payroll(CREATE, input={"workerId": w["W-1"], "amount": "10", "category": "DAMAGE"})
    )["lineItemCreate"]
    assert refused["lineItem"] is None
    assert refused["userErrors"] == [
        {
            "code": "VALIDATION",
            "message": "DAMAGE is a deduction: give a negative amount.",
            "field": ["amount"],
        }
    ]
    refused = (
        await api.as_(tokens_by_role[Role.MANAGER])(
            CREATE, input={"workerId": w["W-1"], "amount": "10", "category": "REFERRAL"}
        )
    )["lineItemCreate"]
    assert refused["userErrors"][0]["code"] == "FORBIDDEN"


async def test_bulk_through_graphql_is_all_or_nothing(api, tokens_by_role):
    items = (await world(api, tokens_by_role))["items"]
    ids = [i["id"] for i in items]
    released = (await api(RELEASE, ids=ids[:2]))["lineItemsRelease"]
    assert released["userErrors"] == []
    assert released["events"] == [{"trigger": "release", "from": "HELD", "to": "PAYABLE"}] * 2
    refused = (await api(BULK, ids=ids, reason="audit"))["lineItemsHold"]  # ids[2] is HELD
    assert refused["lineItems"] == []
    assert refused["userErrors"][0]["field"] == ["ids", "2"]
    assert refused["userErrors"][0]["code"] == "INVALID_TRANSITION"
    held = (await api(BULK, ids=ids[:2], reason="audit"))["lineItemsHold"]
    assert held["lineItems"] == [{"status": "HELD", "holdReason": "audit", "releaseAt": None}] * 2
    refused = (await api(BULK, ids=[ids[0], "TGluZUl0ZW06OTk5OTk5"], reason="x"))["lineItemsHold"]
    assert refused["userErrors"][0]["code"] == "NOT_FOUND"


async def test_the_export_is_for_admin_and_payroll(api, tokens_by_role):
    await world(api, tokens_by_role)
    period = (await api("{ payPeriods { nodes { id } } }"))["payPeriods"]["nodes"][0]["id"]
    assert (await api(EXPORT, id=period))["payrollExport"] == {"rows": 0}  # nothing paid yet
    response = await api.as_(tokens_by_role[Role.MANAGER]).raw(EXPORT, {"id": period})
    body = response.json()
    assert body["data"] == {"payrollExport": None} or body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
