"""What one sync run did: counts per kind of record, and each record that did not land as sent.

The counts are exact however large the run; the per-record list in the report is capped (every
issue is also stored as a ``SyncIssue`` row, which is what "why is it missing?" reads).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from protiv.services.sync_records import KINDS

MAX_REPORTED = 500  # issues kept in the report itself; all of them are in sync_issue
SUCCEEDED, FAILED, RUNNING = "SUCCEEDED", "FAILED", "RUNNING"
IGNORED, REJECTED, EXCLUDED = "IGNORED", "REJECTED", "EXCLUDED"


@dataclass
class KindReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    excluded: int = 0
    ignored: int = 0
    rejected: int = 0

    @property
    def total(self) -> int:
        return sum(vars(self).values())


@dataclass
class Issue:
    kind: str
    external_id: str | None
    disposition: str  # IGNORED, REJECTED, EXCLUDED
    code: str
    field: str | None
    message: str

    def as_dict(self) -> dict[str, str | None]:
        shown = f"ignored: {self.message}" if self.disposition == IGNORED else self.message
        return {
            "kind": self.kind,
            "externalId": self.external_id,
            "disposition": self.disposition,
            "code": self.code,
            "field": self.field,
            "message": shown,
        }


@dataclass
class SyncReport:
    run_id: int = 0
    integration_id: int = 0
    provider: str = ""
    source: str = ""
    outcome: str = RUNNING
    error: str | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    kinds: dict[str, KindReport] = field(default_factory=lambda: {k: KindReport() for k in KINDS})
    issues: list[Issue] = field(default_factory=list)
    issue_count: int = 0
    pro_pays_created: int = 0
    pro_pays_canceled: int = 0
    queued_for_approval: int = 0

    @property
    def errors(self) -> list[dict[str, str | None]]:
        """The reported issues as plain dicts (the first ``MAX_REPORTED``)."""
        return [issue.as_dict() for issue in self.issues]

    def add_issue(self, issue: Issue) -> None:
        counts = self.kinds[issue.kind]
        if issue.disposition == IGNORED:
            counts.ignored += 1
        elif issue.disposition == REJECTED:
            counts.rejected += 1
        else:
            counts.excluded += 1
        self.issue_count += 1
        if len(self.issues) < MAX_REPORTED:
            self.issues.append(issue)

    def snapshot(self) -> dict[str, Any]:
        """The counts as they are (``restore`` puts them back after a chunk rolled back)."""
        return {
            "kinds": {k: KindReport(**vars(v)) for k, v in self.kinds.items()},
            "issues": len(self.issues),
            "numbers": (
                self.issue_count,
                self.pro_pays_created,
                self.pro_pays_canceled,
                self.queued_for_approval,
            ),
        }

    def restore(self, snapshot: dict[str, Any]) -> None:
        self.kinds = snapshot["kinds"]
        del self.issues[snapshot["issues"] :]
        (
            self.issue_count,
            self.pro_pays_created,
            self.pro_pays_canceled,
            self.queued_for_approval,
        ) = snapshot["numbers"]

    @property
    def changed(self) -> int:
        return sum(k.created + k.updated + k.excluded for k in self.kinds.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "runId": self.run_id,
            "integrationId": self.integration_id,
            "provider": self.provider,
            "source": self.source,
            "outcome": self.outcome,
            "error": self.error,
            "startedAt": self.started_at.isoformat() if self.started_at else None,
            "finishedAt": self.finished_at.isoformat() if self.finished_at else None,
            "kinds": {k: vars(v) for k, v in self.kinds.items()},
            "errors": self.errors,
            "issueCount": self.issue_count,
            "proPaysCreated": self.pro_pays_created,
            "proPaysCanceled": self.pro_pays_canceled,
            "queuedForApproval": self.queued_for_approval,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SyncReport:
        """A stored run's report (issues come from the sync_issue table, not from here)."""
        report = cls(
            run_id=int(data.get("runId") or 0),
            integration_id=int(data.get("integrationId") or 0),
            provider=str(data.get("provider") or ""),
            source=str(data.get("source") or ""),
            outcome=str(data.get("outcome") or RUNNING),
            error=data.get("error"),
            issue_count=int(data.get("issueCount") or 0),
            pro_pays_created=int(data.get("proPaysCreated") or 0),
            pro_pays_canceled=int(data.get("proPaysCanceled") or 0),
            queued_for_approval=int(data.get("queuedForApproval") or 0),
        )
        for kind, counts in (data.get("kinds") or {}).items():
            if kind in report.kinds:
                report.kinds[kind] = KindReport(**counts)
        return report
