"""The Node clients integrators and front ends use, with their default settings, against a
served instance: graphql-ws (graphql-transport-ws) and Apollo Client 4."""

from __future__ import annotations

import pytest

from tests.clients.conftest import Served
from tests.clients.node import run_node

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json; charset=utf-8"


async def _active_pro_pay(served: Served) -> tuple[str, str]:
    """An ACTIVE ProPay's id, and the cursor of its last event ("" if not sequenced yet)."""
    import httpx

    async with httpx.AsyncClient() as http:
        response = await http.post(
            served.url,
            json={
                "query": "{ proPays(first: 1, filter: {status: [ACTIVE]}) "
                "{ nodes { id events { cursor } } } }"
            },
            headers={"Authorization": f"Bearer {served.token}"},
        )
    node = response.json()["data"]["proPays"]["nodes"][0]
    return str(node["id"]), node["events"][-1]["cursor"] or ""


async def test_graphql_ws_subscribes_receives_a_change_and_completes(served: Served) -> None:
    pro_pay_id, after = await _active_pro_pay(served)
    run = await run_node(
        "graphql-ws-client.mjs", "subscribe", served.url, served.token, pro_pay_id, after
    )
    assert run.returncode == 0, run.stderr
    report = run.json()
    assert report["canceled"] == {"data": {"proPayCancel": {"userErrors": []}}}
    change = report["received"]["data"]["proPayStatusChanged"]
    assert change["event"] == {"trigger": "cancel", "from": "ACTIVE", "to": "CANCELED"}
    assert change["proPay"] == {"id": pro_pay_id, "status": "CANCELED", "version": 2}
    assert report["completed"] is True


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # no data involved
async def test_graphql_ws_is_refused_at_connection_init_with_a_bad_token(served: Served) -> None:
    run = await run_node("graphql-ws-client.mjs", "bad-token", served.url)
    assert run.returncode == 0, run.stderr
    assert run.json()["closed"]["code"] == 4403


async def test_apollo_client_4_queries_and_mutates_with_its_defaults(served: Served) -> None:
    run = await run_node("apollo-client.mjs", served.url, served.token)
    assert run.returncode == 0, run.stderr
    report = run.json()
    assert report["query"]["viewer"]["role"] == "ADMIN"
    (pro_pay,) = report["query"]["proPays"]["nodes"]
    assert pro_pay["status"] == "ACTIVE"
    payload = report["mutation"]["proPayCancel"]
    assert payload["userErrors"] == []
    assert payload["proPay"]["status"] == "CANCELED"
    assert payload["event"]["to"] == "CANCELED"
    # A request error reaches Apollo as GraphQL errors, not as a failed fetch.
    assert report["requestError"]["graphQLErrors"] is True
    assert "nope" in report["requestError"]["messages"][0]
    # Apollo asks for the new media type first, and gets it, with honest status codes.
    assert {s["accept"] for s in report["seen"]} == {
        "application/graphql-response+json,application/json;q=0.9"
    }
    assert [(s["status"], s["contentType"]) for s in report["seen"]] == [
        (200, GRAPHQL_RESPONSE_JSON),
        (200, GRAPHQL_RESPONSE_JSON),
        (400, GRAPHQL_RESPONSE_JSON),
    ]
