"""``protiv demo``: migrate, load the demo company (once), print an admin token and where to go.

Also used by ``protiv serve --demo``. Loading twice is not an error: the second time prints a
fresh admin token for the company already there (nothing is deleted or reloaded).
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from typing import Any

from protiv.cli import common
from protiv.domain.roles import Role
from protiv.persistence.migrate import upgrade
from protiv.services import demo, tokens
from protiv.services.context import ServiceContext


@dataclass(frozen=True, slots=True)
class Loaded:
    """The demo company as it is now, whether this run created it, and a new admin token."""

    summary: demo.DemoSummary
    created: bool
    token: str


def register(commands: common.Commands) -> None:
    parser = commands.add_parser(
        "demo",
        help="load a demo company and print an admin token",
        description="Migrate, then load a realistic demo company (workers, jobs, time, ProPays "
        "in every status) through the real sync and transition services. When it exists "
        "already, print a fresh admin token for it instead.",
    )
    parser.add_argument(
        "--slug", default=demo.DEMO_SLUG, help="the demo company's slug (default: %(default)s)"
    )
    parser.add_argument("--json", action="store_true", help="print a JSON object instead")
    parser.set_defaults(handler=demo_command)


def demo_command(args: argparse.Namespace) -> int:
    settings = common.settings()
    upgrade(settings.database_url)
    loaded = common.run(load_or_find(settings.database_url, args.slug))
    url = common.graphiql_url(settings.host, settings.port)
    print(json.dumps(as_json(loaded, url), indent=2) if args.json else describe(loaded, url))
    return common.OK


async def load_or_find(database_url: str, slug: str) -> Loaded:
    async with common.services(database_url) as ctx:
        return await ensure_demo(ctx, slug)


async def ensure_demo(ctx: ServiceContext, slug: str) -> Loaded:
    """Load the demo under ``slug`` unless it exists; either way, mint an admin token."""
    company = await demo.find_company(ctx, slug)
    if company is None:
        summary = await demo.load_demo(ctx, slug=slug)
    else:
        summary = await demo.summarize(ctx, company.id)
    token = await tokens.create_token(ctx, slug, Role.ADMIN, name="demo-admin")
    return Loaded(summary, company is None, token)


def counts_line(s: demo.DemoSummary) -> str:
    """What the company holds, in one line (``--json`` has every count)."""
    return (
        f"{s.workers} workers · {sum(s.jobs.values())} jobs · {s.time_entries} time entries · "
        f"ProPays: {_by(s.pro_pays)} · groups: {_by(s.groups)} · "
        f"line items: {_by(s.line_items)} · statements: {_by(s.statements)}"
    )


def _by(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {status}" for status, n in counts.items() if n) or "none"


def describe(loaded: Loaded, url: str) -> str:
    s = loaded.summary
    head = (
        f'Loaded the demo company "{s.name}" (slug {s.slug}).'
        if loaded.created
        else f'The demo company "{s.name}" (slug {s.slug}) exists already: here is a fresh admin token.'
    )
    lines = [head, "  " + counts_line(s), "", "Try these (status, GraphQL id, title; then why):"]
    for h in s.highlights:
        lines.append(f"  {h.status:<9} {global_id('ProPay', h.pro_pay_id):<21} {h.title}")
        lines.append(f"  {'':<9} {'':<21} {h.note}")
    if s.group_id is not None:
        lines.append(f"  {'group':<9} {global_id('ProPayGroup', s.group_id):<21} {s.group_name}")
        lines.append(f"  {'':<9} {'':<21} two ACTIVE ProPays approved as one (proPayGroupApprove)")
    return "\n".join([*lines, "", *token_lines(loaded.token, url)])


def token_lines(token: str, url: str) -> list[str]:
    return [
        "Admin token (shown once; send it as an HTTP header, e.g. in GraphiQL's Headers tab):",
        f"  Authorization: Bearer {token}",
        f"GraphiQL: {url}",
    ]


def as_json(loaded: Loaded, url: str) -> dict[str, Any]:
    summary = loaded.summary.as_dict()
    for highlight in summary["highlights"]:
        highlight["id"] = global_id("ProPay", highlight["pro_pay_id"])
    if loaded.summary.group_id is not None:
        summary["group_global_id"] = global_id("ProPayGroup", loaded.summary.group_id)
    return {
        "created": loaded.created,
        "token": loaded.token,
        "authorization": f"Bearer {loaded.token}",
        "graphiql": url,
        "summary": summary,
    }


def global_id(type_name: str, pk: int) -> str:
    """The Relay id GraphQL uses (imported late: loading ``schema`` builds the whole schema)."""
    from schema.ids import to_global

    return to_global(type_name, pk)
