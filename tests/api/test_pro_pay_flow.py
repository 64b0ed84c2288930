"""The lifecycle through GraphQL only: list, preview, approve, line items, refusals."""

from __future__ import annotations

from protiv.domain.roles import Role

LIST = """
query { proPays(first: 10) { totalCount edges { cursor node {
  id title status version availableActions
  job { name status }
  calculation { frozen budgetAmount actualCost saved workerPool buckets { bucket amount shares { amount worker { name } } } }
  lineItems { id status amount worker { name } }
} } } }
"""

APPROVE = """
mutation($id: ID!, $v: Int) { proPayApprove(input: {id: $id, expectedVersion: $v}) {
  proPay { id status version lineItems { status amount bucket worker { name } } }
  event { trigger from to actor }
  userErrors { code message field }
} }
"""

CANCEL = """
mutation($id: ID!) { proPayCancel(input: {id: $id, reason: "customer left"}) {
  proPay { status } userErrors { code message }
} }
"""


async def test_preview_then_approve(api, synced):
    data = await api(LIST)
    node = data["proPays"]["edges"][0]["node"]
    assert node["status"] == "ACTIVE"
    assert set(node["availableActions"]) == {"APPROVE", "CANCEL", "DELETE"}
    calc = node["calculation"]
    assert calc["frozen"] is False
    assert calc["saved"] == "500.00"
    assert calc["workerPool"] == "250.00"
    assert node["lineItems"] == []

    result = (await api(APPROVE, id=node["id"], v=node["version"]))["proPayApprove"]
    assert result["userErrors"] == []
    assert result["proPay"]["status"] == "APPROVED"
    assert result["event"] == {
        "trigger": "approve",
        "from": "ACTIVE",
        "to": "APPROVED",
        "actor": "admin:admin",
    }
    amounts = sorted(i["amount"] for i in result["proPay"]["lineItems"])
    assert amounts == ["105.00", "120.00", "25.00"] or sorted(amounts) == amounts
    assert {i["status"] for i in result["proPay"]["lineItems"]} == {"HELD"}
    total = sum(float(i["amount"]) for i in result["proPay"]["lineItems"])
    assert round(total, 2) == 250.00

    again = (await api(APPROVE, id=node["id"], v=None))["proPayApprove"]
    assert again["proPay"] is None
    assert again["userErrors"][0]["code"] == "INVALID_TRANSITION"


async def test_stale_version_is_a_conflict(api, synced):
    node = (await api(LIST))["proPays"]["edges"][0]["node"]
    result = (await api(APPROVE, id=node["id"], v=node["version"] + 5))["proPayApprove"]
    assert result["userErrors"][0]["code"] == "CONFLICT"
    assert result["userErrors"][0]["field"] == ["expectedVersion"]
    assert (await api(LIST))["proPays"]["edges"][0]["node"]["status"] == "ACTIVE"


async def test_unknown_and_foreign_ids_are_not_found(api, synced):
    result = (await api(CANCEL, id="UHJvUGF5Ojk5OTk="))["proPayCancel"]  # ProPay:9999
    assert result["userErrors"][0]["code"] == "NOT_FOUND"
    result = (await api(CANCEL, id="garbage"))["proPayCancel"]
    assert result["userErrors"][0]["code"] == "NOT_FOUND"


async def test_no_token_is_401(api, synced):
    response = await api.as_(None).raw("{ viewer { id } }")
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    response = await api.as_("ptv_nope").raw("{ viewer { id } }")
    assert response.status_code == 401


async def test_worker_role_cannot_approve(api, synced, tokens_by_role):
    node = (await api(LIST))["proPays"]["edges"][0]["node"]
    payroll = api.as_(tokens_by_role[Role.PAYROLL])
    result = (await payroll(APPROVE, id=node["id"], v=None))["proPayApprove"]
    assert result["userErrors"][0]["code"] == "FORBIDDEN"
