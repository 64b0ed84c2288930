"""Typed refusals: every expected failure carries an ``ErrorCode`` the API hands to the client.

    DomainError                      (code, message, field)
    ├── NotFound                     NOT_FOUND
    ├── Forbidden                    FORBIDDEN
    ├── ValidationFailed             VALIDATION
    ├── Conflict                     CONFLICT (stale expectedVersion, lost race)
    ├── Locked                       LOCKED (edit of a ProPay that is not ACTIVE)
    └── TransitionRefused            INVALID_TRANSITION, BONUS_ALREADY_PAID,
                                     DISQUALIFIERS_PENDING, GROUP_MEMBER, ...

A refusal is raised before anything is written, or inside a unit of work that then rolls back,
so a refused request changes nothing.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence


class ErrorCode(enum.Enum):
    NOT_FOUND = "NOT_FOUND"
    INVALID_TRANSITION = "INVALID_TRANSITION"
    BONUS_ALREADY_PAID = "BONUS_ALREADY_PAID"
    DISQUALIFIERS_PENDING = "DISQUALIFIERS_PENDING"
    GROUP_MEMBER = "GROUP_MEMBER"
    LOCKED = "LOCKED"
    CONFLICT = "CONFLICT"
    FORBIDDEN = "FORBIDDEN"
    VALIDATION = "VALIDATION"
    REASON_REQUIRED = "REASON_REQUIRED"
    BUDGET_INVALID = "BUDGET_INVALID"
    LINE_ITEMS_UNPAID = "LINE_ITEMS_UNPAID"
    STATEMENT_CLOSED = "STATEMENT_CLOSED"
    EMPTY_GROUP = "EMPTY_GROUP"
    UNAUTHENTICATED = "UNAUTHENTICATED"
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"  # the same key with a different input


class DomainError(Exception):
    """An expected failure with a code, a message for people, and the input field at fault."""

    code: ErrorCode = ErrorCode.VALIDATION

    def __init__(
        self, message: str, *, code: ErrorCode | None = None, field: Sequence[str] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.field: list[str] | None = list(field) if field else None


class NotFound(DomainError):
    code = ErrorCode.NOT_FOUND


class Forbidden(DomainError):
    code = ErrorCode.FORBIDDEN


class ValidationFailed(DomainError):
    code = ErrorCode.VALIDATION


class Conflict(DomainError):
    code = ErrorCode.CONFLICT


class Locked(DomainError):
    code = ErrorCode.LOCKED


class TransitionRefused(DomainError):
    """A trigger that is not valid from the current status, or whose guard said no."""

    code = ErrorCode.INVALID_TRANSITION


class Unauthenticated(DomainError):
    code = ErrorCode.UNAUTHENTICATED
