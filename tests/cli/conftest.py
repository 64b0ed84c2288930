"""Running ``protiv`` in-process: argv in, exit code and captured output back, against a
SQLite file of the test's own (``PROTIV_DATABASE_URL``)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from protiv.cli.main import main
from protiv.persistence.database import create_database
from protiv.persistence.migrate import upgrade
from protiv.persistence.models import Company


@dataclass(frozen=True)
class Ran:
    code: int
    out: str
    err: str


Protiv = Callable[..., Ran]


@pytest.fixture
def cli_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("PROTIV_DATABASE_URL", url)
    for name in ("PROTIV_HOST", "PROTIV_PORT"):
        monkeypatch.delenv(name, raising=False)
    return url


@pytest.fixture
def protiv(cli_database: str, capsys: pytest.CaptureFixture[str]) -> Protiv:
    def run(*argv: str) -> Ran:
        capsys.readouterr()
        code = main(list(argv))
        captured = capsys.readouterr()
        return Ran(code, captured.out, captured.err)

    return run


async def _add_company(url: str, slug: str) -> None:
    db = create_database(url)
    try:
        async with db.write() as session, session.begin():
            session.add(Company(slug=slug, name="Acme Landscaping"))
    finally:
        await db.dispose()


@pytest.fixture
def acme(cli_database: str) -> str:
    """A migrated database holding one company, slug ``acme``."""
    upgrade(cli_database)
    asyncio.run(_add_company(cli_database, "acme"))
    return "acme"
