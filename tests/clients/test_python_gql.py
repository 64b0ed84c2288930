"""The Python ``gql`` client, as a script would use it, against a served instance: queries and
mutations over HTTP (httpx transport), and a subscription over WebSocket that receives a
status change (graphql-transport-ws, the token in the connection_init payload)."""

from __future__ import annotations

import asyncio

import pytest
from gql import Client, GraphQLRequest, gql
from gql.transport.exceptions import TransportQueryError
from gql.transport.httpx import HTTPXAsyncTransport
from gql.transport.websockets import WebsocketsTransport

from tests.clients.conftest import Served

ACTIVE = gql(
    "{ proPays(first: 5, filter: {status: [ACTIVE]}) { nodes { id title version events { cursor } } } }"
)
CANCEL = gql(
    """mutation Cancel($id: ID!, $version: Int) {
      proPayCancel(input: {id: $id, expectedVersion: $version, reason: "Paused (gql)"}) {
        proPay { status version } event { trigger from to } userErrors { code message }
      }
    }"""
)
SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
CHANGES = gql(
    """subscription($id: ID, $after: String) { proPayStatusChanged(id: $id, after: $after) {
      event { trigger from to actor } proPay { id status }
    } }"""
)


def _cancel(pro_pay_id: str, version: int | None = None) -> GraphQLRequest:
    return GraphQLRequest(CANCEL, variable_values={"id": pro_pay_id, "version": version})


def _http(served: Served, token: str | None = None) -> Client:
    transport = HTTPXAsyncTransport(
        url=served.url, headers={"Authorization": f"Bearer {token or served.token}"}
    )
    return Client(transport=transport, fetch_schema_from_transport=True)


async def test_gql_over_http_queries_and_mutates(served: Served) -> None:
    async with _http(served) as session:
        (pro_pay,) = (await session.execute(ACTIVE))["proPays"]["nodes"]
        cancel = _cancel(pro_pay["id"], version=pro_pay["version"])
        done = (await session.execute(cancel))["proPayCancel"]
        assert done["userErrors"] == []
        assert done["proPay"] == {"status": "CANCELED", "version": 2}
        again = (await session.execute(cancel))["proPayCancel"]
        assert again["userErrors"][0]["code"] == "CONFLICT"  # expectedVersion 1 is stale


@SQLITE_ONLY  # the client, not the database
async def test_gql_validates_against_the_introspected_schema(served: Served) -> None:
    async with _http(served) as session:
        with pytest.raises(Exception, match="nope"):
            await session.execute(gql("{ proPays(first: 1) { nope } }"))


@SQLITE_ONLY  # the client, not the database
async def test_gql_reports_a_bad_token_as_an_error(served: Served) -> None:
    transport = HTTPXAsyncTransport(url=served.url, headers={"Authorization": "Bearer nope"})
    async with Client(transport=transport) as session:
        with pytest.raises(TransportQueryError, match=r"UNAUTHENTICATED|token"):
            await session.execute(gql("{ viewer { role } }"))


async def test_gql_subscription_over_websocket_receives_a_status_change(served: Served) -> None:
    async with _http(served) as http:
        (pro_pay,) = (await http.execute(ACTIVE))["proPays"]["nodes"]
        transport = WebsocketsTransport(
            url=served.ws_url, init_payload={"Authorization": f"Bearer {served.token}"}
        )
        async with Client(transport=transport) as ws:
            # Resuming after the ProPay's last event: the change arrives even if it commits
            # before the server has registered the subscription.
            after = pro_pay["events"][-1]["cursor"]
            variables = {"id": pro_pay["id"], "after": after}
            changes = ws.subscribe(GraphQLRequest(CHANGES, variable_values=variables))
            first = asyncio.ensure_future(anext(changes))
            if after is None:  # not sequenced yet: give the subscription a moment instead
                await asyncio.sleep(0.3)
            await http.execute(_cancel(pro_pay["id"]))
            change = (await asyncio.wait_for(first, 5))["proPayStatusChanged"]
            await changes.aclose()
    assert change["event"]["trigger"] == "cancel"
    assert (change["event"]["from"], change["event"]["to"]) == ("ACTIVE", "CANCELED")
    assert change["proPay"] == {"id": pro_pay["id"], "status": "CANCELED"}
