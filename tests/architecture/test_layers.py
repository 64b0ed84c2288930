"""The architecture holds: layers import only downwards, and only machines write statuses."""

from __future__ import annotations

import ast
from pathlib import Path

from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parents[2]


def test_import_contracts_hold() -> None:
    """server | cli -> schema -> services -> (statemachines | persistence | calc) -> domain."""
    assert lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True) == 0


def _status_writes(path: Path, *, keywords: bool = True) -> list[str]:
    """Assignments to ``.status``, ``status=`` keywords (constructing or updating a row with a
    status) and setattr(..., "status", ...). GraphQL objects are built with ``status=`` from rows
    already read, so ``keywords`` is off for ``schema/``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        line = getattr(node, "lineno", 0)
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        for target in targets:
            if isinstance(target, ast.Attribute) and target.attr == "status":
                found.append(f"{path}:{line} assigns .status")
        if isinstance(node, ast.Call):
            if keywords and any(k.arg == "status" for k in node.keywords):
                found.append(f"{path}:{line} passes status=")
            func = node.func
            if isinstance(func, ast.Name) and func.id == "setattr" and len(node.args) > 1:
                arg = node.args[1]
                if isinstance(arg, ast.Constant) and arg.value == "status":
                    found.append(f"{path}:{line} setattr status")
    return found


def test_only_state_machines_write_status_columns() -> None:
    """Every status change goes through a machine: no other code path sets a status."""
    offenders = []
    for package in ("protiv", "schema"):
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts or (
                path.name in {"bonus.py", "ledger.py", "org.py", "work.py"}
                and "persistence" in path.parts
            ):
                continue  # table definitions declare the initial status as a column default
            offenders += _status_writes(path, keywords=package == "protiv")
    assert offenders == []


def test_the_scan_catches_a_direct_write(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("pro_pay.status = 'PAID'\nsetattr(x, 'status', 1)\nModel(status=1)\n")
    assert len(_status_writes(bad)) == 3
