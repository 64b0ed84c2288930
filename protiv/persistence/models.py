"""Every mapped class, importable from one place."""

from protiv.persistence.base import Base
from protiv.persistence.bonus import (
    Disqualifier,
    Penalty,
    ProPay,
    ProPayGroup,
    ProPayTaskBudget,
    ProPayWorker,
)
from protiv.persistence.idempotency import IdempotencyKey
from protiv.persistence.ledger import LineItem, PayPeriod, Statement
from protiv.persistence.log import Event, SyncRun
from protiv.persistence.org import (
    ApiToken,
    BonusPool,
    BonusPoolMember,
    Branch,
    Company,
    Division,
    Integration,
    Route,
)
from protiv.persistence.syncing import ExclusionRule, SyncIssue
from protiv.persistence.webhooks import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from protiv.persistence.work import Job, Milestone, TimeEntry, Worker

__all__ = [
    "ApiToken",
    "Base",
    "BonusPool",
    "BonusPoolMember",
    "Branch",
    "Company",
    "Disqualifier",
    "Division",
    "Event",
    "ExclusionRule",
    "IdempotencyKey",
    "Integration",
    "Job",
    "LineItem",
    "Milestone",
    "PayPeriod",
    "Penalty",
    "ProPay",
    "ProPayGroup",
    "ProPayTaskBudget",
    "ProPayWorker",
    "Route",
    "Statement",
    "SyncIssue",
    "SyncRun",
    "TimeEntry",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookEndpoint",
    "Worker",
]
