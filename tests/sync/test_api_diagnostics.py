"""whyMissing, lifecycle, alerts, sync runs and the approval queue through GraphQL only."""

from __future__ import annotations

from protiv.domain.roles import Role
from tests.sync import records as r
from tests.sync.test_api import SYNC

WHY = """
query($id: String!, $kind: MissingKind!) { whyMissing(externalId: $id, kind: $kind) {
  kind externalId found recordId proPayIds
  causes { code message step }
  integrations { name status lastSyncAt nextSyncDue lastError }
  lastSeen { runId disposition code field message }
} }
"""
LIFECYCLE = """
query($id: ID, $job: String) { lifecycle(proPayId: $id, jobExternalId: $job) {
  currentStep stalled stallCode stallMessage complete jobId
  proPay { title readyForApprovalAt }
  steps { number name where state }
} }
"""
ALERTS = "{ alerts { totalCount counts { code count } nodes { code severity message entity entityId } } }"
RUNS = """
{ syncRuns(first: 5) { totalCount nodes { id report { runId outcome issueCount }
  issues { kind externalId disposition code message } } } }
"""
QUEUE = "{ proPays(filter: {readyForApproval: true}) { totalCount nodes { id title readyForApprovalAt } } }"


async def test_where_is_it_over_graphql(api, tokens_by_role) -> None:
    integration = api.as_(tokens_by_role[Role.INTEGRATION])
    batch = r.base(jobs=[r.job("J-1", "Oak", "COMPLETED"), r.job("J-2", "Draft", "DRAFT")])
    batch["workers"].append(r.worker("W-7", "No Wage", wage=None))
    batch["timeEntries"] = [r.entry("T-1", "W-1", "J-1", "16"), r.entry("T-2", "W-2", "J-1", "14")]
    await integration(SYNC, batch=batch, provider="aspire")

    here = (await api(WHY, id="J-1", kind="JOB"))["whyMissing"]
    assert (here["found"], [c["code"] for c in here["causes"]]) == (True, ["PRESENT"])
    assert len(here["proPayIds"]) == 1
    assert here["integrations"][0]["status"] == "CONNECTED"
    assert here["integrations"][0]["nextSyncDue"] is not None
    draft = (await api(WHY, id="J-2", kind="JOB"))["whyMissing"]
    assert (draft["found"], draft["recordId"]) == (False, None)
    assert draft["lastSeen"]["code"] == "IGNORED_STATUS"
    no_wage = (await api(WHY, id="W-7", kind="WORKER"))["whyMissing"]
    assert [c["code"] for c in no_wage["causes"]] == ["NO_WAGE"]

    queue = (await api(QUEUE))["proPays"]
    assert queue["totalCount"] == 1
    pro_pay = queue["nodes"][0]
    found = (await api(LIFECYCLE, id=pro_pay["id"], job=None))["lifecycle"]
    assert (found["currentStep"], found["stallCode"], found["complete"]) == (
        7,
        "AWAITING_APPROVAL",
        False,
    )
    assert [s["state"] for s in found["steps"]] == ["DONE"] * 6 + ["STALLED", "TODO", "TODO"]
    assert found["proPay"]["title"] == "Oak"
    by_job = (await api(LIFECYCLE, id=None, job="J-2"))["lifecycle"]
    assert (by_job["currentStep"], by_job["stallCode"], by_job["jobId"]) == (
        2,
        "IGNORED_STATUS",
        None,
    )

    alerts = (await api(ALERTS))["alerts"]
    assert alerts["counts"] == [{"code": "AWAITING_APPROVAL", "count": 1}]
    assert alerts["nodes"][0]["entityId"] == pro_pay["id"]

    runs = (await api(RUNS))["syncRuns"]["nodes"]
    (run,) = runs
    assert run["report"]["issueCount"] == 2
    assert {(i["externalId"], i["code"]) for i in run["issues"]} == {
        ("J-2", "IGNORED_STATUS"),
        ("W-7", "NO_WAGE"),
    }
    anonymous = await api.as_(None).raw(ALERTS)
    assert anonymous.status_code == 401
