"""Subscriptions over a real WebSocket with the graphql-transport-ws protocol."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest
import websockets
from websockets.typing import Subprotocol

from tests.api.live import serving

PROTOCOL = Subprotocol("graphql-transport-ws")
LEGACY = Subprotocol("graphql-ws")
SUBSCRIBE = """subscription($id: ID) { proPayStatusChanged(id: $id) {
  event { trigger from to actor } proPay { id status version }
} }"""
APPROVE = """mutation($id: ID!) { proPayApprove(input: {id: $id}) { userErrors { code } } }"""


async def _recv(ws: Any, wait: float = 5) -> dict[str, Any]:
    message: dict[str, Any] = json.loads(await asyncio.wait_for(ws.recv(), wait))
    return message


async def _first_pro_pay(http: httpx.AsyncClient, token: str) -> str:
    body = (
        await http.post(
            "/graphql",
            json={"query": "{ proPays(first: 1) { nodes { id } } }"},
            headers={"Authorization": f"Bearer {token}"},
        )
    ).json()
    return str(body["data"]["proPays"]["nodes"][0]["id"])


async def test_a_subscriber_sees_each_committed_status_change(ctx, synced, tokens_by_role):
    from protiv.domain.roles import Role

    token = tokens_by_role[Role.ADMIN]
    async with serving(ctx) as host, httpx.AsyncClient(base_url=f"http://{host}") as http:
        pro_pay_id = await _first_pro_pay(http, token)
        async with websockets.connect(f"ws://{host}/graphql", subprotocols=[PROTOCOL]) as ws:
            await ws.send(
                json.dumps(
                    {"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}}
                )
            )
            assert (await _recv(ws))["type"] == "connection_ack"
            await ws.send(
                json.dumps(
                    {
                        "id": "1",
                        "type": "subscribe",
                        "payload": {"query": SUBSCRIBE, "variables": {"id": pro_pay_id}},
                    }
                )
            )
            await asyncio.sleep(0.1)  # let the subscription register before the change

            headers = {"Authorization": f"Bearer {token}"}
            done = (
                await http.post(
                    "/graphql",
                    json={"query": APPROVE, "variables": {"id": pro_pay_id}},
                    headers=headers,
                )
            ).json()
            assert done["data"]["proPayApprove"]["userErrors"] == []
            message = await _recv(ws)
            assert message["type"] == "next"
            change = message["payload"]["data"]["proPayStatusChanged"]
            assert change["event"]["to"] == "APPROVED"
            assert change["proPay"] == {"id": pro_pay_id, "status": "APPROVED", "version": 2}

            refused = (
                await http.post(
                    "/graphql",
                    json={"query": APPROVE, "variables": {"id": pro_pay_id}},
                    headers=headers,
                )
            ).json()
            assert refused["data"]["proPayApprove"]["userErrors"][0]["code"] == "INVALID_TRANSITION"
            with pytest.raises(TimeoutError):
                await _recv(ws, wait=0.3)  # a refused transition publishes nothing

            await ws.send(json.dumps({"id": "1", "type": "complete"}))


async def test_a_bad_token_is_refused_at_connection_init(ctx, company):
    async with (
        serving(ctx) as host,
        websockets.connect(f"ws://{host}/graphql", subprotocols=[PROTOCOL]) as ws,
    ):
        await ws.send(
            json.dumps({"type": "connection_init", "payload": {"Authorization": "Bearer nope"}})
        )
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await _recv(ws)
        assert closed.value.rcvd is not None
        assert closed.value.rcvd.code == 4403


async def test_the_legacy_graphql_ws_protocol_is_refused(ctx, company):
    """Only graphql-transport-ws: the legacy protocol carried the 2026 auth-bypass advisories."""
    async with (
        serving(ctx) as host,
        websockets.connect(f"ws://{host}/graphql", subprotocols=[LEGACY]) as ws,
    ):
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await _recv(ws, wait=2)
        assert closed.value.rcvd is not None
        assert closed.value.rcvd.code == 4406
