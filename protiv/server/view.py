"""The GraphQL view: authenticates every request and every WebSocket connection.

HTTP: ``Authorization: Bearer <token>``; a request without a valid token is answered 401 with
``extensions.code = UNAUTHENTICATED`` (introspection alone is allowed, so GraphiQL can show the
schema before a token is entered). WebSocket: the token goes in the ``connection_init``
payload (browsers cannot set headers on a WebSocket); a bad one closes the socket with 4403.

Responses follow the GraphQL-over-HTTP spec (``protiv.server.http_spec``): a client that asks for
``application/graphql-response+json`` gets that media type, a 400 with no ``data`` for a request
error; ``application/json`` keeps 200. A mutation sent over GET is answered 405 (Allow: POST).
"""

from __future__ import annotations

from typing import Any

from cross_web import AsyncHTTPRequestAdapter, HTTPException
from graphql import GraphQLError
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.types import Message, Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.schema.exceptions import InvalidOperationTypeError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

from protiv.domain.errors import Unauthenticated
from protiv.server import graphiql, http_spec
from protiv.server.fanout import FanOutTransportWSHandler
from protiv.server.fast_path import FastPath
from protiv.services import tokens
from protiv.services.context import ServiceContext
from schema.context import Context


class ProtivGraphQL(GraphQL[Context, None]):
    # Shared subscriptions write each event straight to every socket: protiv/server/fanout.py.
    graphql_transport_ws_handler_class = FanOutTransportWSHandler

    def __init__(
        self, services: ServiceContext, schema: Any, *, answer_cache: bool = True, **options: Any
    ) -> None:
        super().__init__(
            schema,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            **options,
        )
        self.services = services
        self.fast_path = FastPath(services, schema, self.encode_json, cache=answer_cache)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """A POST of a query answered before goes the fast path; everything else, and whatever
        the fast path declines, the full one (protiv.server.fast_path says which is which)."""
        if scope["type"] == "http" and scope["method"] == "POST":
            request = Request(scope, receive)
            body = await request.body()
            response = await self.fast_path.answer(request, body)
            if response is not None:
                await response(scope, receive, send)
                return
            receive = _replay(body, receive)
        await super().__call__(scope, receive, send)

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

    async def render_graphql_ide(self, request: Request) -> Response:
        """GraphiQL from this server's own copy of its scripts when vendored (no CDN)."""
        return HTMLResponse(graphiql.page(self.graphql_ide_html))

    async def get_sub_response(self, request: Request | WebSocket) -> Response:
        """The negotiated media type travels on the sub-response to ``create_response``."""
        sub_response = await super().get_sub_response(request)
        sub_response.media_type = http_spec.response_media_type(request.headers.get("accept"))
        return sub_response

    async def execute_single(
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        sub_response: Response,
        context: Context,
        root_value: None,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        """Run one operation and pick its status code (401, 400, 405 or the default 200)."""
        try:
            result = await super().execute_single(
                request=request,
                request_adapter=request_adapter,
                sub_response=sub_response,
                context=context,
                root_value=root_value,
                request_data=request_data,
            )
        except HTTPException as refused:
            if not _is_mutation_over_get(refused):
                raise
            sub_response.headers["allow"] = "POST"
            sub_response.status_code = 405
            return ExecutionResult(data=None, errors=[_MUTATION_OVER_GET])
        status = http_spec.status_code(result, sub_response.media_type or http_spec.JSON)
        if status == 401:
            sub_response.headers["www-authenticate"] = 'Bearer realm="protiv"'
        if status is not None:
            sub_response.status_code = status
        return result

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        """Under application/graphql-response+json a request error has no ``data`` entry."""
        response = await super().process_result(request, result)
        media_type = http_spec.response_media_type(request.headers.get("accept"))
        if media_type == http_spec.GRAPHQL_RESPONSE_JSON and http_spec.is_request_error(result):
            response.pop("data", None)
        return response

    def create_response(
        self,
        response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse],
        sub_response: Response,
    ) -> Response:
        response = super().create_response(response_data, sub_response)
        if sub_response.media_type == http_spec.GRAPHQL_RESPONSE_JSON:
            response.headers["content-type"] = f"{http_spec.GRAPHQL_RESPONSE_JSON}; charset=utf-8"
        return response


_MUTATION_OVER_GET = GraphQLError(
    "Mutations are not allowed over GET: send them with POST.",
    extensions={"code": "METHOD_NOT_ALLOWED"},
)


def _is_mutation_over_get(refused: HTTPException) -> bool:
    cause = refused.__cause__
    return (
        isinstance(cause, InvalidOperationTypeError)
        and cause.operation_type is OperationType.MUTATION
    )


def _replay(body: bytes, receive: Receive) -> Receive:
    """The request's body again, for the full path after the fast path has read it."""
    pending = [{"type": "http.request", "body": body, "more_body": False}]

    async def replayed() -> Message:
        return pending.pop() if pending else await receive()

    return replayed


def _credentials(payload: Any) -> str | None:
    if not isinstance(payload, dict):
        return None
    for key in ("Authorization", "authorization", "token", "authToken"):
        value = payload.get(key)
        if isinstance(value, str):
            return value if " " in value.strip() else f"Bearer {value.strip()}"
    headers = payload.get("headers")
    return _credentials(headers) if isinstance(headers, dict) else None
