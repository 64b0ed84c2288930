"""The limits beside us: the same web stack without protiv, served by uvicorn exactly as
``protiv serve`` is (uvloop, httptools, one worker).

``plain``: a Starlette endpoint that reads the JSON request body and answers a small JSON
document, the most an HTTP endpoint on this stack can do. ``stock``: strawberry out of the box
(no caches) answering ``{ hello }``, what a team gets before tuning. Both answer ``/healthz``.
"""

from __future__ import annotations

import strawberry
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from strawberry.asgi import GraphQL


async def _health(_request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


async def _plain(request: Request) -> JSONResponse:
    await request.json()
    return JSONResponse({"data": {"viewer": {"id": "admin:bench"}}})


plain = Starlette(routes=[Route("/healthz", _health), Route("/graphql", _plain, methods=["POST"])])


@strawberry.type
class Query:
    @strawberry.field
    def hello(self) -> str:
        return "world"


stock = Starlette(
    routes=[
        Route("/healthz", _health),
        Route("/graphql", GraphQL(strawberry.Schema(Query)), methods=["GET", "POST"]),
    ]
)
