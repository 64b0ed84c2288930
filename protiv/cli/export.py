"""``protiv export --company SLUG --period YYYY-MM-DD [--out FILE]``: the payroll CSV of the
pay period starting on that day (its PAID statements: worker, payroll id, period, pay date,
amounts by category, net pay), on stdout or into a file."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from protiv.cli import common
from protiv.cli.sync import company_id
from protiv.domain.roles import Actor, Role
from protiv.services import payroll_export


def register(commands: common.Commands) -> None:
    parser = commands.add_parser(
        "export",
        help="write the payroll CSV of a pay period",
        description="The PAID statements of the pay period starting on --period, as CSV for "
        "payroll: one row per statement. Without --out the CSV goes to stdout.",
    )
    parser.add_argument("--company", required=True, metavar="SLUG", help="the company's slug")
    parser.add_argument(
        "--period",
        required=True,
        type=day,
        metavar="YYYY-MM-DD",
        help="the first day of the pay period",
    )
    parser.add_argument("--out", type=Path, metavar="FILE", help="write the CSV here")
    parser.set_defaults(handler=export_command)


def day(value: str) -> date:
    """An argparse type: an ISO date (else a usage error)."""
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date YYYY-MM-DD, not {value!r}") from None


def export_command(args: argparse.Namespace) -> int:
    done = common.run(_export(args.company, args.period))
    if args.out is None:
        sys.stdout.write(done.csv)
        return common.OK
    try:
        args.out.write_text(done.csv, encoding="utf-8")
    except OSError as error:
        raise common.CliError(f"{args.out}: {error.strerror or error}") from error
    noun = "statement" if done.rows == 1 else "statements"
    print(f"Wrote {done.rows} paid {noun} (net pay {done.total:.2f}) to {args.out}.")
    return common.OK


async def _export(slug: str, starts_on: date) -> payroll_export.Export:
    async with common.services(common.settings().database_url) as ctx:
        actor = Actor(company_id=await company_id(ctx, slug), role=Role.PAYROLL, name="cli")
        return await payroll_export.export_starting(ctx, actor, starts_on)
