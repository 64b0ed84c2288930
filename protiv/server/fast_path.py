"""The fast path for a query the server has answered before.

strawberry's HTTP view and ``Schema.execute`` cost several hundred microseconds a request
before any resolver runs: request adapters, a sub-response, a fresh instance of every schema
extension, and a context manager per extension per phase (operation, parse, validate,
execute). For a query document this process has already parsed, validated and answered
without error (``schema.prepared``) none of that decides anything, so a plain JSON POST of
such a query from an authenticated, non-worker token is executed here directly, through the
same graphql-core executor, schema, context class and loaders strawberry uses.

Anything else takes the full path: GET, batches, another content type, ``extensions`` in the
body, a streaming ``Accept``, a missing or bad token, a worker token (the access gate), an
unknown document, and any result with an error (the query is then answered again by the full
path, which applies the error policy and the status codes; a query changes nothing, so
answering it twice is safe). Mutations and subscriptions never come here.
"""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from graphql import ExecutionResult
from graphql.execution.middleware import MiddlewareManager
from starlette.requests import Request
from starlette.responses import Response
from strawberry.execution import optimized_is_awaitable
from strawberry.schema._graphql_core import execute, execution_context_class_kwargs
from strawberry.utils.await_maybe import await_maybe

from protiv.domain.errors import Unauthenticated
from protiv.domain.permissions import reads_only_own
from protiv.domain.roles import Actor
from protiv.server import answers, http_spec
from protiv.server.answers import Answers
from protiv.services import tokens
from protiv.services.context import ServiceContext
from schema.context import Context
from schema.prepared import PREPARED

Encoder = Callable[[object], str | bytes]
Operation = tuple[str, dict[str, Any] | None, str | None]  # query, variables, operationName
_BODY_KEYS = frozenset(("query", "variables", "operationName"))
_NO_MIDDLEWARE = MiddlewareManager()


class FastPath:
    """Executes a known query document straight through graphql-core, or says it cannot."""

    def __init__(
        self, services: ServiceContext, schema: Any, encode: Encoder, *, cache: bool = True
    ) -> None:
        self.services = services
        self.schema = schema
        self.encode = encode
        self.answers = Answers() if cache else None
        self._context_class_kwargs = execution_context_class_kwargs(schema.execution_context_class)

    async def answer(self, request: Request, body: bytes) -> Response | None:
        """The response, or None when the full path must answer instead."""
        headers = request.headers
        accept = headers.get("accept")
        if not _plain_json(headers.get("content-type"), accept):
            return None
        operation = _operation(body)
        credentials = headers.get("authorization")
        if operation is None or credentials is None:
            return None
        document = PREPARED.get(operation[0], operation[2])
        if document is None:
            return None
        try:
            actor = await tokens.authenticate(self.services, credentials)
        except Unauthenticated:
            return None
        if reads_only_own(actor):
            return None
        answer = await self._answer(actor, document, operation, request)
        return None if answer is None else _response(answer, accept)

    async def _answer(
        self, actor: Actor, document: Any, operation: Operation, request: Request
    ) -> bytes | None:
        """The encoded answer: kept from before while the data is unchanged, else executed."""
        query, variables, operation_name = operation
        if self.answers is None:
            return await self._run(actor, document, operation, request)
        cache_key = answers.key(actor, query, operation_name, variables)
        now = self.services.clock()
        if self.answers.is_cheap(cache_key, now):
            return await self._run(actor, document, operation, request)
        version = await self.services.db.version.current()  # before the data it vouches for
        body = self.answers.get(cache_key, version, now)
        if body is not None:
            return body
        return await self.answers.single_flight(
            cache_key,
            version,
            now,
            lambda: self._timed_run(cache_key, now, document, operation, request, actor),
        )

    async def _timed_run(
        self,
        cache_key: answers.Key,
        now: datetime,
        document: Any,
        operation: Operation,
        request: Request,
        actor: Actor,
    ) -> bytes | None:
        started = time.perf_counter()
        body = await self._run(actor, document, operation, request)
        if self.answers is not None and time.perf_counter() - started < self._cheap_seconds():
            self.answers.mark_cheap(cache_key, now)
        return body

    def _cheap_seconds(self) -> float:
        if answers.CHEAP_SECONDS is not None:
            return answers.CHEAP_SECONDS
        return self.services.db.version.cost

    async def _run(
        self, actor: Actor, document: Any, operation: Operation, request: Request
    ) -> bytes | None:
        _query, variables, operation_name = operation
        context = Context(services=self.services, request=request, actor_or_none=actor)
        result = await self._execute(document, variables, operation_name, context)
        if result.errors:
            return None
        encoded = self.encode({"data": result.data})
        return encoded.encode() if isinstance(encoded, str) else encoded

    async def _execute(
        self,
        document: Any,
        variables: dict[str, Any] | None,
        operation_name: str | None,
        context: Context,
    ) -> ExecutionResult:
        outcome: ExecutionResult | Awaitable[ExecutionResult] = execute(
            self.schema._schema,
            document,
            root_value=None,
            middleware=_NO_MIDDLEWARE,
            variable_values=variables,
            operation_name=operation_name,
            context_value=context,
            is_awaitable=optimized_is_awaitable,  # type: ignore[arg-type]
            operation_extensions=None,
            **self._context_class_kwargs,
        )
        result: ExecutionResult = await await_maybe(outcome)
        return result


def _plain_json(content_type: str | None, accept: str | None) -> bool:
    if content_type is None or content_type.split(";", 1)[0].strip().lower() != http_spec.JSON:
        return False
    return accept is None or not ("multipart" in accept or "event-stream" in accept)


def _operation(body: bytes) -> Operation | None:
    """(query, variables, operationName) of a plain single-operation body, else None."""
    try:
        data = json.loads(body)
    except ValueError:
        return None
    if not isinstance(data, dict) or not data.keys() <= _BODY_KEYS:
        return None
    query, variables, name = data.get("query"), data.get("variables"), data.get("operationName")
    if not isinstance(query, str):
        return None
    if variables is not None and not isinstance(variables, dict):
        return None
    if name is not None and not isinstance(name, str):
        return None
    return query, variables, name


def _response(content: bytes, accept: str | None) -> Response:
    """200 with the negotiated media type, as the full path answers a result without errors."""
    if http_spec.response_media_type(accept) == http_spec.GRAPHQL_RESPONSE_JSON:
        response = Response(content, media_type=http_spec.GRAPHQL_RESPONSE_JSON)
        response.headers["content-type"] = f"{http_spec.GRAPHQL_RESPONSE_JSON}; charset=utf-8"
        return response
    return Response(content, media_type=http_spec.JSON)
