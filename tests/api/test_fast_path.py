"""The fast path (``protiv.server.fast_path``) and its answers (``protiv.server.answers``): a
query the server has answered before is executed straight through graphql-core, and its
answer is served again while nothing has been committed and the clock has not moved past
``MAX_AGE``. Every change, by this process or another connection, is seen by the next request.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import event, update

from protiv.config import Settings
from protiv.domain.roles import Role
from protiv.persistence.database import Database, create_database
from protiv.persistence.models import Job
from protiv.server import answers
from protiv.server.answers import MAX_AGE
from protiv.server.app import create_app
from protiv.services import tokens
from tests.api.conftest import Api


@pytest.fixture(autouse=True)
def every_answer_worth_keeping(monkeypatch: pytest.MonkeyPatch) -> None:
    """On a tiny test company every answer is quick to make; keep them all here."""
    monkeypatch.setattr(answers, "CHEAP_SECONDS", 0.0)


PAGE = "{ proPays(first: 10) { nodes { title status job { name } } } }"
VERSION_CHECK = "pg_current_snapshot"  # PostgreSQL's data version: the one query of a hit


@contextmanager
def statements(db: Database) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(*args: object) -> None:
        if VERSION_CHECK not in str(args[2]):
            seen.append(str(args[2]))

    event.listen(db.engine.sync_engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", record)


def titles(data: dict[str, object]) -> list[str]:
    return [node["job"]["name"] for node in data["proPays"]["nodes"]]  # type: ignore[index]


async def test_a_repeated_query_is_answered_from_memory(api, ctx, synced):
    await api(PAGE)  # the full path: the document is now known
    first = await api(PAGE)  # the fast path executes it, and keeps the answer
    with statements(ctx.db) as seen:
        again = await api(PAGE)
    assert again == first
    assert seen == []


async def test_a_commit_on_another_connection_is_seen_by_the_next_request(
    api, ctx, synced, database_url
):
    assert titles(await api(PAGE)) == ["Oak Street mulch"]
    assert titles(await api(PAGE)) == ["Oak Street mulch"]  # kept
    other = create_database(database_url)  # as another process would: its own connections
    try:
        async with other.write() as session, session.begin():
            await session.execute(update(Job).values(name="Oak Street mulch, phase 2"))
    finally:
        await other.dispose()
    assert titles(await api(PAGE)) == ["Oak Street mulch, phase 2"]


async def test_a_mutation_through_the_api_is_seen_by_the_next_request(api, synced):
    [node] = (await api("{ proPays(first: 1) { nodes { id status } } }"))["proPays"]["nodes"]
    assert node["status"] == "ACTIVE"
    await api(
        "mutation($id: ID!) { proPayCancel(input: {id: $id}) { proPay { id } } }", id=node["id"]
    )
    [again] = (await api("{ proPays(first: 1) { nodes { id status } } }"))["proPays"]["nodes"]
    assert again["status"] == "CANCELED"


async def test_an_answer_is_kept_no_longer_than_its_max_age(api, ctx, synced, clock):
    await api(PAGE)
    await api(PAGE)
    clock.advance(seconds=MAX_AGE.total_seconds())
    with statements(ctx.db) as seen:
        await api(PAGE)
    assert seen, "executed again: a few fields depend on the time"


async def test_a_worker_token_still_meets_the_access_gate(api, ctx, company, synced):
    await api("{ integrations { id } }")  # the admin's answer: document known, answer kept
    worker = await tokens.create_token(ctx, company.slug, Role.WORKER, worker_external_id="W-1")
    body = (await api.as_(worker).raw("{ integrations { id } }")).json()
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_each_actor_gets_its_own_answer(api, tokens_by_role):
    admin = await api("{ viewer { id role } }")
    payroll = await api.as_(tokens_by_role[Role.PAYROLL])("{ viewer { id role } }")
    assert admin["viewer"]["role"] == "ADMIN"
    assert payroll["viewer"]["role"] == "PAYROLL"


async def test_an_answer_with_errors_goes_the_full_path_every_time(api, synced):
    query = "{ proPays(first: 500) { nodes { id } } }"  # over the page limit
    for _ in range(2):
        body = (await api.raw(query)).json()
        assert body["errors"][0]["extensions"]["code"], body


async def test_without_the_answer_cache_every_request_is_executed(ctx, company, synced):
    token = await tokens.create_token(ctx, company.slug, Role.ADMIN)
    app = create_app(Settings(answer_cache=False), services=ctx)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://test"
    ) as http:
        api = Api(http, token)
        await api(PAGE)
        await api(PAGE)
        with statements(ctx.db) as seen:
            await api(PAGE)
    assert seen


@pytest.mark.parametrize("accept", ["application/graphql-response+json", "application/json"])
async def test_the_fast_path_answers_with_the_negotiated_media_type(api, synced, accept):
    headers = {"Authorization": f"Bearer {api.token}", "Accept": accept}
    for _ in range(2):  # the full path, then the fast path: the same headers
        response = await api.client.post("/graphql", json={"query": PAGE}, headers=headers)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith(accept)


def test_max_age_is_short():
    assert timedelta(0) < MAX_AGE <= timedelta(seconds=1)


async def test_an_answer_quicker_to_make_than_to_validate_is_made_afresh(
    api, ctx, synced, monkeypatch
):
    monkeypatch.setattr(answers, "CHEAP_SECONDS", 60.0)
    asked = 0
    version = ctx.db.version.current

    async def counting() -> str:
        nonlocal asked
        asked += 1
        return str(await version())

    monkeypatch.setattr(ctx.db.version, "current", counting)
    for _ in range(4):
        await api(PAGE)
    assert asked == 1, "the one execution that measured it, then never again"
