"""The GraphQL view: authenticates every request and every WebSocket connection.

HTTP: ``Authorization: Bearer <token>``; a request without a valid token is answered 401 with
``extensions.code = UNAUTHENTICATED`` (introspection alone is allowed, so GraphiQL can show the
schema before a token is entered). WebSocket: the token goes in the ``connection_init``
payload (browsers cannot set headers on a WebSocket); a bad one closes the socket with 4403.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types import ExecutionResult

from protiv.domain.errors import Unauthenticated
from protiv.services import tokens
from protiv.services.context import ServiceContext
from schema.context import Context


class ProtivGraphQL(GraphQL[Context, None]):
    def __init__(self, services: ServiceContext, schema: Any, **options: Any) -> None:
        super().__init__(
            schema,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            **options,
        )
        self.services = services

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket | None = None
    ) -> Context:
        context = Context(services=self.services, request=request, response=response)
        if isinstance(request, Request):
            await self._authenticate(context, request.headers.get("authorization"))
        return context

    async def _authenticate(self, context: Context, credentials: str | None) -> None:
        try:
            context.actor_or_none = await tokens.authenticate(self.services, credentials)
        except Unauthenticated as problem:
            context.auth_problem = problem.message

    async def on_ws_connect(self, context: Context) -> dict[str, object] | None:
        await self._authenticate(context, _credentials(context.connection_params or {}))
        if context.actor_or_none is None:
            raise ConnectionRejectionError(
                {"message": context.auth_problem, "code": "UNAUTHENTICATED"}
            )
        return {
            "company": context.actor_or_none.company_id,
            "role": context.actor_or_none.role.value,
        }

    async def execute_single(self, *args: Any, **kwargs: Any) -> ExecutionResult:
        """Answer 401 when the operation needed a token it did not get."""
        result = await super().execute_single(*args, **kwargs)
        if any((e.extensions or {}).get("code") == "UNAUTHENTICATED" for e in result.errors or ()):
            kwargs["sub_response"].status_code = 401
        return result


def _credentials(payload: Any) -> str | None:
    if not isinstance(payload, dict):
        return None
    for key in ("Authorization", "authorization", "token", "authToken"):
        value = payload.get(key)
        if isinstance(value, str):
            return value if " " in value.strip() else f"Bearer {value.strip()}"
    headers = payload.get("headers")
    return _credentials(headers) if isinstance(headers, dict) else None
