"""The command line reads like the tools beside it (alembic, uvicorn), for every command,
including ones added later: the parser is walked, not listed by hand. ``--help`` everywhere,
usage errors as one line with exit code 2, progress bars only where a person watches, and
``--json`` a script can parse."""

from __future__ import annotations

import argparse
import io
import json
from collections.abc import Iterator

import pytest

from protiv.cli import common
from protiv.cli.main import build_parser
from tests.cli.conftest import Protiv


def _commands(
    parser: argparse.ArgumentParser, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], argparse.ArgumentParser, str | None]]:
    """(argv path, parser, its one-line help in the parent's list) for every (sub)command."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {choice.dest: choice.help for choice in action._choices_actions}
            for name, sub in action.choices.items():
                yield (*path, name), sub, helps.get(name)
                yield from _commands(sub, (*path, name))


COMMANDS = list(_commands(build_parser()))
IDS = [" ".join(path) for path, _, _ in COMMANDS]


def test_the_walk_finds_the_commands() -> None:
    found = {path for path, _, _ in COMMANDS}
    assert {("serve",), ("db", "upgrade"), ("demo",), ("sync",), ("token", "create")} <= found


@pytest.mark.parametrize(("path", "parser", "summary"), COMMANDS, ids=IDS)
def test_every_command_has_help_a_summary_and_a_description(
    protiv: Protiv, path: tuple[str, ...], parser: argparse.ArgumentParser, summary: str | None
) -> None:
    ran = protiv(*path, "--help")
    assert ran.code == 0
    assert ran.out.startswith(f"usage: protiv {' '.join(path)}")
    assert summary, f"`protiv {' '.join(path)}` has no one-line help in its parent's list"
    assert parser.description, f"`protiv {' '.join(path)} --help` has no description"
    for action in parser._actions:
        if action.option_strings and action.dest != "help":
            assert action.help, f"{' '.join(path)} {action.option_strings[0]} has no help"


@pytest.mark.parametrize(("path", "parser", "summary"), COMMANDS, ids=IDS)
def test_an_unknown_option_is_one_line_and_exit_code_2(
    protiv: Protiv, path: tuple[str, ...], parser: argparse.ArgumentParser, summary: str | None
) -> None:
    ran = protiv(*path, "--no-such-option")
    assert ran.code == 2
    assert ran.err.count("\n") == 1, ran.err
    assert ran.err.startswith("protiv")
    assert "--help" in ran.err


def test_db_current_json_is_for_scripts(protiv: Protiv) -> None:
    before = json.loads(protiv("db", "current", "--json").out)
    assert before["revision"] is None
    assert before["atHead"] is False
    assert protiv("db", "upgrade").code == 0
    after = json.loads(protiv("db", "current", "--json").out)
    assert after == {"revision": after["head"], "head": after["head"], "atHead": True}


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_shows_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    terminal = _Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    with common.Progress("syncing", unit="record", delay=0) as progress:
        progress("jobs", 1200)
        progress.advance(34)
    shown = terminal.getvalue()
    assert "jobs: 1200" in shown


def test_progress_is_silent_when_stderr_is_not_a_terminal(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    piped = io.StringIO()
    monkeypatch.setattr("sys.stderr", piped)
    with common.Progress("syncing", delay=0) as progress:
        progress("jobs", 10)
    assert piped.getvalue() == ""
