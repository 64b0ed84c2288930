"""Company isolation, GET queries and the GraphiQL page."""

from __future__ import annotations

from protiv.domain.roles import Role
from protiv.persistence.models import Company
from protiv.services import tokens

FIRST = "{ proPays(first: 1) { nodes { id } } jobs(first: 1) { nodes { id } } }"


async def _other_company_token(ctx) -> str:
    async with ctx.db.write() as session, session.begin():
        session.add(Company(slug="rival", name="Rival Lawns"))
    return await tokens.create_token(ctx, "rival", Role.ADMIN)


async def test_another_company_sees_nothing_of_ours(api, ctx, synced):
    data = await api(FIRST)
    pro_pay_id = data["proPays"]["nodes"][0]["id"]
    job_id = data["jobs"]["nodes"][0]["id"]
    rival = api.as_(await _other_company_token(ctx))

    assert (await rival(FIRST)) == {"proPays": {"nodes": []}, "jobs": {"nodes": []}}
    assert (await rival("query($id: ID!) { proPay(id: $id) { id } }", id=pro_pay_id)) == {
        "proPay": None
    }
    assert (await rival("query($id: ID!) { node(id: $id) { id } }", id=job_id)) == {"node": None}
    refused = await rival(
        "mutation($id: ID!) { proPayCancel(input: {id: $id}) { proPay { id } userErrors { code } } }",
        id=pro_pay_id,
    )
    assert refused["proPayCancel"] == {"proPay": None, "userErrors": [{"code": "NOT_FOUND"}]}
    assert (await rival("{ events(first: 100) { totalCount } }"))["events"]["totalCount"] == 0
    assert (await api(FIRST))["proPays"]["nodes"][0]["id"] == pro_pay_id  # untouched


async def test_queries_work_over_get(api, synced):
    response = await api.client.get(
        "/graphql",
        params={"query": "{ viewer { role company { slug } } }"},
        headers={"Authorization": f"Bearer {api.token}"},
    )
    assert response.status_code == 200
    assert response.json()["data"]["viewer"] == {"role": "ADMIN", "company": {"slug": "acme"}}


async def test_mutations_are_refused_over_get(api, synced):
    response = await api.client.get(
        "/graphql",
        params={"query": 'mutation { proPayCancel(input: {id: "x"}) { userErrors { code } } }'},
        headers={"Authorization": f"Bearer {api.token}"},
    )
    assert response.status_code in (400, 405)
    assert "not allowed" in response.text


async def test_graphiql_is_served_to_a_browser(api):
    response = await api.client.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()


async def test_introspection_needs_no_token_so_graphiql_can_load(api):
    response = await api.as_(None).raw("{ __schema { queryType { name } } }")
    assert response.status_code == 200
    assert response.json()["data"]["__schema"]["queryType"]["name"] == "Query"


async def test_node_resolves_every_kind(api, synced):
    data = await api("{ proPays(first: 1) { nodes { id job { id } events { id } } } }")
    node = data["proPays"]["nodes"][0]
    for global_id, typename in (
        (node["id"], "ProPay"),
        (node["job"]["id"], "Job"),
        (node["events"][0]["id"], "Event"),
    ):
        found = await api("query($id: ID!) { node(id: $id) { __typename id } }", id=global_id)
        assert found["node"] == {"__typename": typename, "id": global_id}
