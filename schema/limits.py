"""Limits on what one GraphQL document may ask, so a hostile query is refused while it is parsed
or validated, before any resolver runs (strawberry's own extensions; ``first`` is capped at 100
by protiv.services.queries.MAX_PAGE, the request body and the subscriptions per connection by
the server).

Depth counts nested selections below the root field (introspection is not counted, so
GraphiQL still loads the schema); the deepest query the API needs, a group's members'
line items' workers, is 5 deep.
"""

from __future__ import annotations

from collections.abc import Callable

from strawberry.extensions import (
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
    SchemaExtension,
)

MAX_DEPTH = 10
MAX_TOKENS = 5000
MAX_ALIASES = 30


def _depth() -> SchemaExtension:
    return QueryDepthLimiter(max_depth=MAX_DEPTH)


def _tokens() -> SchemaExtension:
    return MaxTokensLimiter(max_token_count=MAX_TOKENS)


def _aliases() -> SchemaExtension:
    return MaxAliasesLimiter(max_alias_count=MAX_ALIASES)


# Factories, not instances: strawberry builds a fresh extension per request (0.316+).
LIMITS: list[Callable[[], SchemaExtension]] = [_depth, _tokens, _aliases]
