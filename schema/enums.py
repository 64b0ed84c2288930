"""The domain enums, exposed to GraphQL under their own names (one definition each)."""

from __future__ import annotations

from typing import Annotated

import strawberry

from protiv.domain import bonus, statuses
from protiv.domain.errors import ErrorCode
from protiv.domain.roles import Role

ProPayStatus = Annotated[
    statuses.ProPayStatus,
    strawberry.enum(
        name="ProPayStatus", description="Where a ProPay (or group) is in its lifecycle."
    ),
]
LineItemStatus = Annotated[
    statuses.LineItemStatus,
    strawberry.enum(
        name="LineItemStatus", description="Where a bonus line item is on its way to payment."
    ),
]
StatementStatus = Annotated[
    statuses.StatementStatus,
    strawberry.enum(
        name="StatementStatus", description="Whether a statement is open, paid or void."
    ),
]
JobStatus = Annotated[
    statuses.JobStatus,
    strawberry.enum(
        name="JobStatus", description="The job's status as the integration reports it."
    ),
]
IntegrationStatus = Annotated[
    statuses.IntegrationStatus,
    strawberry.enum(
        name="IntegrationStatus", description="The health of an integration connection."
    ),
]
EntityKind = Annotated[
    statuses.EntityKind,
    strawberry.enum(name="EntityKind", description="The kinds of record whose changes are logged."),
]
BudgetType = Annotated[
    bonus.BudgetType,
    strawberry.enum(name="BudgetType", description="How a ProPay's labour budget is set."),
]
AdjustmentType = Annotated[
    bonus.AdjustmentType,
    strawberry.enum(name="AdjustmentType", description="A change applied to the base budget."),
]
Bucket = Annotated[
    bonus.Bucket, strawberry.enum(name="Bucket", description="A role bucket of a bonus pool.")
]
Distribution = Annotated[
    bonus.Distribution,
    strawberry.enum(
        name="Distribution", description="How the crew bucket is split between workers."
    ),
]
DisqualifierResult = Annotated[
    bonus.DisqualifierResult,
    strawberry.enum(name="DisqualifierResult", description="The answer to a disqualifier."),
]
WorkerRole = Annotated[
    bonus.WorkerRole,
    strawberry.enum(name="WorkerRole", description="A worker's role in the field."),
]
LineItemKind = Annotated[
    bonus.LineItemKind, strawberry.enum(name="LineItemKind", description="A bonus or a deduction.")
]
Role_ = Annotated[Role, strawberry.enum(name="Role", description="The role an API token carries.")]
UserErrorCode = Annotated[
    ErrorCode,
    strawberry.enum(
        name="UserErrorCode", description="Why a mutation was refused; nothing was changed."
    ),
]


ProPayAction = Annotated[
    statuses.ProPayTrigger,
    strawberry.enum(name="ProPayAction", description="A transition of a ProPay or group."),
]
LineItemAction = Annotated[
    statuses.LineItemTrigger,
    strawberry.enum(name="LineItemAction", description="A transition of a line item."),
]
StatementAction = Annotated[
    statuses.StatementTrigger,
    strawberry.enum(name="StatementAction", description="A transition of a statement."),
]
