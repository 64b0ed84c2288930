"""The read side of the permission matrix at the root of the schema.

Every role but WORKER reads its whole company (the reads themselves are company-scoped in
protiv.services.queries). A worker token reads only its own records: the reads behind the
root fields below are scoped to it (protiv.services.visibility), and every other root query or
subscription field is refused with FORBIDDEN before anything runs, so a field added later is
closed to workers until someone opens it here. Mutations are not gated here: each service
checks its own rule and answers FORBIDDEN in ``userErrors``.

Also here: what a node shows a branch-bound manager (``availableActions``) and a worker (its own
shares of a calculation).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from graphql import (
    DefinitionNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
)
from strawberry.extensions import FieldExtension, SchemaExtension
from strawberry.extensions.field_extension import SyncExtensionResolver
from strawberry.relay.types import GlobalIDValueError

from protiv.domain.permissions import branch_bound, covers, reads_only_own
from protiv.persistence import models
from protiv.services.visibility import worker_scope
from schema.context import Info

if TYPE_CHECKING:
    from schema.nodes.calculation import Calculation

# Root query fields whose reads are scoped to the worker's own records.
OWN_READS: frozenset[str] = frozenset(
    {"viewer", "node", "proPay", "proPays", "lineItems", "statements"}
)
GATED = (OperationType.QUERY, OperationType.SUBSCRIPTION)


class AccessGate(SchemaExtension):
    """Refuses a worker token's root fields that are not in OWN_READS (FORBIDDEN)."""

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context.context
        actor = getattr(context, "actor_or_none", None)
        if actor is not None and reads_only_own(actor):
            refused = sorted(self._root_fields() - OWN_READS)
            if refused:
                raise GraphQLError(
                    f"A worker token reads only its own statements, line items and ProPays; "
                    f"it may not ask for {', '.join(refused)}.",
                    extensions={"code": "FORBIDDEN"},
                )
        yield

    def _root_fields(self) -> set[str]:
        document = self.execution_context.graphql_document
        if document is None:
            return set()
        operation = _operation(document.definitions, self.execution_context.operation_name)
        if operation is None or operation.operation not in GATED:
            return set()
        fragments = {
            d.name.value: d.selection_set
            for d in document.definitions
            if isinstance(d, FragmentDefinitionNode)
        }
        return {
            name
            for name in _field_names(operation.selection_set, fragments, set())
            if not name.startswith("__")
        }


def _operation(
    definitions: Iterable[DefinitionNode], name: str | None
) -> OperationDefinitionNode | None:
    operations = [d for d in definitions if isinstance(d, OperationDefinitionNode)]
    for operation in operations:
        if name is None or (operation.name and operation.name.value == name):
            return operation
    return None


def _field_names(
    selection_set: SelectionSetNode, fragments: dict[str, SelectionSetNode], seen: set[str]
) -> Iterator[str]:
    """The root field names of a selection, through fragment spreads and inline fragments."""
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            yield selection.name.value
        elif isinstance(selection, InlineFragmentNode):
            yield from _field_names(selection.selection_set, fragments, seen)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            if name in fragments and name not in seen:
                seen.add(name)
                yield from _field_names(fragments[name], fragments, seen)


async def in_my_branches(info: Info, pro_pays: Sequence[models.ProPay]) -> bool:
    """False when the caller is a manager bound to branches and one of these ProPays is
    outside them: then it may fire nothing on them (``availableActions`` is empty)."""
    actor = info.context.actor
    if not branch_bound(actor):
        return True
    jobs = await info.context.loaders.job.load_many([p.job_id for p in pro_pays])
    return covers(actor, [job.branch_id if job else None for job in jobs])


def visible_shares(info: Info, calculation: Calculation) -> Calculation:
    """A worker sees only its own shares of a ProPay's calculation."""
    worker = worker_scope(info.context.actor)
    if worker is not None:
        for bucket in calculation.buckets:
            bucket.shares = [s for s in bucket.shares if s.worker_id == worker]
    return calculation


# What ``node`` may answer a worker: the types whose reads are scoped to the worker's own
# records (protiv.services.visibility); every other type is null for it, found or not.
WORKER_NODE_TYPES: frozenset[str] = frozenset(
    {"ProPay", "LineItem", "Statement", "Job", "Worker", "Event", "PayPeriod"}
)


class NodeGuard(FieldExtension):
    """``node(id:)``: null for an id of a type that is not a node (instead of an error), and
    for a worker token, null for a type outside WORKER_NODE_TYPES."""

    def resolve(self, next_: SyncExtensionResolver, source: Any, info: Info, **kwargs: Any) -> Any:
        """Sync like the node field's own resolver (which hands back an awaitable)."""
        global_id = kwargs.get("id")
        try:
            global_id.resolve_type(info)  # type: ignore[union-attr]
        except (GlobalIDValueError, AttributeError):
            return None
        actor = info.context.actor_or_none
        kind = getattr(global_id, "type_name", None)
        if actor is not None and reads_only_own(actor) and kind not in WORKER_NODE_TYPES:
            return None
        return next_(source, info, **kwargs)


def guard_node(query: type) -> None:
    """Put the NodeGuard on the root ``node`` field (where the schema is built)."""
    for field in query.__strawberry_definition__.fields:  # type: ignore[attr-defined]
        if field.python_name == "node":
            field.extensions.append(NodeGuard())
