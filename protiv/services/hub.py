"""In-process fan-out of committed events to subscribers.

Every subscriber gets its own bounded queue; a subscriber that falls too far behind is cut off
(its iterator ends with ``SubscriberTooSlow``) rather than letting memory grow without bound.
Only ``feed.deliver`` publishes: committed events, in feed position order, each once
(``position`` is the last one published; ``delivering`` keeps two deliveries from interleaving).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager

from protiv.domain.errors import Conflict
from protiv.domain.events import EventRecord

Predicate = Callable[[EventRecord], bool]


class SubscriberTooSlow(Conflict):
    """The subscriber's queue overflowed; it should resume from the events feed."""

    def __init__(self) -> None:
        super().__init__(
            "This subscription fell too far behind and was stopped: subscribe again with "
            "`after:` the cursor of the last event you received, to miss nothing."
        )


class _Subscriber:
    __slots__ = ("overflowed", "predicate", "queue")

    def __init__(self, predicate: Predicate, maxsize: int) -> None:
        self.predicate = predicate
        self.queue: asyncio.Queue[EventRecord] = asyncio.Queue(maxsize)
        self.overflowed = False


class EventHub:
    def __init__(self, queue_size: int = 1000) -> None:
        self._subscribers: set[_Subscriber] = set()
        self._queue_size = queue_size
        self.position: int | None = None  # the feed position of the last event published
        self.delivering = asyncio.Lock()
        self._watchers: set[Callable[[], None]] = set()

    @property
    def subscriber_count(self) -> int:
        return len(self._subscribers)

    def publish(self, events: list[EventRecord]) -> None:
        if events:
            for watcher in list(self._watchers):
                watcher()
        for subscriber in list(self._subscribers):
            for event in events:
                if not subscriber.predicate(event):
                    continue
                try:
                    subscriber.queue.put_nowait(event)
                except asyncio.QueueFull:
                    subscriber.overflowed = True
                    self._subscribers.discard(subscriber)
                    break

    @contextmanager
    def watching(self, callback: Callable[[], None]) -> Iterator[None]:
        """Call ``callback`` whenever events are published (cheap and synchronous: it wakes a
        background worker, such as the webhook dispatcher, that reads the table itself)."""
        self._watchers.add(callback)
        try:
            yield
        finally:
            self._watchers.discard(callback)

    @asynccontextmanager
    async def subscribe(self, predicate: Predicate) -> AsyncIterator[AsyncIterator[EventRecord]]:
        subscriber = _Subscriber(predicate, self._queue_size)
        self._subscribers.add(subscriber)
        try:
            yield self._iterate(subscriber)
        finally:
            self._subscribers.discard(subscriber)

    async def _iterate(self, subscriber: _Subscriber) -> AsyncIterator[EventRecord]:
        while True:
            if subscriber.overflowed and subscriber.queue.empty():
                raise SubscriberTooSlow()
            yield await subscriber.queue.get()
