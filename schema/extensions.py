"""Error policy: business refusals keep their message and gain ``extensions.code``; anything
unexpected is logged and masked, so no internal detail leaks to a client."""

from __future__ import annotations

import logging
from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from protiv.domain.errors import DomainError

log = logging.getLogger("protiv.graphql")
MASKED = "Unexpected error."


def _policy(error: GraphQLError) -> GraphQLError:
    original = error.original_error
    if original is None or isinstance(original, GraphQLError):
        return error
    if isinstance(original, DomainError):
        return GraphQLError(
            original.message,
            nodes=error.nodes,
            path=error.path,
            original_error=None,
            extensions={
                "code": original.code.value,
                **({"field": original.field} if original.field else {}),
            },
        )
    log.error("unexpected error in %s", error.path, exc_info=original)
    return GraphQLError(
        MASKED,
        nodes=error.nodes,
        path=error.path,
        original_error=None,
        extensions={"code": "INTERNAL"},
    )


class ErrorPolicy(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result and result.errors:
            result.errors = [_policy(e) for e in result.errors]
