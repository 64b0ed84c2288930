"""The GraphiQL page loads its scripts from this server when they are vendored, and falls back
to strawberry's CDN page when they are not."""

from __future__ import annotations

import pytest

from protiv.server import graphiql
from tests.clients.node import missing

HTML = {"Accept": "text/html"}


async def test_the_page_and_its_scripts_come_from_this_server(client):
    if not graphiql.vendored():
        missing("GraphiQL's scripts are not vendored: run scripts/vendor-graphiql")
    page = (await client.get("/graphql", headers=HTML)).text
    assert "unpkg" not in page
    for name in graphiql.FILES:
        assert f"{graphiql.ASSETS_URL}/{name}" in page
        asset = await client.get(f"{graphiql.ASSETS_URL}/{name}")
        assert asset.status_code == 200, name
        assert asset.content == (graphiql.ASSETS / name).read_bytes()


async def test_without_vendored_scripts_the_cdn_page_is_served(
    client, monkeypatch: pytest.MonkeyPatch, tmp_path
):
    monkeypatch.setattr(graphiql, "ASSETS", tmp_path)
    page = (await client.get("/graphql", headers=HTML)).text
    assert "https://unpkg.com/graphiql" in page
