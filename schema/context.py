"""The per-request (or per-WebSocket-connection) context: who is asking, and the loaders.

No database session lives here: strawberry resolves fields concurrently and a WebSocket
context lives as long as the connection, so reads open short sessions through the loaders.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import strawberry
from graphql import GraphQLError

from protiv.domain.roles import Actor
from protiv.services.context import ServiceContext
from protiv.services.visibility import worker_scope
from schema.loaders import Loaders


class NotAuthenticated(GraphQLError):
    """No token, or a bad one: answered with HTTP 401 and code UNAUTHENTICATED."""

    def __init__(self, message: str) -> None:
        super().__init__(message, extensions={"code": "UNAUTHENTICATED"})


@dataclass(slots=True)
class Context:
    services: ServiceContext
    request: Any = None
    response: Any = None
    actor_or_none: Actor | None = None
    auth_problem: str = "Authentication required: send 'Authorization: Bearer <token>'."
    connection_params: Any = None  # the WebSocket connection_init payload
    _loaders: Loaders | None = field(default=None, repr=False)

    @property
    def actor(self) -> Actor:
        if self.actor_or_none is None:
            raise NotAuthenticated(self.auth_problem)
        return self.actor_or_none

    @property
    def loaders(self) -> Loaders:
        if self._loaders is None:
            self._loaders = self._new_loaders()
        return self._loaders

    def fresh_loaders(self) -> Loaders:
        """New loaders (empty caches), e.g. for each event a subscription delivers."""
        self._loaders = self._new_loaders()
        return self._loaders

    def _new_loaders(self) -> Loaders:
        actor = self.actor
        return Loaders(self.services, actor.company_id, worker_scope(actor))


Info = strawberry.Info[Context, None]
