"""``protiv release-due [--company SLUG]``: release every HELD line item whose waiting period
(or retention) is over, now: what the server's scheduler does every minute, for a deployment
that runs it from cron instead, or to catch up by hand."""

from __future__ import annotations

import argparse
import json

from protiv.cli import common
from protiv.cli.sync import company_id
from protiv.domain.roles import Actor, Role
from protiv.services import release


def register(commands: common.Commands) -> None:
    parser = commands.add_parser(
        "release-due",
        help="release line items whose waiting period is over",
        description="Release (HELD → PAYABLE) every line item whose release time has passed, "
        "through the line item machine, one event each; in chunks of "
        f"{release.CHUNK}, each its own transaction. Idempotent: a second run finds nothing.",
    )
    parser.add_argument(
        "--company", metavar="SLUG", help="only this company (default: every company)"
    )
    parser.add_argument("--json", action="store_true", help='print {"released": N}')
    parser.set_defaults(handler=release_command)


def release_command(args: argparse.Namespace) -> int:
    count = common.run(_release(args.company))
    if args.json:
        print(json.dumps({"released": count}))
    else:
        noun = "line item" if count == 1 else "line items"
        print(f"Released {count} {noun}." if count else "Nothing was due.")
    return common.OK


async def _release(slug: str | None) -> int:
    async with common.services(common.settings().database_url) as ctx:
        actor = None
        if slug is not None:
            actor = Actor(company_id=await company_id(ctx, slug), role=Role.ADMIN, name="cli")
        with common.Progress("releasing", unit="item") as progress:
            return (await release.release_due(ctx, actor, progress=progress)).count
