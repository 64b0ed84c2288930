"""``protiv token create|list|revoke``: bearer tokens for the GraphQL API.

``create`` prints the token alone on stdout so ``TOKEN=$(protiv token create ...)`` works;
``list`` shows a company's tokens (never a secret: only hashes are stored); ``revoke`` ends a
token at once.
"""

from __future__ import annotations

import argparse
import json
from datetime import datetime, timedelta

from protiv.cli import common
from protiv.domain.roles import Role
from protiv.services import tokens
from protiv.services.context import utc_now


def register(commands: common.Commands) -> None:
    parser = commands.add_parser(
        "token",
        help="make, list and revoke API tokens",
        description="Bearer tokens for the GraphQL API.",
    )
    actions = parser.add_subparsers(title="actions", dest="action", required=True)
    _register_create(actions)
    listing = actions.add_parser(
        "list",
        help="list a company's tokens",
        description="Every token of a company, oldest first, with its state (ACTIVE, EXPIRED, "
        "REVOKED). Secrets are never shown: only their hashes are stored.",
    )
    listing.add_argument("--company", required=True, metavar="SLUG", help="the company's slug")
    listing.add_argument("--json", action="store_true", help="print a JSON array")
    listing.set_defaults(handler=list_command)
    revoke = actions.add_parser(
        "revoke",
        help="revoke a token",
        description="Revoke a token (its id from `protiv token list`): it is refused from now on.",
    )
    revoke.add_argument("id", type=common.positive_int, metavar="ID", help="the token's id")
    revoke.set_defaults(handler=revoke_command)


def _register_create(actions: common.Commands) -> None:
    create = actions.add_parser(
        "create",
        help="make a token and print it",
        description="Make a bearer token bound to one company and role; prints only the token "
        "(it is shown once: only its hash is stored).",
    )
    create.add_argument("--company", required=True, metavar="SLUG", help="the company's slug")
    create.add_argument(
        "--role",
        required=True,
        type=role,
        metavar="ROLE",
        help="one of " + ", ".join(r.value.lower() for r in Role) + " (any case)",
    )
    create.add_argument("--name", help="who or what uses it, for the audit trail")
    create.add_argument(
        "--worker",
        metavar="EXTERNAL_ID",
        help="the worker a worker token belongs to (required for --role worker); for --role "
        "manager, the manager's own worker record, whose branch it manages",
    )
    create.add_argument(
        "--branch",
        action="append",
        default=[],
        metavar="EXTERNAL_ID",
        help="a branch a manager token manages (repeat for several; none: every branch)",
    )
    create.add_argument(
        "--expires-days", type=common.positive_int, metavar="N", help="expire after N days"
    )
    create.set_defaults(handler=create_command)


def role(value: str) -> Role:
    try:
        return Role[value.strip().upper()]
    except KeyError:
        names = ", ".join(r.value.lower() for r in Role)
        raise argparse.ArgumentTypeError(
            f"unknown role {value!r}; expected one of {names}"
        ) from None


def create_command(args: argparse.Namespace) -> int:
    print(common.run(_create(args)))
    return common.OK


async def _create(args: argparse.Namespace) -> str:
    async with common.services(common.settings().database_url) as ctx:
        return await tokens.create_token(
            ctx,
            args.company,
            args.role,
            name=args.name or f"cli-{args.role.value.lower()}",
            worker_external_id=args.worker,
            branch_external_ids=args.branch,
            ttl=timedelta(days=args.expires_days) if args.expires_days else None,
        )


def list_command(args: argparse.Namespace) -> int:
    found = common.run(_list(args.company))
    now = utc_now()
    if args.json:
        print(json.dumps([t.as_dict(now) for t in found], indent=2))
        return common.OK
    for token in found:
        print(_line(token, now))
    return common.OK


async def _list(slug: str) -> list[tokens.TokenInfo]:
    async with common.services(common.settings().database_url) as ctx:
        return await tokens.list_tokens(ctx, slug)


def _line(token: tokens.TokenInfo, now: datetime) -> str:
    """One tab-separated line: id, state, role, name, and what binds or ends it."""
    info = token.as_dict(now)
    extra = [
        f"worker={info['workerId']}" if info["workerId"] else "",
        f"branches={','.join(map(str, info['branchIds']))}" if info["branchIds"] else "",
        f"expires={info['expiresAt']}" if info["expiresAt"] else "",
        f"revoked={info['revokedAt']}" if info["revokedAt"] else "",
    ]
    fields = [str(info["id"]), info["state"], info["role"].lower(), info["name"]]
    return "\t".join(fields + [e for e in extra if e])


def revoke_command(args: argparse.Namespace) -> int:
    revoked = common.run(_revoke(args.id))
    print(f"revoked token {revoked.id} ({revoked.name}, {revoked.role.value.lower()})")
    return common.OK


async def _revoke(token_id: int) -> tokens.TokenInfo:
    async with common.services(common.settings().database_url) as ctx:
        return await tokens.revoke_token(ctx, token_id)
