"""Identical live subscriptions share one execution per event.

Every subscription runs its selection set for every event it receives: about 0.2 ms each, so a
thousand dashboards of one company watching the same thing would keep the last of them waiting
for the 999 identical executions before it. Instead, subscriptions with the same document, the
same variables and the same viewer (company, role, worker, branches: what decides what may be
seen) share one source: it runs once, with the first subscriber's context, and each result is
handed to every member: a bounded queue each for a member that iterates, or, for one that
asked (``Membership.deliver``, what protiv/server/fanout.py does for the WebSocket), a call of
its writer in the source's own loop, so no task per member wakes up per event. A member that
joins later receives the events from then on, as a subscription of its own would; the source
stops when its last member leaves.

Not shared: queries and mutations sent over the WebSocket, and any subscription that takes
``after:`` (its replay starts at its own cursor).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable, Hashable
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
Write = Callable[[Any], bool]  # takes one result at once; False: stop handing it results


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


class _Member:
    """A seat at a shared source: takes each result (False: too slow, leave) and the end."""

    def take(self, item: Any) -> bool:
        raise NotImplementedError

    def end(self) -> None:
        raise NotImplementedError


class _Queued(_Member):
    """A member that iterates: a bounded queue of its own, read by its own task."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue[Any] = asyncio.Queue(QUEUE_SIZE)

    def take(self, item: Any) -> bool:
        try:
            self.queue.put_nowait(item)
        except asyncio.QueueFull:  # too slow to keep up: it ends; it resumes with after:
            return False
        return True

    def end(self) -> None:
        with contextlib.suppress(asyncio.QueueEmpty):
            if self.queue.full():
                self.queue.get_nowait()
        self.queue.put_nowait(_END)


class _Handed(_Member):
    """A member whose results are handed to a synchronous ``write`` as the source has them."""

    def __init__(self, write: Write) -> None:
        self.write = write
        self.ended: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def take(self, item: Any) -> bool:
        return self.write(item)

    def end(self) -> None:
        if not self.ended.done():
            self.ended.set_result(None)


class _Source:
    """One running execution and the members that share it."""

    def __init__(self) -> None:
        self.members: set[_Member] = set()
        self.task: asyncio.Task[None] | None = None


class Membership:
    """One subscription's place at a shared source, what ``SharingSchema.stream`` returns.

    Iterate it (an async iterator, as any subscription's stream is) or, faster for a fan-out to
    many sockets, ``await deliver(write)``: the source then calls ``write`` with each result the
    moment it has it, one after the other for every member, instead of waking a task of each
    member's own per event (protiv/server/fanout.py writes to the WebSocket there)."""

    def __init__(self, shared: SharedStreams, key: Hashable, open_source: Open) -> None:
        self._shared, self._key, self._open = shared, key, open_source
        self._queued: _Queued | None = None
        self._closed = False

    def __aiter__(self) -> Membership:
        return self

    async def __anext__(self) -> Any:
        if self._closed:
            raise StopAsyncIteration
        if self._queued is None:
            self._queued = _Queued()
            self._shared.seat(self._key, self._open, self._queued)
        item = await self._queued.queue.get()
        if item is _END:
            await self.aclose()
            raise StopAsyncIteration
        return item

    async def aclose(self) -> None:
        self._closed = True
        if self._queued is not None:
            self._shared.leave(self._key, self._queued)

    async def deliver(self, write: Write) -> None:
        """Hand every result to ``write`` until the source ends, ``write`` returns False (the
        member is too slow, or gone), or this is cancelled (the subscription was completed)."""
        if self._closed or self._queued is not None:
            raise RuntimeError("deliver() on a membership already iterated or closed")
        member = _Handed(write)
        self._shared.seat(self._key, self._open, member)
        try:
            await member.ended
        finally:
            self._closed = True
            self._shared.leave(self._key, member)


class SharedStreams:
    def __init__(self) -> None:
        self._sources: dict[Hashable, _Source] = {}

    @property
    def running(self) -> int:
        return len(self._sources)

    def join(self, key: Hashable, open_source: Open) -> Membership:
        return Membership(self, key, open_source)

    def seat(self, key: Hashable, open_source: Open, member: _Member) -> None:
        """Seat ``member`` at the source of ``key``, started now if none runs."""
        source = self._sources.get(key)
        if source is None:
            source = self._sources[key] = _Source()
            source.task = asyncio.create_task(self._run(key, source, open_source))
        source.members.add(member)

    def leave(self, key: Hashable, member: _Member) -> None:
        """The source stops when its last member leaves."""
        source = self._sources.get(key)
        if source is None or member not in source.members:
            return
        source.members.discard(member)
        if not source.members and source.task is not None:
            del self._sources[key]
            source.task.cancel()

    async def _run(self, key: Hashable, source: _Source, open_source: Open) -> None:
        try:
            stream = await open_source()
            async with contextlib.aclosing(stream):
                async for result in stream:
                    for member in list(source.members):
                        self._hand(source, member, result)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("a shared subscription failed")
        finally:
            if self._sources.get(key) is source:
                del self._sources[key]
            for member in list(source.members):
                member.end()

    @staticmethod
    def _hand(source: _Source, member: _Member, item: Any) -> None:
        if not member.take(item):  # too slow to keep up, or gone: it ends
            source.members.discard(member)
            member.end()
