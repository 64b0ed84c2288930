"""``protiv serve``: migrate, optionally load the demo, then run uvicorn on the app factory."""

from __future__ import annotations

import argparse
from typing import TypedDict

import uvicorn

from protiv.cli import common
from protiv.cli.demo import Loaded, describe, ensure_demo, token_lines
from protiv.persistence.migrate import upgrade
from protiv.services import demo

APP = "protiv.server.app:create_app"  # a factory: each worker process builds its own app
RULE = "=" * 78


class UvicornOptions(TypedDict):
    """How uvicorn serves protiv; the benchmarks' baselines use the same, so the limit beside
    us runs on the same stack."""

    loop: str
    http: str
    ws: str
    ws_per_message_deflate: bool


# Events are a few hundred bytes: compressing each costs a subscriber's delivery more CPU (15% of
# the server's time fanning an event out to 1,000) than it saves in bytes: no per-message deflate.
UVICORN_OPTIONS: UvicornOptions = {
    "loop": "auto",
    "http": "auto",
    "ws": "websockets-sansio",
    "ws_per_message_deflate": False,
}


def register(commands: common.Commands) -> None:
    parser = commands.add_parser(
        "serve",
        help="run the GraphQL server",
        description="Migrate the database, then serve GraphQL (and GraphiQL) on /graphql.",
    )
    parser.add_argument("--host", help="bind address (default: PROTIV_HOST or 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port (default: PROTIV_PORT or 8000)")
    parser.add_argument(
        "--workers",
        type=common.positive_int,
        default=1,
        help="worker processes (default: 1); subscribers on each see every worker's changes: "
        "at once on PostgreSQL (LISTEN/NOTIFY), within half a second on SQLite (a poll)",
    )
    parser.add_argument("--reload", action="store_true", help="restart when the code changes")
    parser.add_argument(
        "--demo",
        action="store_true",
        help="load the demo company first if the database has none, and print an admin token",
    )
    parser.add_argument(
        "--log-level",
        default="info",
        choices=("critical", "error", "warning", "info", "debug"),
        help="uvicorn's log level (default: %(default)s)",
    )
    parser.set_defaults(handler=serve_command)


def serve_command(args: argparse.Namespace) -> int:
    settings = common.settings()
    host = settings.host if args.host is None else args.host
    port = settings.port if args.port is None else args.port
    upgrade(settings.database_url)
    print(f"Database: {common.redact(settings.database_url)} (migrated to head)")
    url = common.graphiql_url(host, port)
    banner = demo_banner(common.run(_demo(settings.database_url)), url) if args.demo else None
    print(banner or f"GraphiQL: {url}", flush=True)
    uvicorn.run(
        APP,
        factory=True,
        host=host,
        port=port,
        workers=args.workers,
        reload=args.reload,
        log_level=args.log_level,
        **UVICORN_OPTIONS,
    )
    return common.OK


async def _demo(database_url: str) -> Loaded | str:
    """The demo (loaded now or earlier) with a new admin token, or why none was loaded."""
    async with common.services(database_url) as ctx:
        if await demo.find_company(ctx, demo.DEMO_SLUG) is None and await demo.any_company(ctx):
            return "--demo: the database already holds other companies, so no demo was loaded."
        return await ensure_demo(ctx, demo.DEMO_SLUG)


def demo_banner(loaded: Loaded | str, url: str) -> str:
    """The demo's token and GraphiQL between rules, where a scrolling log cannot bury them."""
    if isinstance(loaded, str):
        return f"{loaded}\nGraphiQL: {url}"
    body = describe(loaded, url) if loaded.created else "\n".join(token_lines(loaded.token, url))
    return f"{RULE}\n{body}\n{RULE}"
