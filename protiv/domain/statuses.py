"""Every status and trigger of the state machines in SPEC §3.

Plain ``enum.Enum`` classes: the machines, the ORM columns and the GraphQL enums all use these
same classes, so a status can never be spelt two ways.
"""

from __future__ import annotations

import enum


class ProPayStatus(enum.Enum):
    ACTIVE = "ACTIVE"  # in progress; figures are a live preview; editable
    APPROVED = "APPROVED"  # reviewed; line items exist; key fields locked
    PAID = "PAID"  # every live line item paid
    CANCELED = "CANCELED"  # removed for now; restorable while nothing is paid
    DELETED = "DELETED"  # removed from working lists; kept for audit; restorable while unpaid


class ProPayTrigger(enum.Enum):
    APPROVE = "approve"
    UNAPPROVE = "unapprove"
    MARK_PAID = "mark_paid"
    REVERT_PAYMENT = "revert_payment"
    CANCEL = "cancel"
    DELETE = "delete"
    RESTORE = "restore"


class LineItemStatus(enum.Enum):
    HELD = "HELD"  # waiting period or retention not over, or held by hand
    PAYABLE = "PAYABLE"  # released; paid with its statement
    PAID = "PAID"  # paid through its statement
    VOIDED = "VOIDED"  # final; kept for audit


class LineItemTrigger(enum.Enum):
    RELEASE = "release"
    HOLD = "hold"
    EXTEND = "extend"
    PAY = "pay"
    VOID = "void"
    UNPAY = "unpay"


class StatementStatus(enum.Enum):
    OPEN = "OPEN"
    PAID = "PAID"
    VOID = "VOID"


class StatementTrigger(enum.Enum):
    PAY = "pay"
    VOID = "void"
    REOPEN = "reopen"


class JobStatus(enum.Enum):
    PENDING = "PENDING"
    IN_PROGRESS = "IN_PROGRESS"
    COMPLETED = "COMPLETED"
    CANCELED = "CANCELED"


class JobTrigger(enum.Enum):
    START = "start"
    COMPLETE = "complete"
    CANCEL = "cancel"
    REOPEN = "reopen"


class IntegrationStatus(enum.Enum):
    PENDING = "PENDING"  # first sync not done yet
    CONNECTED = "CONNECTED"
    FAILED = "FAILED"  # last sync failed; the error is kept
    DISCONNECTED = "DISCONNECTED"


class IntegrationTrigger(enum.Enum):
    SYNC_SUCCEEDED = "sync_succeeded"
    SYNC_FAILED = "sync_failed"
    DISCONNECT = "disconnect"
    RECONNECT = "reconnect"


class VoidReason(enum.Enum):
    """Why a line item was voided; the cascades of SPEC §3 name theirs."""

    UNAPPROVED = "UNAPPROVED"
    CANCELED = "CANCELED"
    DELETED = "DELETED"
    MANUAL = "MANUAL"
    STATEMENT_VOIDED = "STATEMENT_VOIDED"


class EntityKind(enum.Enum):
    """The aggregates whose transitions are written to the event log."""

    PRO_PAY = "PRO_PAY"
    PRO_PAY_GROUP = "PRO_PAY_GROUP"
    LINE_ITEM = "LINE_ITEM"
    STATEMENT = "STATEMENT"
    JOB = "JOB"
    INTEGRATION = "INTEGRATION"
    # Mirrors and settings without a lifecycle: their events are creations and edits.
    WORKER = "WORKER"
    MILESTONE = "MILESTONE"
    EXCLUSION_RULE = "EXCLUSION_RULE"


# The kinds with no state machine: their events are creations and edits ("edit", from = to).
STATELESS_KINDS = frozenset({EntityKind.WORKER, EntityKind.MILESTONE, EntityKind.EXCLUSION_RULE})
