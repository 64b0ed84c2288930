"""The GraphQL schema (strawberry): queries, one mutation per transition, subscriptions."""

from __future__ import annotations

import strawberry
from strawberry.extensions import ParserCache, ValidationCache
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types

from schema.extensions import ErrorPolicy
from schema.mutations.sync import SyncMutations
from schema.mutations.transitions import TransitionMutations
from schema.queries import Query
from schema.subscriptions import Subscription

Mutation = merge_types("Mutation", (TransitionMutations, SyncMutations))

schema = strawberry.Schema(
    query=Query,
    mutation=Mutation,
    subscription=Subscription,
    config=StrawberryConfig(relay_max_results=100),
    extensions=[ErrorPolicy, ParserCache, ValidationCache],
)
