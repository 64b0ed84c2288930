"""Mermaid diagrams of every machine, drawn by ``transitions``' GraphMachine from the same tables.

python -m statemachines.diagrams            # (re)write docs/state-machines/<machine>.md
python -m statemachines.diagrams --check    # exit 1 when a file is out of date
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from transitions.extensions import GraphMachine

from protiv.domain.permissions import TRIGGER_ROLES
from statemachines import MACHINES
from statemachines.base import Guard, StateMachine

DOCS = Path(__file__).resolve().parent.parent / "docs" / "state-machines"


class _Sketch:
    """The throwaway model GraphMachine needs to draw a graph."""


def slug(machine: StateMachine[Any, Any, Any]) -> str:
    """The file and module name of a machine: ``pro_pay``, ``line_item``, ..."""
    return machine.kind.value.lower()


def mermaid(machine: StateMachine[Any, Any, Any]) -> str:
    """The machine's ``stateDiagram-v2``, guards in brackets, without the styling lines."""
    sketch = GraphMachine(
        model=_Sketch(),
        states=machine.states,
        transitions=machine.table,
        initial=machine.initial,
        model_attribute="status",
        auto_transitions=False,
        send_event=True,
        graph_engine="mermaid",
        show_conditions=True,
        title=machine.name,
    )
    text = sketch.get_combined_graph().draw(None) or ""
    lines = [line.rstrip() for line in text.splitlines()]
    kept = [line for line in lines if not line.lstrip().startswith(("classDef ", "Class "))]
    if kept[:1] == ["---"] and kept[2:3] == ["---"]:
        kept[1] = f"title: {kept[1]}"  # Mermaid front matter is YAML: a mapping, not a bare word
    return "\n".join(kept).strip("\n") + "\n"


def _guards(machine: StateMachine[Any, Any, Any]) -> list[Guard]:
    seen: dict[str, Guard] = {}
    for row in machine.table:
        for each in row.get("conditions", []):
            seen.setdefault(each.__name__, each)
    return list(seen.values())


def _sources(row: Any) -> str:
    source = row["source"]
    sources = source if isinstance(source, list) else [source]
    return ", ".join(each.name for each in sources)


def document(machine: StateMachine[Any, Any, Any]) -> str:
    """The whole Markdown page of one machine."""
    lines = [
        f"# {machine.noun[:1].upper()}{machine.noun[1:]} lifecycle",
        "",
        f"{machine.summary} Every arrow also needs the actor's role to be allowed "
        "(`protiv/domain/permissions.py`, refused with FORBIDDEN); a guard in brackets refuses "
        "with the code below, and a trigger fired from a status it does not leave refuses with "
        f"INVALID_TRANSITION. Generated from the table in `statemachines/{slug(machine)}.py` by "
        "`python -m statemachines.diagrams`: do not edit by hand.",
        "",
        "```mermaid",
        mermaid(machine).rstrip("\n"),
        "```",
        "",
        "| trigger | from | to | roles | guards |",
        "|---|---|---|---|---|",
    ]
    for row in machine.table:
        roles = TRIGGER_ROLES.get((machine.kind, row["trigger"]), frozenset())
        names = ", ".join(each.__name__ for each in row.get("conditions", [])) or "-"
        lines.append(
            f"| {row['trigger']} | {_sources(row)} | {row['dest'].name} | "
            f"{', '.join(sorted(role.value for role in roles))} | {names} |"
        )
    if guards := _guards(machine):
        lines += ["", "| guard | refuses with | passes when |", "|---|---|---|"]
        for each in guards:
            doc = (each.__doc__ or "").strip().splitlines()[0]
            lines.append(f"| {each.__name__} | {each.code.value} | {doc} |")
    return "\n".join(lines) + "\n"


def expected_files(folder: Path = DOCS) -> dict[Path, str]:
    return {folder / f"{slug(machine)}.md": document(machine) for machine in MACHINES.values()}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m statemachines.diagrams", description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail when a file is out of date")
    parser.add_argument("--dir", type=Path, default=DOCS, help="where the pages go")
    args = parser.parse_args(argv)
    stale = []
    for path, text in expected_files(args.dir).items():
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current == text:
            continue
        stale.append(path)
        if not args.check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    if args.check and stale:
        names = ", ".join(str(path) for path in stale)
        sys.stderr.write(f"out of date: {names}; run python -m statemachines.diagrams\n")
        return 1
    for path in stale:
        sys.stdout.write(f"wrote {path}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
