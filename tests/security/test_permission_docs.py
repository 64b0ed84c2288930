"""docs/permissions.md is what the permission matrix says today."""

from __future__ import annotations

from pathlib import Path

from protiv.domain.permission_docs import main, render
from protiv.domain.permissions import ACTION_ROLES, TRIGGER_ROLES


def test_the_committed_page_is_up_to_date() -> None:
    assert main(["--check"]) == 0, "run: python -m protiv.domain.permission_docs"


def test_check_fails_on_a_stale_page(tmp_path: Path) -> None:
    page = tmp_path / "permissions.md"
    assert main(["--check", "--path", str(page)]) == 1
    assert main(["--path", str(page)]) == 0
    page.write_text(page.read_text(encoding="utf-8") + "edited by hand\n", encoding="utf-8")
    assert main(["--check", "--path", str(page)]) == 1


def test_every_rule_has_a_row() -> None:
    text = render()
    for kind, trigger in TRIGGER_ROLES:
        assert f"{kind.value.lower().replace('_', ' ')} `{trigger}` |" in text
    for action in ACTION_ROLES:
        assert f"| `{action}` |" in text
