# mypy: disable-error-code="dict-item,operator"
"""Editing through GraphQL only: each kind of edit, its event, the preview moving at once, and
every refusal as a userError that changes nothing (VALIDATION on the camelCase input field,
CONFLICT, LOCKED with the way out, FORBIDDEN)."""

from __future__ import annotations

from typing import Any

from protiv.domain.roles import Role

PRO_PAY = """
query { proPays(first: 1) { nodes {
  id version status editable lockedReason distribution crewLeadWeight
  budget { type hours amount tasks { task hours } adjustmentType adjustmentValue }
  crewLead { name } manager { name } useBurden includeDriveTime excludeOvertimeCost
  crewOverrides { worker { name } removeBonus wageOverride manualAmount }
  pool { name roles { crew crewLead manager } } poolSource
  calculation { budgetAmount workerPool buckets { bucket amount shares { amount worker { name } } } }
  calculationProblem
  events { trigger from to reason }
} } }
"""

PAYLOAD = "proPay { version } event { trigger from to reason } userErrors { code message field }"


async def _pro_pay(api: Any) -> dict[str, Any]:
    node: dict[str, Any] = (await api(PRO_PAY))["proPays"]["nodes"][0]
    return node


async def _edit(api: Any, mutation: str, input: dict[str, Any]) -> dict[str, Any]:
    query = f"mutation($input: {_input_type(mutation)}!) {{ {mutation}(input: $input) {{ {PAYLOAD} }} }}"
    result: dict[str, Any] = (await api(query, input=input))[mutation]
    return result


def _input_type(mutation: str) -> str:
    return mutation[0].upper() + mutation[1:] + "Input"


def _crew(node: dict[str, Any]) -> dict[str, str]:
    crew = next(b for b in node["calculation"]["buckets"] if b["bucket"] == "CREW")
    return {s["worker"]["name"]: s["amount"] for s in crew["shares"]}


async def test_each_edit_moves_the_version_logs_an_event_and_the_preview(api, synced):
    node = await _pro_pay(api)
    assert (node["editable"], node["lockedReason"], node["poolSource"]) == (True, None, "BUILT_IN")
    assert node["calculation"]["workerPool"] == "250.00"
    pid = node["id"]
    budget = await _edit(
        api,
        "proPayUpdateBudget",
        {"id": pid, "expectedVersion": 1, "type": "AMOUNT", "amount": "2100", "reason": "scope"},
    )
    assert budget["userErrors"] == []
    assert budget["proPay"]["version"] == 2
    assert budget["event"] == {
        "trigger": "edit",
        "from": "ACTIVE",
        "to": "ACTIVE",
        "reason": "Edited budget.type HOURS → AMOUNT; budget.hours 40 → none; "
        "budget.amount none → 2100. Reason: scope",
    }
    edits = [
        ("proPayUpdateBudgetAdjustment", {"type": "PERCENT_DECREASE", "value": "10"}),
        ("proPayUpdateDistribution", {"distribution": "EQUAL"}),
        ("proPayUpdateCostSettings", {"useBurden": True, "includeDriveTime": None}),
        ("proPayUpdateLeads", {"managerId": None}),
    ]
    for mutation, fields in edits:
        done = await _edit(api, mutation, {"id": pid, **fields})
        assert done["userErrors"] == [], mutation
    same = await _edit(api, "proPayUpdateDistribution", {"id": pid, "distribution": "EQUAL"})
    assert (same["userErrors"], same["event"], same["proPay"]["version"]) == ([], None, 6)
    node = await _pro_pay(api)
    assert node["budget"]["adjustmentType"] == "PERCENT_DECREASE"
    assert (node["distribution"], node["useBurden"], node["includeDriveTime"]) == (
        "EQUAL",
        True,
        None,
    )
    assert node["manager"] is None  # not named on the ProPay: the job's manager gets the bucket
    # 2100 - 10% = 1890; 1500 actual: 390 saved, 195 pool; crew 70% + the lead bucket (no lead
    # logged time) = 175.50, EQUAL
    assert node["calculation"]["workerPool"] == "195.00"
    assert _crew(node) == {"Ana Ruiz": "87.75", "Ben Cole": "87.75"}
    assert [e["trigger"] for e in node["events"]] == ["create"] + ["edit"] * 5


async def test_bad_input_is_a_validation_error_on_the_field_and_changes_nothing(api, synced):
    pid = (await _pro_pay(api))["id"]
    cases = [
        (
            "proPayUpdateBudget",
            {"type": "CONTRACT_PRICE", "contractPrice": "900", "laborPct": "120"},
            ["laborPct"],
        ),
        ("proPayUpdateBudget", {"type": "TASK_AMOUNT", "tasks": [{"task": "Mulch"}]}, None),
        ("proPayUpdateBudgetAdjustment", {"type": "MULTIPLY", "value": "-2"}, ["value"]),
        ("proPayUpdateCostSettings", {"useBurden": None}, ["useBurden"]),
        (
            "proPaySetOwnPool",
            {"roles": {"crew": "70", "crewLead": "20", "manager": "20"}},
            ["roles"],
        ),
        (
            "proPaySetCrewMember",
            {"workerId": "V29ya2VyOjk5OTk=", "removeBonus": True},
            ["workerId"],
        ),
    ]
    for mutation, fields, field in cases:
        done = await _edit(api, mutation, {"id": pid, **fields})
        error = done["userErrors"][0]
        assert error["code"] in ("VALIDATION", "NOT_FOUND"), (mutation, error)
        assert error["message"][0].isupper(), error
        if field is not None:
            assert error["field"] == field, (mutation, error)
        assert done["proPay"] is None
    task = (await _edit(api, "proPayUpdateBudget", cases[1][1] | {"id": pid}))["userErrors"][0]
    assert task["field"] == ["tasks", "0", "amount"]
    node = await _pro_pay(api)
    assert (node["version"], [e["trigger"] for e in node["events"]]) == (1, ["create"])


async def test_conflict_locked_and_forbidden(api, synced, tokens_by_role):
    pid = (await _pro_pay(api))["id"]
    payroll = api.as_(tokens_by_role[Role.PAYROLL])
    forbidden = await _edit(
        payroll, "proPayUpdateDistribution", {"id": pid, "distribution": "EQUAL"}
    )
    assert forbidden["userErrors"][0]["code"] == "FORBIDDEN"
    stale = await _edit(
        api, "proPayUpdateDistribution", {"id": pid, "distribution": "EQUAL", "expectedVersion": 7}
    )
    assert stale["userErrors"][0]["code"] == "CONFLICT"
    approve = "mutation($id: ID!) { proPayApprove(input: {id: $id}) { userErrors { code } } }"
    assert (await api(approve, id=pid))["proPayApprove"]["userErrors"] == []
    locked = await _edit(api, "proPayUpdateDistribution", {"id": pid, "distribution": "EQUAL"})
    assert locked["userErrors"][0]["code"] == "LOCKED"
    assert "unapprove it, edit, approve again" in locked["userErrors"][0]["message"]
    node = await _pro_pay(api)
    assert (node["editable"], node["distribution"]) == (False, "BY_HOURS")
    assert "unapprove it" in node["lockedReason"]


async def test_leads_and_crew_overrides(api, synced):
    workers = {
        w["name"]: w["id"]
        for w in (await api("{ workers(first: 10) { nodes { id name } } }"))["workers"]["nodes"]
    }
    pid = (await _pro_pay(api))["id"]
    lead = await _edit(api, "proPayUpdateLeads", {"id": pid, "crewLeadId": workers["Cy Lead"]})
    assert lead["userErrors"] == []
    removed = await _edit(
        api,
        "proPaySetCrewMember",
        {"id": pid, "workerId": workers["Ben Cole"], "removeBonus": True, "wageOverride": "45"},
    )
    assert removed["event"]["reason"] == (
        "Edited crew[Ben Cole].removeBonus none → yes; crew[Ben Cole].wageOverride none → 45"
    )
    node = await _pro_pay(api)
    assert node["crewLead"] == {"name": "Cy Lead"}
    assert node["crewOverrides"] == [
        {
            "worker": {"name": "Ben Cole"},
            "removeBonus": True,
            "wageOverride": "45",
            "manualAmount": None,
        }
    ]
    # cost 16 x 50 + 14 x 45 = 1430 of 2000 (40 h x blended 47.67): Ben has no share
    assert set(_crew(node)) == {"Ana Ruiz"}
    cleared = await _edit(api, "proPayUpdateLeads", {"id": pid, "crewLeadId": None})
    assert cleared["event"]["reason"].startswith("Edited crewLead ")
    assert (await _pro_pay(api))["crewLead"] is None


POOLS = """
mutation($input: BonusPoolCreateInput!) { bonusPoolCreate(input: $input) {
  bonusPool { id name version roles { crew crewLead manager company other } splitSavingsPct
              otherMembers { name } isCompanyDefault }
  userErrors { code message field }
} }
"""


async def test_pools_divisions_and_a_pro_pays_own_percentages(api, synced, tokens_by_role):
    bad = await api(
        POOLS, input={"name": "X", "roles": {"crew": "60", "crewLead": "20", "manager": "10"}}
    )
    assert bad["bonusPoolCreate"]["userErrors"][0]["field"] == ["roles"]
    manager = api.as_(tokens_by_role[Role.MANAGER])
    denied = await manager(POOLS, input={"name": "Y"})
    assert denied["bonusPoolCreate"]["userErrors"][0]["code"] == "FORBIDDEN"
    created = (
        await api(
            POOLS,
            input={
                "name": "All crew",
                "roles": {"crew": "100", "crewLead": "0", "manager": "0"},
                "splitSavingsPct": "100",
            },
        )
    )["bonusPoolCreate"]
    pool = created["bonusPool"]
    assert pool["roles"] == {
        "crew": "100",
        "crewLead": "0",
        "manager": "0",
        "company": "0",
        "other": "0",
    }
    routes = (await api("{ routes(first: 5) { nodes { id name } } }"))["routes"]["nodes"]
    division = await api(
        """mutation($input: DivisionCreateInput!) { divisionCreate(input: $input) {
             division { name pool { name } routes { name } } userErrors { code field } } }""",
        input={"name": "Maintenance", "poolId": pool["id"], "routeIds": [routes[0]["id"]]},
    )
    assert division["divisionCreate"]["division"] == {
        "name": "Maintenance",
        "pool": {"name": "All crew"},
        "routes": [{"name": "Route North"}],
    }
    node = await _pro_pay(api)
    assert (node["poolSource"], node["pool"]["name"]) == ("DIVISION", "All crew")
    assert node["calculation"]["workerPool"] == "500.00"
    own = await _edit(
        api,
        "proPaySetOwnPool",
        {"id": node["id"], "roles": {"crew": "80", "crewLead": "0", "manager": "20"}},
    )
    assert own["userErrors"] == []
    node = await _pro_pay(api)
    assert (node["poolSource"], node["pool"]["roles"]["crew"]) == ("MANUAL", "80")
    assert node["calculation"]["workerPool"] == "500.00"  # the savings split was copied
    listed = (await api("{ bonusPools(first: 10) { totalCount nodes { name } } }"))["bonusPools"]
    assert listed == {"totalCount": 1, "nodes": [{"name": "All crew"}]}


SAFEGUARD = """
mutation($id: ID!) {
  proPayAddDisqualifier(input: {id: $id, name: "Site left clean"}) {
    disqualifier { id name result } event { reason } userErrors { code }
  }
}
"""


async def test_safeguards_over_graphql(api, synced):
    pid = (await _pro_pay(api))["id"]
    added = (await api(SAFEGUARD, id=pid))["proPayAddDisqualifier"]
    disqualifier = added["disqualifier"]
    assert (disqualifier["name"], disqualifier["result"]) == ("Site left clean", "PENDING")
    approve = "mutation($id: ID!) { proPayApprove(input: {id: $id}) { userErrors { code } } }"
    refused = (await api(approve, id=pid))["proPayApprove"]["userErrors"]
    assert refused == [{"code": "DISQUALIFIERS_PENDING"}]
    answer = """mutation($d: ID!) { proPayAnswerDisqualifier(input: {disqualifierId: $d, result: PASSED}) {
                  disqualifier { result answeredBy } proPay { version } userErrors { code } } }"""
    answered = (await api(answer, d=disqualifier["id"]))["proPayAnswerDisqualifier"]
    assert answered["disqualifier"] == {"result": "PASSED", "answeredBy": "admin:admin"}
    penalty = """mutation($id: ID!) { proPayAddPenalty(input: {id: $id, name: "Damaged tool", amount: "20"}) {
                   penalty { id name amount } proPay { version } userErrors { code } } }"""
    added_penalty = (await api(penalty, id=pid))["proPayAddPenalty"]
    assert added_penalty["penalty"]["amount"] == "20"
    node = await _pro_pay(api)
    assert node["calculation"]["workerPool"] == "230.00"
    assert (await api(approve, id=pid))["proPayApprove"]["userErrors"] == []
    remove = """mutation($p: ID!) { proPayRemovePenalty(input: {penaltyId: $p}) {
                  userErrors { code message } } }"""
    locked = (await api(remove, p=added_penalty["penalty"]["id"]))["proPayRemovePenalty"]
    assert locked["userErrors"][0]["code"] == "LOCKED"
