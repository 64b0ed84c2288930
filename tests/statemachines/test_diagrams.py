"""The committed diagrams are what the tables draw today."""

from __future__ import annotations

from pathlib import Path

from statemachines import MACHINES
from statemachines.diagrams import DOCS, main, mermaid, slug


def test_committed_diagrams_are_up_to_date() -> None:
    assert main(["--check"]) == 0, "run: python -m statemachines.diagrams"


def test_check_fails_on_a_stale_or_missing_page(tmp_path: Path) -> None:
    assert main(["--check", "--dir", str(tmp_path)]) == 1
    assert main(["--dir", str(tmp_path)]) == 0
    assert main(["--check", "--dir", str(tmp_path)]) == 0
    page = tmp_path / "pro_pay.md"
    page.write_text(page.read_text(encoding="utf-8") + "edited by hand\n", encoding="utf-8")
    assert main(["--check", "--dir", str(tmp_path)]) == 1


def test_every_row_is_drawn_with_its_guards() -> None:
    for machine in MACHINES.values():
        text = mermaid(machine)
        assert text.startswith(f"---\ntitle: {machine.name}\n---\nstateDiagram-v2\n")
        assert f"[*] --> {machine.initial.name}" in text
        for row in machine.table:
            sources = row["source"] if isinstance(row["source"], list) else [row["source"]]
            guards = " & ".join(each.__name__ for each in row.get("conditions", []))
            label = f"{row['trigger']} [{guards}]" if guards else row["trigger"]
            for source in sources:
                assert f"{source.name} --> {row['dest'].name}: {label}" in text
        assert (DOCS / f"{slug(machine)}.md").exists()
