"""Mutation refusals as data: ``userErrors { code message field }``, never a top-level error
for a business rule. Unexpected exceptions stay top-level (and masked)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

import strawberry

from protiv.domain.errors import DomainError
from schema.enums import UserErrorCode

T = TypeVar("T")


@strawberry.type(description="Why a mutation was refused. A refused mutation changes nothing.")
class UserError:
    code: UserErrorCode = strawberry.field(description="A stable code to branch on.")
    message: str = strawberry.field(description="What went wrong and what to do instead.")
    field: list[str] | None = strawberry.field(
        default=None, description="The input path at fault, when one field is."
    )

    @classmethod
    def of(cls, error: DomainError) -> UserError:
        return cls(code=error.code, message=error.message, field=error.field)


async def attempt(action: Callable[[], Awaitable[T]]) -> tuple[T | None, list[UserError]]:
    """Run a service call; a domain refusal becomes a user error."""
    try:
        return await action(), []
    except DomainError as error:
        return None, [UserError.of(error)]
