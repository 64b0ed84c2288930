# mypy: disable-error-code="assignment,operator"
"""Every root field of the schema, tried with every role and with another company's token.

The fields come from the schema itself (tests/security/rules.py holds the rule of each; a field
without one fails here). For each:

- mutations: every role the permission matrix refuses is answered FORBIDDEN in userErrors; the
  rival company, sending our ids, is answered NOT_FOUND; nothing of ours changes;
- queries: a refused role gets a FORBIDDEN error and no data; the rival gets no record of ours
  (no global id, no name of ours anywhere in the answer);
- subscriptions: a refused role gets FORBIDDEN; the rival, following our ids, is answered
  NOT_FOUND or receives nothing while our records change.

One world per backend (tests/security/world.py); refusals change nothing, so every field is
tried against the same world.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
from typing import Any

from graphql import GraphQLNamedType, GraphQLObjectType, get_named_type, is_leaf_type

from protiv.domain.roles import Actor, Role
from protiv.domain.statuses import LineItemTrigger
from protiv.services import line_items, pro_pays, tokens
from schema import schema
from schema.access import OWN_READS, WORKER_NODE_TYPES
from schema.context import Context
from schema.ids import from_global
from tests.security.rules import MUTATIONS, QUERIES, SUBSCRIPTIONS, Read
from tests.security.state import snapshot
from tests.security.world import MARK, World, build

GRAPHQL = schema._schema


def _fields(type_name: str) -> list[str]:
    root = GRAPHQL.get_type(type_name)
    assert isinstance(root, GraphQLObjectType)
    return list(root.fields)


def test_every_root_field_has_a_rule() -> None:
    """A new query, mutation or subscription fails here until its rule is decided."""
    assert sorted(set(_fields("Mutation")) - set(MUTATIONS)) == []
    assert sorted(set(_fields("Query")) - set(QUERIES)) == []
    assert sorted(set(_fields("Subscription")) - set(SUBSCRIPTIONS)) == []


def test_every_mutation_takes_an_idempotency_key_unless_repeating_it_changes_nothing() -> None:
    from strawberry.utils.str_converters import to_camel_case

    from schema import IDEMPOTENT_MUTATIONS

    keyed = {to_camel_case(python_name) for python_name in IDEMPOTENT_MUTATIONS}
    natural = {name for name, rule in MUTATIONS.items() if rule.natural}
    assert sorted(set(_fields("Mutation")) - keyed - natural) == []
    assert keyed & natural == set()


# -- documents from the schema ---------------------------------------------------------------


def _selection(named: GraphQLNamedType, depth: int) -> str:
    """Every leaf field without required arguments, objects ``depth`` levels down."""
    if is_leaf_type(named):
        return ""
    fields = getattr(named, "fields", {})
    parts = ["__typename"]
    for name, field in fields.items():
        if any(str(a.type).endswith("!") and a.default_value is None for a in field.args.values()):
            continue
        inner = get_named_type(field.type)
        if is_leaf_type(inner):
            parts.append(name)
        elif depth > 0:
            parts.append(f"{name} {{ {_selection(inner, depth - 1)} }}")
    if not fields:  # an interface or union: what every type has
        parts.append("... on Node { id }")
    return " ".join(parts)


def _document(operation: str, root: str, field: str, args: dict[str, Any], depth: int) -> str:
    definition = GRAPHQL.get_type(root).fields[field]  # type: ignore[union-attr]
    variables = ", ".join(f"${name}: {definition.args[name].type}" for name in args)
    call = ", ".join(f"{name}: ${name}" for name in args)
    head = f"{operation}({variables})" if variables else operation
    body = f"{field}({call})" if call else field
    selection = _selection(get_named_type(definition.type), depth)
    if operation == "mutation":  # every payload says why it refused
        selection += " userErrors { code message field }"
    return f"{head} {{ {body} {{ {selection} }} }}" if selection else f"{head} {{ {body} }}"


# -- the world --------------------------------------------------------------------------------


async def _world(api: Any, ctx: Any, company: Any) -> tuple[World, int]:
    world = await build(ctx, company, api)
    rival = await tokens.authenticate(ctx, world.tokens["rival"])
    return world, rival.company_id


def _leaks(world: World, answer: dict[str, Any]) -> list[str]:
    text = json.dumps(answer)
    return sorted(i for i in world.ours if i in text) + ([MARK] if MARK in text else [])


class Caller:
    """Runs documents straight through the schema as each token's actor (the HTTP layer and
    its token lookup are tested elsewhere; here every request would pay for them)."""

    def __init__(self, ctx: Any, actors: dict[str, Actor]) -> None:
        self.ctx = ctx
        self.actors = actors

    async def __call__(self, who: str, document: str, args: dict[str, Any]) -> dict[str, Any]:
        context = Context(services=self.ctx, actor_or_none=self.actors[who])
        result = await schema.execute(document, variable_values=args, context_value=context)
        body: dict[str, Any] = {"data": result.data}
        if result.errors:
            body["errors"] = [e.formatted for e in result.errors]
        return body


async def _caller(ctx: Any, world: World) -> Caller:
    return Caller(ctx, {who: await tokens.authenticate(ctx, t) for who, t in world.tokens.items()})


def _codes(payload: dict[str, Any] | None) -> list[str]:
    return [e["code"] for e in (payload or {}).get("userErrors") or []]


# -- mutations ----------------------------------------------------------------------------------


async def test_every_field_with_every_role_and_another_company(api, ctx, company):
    """One world for all three (it takes a while to build): mutations and queries change
    nothing in it; the subscriptions come last, as they change records to see who hears."""
    world, rival = await _world(api, ctx, company)
    call = await _caller(ctx, world)
    failures = await _mutations(ctx, world, rival, call)
    failures += await _queries(world, call)
    failures += await _subscriptions(ctx, world, call)
    assert failures == [], "\n".join(failures)


async def _mutations(ctx: Any, world: World, rival: int, call: Caller) -> list[str]:
    """Every role the matrix refuses is answered FORBIDDEN; the rival NOT_FOUND; no change."""
    failures: list[str] = []
    before = await snapshot(ctx, but_company=rival)
    for name in _fields("Mutation"):
        rule = MUTATIONS[name]
        args = {"input": rule.input(world)} if rule.input else {}
        document = _document("mutation", "Mutation", name, args, depth=0)
        for role in [r for r in Role if r not in rule.roles]:
            body = await call(role.value.lower(), document, args)
            if "errors" in body or _codes(body["data"][name]) != ["FORBIDDEN"]:
                failures.append(f"{name} as {role.value}: {body}")
        body = await call("rival", document, args)
        payload = (body.get("data") or {}).get(name)
        if "errors" in body or (rule.names_records and "NOT_FOUND" not in _codes(payload)):
            failures.append(f"{name} by another company: {body}")
        if leaks := _leaks(world, body):
            failures.append(f"{name} by another company shows {leaks}")
    after = await snapshot(ctx, but_company=rival)
    changed = sorted(table for table in before if before[table] != after[table])
    if changed:
        failures.append(f"refused mutations changed {changed}")
    return failures


# -- queries ------------------------------------------------------------------------------------


def _may_read(rule: Read, role: Role, field: str) -> bool:
    if role is Role.WORKER:
        return Role.WORKER in rule.roles and field in OWN_READS
    return role in rule.roles


async def _nodes(world: World, call: Caller) -> list[str]:
    """``node`` of every record of the world: null for the rival, and for a worker whenever the
    type is not one of the kinds a worker reads."""
    failures: list[str] = []
    document = "query($id: ID!) { node(id: $id) { id } }"
    for name, global_id in world.ids.items():
        kind = base64.b64decode(global_id).decode().partition(":")[0]
        askers = ["rival"] if kind in WORKER_NODE_TYPES else ["rival", "worker"]
        for who in askers:
            body = await call(who, document, {"id": global_id})
            if (body.get("data") or {}).get("node") is not None or "errors" in body:
                failures.append(f"node({name}) for {who}: {body}")
    return failures


async def _queries(world: World, call: Caller) -> list[str]:
    """A refused role gets FORBIDDEN and no data; the rival sees nothing of ours."""
    failures: list[str] = await _nodes(world, call)
    for name in _fields("Query"):
        rule = QUERIES[name]
        args = rule.args(world)
        document = _document("query", "Query", name, args, depth=0)
        for role in Role:
            body = await call(role.value.lower(), document, args)
            codes = [(e.get("extensions") or {}).get("code") for e in body.get("errors", [])]
            if _may_read(rule, role, name) and codes:
                failures.append(f"{name} as {role.value} refused: {body['errors']}")
            data = body.get("data") or {}
            if not _may_read(rule, role, name) and (codes != ["FORBIDDEN"] or any(data.values())):
                failures.append(f"{name} as {role.value} not refused: {body}")
        deep = _document("query", "Query", name, args, depth=2)
        body = await call("rival", deep, args)
        codes = {(e.get("extensions") or {}).get("code") for e in body.get("errors", [])}
        if codes - {"NOT_FOUND"}:
            failures.append(f"{name} by another company: {body['errors']}")
        if leaks := _leaks(world, body):
            failures.append(f"{name} by another company shows {leaks}")
    return failures


# -- subscriptions ------------------------------------------------------------------------------


async def _first(ctx: Any, actor: Actor, document: str, args: dict[str, Any]) -> Any:
    return await schema.subscribe(
        document, variable_values=args, context_value=Context(services=ctx, actor_or_none=actor)
    )


async def _subscriptions(ctx: Any, world: World, call: Caller) -> list[str]:
    """A refused role gets FORBIDDEN; the rival following our ids hears nothing of ours."""
    failures: list[str] = []
    actors = call.actors
    rival_streams = {}
    for name in _fields("Subscription"):
        rule = SUBSCRIPTIONS[name]
        args = rule.args(world)
        document = _document("subscription", "Subscription", name, args, depth=1)
        for role in [r for r in Role if r not in rule.roles]:
            stream = await _first(ctx, actors[role.value.lower()], document, args)
            first = await asyncio.wait_for(anext(stream), 5)
            await stream.aclose()
            codes = [(e.extensions or {}).get("code") for e in first.errors or []]
            if codes != ["FORBIDDEN"]:
                failures.append(f"{name} as {role.value}: {first}")
        stream = await _first(ctx, actors["rival"], document, args)
        rival_streams[name] = (stream, asyncio.ensure_future(anext(stream)))
    stream = await _first(ctx, actors["admin"], "subscription { statusChanged { trigger } }", {})
    control = asyncio.ensure_future(anext(stream))
    await asyncio.sleep(0.1)  # subscribed before our records change
    admin = actors["admin"]
    await pro_pays.cancel(ctx, admin, from_global(world.id("pro_pay_active"), "ProPay"))
    await line_items.transition(
        ctx, admin, from_global(world.id("item_held"), "LineItem"), LineItemTrigger.RELEASE
    )
    assert (await asyncio.wait_for(control, 5)).data == {"statusChanged": {"trigger": "cancel"}}
    await stream.aclose()
    await asyncio.sleep(0.3)
    for name, (stream, pending) in rival_streams.items():
        if "id" in SUBSCRIPTIONS[name].args(world) and not pending.done():
            failures.append(f"{name} of our id by another company: not answered NOT_FOUND")
        if pending.done():
            got = pending.result()
            codes = [(e.extensions or {}).get("code") for e in got.errors or []]
            if codes != ["NOT_FOUND"] or _leaks(world, got.data or {}):
                failures.append(f"{name} by another company received {got}")
        pending.cancel()
        with contextlib.suppress(asyncio.CancelledError, StopAsyncIteration):
            await pending
        await stream.aclose()
    return failures
