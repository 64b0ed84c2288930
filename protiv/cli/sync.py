"""``protiv sync``: sync records from files, or run an integration's sync now.

    protiv sync FILE... --company SLUG [--provider aspire|jobber|...] [--json]
    protiv sync --company SLUG --integration ID_OR_NAME [--json]

FILEs are JSON batches (the ``syncBatch`` shape, or the provider's own with ``--provider``),
JSON Lines (one record per line with its ``kind``, streamed: the format for large syncs) or CSV
(one kind per file, named by it: ``jobs.csv``). Numbers are read as exact decimals, so
``"wage": 19.5`` means 19.50, not a float. ``--integration`` runs that integration's sync now
(a file-drop integration picks up its folder). Records that fail are reported with their reason
and the rest lands, so a partly rejected batch still exits 0, and says so; a batch that cannot
be read or mapped as a whole fails the run (the integration goes FAILED) and exits 1.
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
from protiv.services import integrations, sync
from protiv.services.adapters.files import read_files
from protiv.services.context import ServiceContext
from protiv.services.sync_report import FAILED, IGNORED, SyncReport

COLUMNS = ("created", "updated", "unchanged", "excluded", "ignored", "rejected")


def register(commands: common.Commands) -> None:
    parser = commands.add_parser(
        "sync",
        help="sync records from files, or run an integration's sync now",
        description="Upsert branches, routes, workers, jobs, milestones and time entries from "
        "JSON, JSON Lines or CSV files as the company's integration, or run a configured "
        "integration's sync now (--integration). Idempotent: the same file twice changes "
        "nothing.",
    )
    parser.add_argument(
        "files", metavar="FILE", type=Path, nargs="*", help="JSON, JSON Lines or CSV files"
    )
    parser.add_argument("--company", required=True, metavar="SLUG", help="the company's slug")
    parser.add_argument(
        "--provider",
        help="the files' shape: aspire, jobber, or the internal one (default: the JSON file's "
        '"provider", else file)',
    )
    parser.add_argument(
        "--integration", metavar="ID_OR_NAME", help="run this integration's sync now"
    )
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.set_defaults(handler=sync_command)


def sync_command(args: argparse.Namespace) -> int:
    if bool(args.files) == bool(args.integration):
        raise common.CliError("give FILEs to sync, or --integration to run one now (not both)")
    if args.integration:
        report = common.run(_resync(args.company, args.integration))
        what = f"integration {args.integration} of {args.company}"
    else:
        provider, batch = _provider_and_batch(args)
        report = common.run(_sync_files(args.company, args.files, provider, batch))
        names = ", ".join(str(f) for f in args.files)
        what = f"{names} into {args.company} (provider {provider})"
    if report.outcome == FAILED:
        raise common.CliError(f"VALIDATION: {report.error} (sync run {report.run_id} failed)")
    if args.json:
        print(json.dumps(report.as_dict(), indent=2))
    else:
        print_report(report, what)
    return common.OK


def _provider_and_batch(args: argparse.Namespace) -> tuple[str, dict[str, Any] | None]:
    """A single JSON file is read here (its errors are the file's, before any sync)."""
    if len(args.files) == 1 and args.files[0].suffix.lower() not in (".jsonl", ".ndjson", ".csv"):
        batch = read_batch(args.files[0])
        return args.provider or _provider_in(batch) or "file", batch
    return args.provider or "file", None


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


async def _sync_files(
    slug: str, files: list[Path], provider: str, batch: dict[str, Any] | None
) -> SyncReport:
    progress = common.Progress("syncing", unit="record")
    try:
        async with common.services(common.settings().database_url) as ctx:
            actor = await _actor(ctx, slug)
            if batch is not None:
                return await sync.sync_batch(
                    ctx, actor, batch, provider=provider, progress=progress
                )
            integration_id = await sync.integration_for(ctx, actor, provider)
            return await sync.run(
                ctx,
                actor,
                integration_id,
                lambda: read_files(files, provider),
                source="files: " + ", ".join(f.name for f in files),
                progress=progress,
            )
    finally:
        progress.close()


async def _resync(slug: str, integration: str) -> SyncReport:
    progress = common.Progress("syncing", unit="record")
    try:
        async with common.services(common.settings().database_url) as ctx:
            actor = await _actor(ctx, slug)
            found = await integrations.find(ctx, actor, integration)
            return await integrations.resync(ctx, actor, found, progress=progress)
    finally:
        progress.close()


async def _actor(ctx: ServiceContext, slug: str) -> Actor:
    return Actor(company_id=await company_id(ctx, slug), role=Role.INTEGRATION, name="cli-sync")


async def company_id(ctx: ServiceContext, slug: str) -> int:
    async with ctx.db.read() as session:
        found = await session.scalar(select(Company.id).where(Company.slug == slug))
    if found is None:
        raise NotFound(
            f"No company with slug {slug!r} (load one with `protiv demo`).", field=["company"]
        )
    return int(found)


def print_report(report: SyncReport, what: str) -> None:
    """A table of counts per kind, then every ignored and rejected record with its reason."""
    print(f"Synced {what}: sync run {report.run_id}.")
    print()
    print(f"{'kind':<12}" + "".join(f"{c:>11}" for c in COLUMNS))
    for kind, counts in report.kinds.items():
        print(f"{kind:<12}" + "".join(f"{getattr(counts, c):>11}" for c in COLUMNS))
    print()
    print(f"ProPays created: {report.pro_pays_created}")
    if report.pro_pays_canceled or report.queued_for_approval:
        print(f"ProPays canceled: {report.pro_pays_canceled}")
        print(f"ProPays ready for approval: {report.queued_for_approval}")
    ignored = [i for i in report.issues if i.disposition == IGNORED]
    rejected = [i for i in report.issues if i.disposition not in (IGNORED, "EXCLUDED")]
    excluded = [i for i in report.issues if i.disposition == "EXCLUDED"]
    _print_records("Excluded (stored, no ProPay)", excluded)
    _print_records("Ignored (they do not sync)", ignored)
    _print_records("Rejected", rejected)
    if report.issue_count > len(report.issues):
        print(f"... and {report.issue_count - len(report.issues)} more (see the sync run).")
    print(_verdict(report, sum(k.rejected for k in report.kinds.values())))


def _print_records(title: str, records: list[Any]) -> None:
    if not records:
        return
    print(f"{title}:")
    for record in records:
        where = f" {record.field}:" if record.field else ""
        print(f"  {record.kind} {record.external_id or '(no externalId)'}{where} {record.message}")


def _verdict(report: SyncReport, rejected: int) -> str:
    if rejected:
        noun = "record was" if rejected == 1 else "records were"
        return f"{rejected} {noun} rejected (listed above); the rest of the batch landed."
    return (
        "Nothing changed: every record was already up to date." if not report.changed else "Done."
    )
