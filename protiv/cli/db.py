"""``protiv db upgrade|current``: Alembic from code, no alembic.ini to keep next to the app."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy.engine import Connection, make_url

from protiv.cli import common
from protiv.persistence.database import create_migration_engine
from protiv.persistence.migrate import alembic_config, upgrade


def register(commands: common.Commands) -> None:
    parser = commands.add_parser(
        "db", help="migrate the database", description="Database migrations (Alembic)."
    )
    actions = parser.add_subparsers(title="actions", dest="action", required=True)
    up = actions.add_parser(
        "upgrade",
        help="bring the schema to a revision (default: head)",
        description="Create or upgrade the schema at PROTIV_DATABASE_URL; safe to repeat.",
    )
    up.add_argument("--revision", default="head", help="target revision (default: %(default)s)")
    up.set_defaults(handler=upgrade_command)
    current = actions.add_parser(
        "current",
        help="print the current revision",
        description="Print the revision the database is at, and whether it is the head.",
    )
    current.add_argument(
        "--json",
        action="store_true",
        help='print {"revision": ..., "head": ..., "atHead": true|false}',
    )
    current.set_defaults(handler=current_command)


def upgrade_command(args: argparse.Namespace) -> int:
    url = common.settings().database_url
    try:
        upgrade(url, args.revision)
    except CommandError as error:  # e.g. an unknown revision
        raise common.CliError(f"alembic: {error}") from error
    revision = common.run(current_revision(url))
    print(f"{common.redact(url)} is at revision {_describe(revision, head_revision(url))}")
    return common.OK


def current_command(args: argparse.Namespace) -> int:
    url = common.settings().database_url
    missing = _missing_sqlite_file(url)
    revision = None if missing else common.run(current_revision(url))
    head = head_revision(url)
    if args.json:
        print(json.dumps({"revision": revision, "head": head, "atHead": revision == head}))
    elif missing:
        print(f"none (no database file at {make_url(url).database}: run `protiv db upgrade`)")
    else:
        print(_describe(revision, head))
    return common.OK


def _describe(revision: str | None, head: str | None) -> str:
    if revision is None:
        return "none (empty database: run `protiv db upgrade`)"
    if revision == head:
        return f"{revision} (head)"
    return f"{revision} (head is {head}: run `protiv db upgrade`)"


def _missing_sqlite_file(url: str) -> bool:
    """Asking a SQLite URL for its revision would create the file; say it is missing instead."""
    parsed = make_url(url)
    return parsed.get_backend_name() == "sqlite" and not Path(parsed.database or "").exists()


async def current_revision(url: str) -> str | None:
    engine = create_migration_engine(url)
    try:
        async with engine.connect() as conn:
            return await conn.run_sync(_revision_of)
    finally:
        await engine.dispose()


def _revision_of(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def head_revision(url: str) -> str | None:
    return ScriptDirectory.from_config(alembic_config(url)).get_current_head()
