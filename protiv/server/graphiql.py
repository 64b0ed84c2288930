"""GraphiQL without a CDN: the page and its scripts come from this server.

strawberry's own page loads React and GraphiQL from unpkg, which an air-gapped machine (or a
strict CSP) cannot reach. ``scripts/vendor-graphiql`` copies the pinned builds from the npm
packages (tests/js/package-lock.json) into ``static/graphiql/``; when they are there, the page
uses them, and when they are not, strawberry's CDN page is served as before.
"""

from __future__ import annotations

from pathlib import Path

from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles

ASSETS = Path(__file__).with_name("static") / "graphiql"
ASSETS_URL = "/static/graphiql"
FILES = (
    "react.production.min.js",
    "react-dom.production.min.js",
    "graphiql.min.js",
    "graphiql.min.css",
    "plugin-explorer.umd.js",
    "plugin-explorer.css",
)
TEMPLATE = Path(__file__).with_name("graphiql.html")


def vendored() -> bool:
    """Whether every asset the local page needs has been vendored."""
    return all((ASSETS / name).is_file() for name in FILES)


def page(cdn_page: str) -> str:
    """The local page when the assets are vendored, else ``cdn_page`` (strawberry's)."""
    if not vendored():
        return cdn_page
    return TEMPLATE.read_text(encoding="utf-8").replace("{{assets}}", ASSETS_URL)


def routes() -> list[BaseRoute]:
    """The static route for the vendored assets (none when they are not there)."""
    if not vendored():
        return []
    return [Mount(ASSETS_URL, StaticFiles(directory=ASSETS), name="graphiql-assets")]
