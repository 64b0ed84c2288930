"""Identical live subscriptions share one execution per event.

Every subscription runs its selection set for every event it receives: about 0.2 ms each, so a
thousand dashboards of one company watching the same thing would keep the last of them waiting
for the 999 identical executions before it. Instead, subscriptions with the same document, the
same variables and the same viewer (company, role, worker, branches: what decides what may be
seen) share one source: it runs once, with the first subscriber's context, and each result is
handed to every member (a bounded queue each). A member that joins later receives the events
from then on, as a subscription of its own would; the source stops when its last member leaves.

Not shared: queries and mutations sent over the WebSocket, and any subscription that takes
``after:`` (its replay starts at its own cursor).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncGenerator, Awaitable, Callable, Hashable
from functools import lru_cache
from typing import Any

import strawberry
from graphql import (
    ArgumentNode,
    DocumentNode,
    GraphQLError,
    OperationDefinitionNode,
    OperationType,
    parse,
    visit,
)
from graphql.language import Visitor
from strawberry.types.graphql import OperationType as StrawberryOperationType

log = logging.getLogger("protiv.subscriptions")
QUEUE_SIZE = 1000
_END = object()

Open = Callable[[], Awaitable[Any]]


class SharingSchema(strawberry.Schema):
    """strawberry's Schema, with identical live subscriptions sharing their execution."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.shared = SharedStreams()

    async def stream(
        self,
        query: str | None,
        variable_values: dict[str, Any] | None = None,
        context_value: Any | None = None,
        root_value: Any | None = None,
        operation_name: str | None = None,
        operation_extensions: dict[str, Any] | None = None,
        allowed_operation_types: Any = None,
    ) -> Any:
        async def open_source() -> Any:
            return await super(SharingSchema, self).stream(
                query,
                variable_values=variable_values,
                context_value=context_value,
                root_value=root_value,
                operation_name=operation_name,
                operation_extensions=operation_extensions,
                allowed_operation_types=allowed_operation_types,
            )

        key = None
        subscriptions_allowed = (
            allowed_operation_types is None
            or StrawberryOperationType.SUBSCRIPTION in allowed_operation_types
        )
        if subscriptions_allowed and not operation_extensions:
            key = sharing_key(query, variable_values, operation_name, context_value)
        if key is None:
            return await open_source()
        return self.shared.join(key, open_source)


def sharing_key(
    query: str | None, variables: dict[str, Any] | None, operation_name: str | None, context: Any
) -> Hashable | None:
    """What identical subscriptions have in common; None for anything not to share."""
    actor = getattr(context, "actor_or_none", None)
    if actor is None or query is None or not _live_subscription(query, operation_name):
        return None
    try:
        values = json.dumps(variables or {}, sort_keys=True)
    except (TypeError, ValueError):
        return None
    viewer = (actor.company_id, actor.role, actor.worker_id, actor.branch_ids)
    return (query, values, operation_name, viewer)


@lru_cache(maxsize=256)
def _live_subscription(query: str, operation_name: str | None) -> bool:
    """True for a subscription operation none of whose fields takes ``after``."""
    try:
        document = parse(query)
    except GraphQLError:
        return False
    operation = _operation(document, operation_name)
    if operation is None or operation.operation is not OperationType.SUBSCRIPTION:
        return False
    arguments: list[str] = []

    class Arguments(Visitor):
        def enter_argument(self, node: ArgumentNode, *_: Any) -> None:
            arguments.append(node.name.value)

    visit(operation, Arguments())
    return "after" not in arguments


def _operation(document: DocumentNode, name: str | None) -> OperationDefinitionNode | None:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name is None:
        return operations[0] if len(operations) == 1 else None
    return next((o for o in operations if o.name and o.name.value == name), None)


class _Source:
    """One running execution and the queues of the subscriptions that share it."""

    def __init__(self) -> None:
        self.members: set[asyncio.Queue[Any]] = set()
        self.task: asyncio.Task[None] | None = None


class SharedStreams:
    def __init__(self) -> None:
        self._sources: dict[Hashable, _Source] = {}

    @property
    def running(self) -> int:
        return len(self._sources)

    async def join(self, key: Hashable, open_source: Open) -> AsyncGenerator[Any, None]:
        source = self._sources.get(key)
        if source is None:
            source = self._sources[key] = _Source()
            source.task = asyncio.create_task(self._run(key, source, open_source))
        queue: asyncio.Queue[Any] = asyncio.Queue(QUEUE_SIZE)
        source.members.add(queue)
        try:
            while (item := await queue.get()) is not _END:
                yield item
        finally:
            source.members.discard(queue)
            if not source.members and source.task is not None:  # the last one: stop it
                if self._sources.get(key) is source:
                    del self._sources[key]
                source.task.cancel()

    async def _run(self, key: Hashable, source: _Source, open_source: Open) -> None:
        try:
            stream = await open_source()
            async with contextlib.aclosing(stream):
                async for result in stream:
                    for queue in list(source.members):
                        self._hand(source, queue, result)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("a shared subscription failed")
        finally:
            if self._sources.get(key) is source:
                del self._sources[key]
            for queue in list(source.members):
                self._hand(source, queue, _END)

    @staticmethod
    def _hand(source: _Source, queue: asyncio.Queue[Any], item: Any) -> None:
        try:
            queue.put_nowait(item)
        except asyncio.QueueFull:  # a member too slow to keep up: it ends; it resumes with after:
            source.members.discard(queue)
            with contextlib.suppress(asyncio.QueueEmpty):
                queue.get_nowait()
            queue.put_nowait(_END)
