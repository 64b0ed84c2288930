"""``protiv sync FILE --company SLUG``: apply a batch file the way an integration's push does.

The file has the shape of the ``syncBatch`` mutation's ``batch`` (branches, routes, workers,
jobs, milestones, timeEntries, each record with an ``externalId``). Numbers are read as exact
decimals, so ``"wage": 19.5`` means 19.50, not a float. Records that fail are reported with
their reason and the rest lands, so a partly rejected batch still exits 0, and says so.
"""

from __future__ import annotations

import argparse
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select

from protiv.cli import common
from protiv.domain.errors import NotFound
from protiv.domain.roles import Actor, Role
from protiv.persistence.models import Company
from protiv.services import sync
from protiv.services.context import ServiceContext

COLUMNS = ("created", "updated", "unchanged", "ignored", "rejected")


def register(commands: common.Commands) -> None:
    parser = commands.add_parser(
        "sync",
        help="sync records from a JSON file",
        description="Upsert branches, routes, workers, jobs, milestones and time entries from "
        "a JSON file (the syncBatch shape) as the company's integration. Idempotent: the same "
        "file twice changes nothing.",
    )
    parser.add_argument("file", metavar="FILE", type=Path, help="the batch, a JSON object")
    parser.add_argument("--company", required=True, metavar="SLUG", help="the company's slug")
    parser.add_argument(
        "--provider",
        help='which integration sends it (default: the file\'s "provider", else file)',
    )
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.set_defaults(handler=sync_command)


def sync_command(args: argparse.Namespace) -> int:
    batch = read_batch(args.file)
    provider = args.provider or _provider_in(batch) or "file"
    report = common.run(_sync(args.company, batch, provider))
    if args.json:
        print(json.dumps(report.as_dict(), indent=2))
    else:
        print_report(report, f"{args.file} into {args.company} (provider {provider})")
    return common.OK


def read_batch(path: Path) -> dict[str, Any]:
    """The file as a JSON object with exact decimals; CliError says what is wrong with it."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise _bad_file(path, error.strerror or str(error)) from error
    except UnicodeDecodeError as error:
        raise _bad_file(path, "is not UTF-8 text") from error
    try:
        batch = json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as error:
        raise _bad_file(path, f"is not valid JSON ({error})") from error
    if not isinstance(batch, dict):
        raise _bad_file(
            path, f"must hold a JSON object of record lists, not a {type(batch).__name__}"
        )
    return batch


def _bad_file(path: Path, problem: str) -> common.CliError:
    return common.CliError(f"{path}: {problem}")


def _provider_in(batch: dict[str, Any]) -> str | None:
    provider = batch.get("provider")
    return provider.strip() or None if isinstance(provider, str) else None


async def _sync(slug: str, batch: dict[str, Any], provider: str) -> sync.SyncReport:
    async with common.services(common.settings().database_url) as ctx:
        actor = Actor(
            company_id=await company_id(ctx, slug), role=Role.INTEGRATION, name="cli-sync"
        )
        return await sync.sync_batch(ctx, actor, batch, provider=provider)


async def company_id(ctx: ServiceContext, slug: str) -> int:
    async with ctx.db.read() as session:
        found = await session.scalar(select(Company.id).where(Company.slug == slug))
    if found is None:
        raise NotFound(
            f"No company with slug {slug!r} (load one with `protiv demo`).", field=["company"]
        )
    return int(found)


def print_report(report: sync.SyncReport, what: str) -> None:
    """A table of counts per kind, then every ignored and rejected record with its reason."""
    print(f"Synced {what}: sync run {report.run_id}.")
    print()
    print(f"{'kind':<12}" + "".join(f"{c:>11}" for c in COLUMNS))
    for kind, counts in report.kinds.items():
        print(f"{kind:<12}" + "".join(f"{getattr(counts, c):>11}" for c in COLUMNS))
    print()
    print(f"ProPays created: {report.pro_pays_created}")
    ignored = [e for e in report.errors if str(e["message"]).startswith("ignored: ")]
    rejected = [e for e in report.errors if e not in ignored]
    _print_records("Ignored (they do not sync)", ignored)
    _print_records("Rejected", rejected)
    print(_verdict(report, len(rejected)))


def _print_records(title: str, records: list[dict[str, str | None]]) -> None:
    if not records:
        return
    print(f"{title}:")
    for record in records:
        where = f" {record['field']}:" if record["field"] else ""
        message = str(record["message"]).removeprefix("ignored: ")
        print(f"  {record['kind']} {record['externalId'] or '(no externalId)'}{where} {message}")


def _verdict(report: sync.SyncReport, rejected: int) -> str:
    if rejected:
        noun = "record was" if rejected == 1 else "records were"
        return f"{rejected} {noun} rejected (listed above); the rest of the batch landed."
    changed = sum(k.created + k.updated for k in report.kinds.values())
    return "Nothing changed: every record was already up to date." if not changed else "Done."
