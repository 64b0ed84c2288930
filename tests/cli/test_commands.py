"""Each command in-process: exit codes (0 ok, 1 domain/validation, 2 usage), one-line errors,
and output a script can use."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import inspect

from protiv.domain.roles import Role
from protiv.persistence.database import create_database
from protiv.services import tokens
from protiv.services.context import ServiceContext
from tests.cli.conftest import Protiv

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "sync-batch.json"
COMMANDS = (
    (),
    ("serve",),
    ("db",),
    ("db", "upgrade"),
    ("db", "current"),
    ("demo",),
    ("sync",),
    ("token",),
    ("token", "create"),
)


def assert_one_line(err: str, says: str) -> None:
    """An expected failure explains itself in exactly one line on stderr."""
    assert err.count("\n") == 1, err
    assert says in err, err


def authenticate(url: str, token: str) -> Any:
    async def check() -> Any:
        db = create_database(url)
        try:
            return await tokens.authenticate(ServiceContext(db=db), f"Bearer {token}")
        finally:
            await db.dispose()

    return asyncio.run(check())


def table_names(url: str) -> set[str]:
    async def names() -> set[str]:
        db = create_database(url)
        try:
            async with db.engine.connect() as conn:
                return set(await conn.run_sync(lambda c: inspect(c).get_table_names()))
        finally:
            await db.dispose()

    return asyncio.run(names())


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "protiv")
def test_help_of_every_command_exits_0(protiv: Protiv, command: tuple[str, ...]) -> None:
    ran = protiv(*command, "--help")
    assert ran.code == 0
    assert ran.out.startswith("usage: protiv")


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        ((), "required: command"),
        (("sync",), "required: --company"),
        (("token", "create", "--company", "acme", "--role", "boss"), "unknown role 'boss'"),
        (
            ("token", "create", "--company", "a", "--role", "admin", "--expires-days", "0"),
            "1 or more",
        ),
        (("serve", "--port", "http"), "invalid int value"),
    ],
)
def test_a_usage_error_is_one_line_and_exit_code_2(
    protiv: Protiv, argv: tuple[str, ...], says: str
) -> None:
    ran = protiv(*argv)
    assert ran.code == 2
    assert_one_line(ran.err, says)


def test_db_upgrade_creates_the_schema(
    protiv: Protiv, empty_database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PROTIV_DATABASE_URL", empty_database_url)
    assert protiv("db", "current").out.startswith("none (")
    ran = protiv("db", "upgrade")
    assert ran.code == 0, ran.err
    assert ran.out.rstrip().endswith("(head)"), ran.out
    assert {"company", "pro_pay", "line_item", "alembic_version"} <= table_names(empty_database_url)
    current = protiv("db", "current")
    assert current.code == 0
    assert current.out.endswith(" (head)\n")
    assert protiv("db", "upgrade").code == 0  # safe to repeat


@pytest.mark.parametrize(
    ("env", "argv", "says"),
    [
        ({"PROTIV_DATABASE_URL": "mysql://u@h/x"}, ("db", "current"), "sqlite:// or postgresql://"),
        ({"PROTIV_DATABASE_URL": "::::"}, ("demo",), "PROTIV_DATABASE_URL: Could not parse"),
        ({"PROTIV_PORT": "http"}, ("demo",), "bad setting in the environment"),
        ({}, ("db", "upgrade", "--revision", "nope"), "alembic: Can't locate revision"),
    ],
)
def test_a_bad_setting_is_one_line_and_exit_code_1(
    protiv: Protiv,
    monkeypatch: pytest.MonkeyPatch,
    env: dict[str, str],
    argv: tuple[str, ...],
    says: str,
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    ran = protiv(*argv)
    assert ran.code == 1
    assert_one_line(ran.err, says)


@pytest.mark.parametrize("spelling", ["manager", "MANAGER", "Manager"])
def test_token_create_prints_only_a_token_that_authenticates(
    protiv: Protiv, acme: str, cli_database: str, spelling: str
) -> None:
    ran = protiv("token", "create", "--company", acme, "--role", spelling, "--expires-days", "2")
    assert ran.code == 0
    assert ran.err == ""
    token = ran.out.strip()
    assert ran.out == f"{token}\n"
    assert " " not in token
    actor = authenticate(cli_database, token)
    assert (actor.role, actor.name) == (Role.MANAGER, "cli-manager")


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (("--company", "nobody", "--role", "admin"), "NOT_FOUND: No company with slug 'nobody'"),
        (("--company", "acme", "--role", "worker"), "VALIDATION: A worker token names its worker"),
        (("--company", "acme", "--role", "worker", "--worker", "W-404"), "NOT_FOUND"),
    ],
)
def test_token_create_refusals_are_one_line_and_exit_code_1(
    protiv: Protiv, acme: str, argv: tuple[str, ...], says: str
) -> None:
    ran = protiv("token", "create", *argv)
    assert (ran.code, ran.out) == (1, "")
    assert_one_line(ran.err, says)


def test_an_unmigrated_database_says_how_to_fix_it(protiv: Protiv) -> None:
    ran = protiv("token", "create", "--company", "acme", "--role", "admin")
    assert ran.code == 1
    assert_one_line(ran.err, "protiv db upgrade")


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ('{"jobs": [', "is not valid JSON"),
        ("[1, 2]", "must hold a JSON object"),
        ('{"jobs": 3}', "VALIDATION: jobs must be a list of objects"),
        ('{"employees": []}', "VALIDATION: Unknown record kinds ['employees']"),
        (None, "No such file or directory"),
    ],
)
def test_sync_with_a_bad_file_exits_1_with_one_line(
    protiv: Protiv, acme: str, tmp_path: Path, content: str | None, says: str
) -> None:
    path = tmp_path / "batch.json"
    if content is not None:
        path.write_text(content)
    ran = protiv("sync", str(path), "--company", acme)
    assert (ran.code, ran.out) == (1, "")
    assert_one_line(ran.err, says)


def test_sync_twice_reports_everything_unchanged_the_second_time(protiv: Protiv, acme: str) -> None:
    first = protiv("sync", str(EXAMPLE), "--company", acme)
    assert first.code == 0, first.err
    assert "ProPays created: 2" in first.out
    assert "timeEntries" in first.out
    assert "Done." in first.out
    second = protiv("sync", str(EXAMPLE), "--company", acme, "--json")
    assert second.code == 0
    report = json.loads(second.out)
    assert report["proPaysCreated"] == 0
    assert report["errors"] == []
    batch = json.loads(EXAMPLE.read_text())
    for kind, counts in report["kinds"].items():
        assert counts == {
            "created": 0,
            "updated": 0,
            "unchanged": len(batch.get(kind, [])),
            "excluded": 0,
            "ignored": 0,
            "rejected": 0,
        }
    third = protiv("sync", str(EXAMPLE), "--company", acme)
    assert "Nothing changed" in third.out


def test_sync_reports_rejected_records_and_still_exits_0(
    protiv: Protiv, acme: str, tmp_path: Path
) -> None:
    path = tmp_path / "batch.json"
    path.write_text(
        json.dumps(
            {
                "workers": [
                    {"externalId": "W-1", "name": "Ana Ruiz", "wage": 19.5},
                    {"externalId": "W-2", "name": "Old Hand", "wage": "20", "active": False},
                ],
                "timeEntries": [
                    {
                        "externalId": "T-1",
                        "worker": "W-1",
                        "job": "J-9",
                        "date": "2026-11-02",
                        "hours": 8,
                    }
                ],
            }
        )
    )
    ran = protiv("sync", str(path), "--company", acme)
    assert ran.code == 0
    assert "workers W-2 the worker is inactive" in ran.out
    assert "timeEntries T-1 job: no job with external id 'J-9' has synced" in ran.out
    assert "1 record was rejected" in ran.out


def test_demo_loads_once_then_hands_out_fresh_tokens(protiv: Protiv, cli_database: str) -> None:
    first = protiv("demo", "--json")
    assert first.code == 0, first.err
    loaded = json.loads(first.out)
    assert loaded["created"] is True
    assert loaded["graphiql"] == "http://127.0.0.1:8000/graphql"
    assert all(loaded["summary"]["pro_pays"].values())
    assert authenticate(cli_database, loaded["token"]).role is Role.ADMIN
    again = protiv("demo")
    assert again.code == 0
    assert "exists already" in again.out
    assert "Authorization: Bearer ptv_" in again.out
    assert loaded["token"] not in again.out
