"""``protiv token create``: a bearer token for a company and role, printed alone on stdout so
``TOKEN=$(protiv token create ...)`` works."""

from __future__ import annotations

import argparse
from datetime import timedelta

from protiv.cli import common
from protiv.domain.roles import Role
from protiv.services import tokens


def register(commands: common.Commands) -> None:
    parser = commands.add_parser(
        "token", help="make API tokens", description="Bearer tokens for the GraphQL API."
    )
    actions = parser.add_subparsers(title="actions", dest="action", required=True)
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
        help="the worker a worker token belongs to (required for --role worker)",
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
            ttl=timedelta(days=args.expires_days) if args.expires_days else None,
        )
