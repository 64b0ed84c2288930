"""strawberry's parser and validation caches are hit on a repeated operation, and the token is
not looked up again within its second.

The validation cache is keyed by the schema, the parsed document and the validation rules;
strawberry's QueryDepthLimiter and MaxAliasesLimiter build a new rule class on every request,
so with them the key never repeated and every request was validated afresh (schema/limits.py
now builds the rules once). These tests fail if that comes back. The caches are module-level
LRUs shared by the whole process, so the tests count hits and misses before and after rather
than expecting a fresh cache.

Over HTTP a query the server has answered before may skip strawberry altogether (the fast path,
protiv/server/fast_path.py), so the query is checked through the schema itself, a mutation
(never on the fast path) through the app, and a query through the app only for what holds
either way: nothing is parsed or validated afresh.
"""

from __future__ import annotations

from functools import _CacheInfo
from typing import Any

from strawberry.extensions.parser_cache import _get_parse_cache
from strawberry.extensions.validation_cache import _get_validate_cache

from protiv.domain.roles import Actor
from protiv.services.context import ServiceContext
from schema import schema
from schema.context import Context
from schema.ids import to_global
from tests.api.conftest import Api
from tests.performance.conftest import TOKEN_LOOKUP, StatementCounter

MAXSIZE = 128  # strawberry's default, what schema/__init__.py's ParserCache/ValidationCache use
QUERY = "query CacheCheck { viewer { id name role company { name } } }"
# Refused (there is no such ProPay): the same answer every time, and nothing written.
MUTATION = (
    "mutation CacheCheck($id: ID!) { proPayApprove(input: {id: $id}) { userErrors { code } } }"
)
REPEATS = 3
HIT_EVERY_TIME = {"hits": REPEATS, "misses": 0}


def caches() -> dict[str, _CacheInfo]:
    return {
        "parse": _get_parse_cache(MAXSIZE).cache_info(),  # type: ignore[attr-defined]
        "validate": _get_validate_cache(MAXSIZE).cache_info(),  # type: ignore[attr-defined]
    }


def moved(before: dict[str, _CacheInfo]) -> dict[str, Any]:
    """Hits and misses of each cache since ``before``."""
    after = caches()
    return {
        name: {"hits": after[name].hits - info.hits, "misses": after[name].misses - info.misses}
        for name, info in before.items()
    }


async def test_a_repeated_query_is_parsed_and_validated_once(
    ctx: ServiceContext, admin: Actor
) -> None:
    async def run() -> None:
        result = await schema.execute(QUERY, context_value=Context(ctx, actor_or_none=admin))
        assert result.errors is None, result.errors
        assert result.data is not None

    await run()  # the first time may miss (or hit, if another test sent the same text)
    before = caches()
    for _ in range(REPEATS):
        await run()
    assert moved(before) == {"parse": HIT_EVERY_TIME, "validate": HIT_EVERY_TIME}


async def test_a_repeated_mutation_through_the_app_hits_both_caches(api: Api) -> None:
    unknown = to_global("ProPay", 999_999)

    async def run() -> None:
        data = await api(MUTATION, id=unknown)
        assert data["proPayApprove"]["userErrors"] == [{"code": "NOT_FOUND"}]

    await run()
    before = caches()
    for _ in range(REPEATS):
        await run()
    assert moved(before) == {"parse": HIT_EVERY_TIME, "validate": HIT_EVERY_TIME}


async def test_a_repeated_query_through_the_app_is_never_parsed_again(api: Api) -> None:
    await api(QUERY)
    before = caches()
    for _ in range(REPEATS):
        assert (await api(QUERY))["viewer"]["role"] == "ADMIN"
    assert {name: count["misses"] for name, count in moved(before).items()} == {
        "parse": 0,
        "validate": 0,
    }


async def test_the_token_is_looked_up_once_a_second(api: Api, counter: StatementCounter) -> None:
    await api(QUERY)
    counter.statements.clear()
    await api(QUERY)  # well within the cache's second (TTL_SECONDS)
    assert not [s for s in counter.statements if TOKEN_LOOKUP.match(s)], counter.statements
