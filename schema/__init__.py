"""The GraphQL schema (strawberry): queries, one mutation per transition, subscriptions."""

from __future__ import annotations

from strawberry.extensions import ParserCache, ValidationCache
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types
from strawberry.types.base import get_object_definition

from schema.access import AccessGate, guard_node
from schema.extensions import ErrorPolicy
from schema.extra_queries import AdminQueries, DiagnosticsQueries, PayoutQueries
from schema.idempotency import install
from schema.limits import LIMITS
from schema.mutations.admin import AdminMutations
from schema.mutations.editing import EditingMutations
from schema.mutations.integrations import IntegrationsMutations
from schema.mutations.payouts import PayoutsMutations
from schema.mutations.sync import SyncMutations
from schema.mutations.transitions import TransitionMutations
from schema.mutations.webhooks import WebhookMutations
from schema.pool_queries import PoolQueries
from schema.prepared import RememberQueries
from schema.queries import Query as CoreQuery
from schema.sharing import SharingSchema
from schema.subscriptions import Subscription
from schema.webhooks import WebhookQueries

Query = merge_types(
    "Query",
    (CoreQuery, DiagnosticsQueries, PayoutQueries, AdminQueries, PoolQueries, WebhookQueries),
)
Mutation = merge_types(
    "Mutation",
    (
        TransitionMutations,
        SyncMutations,
        EditingMutations,
        IntegrationsMutations,
        PayoutsMutations,
        AdminMutations,
        WebhookMutations,
    ),
)
READS = "Reads, scoped to your company: keyset connections, and `node(id:)` for any record."
WRITES = "Writes: one mutation per transition; a refusal comes back as `userErrors`, not an error."
get_object_definition(Query, strict=True).description = READS
get_object_definition(Mutation, strict=True).description = WRITES
IDEMPOTENT_MUTATIONS = install(Mutation)  # every mutation whose input takes an idempotencyKey
guard_node(Query)  # node(id:) answers a worker token only about its own kinds of record

schema = SharingSchema(  # identical live subscriptions share one execution: schema/sharing.py
    query=Query,
    mutation=Mutation,
    subscription=Subscription,
    config=StrawberryConfig(relay_max_results=100),
    extensions=[RememberQueries, ErrorPolicy, *LIMITS, AccessGate, ParserCache, ValidationCache],
)
