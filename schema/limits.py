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

from graphql import ValidationRule
from strawberry.extensions import (
    AddValidationRules,
    MaxTokensLimiter,
    SchemaExtension,
    max_aliases,
    query_depth_limiter,
)

MAX_DEPTH = 10
MAX_TOKENS = 5000
MAX_ALIASES = 30

# The rule classes are built once, here. strawberry's QueryDepthLimiter and MaxAliasesLimiter
# build a new class on every instantiation, that is on every request; the ValidationCache is
# keyed by the rule classes, so it never hit and every request was validated afresh (15% of
# the server's time on ``{ viewer { id } }``). Same rules, same messages, built at start-up.
DEPTH_RULE: type[ValidationRule] = query_depth_limiter.create_validator(MAX_DEPTH, None)
ALIASES_RULE: type[ValidationRule] = max_aliases.create_validator(MAX_ALIASES)


def _rules() -> SchemaExtension:
    return AddValidationRules([DEPTH_RULE, ALIASES_RULE])


def _tokens() -> SchemaExtension:
    return MaxTokensLimiter(max_token_count=MAX_TOKENS)


# Factories, not instances: strawberry builds a fresh extension per request (0.316+).
LIMITS: list[Callable[[], SchemaExtension]] = [_rules, _tokens]
