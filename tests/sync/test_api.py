"""Sync, integrations, exclusion rules and mirror edits through GraphQL only."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from protiv.domain.roles import Role
from tests.sync import records as r

SYNC = """
mutation($batch: JSON!, $provider: String!) { syncBatch(input: {batch: $batch, provider: $provider}) {
  report { runId outcome error proPaysCreated issueCount
           kinds { kind created updated unchanged excluded ignored rejected }
           errors { kind externalId disposition code field message } }
  userErrors { code message field }
} }
"""
MUTATION_NAMES = "{ __schema { mutationType { fields { name } } } }"


def counts(report: dict[str, Any], kind: str) -> tuple[int, ...]:
    (found,) = [k for k in report["kinds"] if k["kind"] == kind]
    return tuple(
        found[c] for c in ("created", "updated", "unchanged", "excluded", "ignored", "rejected")
    )


async def test_sync_batch_twice_and_a_bad_record_over_graphql(api, tokens_by_role) -> None:
    integration = api.as_(tokens_by_role[Role.INTEGRATION])
    batch = r.crew()
    batch["timeEntries"].append(r.entry("T-9", "W-404", "J-1"))
    first = (await integration(SYNC, batch=batch, provider="aspire"))["syncBatch"]
    assert first["userErrors"] == []
    assert first["report"]["outcome"] == "SUCCEEDED"
    assert counts(first["report"], "timeEntries") == (2, 0, 0, 0, 0, 1)
    assert first["report"]["errors"] == [
        {
            "kind": "timeEntries",
            "externalId": "T-9",
            "disposition": "REJECTED",
            "code": "MISSING_REFERENCE",
            "field": "worker",
            "message": "no worker with external id 'W-404' has synced",
        }
    ]
    second = (await integration(SYNC, batch=batch, provider="aspire"))["syncBatch"]
    assert second["report"]["proPaysCreated"] == 0
    assert counts(second["report"], "jobs") == (0, 0, 1, 0, 0, 0)
    assert counts(second["report"], "timeEntries") == (0, 0, 2, 0, 0, 1)
    bad = (await integration(SYNC, batch={"jobs": 7}, provider="aspire"))["syncBatch"]
    assert bad["report"]["outcome"] == "FAILED"
    assert bad["userErrors"] == [
        {"code": "VALIDATION", "message": "jobs must be a list of objects.", "field": ["batch"]}
    ]
    health = await api("{ integrations { name provider status lastError } }")
    assert health["integrations"] == [
        {
            "name": "Aspire",
            "provider": "aspire",
            "status": "FAILED",
            "lastError": "jobs must be a list of objects.",
        }
    ]


async def test_no_mutation_creates_a_worker_job_or_milestone(api) -> None:
    names = [f["name"] for f in (await api(MUTATION_NAMES))["__schema"]["mutationType"]["fields"]]
    mirrors = ("worker", "job", "milestone", "route", "branch", "timeEntr")
    creating = [n for n in names if n.startswith(mirrors) and ("Create" in n or "Add" in n)]
    assert creating == []
    assert {"jobUpdate", "milestoneUpdateProgress", "workerUpdate"} <= set(names)


EDITS = """
query { workers(first: 10) { nodes { id externalId } } jobs(first: 5) { nodes { id milestones { id } } } }
"""
WORKER_UPDATE = """
mutation($id: ID!) { workerUpdate(input: {id: $id, wage: "31.50", role: CREW_LEAD, reason: "raise"}) {
  worker { wage role version editedHere events { trigger from to reason } }
  event { entity trigger from to reason }
  userErrors { code message field }
} }
"""
JOB_UPDATE = """
mutation($id: ID!, $manager: ID) { jobUpdate(input: {id: $id, budgetHours: "36", managerId: $manager}) {
  job { budgetHours editedHere manager { externalId } proPays { budget { hours } } }
  event { entity trigger from to reason }
  userErrors { code message field }
} }
"""
PROGRESS = """
mutation($id: ID!, $pct: Decimal!) { milestoneUpdateProgress(input: {id: $id, progressPct: $pct}) {
  milestone { progressPct version } event { entity trigger reason } userErrors { code field }
} }
"""


async def test_mirror_edits_are_events(api, tokens_by_role) -> None:
    integration = api.as_(tokens_by_role[Role.INTEGRATION])
    batch = r.crew(budgetHours=None, manager=None, recurring=True)
    batch["milestones"] = [{"externalId": "M-1", "job": "J-1", "name": "Visit", "budgetHours": "5"}]
    await integration(SYNC, batch=batch, provider="api")
    found = await api(EDITS)
    ids = {w["externalId"]: w["id"] for w in found["workers"]["nodes"]}
    job = found["jobs"]["nodes"][0]
    done = (await api(WORKER_UPDATE, id=ids["W-1"]))["workerUpdate"]
    assert done["userErrors"] == []
    assert done["worker"]["editedHere"] == ["role", "wage"]
    assert done["event"] == {
        "entity": "WORKER",
        "trigger": "edit",
        "from": "ACTIVE",
        "to": "ACTIVE",
        "reason": "wage 50 → 31.50; role CREW → CREW_LEAD (raise)",
    }
    assert done["worker"]["events"] == [
        {"trigger": "edit", "from": "ACTIVE", "to": "ACTIVE", "reason": done["event"]["reason"]}
    ]
    edited = (await api(JOB_UPDATE, id=job["id"], manager=ids["W-9"]))["jobUpdate"]
    assert edited["userErrors"] == []
    assert edited["job"]["editedHere"] == ["budget", "manager"]
    assert edited["job"]["manager"] == {"externalId": "W-9"}
    assert edited["event"]["reason"] == "budget hours 36; manager Mia Manager"
    again = (await api(JOB_UPDATE, id=job["id"], manager=None))["jobUpdate"]
    assert again["event"]["reason"] == "budget hours 36" or again["event"] is None
    as_manager = api.as_(tokens_by_role[Role.MANAGER])
    milestone = job["milestones"][0]["id"]
    moved = (await as_manager(PROGRESS, id=milestone, pct="40"))["milestoneUpdateProgress"]
    assert moved["milestone"] == {"progressPct": "40", "version": 2}
    assert moved["event"] == {
        "entity": "MILESTONE",
        "trigger": "edit",
        "reason": "progress 0% → 40%",
    }
    refused = (await as_manager(WORKER_UPDATE, id=ids["W-2"]))["workerUpdate"]
    assert refused["userErrors"][0]["code"] == "FORBIDDEN"
    too_much = (await api(PROGRESS, id=milestone, pct="140"))["milestoneUpdateProgress"]
    assert too_much["userErrors"] == [{"code": "VALIDATION", "field": ["progressPct"]}]


RULES = """
mutation { exclusionRuleCreate(input: {kind: NAME_PATTERN, value: "TEST*", note: "test jobs"}) {
  exclusionRule { id kind value description version } userErrors { code message field }
} }
"""
RULE_DELETE = """
mutation($id: ID!) { exclusionRuleDelete(input: {id: $id}) {
  exclusionRule { deletedAt events { trigger } } releasedJobs userErrors { code }
} }
"""
JOBS = "{ jobs(first: 10) { nodes { externalId excludedReason exclusionRule { value } proPays { title } } } }"


async def test_exclusion_rules_over_graphql(api, tokens_by_role) -> None:
    created = (await api(RULES))["exclusionRuleCreate"]
    assert created["userErrors"] == []
    rule = created["exclusionRule"]
    assert (rule["kind"], rule["value"]) == ("NAME_PATTERN", "TEST*")
    integration = api.as_(tokens_by_role[Role.INTEGRATION])
    batch = r.base(jobs=[r.job("J-1", "Oak"), r.job("J-2", "Test job")])
    report = (await integration(SYNC, batch=batch, provider="api"))["syncBatch"]["report"]
    assert counts(report, "jobs") == (1, 0, 0, 1, 0, 0)
    jobs = {j["externalId"]: j for j in (await api(JOBS))["jobs"]["nodes"]}
    assert jobs["J-2"]["exclusionRule"] == {"value": "TEST*"}
    assert jobs["J-2"]["proPays"] == []
    assert jobs["J-2"]["excludedReason"] == f"Excluded by {rule['description']}."
    refused = await api.as_(tokens_by_role[Role.MANAGER])(RULES)
    assert refused["exclusionRuleCreate"]["userErrors"][0]["code"] == "FORBIDDEN"
    deleted = (await api(RULE_DELETE, id=rule["id"]))["exclusionRuleDelete"]
    assert deleted["releasedJobs"] == 1
    assert [e["trigger"] for e in deleted["exclusionRule"]["events"]] == ["create", "delete"]
    listed = await api(
        "{ exclusionRules { value } all: exclusionRules(includeDeleted: true) { value } }"
    )
    assert (listed["exclusionRules"], listed["all"]) == ([], [{"value": "TEST*"}])


CREATE = """
mutation($folder: String!) { integrationCreate(input: {provider: "aspire", name: "Aspire drop", dropFolder: $folder}) {
  integration { id status scheduleMinutes dropFolder availableActions } userErrors { code message }
} }
"""
RESYNC = """
mutation($id: ID!) { integrationResync(input: {id: $id}) {
  report { outcome error kinds { kind created } } userErrors { code message }
} }
"""


async def test_a_file_drop_resyncs_now_and_a_bad_file_fails_the_integration(
    api, tmp_path: Path
) -> None:
    made = (await api(CREATE, folder=str(tmp_path)))["integrationCreate"]
    integration = made["integration"]
    assert (integration["status"], integration["scheduleMinutes"]) == ("PENDING", 20)
    assert integration["availableActions"] == ["DISCONNECT"]
    (tmp_path / "broken.json").write_text("{not json")
    failed = (await api(RESYNC, id=integration["id"]))["integrationResync"]
    assert failed["report"]["outcome"] == "FAILED"
    assert failed["userErrors"][0]["message"].startswith("broken.json: cannot be read as JSON")
    assert (tmp_path / "failed").is_dir()
    assert not (tmp_path / "broken.json").exists()
    (tmp_path / "batch.json").write_text(json.dumps(r.crew()))
    good = (await api(RESYNC, id=integration["id"]))["integrationResync"]
    assert good["userErrors"] == []
    created = {k["kind"]: k["created"] for k in good["report"]["kinds"]}
    assert (created["jobs"], created["timeEntries"]) == (1, 2)
    state = await api(
        "{ integrations { status lastError syncRuns(first: 5) { report { outcome } } } }"
    )
    (row,) = state["integrations"]
    assert (row["status"], row["lastError"]) == ("CONNECTED", None)
    assert [s["report"]["outcome"] for s in row["syncRuns"]] == ["SUCCEEDED", "FAILED"]
