"""docs/permissions.md, written from the permission matrix (protiv.domain.permissions), so the
page and the rules the services enforce cannot drift apart.

python -m protiv.domain.permission_docs            # (re)write docs/permissions.md
python -m protiv.domain.permission_docs --check    # exit 1 when the page is out of date
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

from protiv.domain.permissions import (
    ACTION_ROLES,
    BRANCH_SCOPED_ACTIONS,
    BRANCH_SCOPED_KINDS,
    BRANCH_SCOPED_ROLES,
    READ_SCOPE,
    TRIGGER_ROLES,
)
from protiv.domain.roles import Role
from protiv.domain.statuses import EntityKind

PAGE = Path(__file__).resolve().parents[2] / "docs" / "permissions.md"
ROLES = tuple(Role)
YES, NO, BRANCHES = "✓", "—", "✓ own branches"

ROLE_SUMMARY: dict[Role, str] = {
    Role.ADMIN: "everything in its company",
    Role.MANAGER: "approves, unapproves, cancels, deletes, restores and edits ProPays and "
    "groups, answers disqualifiers, sets penalties: only for the ProPays of its branches",
    Role.PAYROLL: "statements, line items, payouts, exports",
    Role.WORKER: "reads its own statements and line items and the ProPays it worked on; "
    "nothing else",
    Role.INTEGRATION: "syncs records in, and reads",
}

INTRO = """\
# Permissions

Who may do what. This page is generated from `protiv/domain/permissions.py` (the one place the
rules live) by `python -m protiv.domain.permission_docs`; a test fails when it is out of date.

Every API token belongs to one company and carries one role. Nothing of another company is
ever visible: a global id of another company answers as if it did not exist (`null`, an empty
list, or `NOT_FOUND`), through `node`, filters, subscriptions and the events feed alike.

The rules are enforced in the services, not only in the GraphQL layer; a refused request is
answered `FORBIDDEN` (in the mutation's `userErrors`) and changes nothing. `availableActions`
on every status-bearing type lists only what the caller's token may fire now.
"""

BRANCH_NOTE = """\
**Branches.** A manager token may be bound to branches (`protiv token create --role manager
--branch EXTERNAL_ID ...`, or `--worker EXTERNAL_ID` for the manager's own worker record,
whose branch it takes). Its ProPay rights then reach only the ProPays whose job is in one of
those branches (a group: every member's); elsewhere it is refused with `FORBIDDEN`, and
`availableActions` is empty. A manager token bound to no branch manages every branch. Reads
are not branch-bound.
"""

WORKER_NOTE = """\
**Workers.** A worker token names its worker. It reads its own statements and line items, the
ProPays it worked on (time entries or line items on them) with their jobs, and its own worker
record; a ProPay's calculation shows it only its own shares. Every other query field
(workers, jobs, groups, the events feed, subscriptions, settings, ...) is refused with
`FORBIDDEN`, and `node` answers `null` for anything that is not its own.
"""


def _row(label: str, cells: Iterable[str]) -> str:
    return "| " + " | ".join([label, *cells]) + " |"


def _header(first: str) -> list[str]:
    names = [role.value.lower() for role in ROLES]
    return [_row(first, names), _row("---", ["---"] * len(ROLES))]


def _cell(role: Role, allowed: frozenset[Role], branch_scoped: bool) -> str:
    if role not in allowed:
        return NO
    return BRANCHES if branch_scoped and role in BRANCH_SCOPED_ROLES else YES


def roles_table() -> list[str]:
    lines = ["| role | may |", "| --- | --- |"]
    lines += [f"| {role.value.lower()} | {ROLE_SUMMARY[role]} |" for role in ROLES]
    return lines


def reads_table() -> list[str]:
    lines = ["| role | reads |", "| --- | --- |"]
    lines += [f"| {role.value.lower()} | {READ_SCOPE[role].value} |" for role in ROLES]
    return lines


def transitions_table() -> list[str]:
    lines = _header("transition")
    for (kind, trigger), allowed in TRIGGER_ROLES.items():
        scoped = kind in BRANCH_SCOPED_KINDS
        label = f"{_kind_name(kind)} `{trigger}`"
        lines.append(_row(label, (_cell(role, allowed, scoped) for role in ROLES)))
    return lines


def actions_table() -> list[str]:
    lines = _header("action")
    for action in sorted(ACTION_ROLES):
        scoped = action in BRANCH_SCOPED_ACTIONS
        cells = (_cell(role, ACTION_ROLES[action], scoped) for role in ROLES)
        lines.append(_row(f"`{action}`", cells))
    return lines


def _kind_name(kind: EntityKind) -> str:
    return kind.value.lower().replace("_", " ")


def render() -> str:
    """The whole page."""
    parts = [
        INTRO,
        "## Roles\n",
        *roles_table(),
        "\n## Reading\n",
        *reads_table(),
        "",
        WORKER_NOTE,
        "## Transitions\n",
        "Fired through the `<object><Trigger>` mutations (`proPayApprove`, `statementPay`, ...). "
        "Transitions fired as the consequence of another (a ProPay's cancel voiding its line "
        "items, sync canceling the ProPays of a canceled job) are checked against the first "
        "one.\n",
        *transitions_table(),
        "",
        BRANCH_NOTE,
        "## Other actions\n",
        "Edits, creations, sync, exports and settings: each service checks its action here.\n",
        *actions_table(),
    ]
    return "\n".join(parts) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m protiv.domain.permission_docs", description=__doc__
    )
    parser.add_argument("--check", action="store_true", help="fail when the page is out of date")
    parser.add_argument("--path", type=Path, default=PAGE, help="where the page goes")
    args = parser.parse_args(argv)
    text = render()
    current = args.path.read_text(encoding="utf-8") if args.path.exists() else None
    if current == text:
        return 0
    if args.check:
        sys.stderr.write(f"out of date: {args.path}; run python -m protiv.domain.permission_docs\n")
        return 1
    args.path.parent.mkdir(parents=True, exist_ok=True)
    args.path.write_text(text, encoding="utf-8")
    sys.stdout.write(f"wrote {args.path}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
