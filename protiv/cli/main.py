"""``protiv``: the entry point. Builds the parser from each command's module and dispatches to
that command's one function; ``main`` returns the exit code (the console script exits with it)."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from protiv.cli import common, db, demo, export, release, serve, sync, token

COMMANDS = (serve, db, demo, sync, token, release, export)


def build_parser() -> argparse.ArgumentParser:
    parser = common.Parser(
        prog="protiv",
        description="Crew bonuses (ProPays) from the synced job to the payout, behind GraphQL.",
        epilog="The database comes from PROTIV_DATABASE_URL (default: ./protiv.db, SQLite).",
    )
    commands = parser.add_subparsers(title="commands", dest="command", required=True)
    for module in COMMANDS:
        module.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; 0 success, 1 domain or validation error, 2 usage error."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # --help (0) or a usage error (2): argparse has printed it
        return exit_.code if isinstance(exit_.code, int) else common.USAGE
    handler: common.Handler = args.handler
    return common.guarded(handler, args)


if __name__ == "__main__":
    raise SystemExit(main())
