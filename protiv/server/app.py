"""The application factory: one ServiceContext (database, event hub, clock) for the process,
the GraphQL view on /graphql (HTTP and WebSocket), and a health check."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse
from starlette.routing import Route, WebSocketRoute

from protiv.config import Settings
from protiv.persistence.database import create_database
from protiv.server import graphiql
from protiv.server.gc_tuning import GcTuning
from protiv.server.scheduler import Scheduler, jobs
from protiv.server.view import ProtivGraphQL
from protiv.services.context import ServiceContext
from protiv.services.relay import Relay
from protiv.services.webhook_delivery import WebhookDispatcher
from schema import schema
from schema.webhooks import webhook_message


def create_app(
    settings: Settings | None = None, services: ServiceContext | None = None
) -> Starlette:
    settings = settings or Settings.from_env()
    services = services or ServiceContext(db=create_database(settings.database_url))
    graphql = ProtivGraphQL(
        services,
        schema,
        graphql_ide="graphiql",
        allowed_origins=settings.allowed_origins,
        max_subscriptions_per_connection=20,
        answer_cache=settings.answer_cache,  # PROTIV_ANSWER_CACHE=0 turns it off
    )

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        async with (
            Relay(services),  # every process's events to this one's subscribers
            WebhookDispatcher(services, webhook_message),  # signed, retried webhooks
            Scheduler(services, jobs(settings)),  # periodic jobs: protiv/server/scheduler.py
            GcTuning(services.hub),  # last: freezes what start-up built (gc_tuning.py)
        ):
            yield
        await services.db.dispose()

    async def health(_request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    async def home(_request: Request) -> RedirectResponse:
        return RedirectResponse("/graphql")

    app = Starlette(
        routes=[
            Route("/", home),
            Route("/healthz", health),
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql),
            *graphiql.routes(),  # GraphiQL's scripts, when vendored (scripts/vendor-graphiql)
        ],
        lifespan=lifespan,
        max_body_size=settings.max_body_bytes,  # 413 beyond it (PROTIV_MAX_BODY_BYTES)
    )
    app.state.services = services
    return app
