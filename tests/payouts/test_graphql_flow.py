"""Seed 002's nine steps for one job, through GraphQL only: sync, ProPay, time, calculation,
approval, HELD items, release after the waiting period (the test's clock), statement paid,
ProPay PAID; then seed 001's guard cases: no cancel, delete or unapprove once anything is
paid, and revert payment (admin, with a reason) as the only way back."""

from __future__ import annotations

import csv
import io
from typing import Any

from protiv.domain.roles import Role
from tests.payouts.helpers import batch

SYNC = """
mutation($batch: JSON!) { syncBatch(input: {batch: $batch, provider: "aspire"}) {
  report { outcome proPaysCreated } userErrors { code message }
} }
"""
PRO_PAYS = """
{ proPays(first: 10) { nodes {
  id title status version availableActions
  job { name status }
  calculation { frozen saved workerPool buckets { bucket amount shares { amount worker { name } } } }
  lineItems { id status amount releaseAt statement { id number status } }
} } }
"""
APPROVE = """
mutation($id: ID!, $v: Int) { proPayApprove(input: {id: $id, expectedVersion: $v, reason: "walked it"}) {
  proPay { status lineItems { status amount worker { name } } } userErrors { code message }
} }
"""
RELEASE_DUE = "mutation { lineItemsReleaseDue { released userErrors { code message } } }"
PERIODS = "{ payPeriods { nodes { id kind startsOn endsOn statements { totalCount } } } }"
PAY_PERIOD = """
mutation($id: ID!) { payPeriodPay(input: {periodId: $id, payDate: "2026-11-13", reason: "week 45"}) {
  statements { number status payDate totals { bonuses net payout paid } }
  events { trigger from to actor }
  userErrors { code message field }
} }
"""
PRO_PAY = """
query($id: ID!) { node(id: $id) { ... on ProPay {
  status availableActions
  lineItems { status amount statement { status } }
  events { trigger from to actor reason }
} } }
"""
STATEMENT = """
query($id: ID!) { node(id: $id) { ... on Statement {
  number status payDate periodStart periodEnd
  totals { bonuses deductions rollover net payout held payable paid }
  wages { hours baseWage bonusPerHour effectiveWage }
  payPeriod { kind startsOn endsOn }
  lineItems { status amount source category }
} } }
"""
EXPORT = "query($id: ID!) { payrollExport(periodId: $id) { filename rows total csv } }"
FEED = """
{ events(first: 100) { nodes { entity trigger from to } } }
"""


def jobs_without_time(jobs: int = 1) -> dict[str, Any]:
    whole = batch(jobs)
    return {**whole, "timeEntries": []}


def ok(payload: dict[str, Any]) -> dict[str, Any]:
    assert payload["userErrors"] == [], payload["userErrors"]
    return payload


async def test_the_nine_steps_of_seed_002_through_graphql(api, tokens_by_role, clock):
    integration = api.as_(tokens_by_role[Role.INTEGRATION])
    manager = api.as_(tokens_by_role[Role.MANAGER])
    payroll = api.as_(tokens_by_role[Role.PAYROLL])

    # 1-2. the job, created in the integration, syncs in
    synced = ok((await integration(SYNC, batch=jobs_without_time()))["syncBatch"])
    assert synced["report"] == {"outcome": "SUCCEEDED", "proPaysCreated": 1}
    # 3. a ProPay is generated for it
    (pro_pay,) = (await api(PRO_PAYS))["proPays"]["nodes"]
    assert (pro_pay["status"], pro_pay["job"]["name"]) == ("ACTIVE", "Job 1")
    assert pro_pay["calculation"]["workerPool"] == "0.00"  # no time yet
    # 4-5. the crew works; time syncs
    ok((await integration(SYNC, batch=batch()))["syncBatch"])
    # 6. the ProPay is calculated: budget 2000, actual 1500, saved 500, pool 250
    (pro_pay,) = (await api(PRO_PAYS))["proPays"]["nodes"]
    assert (pro_pay["calculation"]["saved"], pro_pay["calculation"]["workerPool"]) == (
        "500.00",
        "250.00",
    )
    # 7. the manager approves
    approved = ok((await manager(APPROVE, id=pro_pay["id"], v=pro_pay["version"]))["proPayApprove"])
    assert approved["proPay"]["status"] == "APPROVED"
    # 8. line items on each worker's statement, HELD for the waiting period
    (pro_pay,) = (await api(PRO_PAYS))["proPays"]["nodes"]
    items = pro_pay["lineItems"]
    assert sorted(i["amount"] for i in items) == ["105.00", "120.00", "25.00"]
    assert {i["status"] for i in items} == {"HELD"}
    assert {i["releaseAt"] for i in items} == {"2026-11-09T15:00:00+00:00"}
    assert {i["statement"]["status"] for i in items} == {"OPEN"}
    assert ok((await payroll(RELEASE_DUE))["lineItemsReleaseDue"])["released"] == 0
    clock.advance(days=7)  # the waiting period passes
    assert ok((await payroll(RELEASE_DUE))["lineItemsReleaseDue"])["released"] == 3
    (pro_pay,) = (await api(PRO_PAYS))["proPays"]["nodes"]
    assert {i["status"] for i in pro_pay["lineItems"]} == {"PAYABLE"}
    # 9. the statements of the period are paid: the ProPay is PAID
    (period,) = (await payroll(PERIODS))["payPeriods"]["nodes"]
    assert (period["kind"], period["startsOn"], period["endsOn"]) == (
        "WEEKLY",
        "2026-11-02",
        "2026-11-08",
    )
    assert period["statements"]["totalCount"] == 3
    paid = ok((await payroll(PAY_PERIOD, id=period["id"]))["payPeriodPay"])
    assert {(s["status"], s["payDate"]) for s in paid["statements"]} == {("PAID", "2026-11-13")}
    assert sorted(s["totals"]["payout"] for s in paid["statements"]) == [
        "105.00",
        "120.00",
        "25.00",
    ]
    assert {(e["trigger"], e["from"], e["to"], e["actor"]) for e in paid["events"]} == {
        ("pay", "OPEN", "PAID", "payroll:payroll")
    }
    done = (await api(PRO_PAY, id=pro_pay["id"]))["node"]
    assert done["status"] == "PAID"
    assert {i["status"] for i in done["lineItems"]} == {"PAID"}
    assert [e["trigger"] for e in done["events"]] == ["create", "approve", "mark_paid"]

    # the statement's figures, and what payroll exports
    statement_id = pro_pay["lineItems"][0]["statement"]["id"]
    statement = (await api(STATEMENT, id=statement_id))["node"]
    assert statement["status"] == "PAID"
    assert statement["payPeriod"] == {
        "kind": "WEEKLY",
        "startsOn": "2026-11-02",
        "endsOn": "2026-11-08",
    }
    exported = (await payroll(EXPORT, id=period["id"]))["payrollExport"]
    assert (exported["rows"], exported["total"]) == (3, "250.00")
    rows = list(csv.DictReader(io.StringIO(exported["csv"])))
    assert {r["worker"]: r["net_pay"] for r in rows} == {
        "Ana Ruiz": "120.00",
        "Ben Cole": "105.00",
        "Mia Manager": "25.00",
    }
    # the integrators' feed carried every line item and statement change
    feed = {(e["entity"], e["trigger"]) for e in (await api(FEED))["events"]["nodes"]}
    assert {
        ("LINE_ITEM", "create"),
        ("LINE_ITEM", "release"),
        ("LINE_ITEM", "pay"),
        ("STATEMENT", "open"),
        ("STATEMENT", "pay"),
        ("PRO_PAY", "mark_paid"),
    } <= feed


async def test_statement_figures_through_graphql(api, tokens_by_role, clock):
    integration = api.as_(tokens_by_role[Role.INTEGRATION])
    ok((await integration(SYNC, batch=batch()))["syncBatch"])
    (pro_pay,) = (await api(PRO_PAYS))["proPays"]["nodes"]
    ok((await api(APPROVE, id=pro_pay["id"], v=None))["proPayApprove"])
    (pro_pay,) = (await api(PRO_PAYS))["proPays"]["nodes"]
    ana = next(i for i in pro_pay["lineItems"] if i["amount"] == "120.00")
    statement = (await api(STATEMENT, id=ana["statement"]["id"]))["node"]
    assert statement["totals"] == {
        "bonuses": "120.00",
        "deductions": "0.00",
        "rollover": "0.00",
        "net": "120.00",
        "payout": "120.00",
        "held": "120.00",
        "payable": "0.00",
        "paid": "0.00",
    }
    # W-1 logged 16 h at $50 that week: 120 / 16 = 7.50 an hour on top
    assert statement["wages"] == {
        "hours": "16.00",
        "baseWage": "50.00",
        "bonusPerHour": "7.50",
        "effectiveWage": "57.50",
    }
    assert statement["lineItems"] == [
        {"status": "HELD", "amount": "120.00", "source": "PRO_PAY", "category": "PROPAY"}
    ]


GUARD = """
mutation($id: ID!, $reason: String) {
  cancel: proPayCancel(input: {id: $id, reason: $reason}) { proPay { status } userErrors { code message } }
  delete: proPayDelete(input: {id: $id, reason: $reason}) { proPay { status } userErrors { code message } }
  unapprove: proPayUnapprove(input: {id: $id, reason: $reason}) { proPay { status } userErrors { code message } }
}
"""
REVERT = """
mutation($id: ID!, $reason: String) { proPayRevertPayment(input: {id: $id, reason: $reason}) {
  proPay { status lineItems { status statement { status } } } userErrors { code message }
} }
"""
STATEMENT_PAY = """
mutation($id: ID!) { statementPay(input: {id: $id, payDate: "2026-11-13"}) {
  statement { status } userErrors { code message }
} }
"""
UNAPPROVE = """
mutation($id: ID!) { proPayUnapprove(input: {id: $id, reason: "wrong crew"}) {
  proPay { status } userErrors { code message }
} }
"""
ITEMS_OF = """
query($id: ID!) { node(id: $id) { ... on ProPay {
  status lineItems { status amount worker { name } statement { id } }
} } }
"""


def codes(result: dict[str, Any]) -> dict[str, str]:
    return {name: payload["userErrors"][0]["code"] for name, payload in result.items()}


async def test_seed_001_guards_once_anything_is_paid(api, tokens_by_role, clock):
    integration = api.as_(tokens_by_role[Role.INTEGRATION])
    manager = api.as_(tokens_by_role[Role.MANAGER])
    payroll = api.as_(tokens_by_role[Role.PAYROLL])
    ok((await integration(SYNC, batch=batch(2)))["syncBatch"])
    first, second = (await api(PRO_PAYS))["proPays"]["nodes"]
    for each in (first, second):
        ok((await manager(APPROVE, id=each["id"], v=None))["proPayApprove"])
    clock.advance(days=7)
    ok((await payroll(RELEASE_DUE))["lineItemsReleaseDue"])
    items = (await api(ITEMS_OF, id=first["id"]))["node"]["lineItems"]
    by_name = {i["worker"]["name"]: i["statement"]["id"] for i in items}

    # Ana's statement paid: both ProPays are partly paid
    ok((await payroll(STATEMENT_PAY, id=by_name["Ana Ruiz"]))["statementPay"])
    result = await manager(GUARD, id=first["id"], reason="customer canceled")
    assert codes(result) == {
        "cancel": "BONUS_ALREADY_PAID",
        "delete": "BONUS_ALREADY_PAID",
        "unapprove": "BONUS_ALREADY_PAID",
    }
    assert "revert the payment first" in result["cancel"]["userErrors"][0]["message"]
    assert (await api(ITEMS_OF, id=first["id"]))["node"]["status"] == "APPROVED"  # unchanged

    # everyone paid: PAID, and only a payment revert leads back
    for name in ("Ben Cole", "Mia Manager"):
        ok((await payroll(STATEMENT_PAY, id=by_name[name]))["statementPay"])
    assert (await api(ITEMS_OF, id=first["id"]))["node"]["status"] == "PAID"
    assert codes(await api(GUARD, id=first["id"], reason="x")) == {
        "cancel": "INVALID_TRANSITION",
        "delete": "INVALID_TRANSITION",
        "unapprove": "INVALID_TRANSITION",
    }
    state = (await api(PRO_PAY, id=first["id"]))["node"]
    assert state["availableActions"] == ["REVERT_PAYMENT"]
    assert (await manager(PRO_PAY, id=first["id"]))["node"]["availableActions"] == []

    refused = (await manager(REVERT, id=first["id"], reason="wrong crew"))["proPayRevertPayment"]
    assert refused["userErrors"][0]["code"] == "FORBIDDEN"
    refused = (await api(REVERT, id=first["id"], reason=None))["proPayRevertPayment"]
    assert refused["userErrors"][0]["code"] == "REASON_REQUIRED"
    reverted = ok((await api(REVERT, id=first["id"], reason="wrong crew"))["proPayRevertPayment"])
    assert reverted["proPay"]["status"] == "APPROVED"
    assert {(i["status"], i["statement"]["status"]) for i in reverted["proPay"]["lineItems"]} == {
        ("PAYABLE", "OPEN")
    }
    # now it can go back to ACTIVE, and its whole history stays visible
    unapproved = (await manager(UNAPPROVE, id=first["id"]))["proPayUnapprove"]
    assert ok(unapproved)["proPay"]["status"] == "ACTIVE"
    history = (await api(PRO_PAY, id=first["id"]))["node"]
    assert [e["trigger"] for e in history["events"]] == [
        "create",
        "approve",
        "mark_paid",
        "revert_payment",
        "unapprove",
    ]
    assert {i["status"] for i in history["lineItems"]} == {"VOIDED"}
    assert (await api(ITEMS_OF, id=second["id"]))["node"]["status"] == "PAID"  # untouched
