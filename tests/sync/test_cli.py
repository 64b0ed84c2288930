"""``protiv sync`` from files (JSON, JSON Lines, CSV, a provider's shape) and ``--integration``
(run one now), against a SQLite file built from the models."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from protiv.cli.main import main
from protiv.persistence.database import create_database
from protiv.persistence.models import Base, Company, Integration
from tests.sync import records as r
from tests.sync.test_adapters import SAMPLES


async def _prepare(url: str, folder: Path) -> None:
    db = create_database(url)
    try:
        async with db.engine.begin() as conn:
            await conn.run_sync(Base.metadata.create_all)
        async with db.write() as session, session.begin():
            company = Company(slug="acme", name="Acme Landscaping")
            session.add(company)
            await session.flush()
            session.add(
                Integration(
                    company_id=company.id, provider="file", name="Drop", drop_folder=str(folder)
                )
            )
    finally:
        await db.dispose()


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("PROTIV_DATABASE_URL", url)
    (tmp_path / "drop").mkdir()
    asyncio.run(_prepare(url, tmp_path / "drop"))

    def protiv(*argv: str) -> tuple[int, str, str]:
        capsys.readouterr()
        code = main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    return protiv


def test_json_lines_and_csv_files_sync_and_report(run, tmp_path: Path) -> None:
    lines = tmp_path / "batch.jsonl"
    batch = r.crew()
    lines.write_text(
        "".join(
            json.dumps({"kind": kind, **record}) + "\n" for kind in batch for record in batch[kind]
        )
    )
    extra = tmp_path / "timeEntries.csv"
    extra.write_text(
        "externalId,worker,job,date,hours\nT-3,W-1,J-1,2026-11-03,4\nT-4,W-1,J-9,2026-11-03,4\n"
    )
    code, out, err = run("sync", str(lines), str(extra), "--company", "acme")
    assert (code, err) == (0, "")
    (row,) = [line.split() for line in out.splitlines() if line.startswith("timeEntries ")]
    assert row == ["timeEntries", "3", "0", "0", "0", "0", "1"]
    assert "timeEntries T-4 job: no job with external id 'J-9' has synced" in out
    code, out, _ = run("sync", str(lines), "--company", "acme", "--json")
    report = json.loads(out)
    assert report["kinds"]["timeEntries"]["unchanged"] == 2
    assert report["outcome"] == "SUCCEEDED"


def test_a_providers_shape_with_provider(run) -> None:
    code, out, _ = run(
        "sync", str(SAMPLES / "aspire.json"), "--company", "acme", "--provider", "aspire"
    )
    assert code == 0
    assert "ProPays created: 4" in out
    assert "workers 1504 the worker has no wage set in the integration" in out


def test_integration_runs_a_file_drop_now_and_a_bad_file_exits_1(run, tmp_path: Path) -> None:
    (tmp_path / "drop" / "a.json").write_text(json.dumps(r.crew()))
    code, out, _ = run("sync", "--company", "acme", "--integration", "drop")
    assert code == 0
    assert "Synced integration drop of acme" in out
    (tmp_path / "drop" / "b.json").write_text("{")
    code, out, err = run("sync", "--company", "acme", "--integration", "drop")
    assert (code, out) == (1, "")
    assert err.startswith("protiv: error: VALIDATION: b.json: cannot be read as JSON")
    code, _, err = run("sync", "--company", "acme")
    assert code == 1
    assert "give FILEs to sync, or --integration" in err
