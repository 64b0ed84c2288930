"""The rule of every root field of the schema: which permission governs a mutation (and an input
that names our records, in the state it needs), and who may read a query or subscription.

test_every_field.py reads the fields from the schema itself; a field without a rule here fails
it, so a new mutation or query cannot ship without deciding who may use it. Mutations name
their rule in protiv.domain.permissions (a transition, or an action), so this table cannot
drift from what the services enforce.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from protiv.domain.permissions import ACTION_ROLES, TRIGGER_ROLES
from protiv.domain.roles import Role
from protiv.domain.statuses import EntityKind
from tests.security.world import World

A, M, P, W, I = Role.ADMIN, Role.MANAGER, Role.PAYROLL, Role.WORKER, Role.INTEGRATION  # noqa: E741
Input = Callable[[World], dict[str, Any]]
K = EntityKind


@dataclass(frozen=True)
class Mutation:
    """``permission``: a TRIGGER_ROLES key or an ACTION_ROLES key. ``input``: a valid input
    naming our records (None: the mutation takes none). ``names_records``: the rival, sending
    our ids, must be answered NOT_FOUND. ``natural``: takes no idempotency key, because doing it
    again changes nothing more (revoking a token, releasing what is due)."""

    permission: tuple[EntityKind, str] | str
    input: Input | None
    names_records: bool = True
    natural: bool = False

    @property
    def roles(self) -> frozenset[Role]:
        if isinstance(self.permission, tuple):
            return TRIGGER_ROLES[self.permission]
        return ACTION_ROLES[self.permission]


@dataclass(frozen=True)
class Read:
    """Who may read: ``roles`` (a worker reads its own when ``own``). ``args``: arguments naming
    our records, for the rival to try."""

    roles: frozenset[Role]
    args: Input = lambda w: {}


COMPANY = frozenset((A, M, P, I))
EVERYONE = frozenset(Role)


def transition(kind: EntityKind, trigger: str, record: str, **extra: Any) -> Mutation:
    return Mutation((kind, trigger), lambda w: {"id": w.id(record), "reason": "test", **extra})


def edit(action: str, record: str = "pro_pay_active", **extra: Any) -> Mutation:
    return Mutation(action, lambda w: {"id": w.id(record), **extra})


MUTATIONS: dict[str, Mutation] = {
    "proPayApprove": transition(K.PRO_PAY, "approve", "pro_pay_active"),
    "proPayUnapprove": transition(K.PRO_PAY, "unapprove", "pro_pay_approved"),
    "proPayCancel": transition(K.PRO_PAY, "cancel", "pro_pay_active"),
    "proPayDelete": transition(K.PRO_PAY, "delete", "pro_pay_active"),
    "proPayRestore": transition(K.PRO_PAY, "restore", "pro_pay_canceled"),
    "proPayRevertPayment": transition(K.PRO_PAY, "revert_payment", "pro_pay_paid"),
    "proPayGroupApprove": transition(K.PRO_PAY_GROUP, "approve", "group_active"),
    "proPayGroupUnapprove": transition(K.PRO_PAY_GROUP, "unapprove", "group_approved"),
    "proPayGroupCancel": transition(K.PRO_PAY_GROUP, "cancel", "group_active"),
    "proPayGroupDelete": transition(K.PRO_PAY_GROUP, "delete", "group_active"),
    "proPayGroupRestore": transition(K.PRO_PAY_GROUP, "restore", "group_canceled"),
    "proPayGroupRevertPayment": transition(K.PRO_PAY_GROUP, "revert_payment", "group_paid"),
    "proPayGroupCreate": Mutation(
        "group.create", lambda w: {"name": "g", "proPayIds": [w.id("group_member")]}
    ),
    "lineItemRelease": transition(K.LINE_ITEM, "release", "item_held"),
    "lineItemHold": transition(K.LINE_ITEM, "hold", "item_payable"),
    "lineItemVoid": transition(K.LINE_ITEM, "void", "item_held"),
    "lineItemExtend": transition(
        K.LINE_ITEM, "extend", "item_held", releaseAt="2027-01-01T00:00:00+00:00"
    ),
    "statementPay": transition(K.STATEMENT, "pay", "statement_open", payDate="2026-11-20"),
    "statementVoid": transition(K.STATEMENT, "void", "statement_open"),
    "statementReopen": transition(K.STATEMENT, "reopen", "statement_paid"),
    "syncBatch": Mutation(
        "sync",
        lambda w: {"batch": {"workers": [{"externalId": "W-1", "name": "x", "wage": "99"}]}},
        names_records=False,
    ),
    "proPayUpdateBudget": edit("pro_pay.edit", type="AMOUNT", amount="100"),
    "proPayUpdateBudgetAdjustment": edit("pro_pay.edit", type="PERCENT_INCREASE", value="5"),
    "proPayUpdateDistribution": edit("pro_pay.edit", distribution="EQUAL"),
    "proPayUpdateLeads": edit("pro_pay.edit", managerId=None),
    "proPaySetCrewMember": Mutation(
        "pro_pay.edit",
        lambda w: {"id": w.id("pro_pay_active"), "workerId": w.id("worker"), "removeBonus": True},
    ),
    "proPayUpdateCostSettings": edit("pro_pay.edit", useBurden=True),
    "proPayUpdatePool": Mutation(
        "pro_pay.edit", lambda w: {"id": w.id("pro_pay_active"), "poolId": w.id("pool")}
    ),
    "proPaySetOwnPool": edit(
        "pro_pay.edit", roles={"crew": "70", "crewLead": "20", "manager": "10"}
    ),
    "proPayAddDisqualifier": edit("pro_pay.safeguard", name="x"),
    "proPayAnswerDisqualifier": Mutation(
        "pro_pay.safeguard", lambda w: {"disqualifierId": w.id("disqualifier"), "result": "PASSED"}
    ),
    "proPayRemoveDisqualifier": Mutation(
        "pro_pay.safeguard", lambda w: {"disqualifierId": w.id("disqualifier")}
    ),
    "proPayAddPenalty": edit("pro_pay.safeguard", name="x", amount="5"),
    "proPayRemovePenalty": Mutation("pro_pay.safeguard", lambda w: {"penaltyId": w.id("penalty")}),
    "bonusPoolCreate": Mutation(
        "bonus_pool.manage", lambda w: {"name": "p", "otherMemberIds": [w.id("worker")]}
    ),
    "bonusPoolUpdate": Mutation("bonus_pool.manage", lambda w: {"id": w.id("pool"), "name": "q"}),
    "bonusPoolDelete": Mutation("bonus_pool.manage", lambda w: {"id": w.id("pool")}),
    "bonusPoolSetCompanyDefault": Mutation("bonus_pool.manage", lambda w: {"poolId": w.id("pool")}),
    "branchSetPool": Mutation(
        "bonus_pool.manage", lambda w: {"branchId": w.id("branch"), "poolId": w.id("pool")}
    ),
    "divisionCreate": Mutation(
        "division.manage", lambda w: {"name": "d", "branchId": w.id("branch")}
    ),
    "divisionUpdate": Mutation("division.manage", lambda w: {"id": w.id("division"), "name": "e"}),
    "lineItemsRelease": Mutation("line_items.bulk", lambda w: {"ids": [w.id("item_held")]}),
    "lineItemsHold": Mutation(
        "line_items.bulk", lambda w: {"ids": [w.id("item_payable")], "reason": "x"}
    ),
    "lineItemsVoid": Mutation(
        "line_items.bulk", lambda w: {"ids": [w.id("item_held")], "reason": "x"}
    ),
    "lineItemCreate": Mutation(
        "line_items.create",
        lambda w: {"workerId": w.id("worker"), "amount": "50", "category": "SIGNING"},
    ),
    "lineItemsReleaseDue": Mutation(
        "line_items.release_due", None, names_records=False, natural=True
    ),
    "payPeriodPay": Mutation(
        "statements.pay_period",
        lambda w: {"periodId": w.id("pay_period"), "payDate": "2026-11-20"},
    ),
    "payScheduleUpdate": Mutation(
        "pay_schedule.manage", lambda w: {"waitingDays": 3}, names_records=False
    ),
    "branchPayScheduleUpdate": Mutation(
        "pay_schedule.manage",
        lambda w: {"branchId": w.id("branch"), "kind": "WEEKLY", "anchor": "2026-01-05"},
    ),
    "apiTokenRevoke": Mutation("token.manage", lambda w: {"id": w.id("api_token")}, natural=True),
    "integrationDisconnect": transition(K.INTEGRATION, "disconnect", "integration"),
    "integrationReconnect": transition(K.INTEGRATION, "reconnect", "integration_disconnected"),
    "integrationCreate": Mutation(
        "integration.manage", lambda w: {"provider": "file", "name": "x"}, names_records=False
    ),
    "integrationUpdate": Mutation(
        "integration.manage", lambda w: {"id": w.id("integration"), "name": "y"}
    ),
    "integrationResync": Mutation("integration.resync", lambda w: {"id": w.id("integration")}),
    "exclusionRuleCreate": Mutation(
        "exclusion_rule.manage",
        lambda w: {"kind": "SERVICE_TYPE", "value": "x"},
        names_records=False,
    ),
    "exclusionRuleUpdate": Mutation(
        "exclusion_rule.manage", lambda w: {"id": w.id("exclusion_rule"), "value": "y"}
    ),
    "exclusionRuleDelete": Mutation(
        "exclusion_rule.manage", lambda w: {"id": w.id("exclusion_rule")}
    ),
    "workerUpdate": Mutation("worker.edit", lambda w: {"id": w.id("worker"), "wage": "61"}),
    "jobUpdate": Mutation("job.edit", lambda w: {"id": w.id("job"), "budgetHours": "50"}),
    "milestoneUpdateProgress": Mutation(
        "milestone.progress", lambda w: {"id": w.id("milestone"), "progressPct": "50"}
    ),
    "webhookEndpointCreate": Mutation(
        "webhook.manage",
        lambda w: {
            "url": "http://127.0.0.1:9/hook",
            "eventTypes": ["PRO_PAY"],
            "description": "x",
            "active": False,
        },
        names_records=False,
    ),
    "webhookEndpointUpdate": Mutation(
        "webhook.manage", lambda w: {"id": w.id("webhook_endpoint"), "description": "y"}
    ),
    "webhookEndpointRotateSecret": Mutation(
        "webhook.manage", lambda w: {"id": w.id("webhook_endpoint")}
    ),
    "webhookEndpointDelete": Mutation("webhook.manage", lambda w: {"id": w.id("webhook_endpoint")}),
    # The world has no delivery (its endpoint is inactive): the role is checked before the id.
    "webhookDeliveryRetry": Mutation("webhook.manage", lambda w: {"id": w.id("webhook_delivery")}),
}

QUERIES: dict[str, Read] = {
    "node": Read(EVERYONE, lambda w: {"id": w.id("pro_pay_active")}),
    "viewer": Read(EVERYONE),
    "proPay": Read(EVERYONE, lambda w: {"id": w.id("pro_pay_active")}),
    "proPays": Read(EVERYONE, lambda w: {"filter": {"workerId": w.id("worker")}}),
    "proPayGroup": Read(COMPANY, lambda w: {"id": w.id("group_active")}),
    "proPayGroups": Read(COMPANY),
    "jobs": Read(COMPANY),
    "workers": Read(COMPANY),
    "lineItems": Read(EVERYONE, lambda w: {"filter": {"workerId": w.id("worker")}}),
    "statements": Read(EVERYONE, lambda w: {"filter": {"workerId": w.id("worker")}}),
    "events": Read(COMPANY),
    "payPeriods": Read(COMPANY),
    "paySchedule": Read(COMPANY),
    "payrollExport": Read(frozenset((A, P)), lambda w: {"periodId": w.id("pay_period")}),
    "apiTokens": Read(frozenset((A,))),
    "bonusPools": Read(COMPANY),
    "bonusPool": Read(COMPANY, lambda w: {"id": w.id("pool")}),
    "branches": Read(COMPANY),
    "divisions": Read(COMPANY),
    "routes": Read(COMPANY),
    "integrations": Read(COMPANY),
    "syncRuns": Read(COMPANY, lambda w: {"integrationId": w.id("integration")}),
    "exclusionRules": Read(COMPANY, lambda w: {"includeDeleted": True}),
    "whyMissing": Read(COMPANY, lambda w: {"externalId": "J-1", "kind": "JOB"}),
    "lifecycle": Read(COMPANY, lambda w: {"proPayId": w.id("pro_pay_active")}),
    "alerts": Read(COMPANY, lambda w: {"first": 10}),
    "webhookEndpoints": Read(frozenset((A, I))),
    "webhookEndpoint": Read(frozenset((A, I)), lambda w: {"id": w.id("webhook_endpoint")}),
}

SUBSCRIPTIONS: dict[str, Read] = {
    "proPayStatusChanged": Read(COMPANY, lambda w: {"id": w.id("pro_pay_active")}),
    "lineItemStatusChanged": Read(COMPANY, lambda w: {"id": w.id("item_held")}),
    "statementStatusChanged": Read(COMPANY, lambda w: {"id": w.id("statement_open")}),
    "statusChanged": Read(COMPANY),
}
