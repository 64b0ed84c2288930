"""Idempotency keys on mutations, implemented once: every mutation whose input has an
``idempotencyKey`` field gets the ``Idempotent`` field extension (``install``, called where the
schema is built). The semantics are in protiv.services.idempotency; here the key is read from
the input, the first answer is kept (schema/replay.py) and a retry is answered with it.

An input opts in with one line: ``idempotency_key: str | None = key_field()``.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

import strawberry
from strawberry.extensions import FieldExtension
from strawberry.extensions.field_extension import AsyncExtensionResolver
from strawberry.types.base import StrawberryObjectDefinition

from protiv.domain.errors import DomainError, ErrorCode
from protiv.services import idempotency
from schema import replay
from schema.context import Info
from schema.errors import UserError

log = logging.getLogger("protiv.idempotency")
KEY = "idempotency_key"
KEY_DESCRIPTION = (
    "Send the same key again to retry safely: the change happens once, and the retry answers "
    "with the first result (the records as they are now). The same key with a different input "
    "is refused with IDEMPOTENCY_KEY_REUSED. Keys are kept 7 days, per company and mutation."
)


def key_field() -> Any:
    """The ``idempotencyKey`` input field (one definition, one description)."""
    return strawberry.field(default=None, description=KEY_DESCRIPTION)


class Idempotent(FieldExtension):
    """Runs a mutation at most once per key; answers retries with the first result."""

    def __init__(self, payload_type: Any) -> None:
        self.payload_type = payload_type  # built with only ``user_errors`` for a refusal

    async def resolve_async(
        self, next_: AsyncExtensionResolver, source: Any, info: Info, **kwargs: Any
    ) -> Any:
        key = _key(kwargs)
        if key is None:
            return await next_(source, info, **kwargs)
        payload_type = self.payload_type
        try:
            claim = idempotency.Claim(
                company_id=info.context.actor.company_id,
                operation=info.field_name,
                key=idempotency.check_key(key),
                input_hash=idempotency.fingerprint(_plain(kwargs)),
            )
            used = await idempotency.find(info.context.services, claim)
            if used is not None and used.result is None and used.input_hash == claim.input_hash:
                used = await idempotency.first_result(info.context.services, claim)
            if used is not None:
                return await _answer(info, claim, used, payload_type)
            return await self._first(next_, source, info, kwargs, claim, payload_type)
        except DomainError as refused:
            return payload_type(user_errors=[UserError.of(refused)])

    async def _first(
        self,
        next_: AsyncExtensionResolver,
        source: Any,
        info: Info,
        kwargs: dict[str, Any],
        claim: idempotency.Claim,
        payload_type: Any,
    ) -> Any:
        token = idempotency.CLAIM.set(claim)
        try:
            result = await next_(source, info, **kwargs)
        except idempotency.KeyTaken:
            used = await idempotency.first_result(info.context.services, claim)
            return await _answer(info, claim, used, payload_type)
        finally:
            claim.closed = True
            idempotency.CLAIM.reset(token)
        if claim.committed or not getattr(result, "user_errors", None):
            await _keep(info, claim, result)
        return result


async def _keep(info: Info, claim: idempotency.Claim, result: Any) -> None:
    try:
        text = replay.dumps(result)
    except replay.Unreplayable:
        log.exception("the answer of %s cannot be kept for a retry", claim.operation)
        return
    await idempotency.record(info.context.services, claim, text)


async def _answer(
    info: Info, claim: idempotency.Claim, used: idempotency.Used, payload_type: Any
) -> Any:
    if used.input_hash != claim.input_hash:
        return payload_type(
            user_errors=[
                UserError(
                    code=ErrorCode.IDEMPOTENCY_KEY_REUSED,
                    message="This idempotency key was used for a different request of this "
                    "mutation; use a new key for a new request.",
                    field=["input", "idempotencyKey"],
                )
            ]
        )
    assert used.result is not None  # find() waits for it
    return await replay.loads(used.result, info)


def _key(kwargs: dict[str, Any]) -> str | None:
    value = getattr(kwargs.get("input"), KEY, None)
    return value if isinstance(value, str) else None


def _plain(kwargs: dict[str, Any]) -> dict[str, Any]:
    """The arguments as plain data, without the key itself (what the fingerprint covers)."""
    plain = {
        name: dataclasses.asdict(value)
        if dataclasses.is_dataclass(value) and not isinstance(value, type)
        else value
        for name, value in kwargs.items()
    }
    if isinstance(plain.get("input"), dict):
        plain["input"].pop(KEY, None)
    return plain


def takes_a_key(field: Any) -> bool:
    """True when the mutation's ``input`` argument has an ``idempotencyKey`` field."""
    for argument in field.arguments:
        definition = getattr(argument.type, "__strawberry_definition__", None)
        if argument.python_name == "input" and isinstance(definition, StrawberryObjectDefinition):
            return any(f.python_name == KEY for f in definition.fields)
    return False


def install(mutation: type) -> list[str]:
    """Give every mutation that takes a key the extension; the names of those mutations."""
    done = []
    for field in mutation.__strawberry_definition__.fields:  # type: ignore[attr-defined]
        if takes_a_key(field):
            field.extensions.append(Idempotent(field.type))
            done.append(field.name)
    return done
