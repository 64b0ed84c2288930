"""The schema as clients depend on it: no breaking change since the last release
(graphql-inspector), and the naming and documentation rules of graphql-schema-linter.

schema/schema.graphql is the code's schema (tests/architecture/test_contracts.py keeps it so);
schema/releases/ holds the SDL of each release (see its README for cutting one).
"""

from __future__ import annotations

import json
import re
import subprocess
from collections import defaultdict
from pathlib import Path

from tests.clients.node import JS, ROOT, node_or_skip

SDL = ROOT / "schema" / "schema.graphql"
RELEASES = ROOT / "schema" / "releases"
NAMING_RULES = (
    "fields-are-camel-cased",
    "types-are-capitalized",
    "enum-values-all-caps",
    "deprecations-have-a-reason",
    "defined-types-are-used",
)
DESCRIPTION_RULES = (
    "types-have-descriptions",
    "fields-have-descriptions",
    "input-object-values-have-descriptions",
)


def last_release() -> Path:
    def version(path: Path) -> tuple[int, ...]:
        return tuple(int(part) for part in path.stem.split("."))

    return max(RELEASES.glob("*.graphql"), key=version)


def tool(name: str, *args: str) -> subprocess.CompletedProcess[str]:
    node_or_skip()
    return subprocess.run(
        [str(JS / "node_modules" / ".bin" / name), *args],
        cwd=JS,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def lint(rules: tuple[str, ...]) -> list[dict[str, str]]:
    run = tool("graphql-schema-linter", "--format", "json", "--rules", ",".join(rules), str(SDL))
    errors: list[dict[str, str]] = json.loads(run.stdout)["errors"]
    return errors


def test_no_breaking_change_since_the_last_release() -> None:
    run = tool("graphql-inspector", "diff", str(last_release()), str(SDL))
    assert run.returncode == 0, f"breaking changes against {last_release().name}:\n{run.stdout}"


def test_a_removed_field_is_reported_as_breaking(tmp_path: Path) -> None:
    narrowed = tmp_path / "narrowed.graphql"
    field = re.compile(r'(\n  """[^"]*""")?\n  totalCount: Int!')  # with its description
    narrowed.write_text(field.sub("", SDL.read_text(), count=1))
    run = tool("graphql-inspector", "diff", str(SDL), str(narrowed))
    assert run.returncode == 1
    assert "totalCount" in run.stdout
    assert "breaking" in run.stdout.lower()


def test_the_schema_follows_the_naming_rules() -> None:
    assert [f"{e['rule']}: {e['message']}" for e in lint(NAMING_RULES)] == []


def test_every_type_and_field_has_a_description() -> None:
    missing: dict[str, list[str]] = defaultdict(list)
    for error in lint(DESCRIPTION_RULES):
        member = error["message"].split("`")[1]
        missing[member.split(".")[0]].append(member)
    listing = "\n".join(
        f"{kind}: {', '.join(members)}" for kind, members in sorted(missing.items())
    )
    assert not missing, f"{sum(map(len, missing.values()))} without a description:\n{listing}"
