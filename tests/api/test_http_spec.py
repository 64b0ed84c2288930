"""GraphQL over HTTP: the media type a client asks for decides the status codes it gets.

The spec's own audit runs against a served instance in tests/clients; these pin the rules
one by one, through the ASGI app."""

from __future__ import annotations

import pytest

from protiv.server.http_spec import GRAPHQL_RESPONSE_JSON, JSON, response_media_type

NEW = "application/graphql-response+json"
APOLLO = "application/graphql-response+json,application/json;q=0.9"


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        (None, JSON),  # the spec: no Accept header means application/json
        ("", JSON),
        ("*/*", JSON),  # a wildcard never selects the new media type
        ("application/json", JSON),
        (NEW, GRAPHQL_RESPONSE_JSON),
        (APOLLO, GRAPHQL_RESPONSE_JSON),  # Apollo Client 4's default
        ("application/json, application/graphql-response+json", GRAPHQL_RESPONSE_JSON),
        ("application/graphql-response+json;q=0.5, application/json", JSON),
        ("application/graphql-response+json;q=0", JSON),
        ("application/graphql-response+json;q=x", JSON),
        ("text/html", JSON),
        ("APPLICATION/GRAPHQL-RESPONSE+JSON; charset=utf-8", GRAPHQL_RESPONSE_JSON),
    ],
)
def test_the_media_type_follows_the_accept_header(accept, media_type):
    assert response_media_type(accept) == media_type


async def _post(api, query: str, accept: str | None, **variables):
    headers = {"Authorization": f"Bearer {api.token}"}
    if accept is not None:
        headers["Accept"] = accept
    return await api.client.post(
        "/graphql", json={"query": query, "variables": variables}, headers=headers
    )


REQUEST_ERRORS = (
    "{ viewer { role ",  # does not parse
    "{ nope }",  # does not validate
    "query($n: Int!) { proPays(first: $n) { totalCount } }",  # $n missing
)


async def test_a_request_error_is_a_400_without_data_under_the_new_media_type(api):
    for query in REQUEST_ERRORS:
        response = await _post(api, query, APOLLO)
        assert response.status_code == 400, query
        assert response.headers["content-type"] == f"{NEW}; charset=utf-8"
        body = response.json()
        assert "data" not in body, query
        assert body["errors"]


async def test_application_json_keeps_200_for_a_request_error(api):
    response = await _post(api, "{ nope }", "application/json")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json()["data"] is None


async def test_a_result_is_200_under_either_media_type(api, synced):
    for accept in (None, NEW):
        response = await _post(api, "{ proPays(first: 1) { totalCount } }", accept)
        assert response.status_code == 200
        assert response.json()["data"] == {"proPays": {"totalCount": 1}}


async def test_a_refusal_is_data_so_it_is_200_too(api, synced):
    response = await _post(
        api,
        'mutation { proPayCancel(input: {id: "UHJvUGF5Ojk5OQ=="}) { userErrors { code } } }',
        NEW,
    )
    assert response.status_code == 200
    assert response.json()["data"]["proPayCancel"]["userErrors"] == [{"code": "NOT_FOUND"}]


async def test_no_token_is_a_401_that_names_the_scheme(api):
    response = await _post(api.as_(None), "{ viewer { role } }", NEW)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_a_mutation_over_get_is_405_and_says_to_post(api, synced):
    response = await api.client.get(
        "/graphql",
        params={"query": 'mutation { proPayCancel(input: {id: "x"}) { userErrors { code } } }'},
        headers={"Authorization": f"Bearer {api.token}", "Accept": NEW},
    )
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    body = response.json()
    assert "data" not in body
    assert body["errors"][0]["extensions"]["code"] == "METHOD_NOT_ALLOWED"
