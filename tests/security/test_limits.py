"""Each limit against a hostile request: query depth, tokens, aliases, ``first``, the request
body, subscriptions per connection, the WebSocket origin allow-list, and what errors show."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest
import websockets
from websockets.typing import Origin, Subprotocol

from protiv.config import Settings
from protiv.domain.roles import Role
from protiv.server.app import create_app
from protiv.services import queries
from schema.limits import MAX_ALIASES, MAX_DEPTH, MAX_TOKENS
from tests.api.live import serving

PROTOCOL = Subprotocol("graphql-transport-ws")


def _errors(response: httpx.Response) -> list[str]:
    return [e["message"] for e in response.json().get("errors", [])]


def _nested(levels: int) -> str:
    """proPays → job → proPays → job ... ``levels`` selections deep."""
    inner = "name"
    for level in range(levels - 1):
        inner = f"job {{ {inner} }}" if level % 2 == 0 else f"proPays {{ {inner} }}"
    return f"{{ proPays {{ nodes {{ {inner} }} }} }}"


async def test_a_query_deeper_than_the_limit_is_refused_before_it_runs(api, synced):
    too_deep = await api.raw(_nested(MAX_DEPTH + 3))
    assert any("exceeds maximum operation depth" in m for m in _errors(too_deep))
    assert too_deep.json().get("data") is None
    assert "errors" not in (await api.raw(_nested(MAX_DEPTH - 2))).json()


async def test_a_document_with_too_many_tokens_is_refused(api, synced):
    hostile = "{ viewer { " + "name " * MAX_TOKENS + "} }"
    response = await api.raw(hostile)
    assert any(f"more than {MAX_TOKENS} tokens" in m for m in _errors(response))


async def test_too_many_aliases_are_refused_even_through_fragments(api, synced):
    aliases = " ".join(f"a{i}: viewer {{ name }}" for i in range(MAX_ALIASES + 1))
    assert any("aliases" in m for m in _errors(await api.raw(f"{{ {aliases} }}")))
    half = MAX_ALIASES // 2 + 1
    fragment = " ".join(f"f{i}: viewer {{ name }}" for i in range(half))
    spread = f"fragment F on Query {{ {fragment} }} query {{ ...F " + " ".join(
        f"g{i}: viewer {{ name }}" for i in range(half)
    )
    assert any("aliases" in m for m in _errors(await api.raw(spread + " }")))


async def test_first_is_at_most_100(api, synced):
    refused = await api.raw("{ proPays(first: 101) { totalCount } }")
    [error] = refused.json()["errors"]
    assert error["extensions"]["code"] == "VALIDATION"
    assert "between 1 and 100" in error["message"]
    assert "errors" not in (await api.raw("{ proPays(first: 100) { totalCount } }")).json()


async def test_a_request_body_over_the_limit_is_answered_413(ctx, tokens_by_role):
    app = create_app(Settings(max_body_bytes=4096), services=ctx)
    headers = {"Authorization": f"Bearer {tokens_by_role[Role.ADMIN]}"}
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        small = await http.post("/graphql", json={"query": "{ viewer { name } }"}, headers=headers)
        assert small.status_code == 200
        padded = {"query": "{ viewer { name } }", "variables": {"pad": "x" * 5000}}
        assert (await http.post("/graphql", json=padded, headers=headers)).status_code == 413


async def test_errors_are_masked_only_when_unexpected(api, synced, monkeypatch, caplog):
    validation = await api.raw("{ nope }")
    assert _errors(validation) == [
        "Cannot query field 'nope' on type 'Query'. Did you mean 'node'?"
    ]

    async def broken(*_args: Any) -> Any:
        raise RuntimeError("password=hunter2 at db.internal:5432")

    monkeypatch.setattr(queries, "company", broken)
    masked = await api.raw("{ viewer { name company { name } } }")
    assert "hunter2" not in masked.text
    [error] = masked.json()["errors"]
    assert (error["message"], error["extensions"]["code"]) == ("Unexpected error.", "INTERNAL")
    assert "hunter2" in caplog.text  # kept in the server's log


# -- over a real WebSocket ----------------------------------------------------------------------


async def _init(ws: Any, token: str) -> dict[str, Any]:
    await ws.send(json.dumps({"type": "connection_init", "payload": {"Authorization": token}}))
    answer: dict[str, Any] = json.loads(await asyncio.wait_for(ws.recv(), 5))
    return answer


async def test_subscriptions_per_connection_are_limited(ctx, synced, tokens_by_role):
    token = f"Bearer {tokens_by_role[Role.ADMIN]}"
    async with (
        serving(ctx) as host,
        websockets.connect(f"ws://{host}/graphql", subprotocols=[PROTOCOL]) as ws,
    ):
        assert (await _init(ws, token))["type"] == "connection_ack"
        for n in range(21):
            query = "subscription { statusChanged { trigger } }"
            await ws.send(
                json.dumps({"id": str(n), "type": "subscribe", "payload": {"query": query}})
            )
        answer = json.loads(await asyncio.wait_for(ws.recv(), 5))
        assert (answer["id"], answer["type"]) == ("20", "error")
        assert answer["payload"][0]["message"] == "Subscription limit reached"


async def test_only_allowed_origins_may_open_a_websocket(ctx, company, tokens_by_role):
    settings = Settings(allowed_origins=("https://app.example",))
    token = f"Bearer {tokens_by_role[Role.ADMIN]}"
    async with serving(ctx, settings) as host:
        url = f"ws://{host}/graphql"
        with pytest.raises(websockets.InvalidStatus) as refused:
            async with websockets.connect(
                url, subprotocols=[PROTOCOL], origin=Origin("https://evil.example")
            ):
                pass
        assert refused.value.response.status_code == 403
        async with websockets.connect(
            url, subprotocols=[PROTOCOL], origin=Origin("https://app.example")
        ) as ws:
            assert (await _init(ws, token))["type"] == "connection_ack"


async def test_no_root_field_hands_out_more_than_100_at_once(api, synced):
    """Every root field that takes ``first`` refuses 101 (from the schema: a new one is checked
    too)."""
    from graphql import get_named_type, is_leaf_type

    from schema import schema

    root = schema._schema.query_type
    assert root is not None
    paged = [name for name, field in root.fields.items() if "first" in field.args]
    assert len(paged) >= 10
    accepted = []
    for name in paged:
        field = root.fields[name]
        named = get_named_type(field.type)
        selection = "" if is_leaf_type(named) else "{ __typename }"
        required = [
            a for a, arg in field.args.items() if str(arg.type).endswith("!") and a != "first"
        ]
        if required:
            continue  # needs ids of records; the connections that do are checked above
        response = await api.raw(f"{{ {name}(first: 101) {selection} }}")
        if "errors" not in response.json():
            accepted.append(name)
    assert accepted == []


async def test_errors_in_a_subscription_are_masked_too(ctx, company, monkeypatch):
    from protiv.domain.roles import Actor
    from protiv.services import feed
    from schema import schema
    from schema.context import Context

    def broken(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError("password=hunter2")

    monkeypatch.setattr(feed, "follow", broken)
    actor = Actor(company_id=company.id, role=Role.ADMIN, name="ada")
    stream = await schema.subscribe(
        "subscription { statusChanged { trigger } }",
        context_value=Context(services=ctx, actor_or_none=actor),
    )
    first = await asyncio.wait_for(anext(stream), 5)
    await stream.aclose()
    assert [(e.message, (e.extensions or {}).get("code")) for e in first.errors or []] == [
        ("Unexpected error.", "INTERNAL")
    ]
