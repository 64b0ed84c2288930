"""The payroll export: the PAID statements of a period as CSV, from the service, GraphQL-free;
and the two commands, ``protiv export`` and ``protiv release-due``, in-process."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import update

from protiv.cli.main import main
from protiv.domain.errors import DomainError, ErrorCode
from protiv.domain.payouts import ManualCategory
from protiv.domain.roles import Actor, Role
from protiv.persistence.database import create_database
from protiv.persistence.models import Base, Company, Worker
from protiv.services import manual_items, payouts, payroll_export, release
from protiv.services.context import ServiceContext
from protiv.services.manual_items import ManualItem
from tests.conftest import Clock
from tests.payouts.helpers import PAY_DATE, approved, statements, workers

D = Decimal
WEEK_45 = date(2026, 11, 2)


async def paid_week(ctx, clock, admin, payroll) -> int:
    """Week 45 approved, a referral and a damage deduction for W-1, everything paid."""
    await approved(ctx, admin)
    w1 = (await workers(ctx))["W-1"]
    async with ctx.db.write() as session, session.begin():
        await session.execute(update(Worker).where(Worker.id == w1).values(payroll_id="=PR-1"))
    for amount, category in (("50.00", ManualCategory.REFERRAL), ("-20.00", ManualCategory.DAMAGE)):
        item = ManualItem(w1, D(amount), category, day=WEEK_45)
        await manual_items.create(ctx, payroll, item)
    clock.advance(days=7)
    await release.release_due(ctx)
    period_id = (await statements(ctx))[0].pay_period_id
    await payouts.pay_period(ctx, payroll, period_id, PAY_DATE)
    return period_id


async def test_the_csv_has_a_row_per_paid_statement(ctx, clock, admin, payroll):
    period_id = await paid_week(ctx, clock, admin, payroll)
    done = await payroll_export.export_period(ctx, payroll, period_id)
    rows = list(csv.DictReader(io.StringIO(done.csv)))
    assert (done.filename, done.rows, done.total) == ("payroll-2026-11-02.csv", 3, D("280.00"))
    assert [r["worker"] for r in rows] == ["Ana Ruiz", "Ben Cole", "Mia Manager"]
    ana = rows[0]
    assert ana["payroll_id"] == "'=PR-1"  # a formula is not run by a spreadsheet
    assert (ana["period_start"], ana["period_end"], ana["pay_date"]) == (
        "2026-11-02",
        "2026-11-08",
        "2026-11-13",
    )
    assert (ana["propay"], ana["referral"], ana["damage"], ana["signing"]) == (
        "120.00",
        "50.00",
        "-20.00",
        "0.00",
    )
    assert (ana["rollover"], ana["carried_forward"], ana["written_off"], ana["net_pay"]) == (
        "0.00",
        "0.00",
        "0.00",
        "150.00",
    )


async def test_who_may_export(ctx, clock, admin, payroll, manager):
    period_id = await paid_week(ctx, clock, admin, payroll)
    with pytest.raises(DomainError) as refused:
        await payroll_export.export_period(ctx, manager, period_id)
    assert refused.value.code is ErrorCode.FORBIDDEN
    with pytest.raises(DomainError) as refused:
        await payroll_export.export_starting(ctx, payroll, date(2026, 1, 1))
    assert refused.value.code is ErrorCode.NOT_FOUND


# -- the commands ----------------------------------------------------------------------------


@pytest.fixture
def cli_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A SQLite file with the models' tables (create_all: new columns need no migration)."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("PROTIV_DATABASE_URL", url)

    async def build() -> None:
        db = create_database(url)
        async with db.engine.begin() as conn:
            await conn.run_sync(Base.metadata.create_all)
        async with db.write() as session, session.begin():
            session.add(Company(slug="acme", name="Acme Landscaping"))
        await db.dispose()

    asyncio.run(build())
    return url


def seed_paid_week(url: str, clock: Clock) -> None:
    async def go() -> None:
        db = create_database(url)
        ctx = ServiceContext(db=db, clock=clock)
        admin = Actor(company_id=1, role=Role.ADMIN, name="ada")
        await paid_week(ctx, clock, admin, Actor(company_id=1, role=Role.PAYROLL, name="pat"))
        await db.dispose()

    asyncio.run(go())


def run(capsys, *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_protiv_export(cli_db, capsys, tmp_path):
    seed_paid_week(cli_db, Clock())
    code, out, err = run(capsys, "export", "--company", "acme", "--period", "2026-11-02")
    assert (code, err) == (0, "")
    assert out.splitlines()[0].startswith("worker,worker_external_id,payroll_id,statement,")
    assert len(out.splitlines()) == 4
    target = tmp_path / "week45.csv"
    code, out, _ = run(
        capsys, "export", "--company", "acme", "--period", "2026-11-02", "--out", str(target)
    )
    assert code == 0
    assert out == f"Wrote 3 paid statements (net pay 280.00) to {target}.\n"
    assert target.read_text().count("\n") == 4
    code, _, err = run(capsys, "export", "--company", "acme", "--period", "2026-10-01")
    assert code == 1
    assert err == "protiv: error: NOT_FOUND: No pay period starts on 2026-10-01.\n"
    code, _, err = run(capsys, "export", "--company", "acme", "--period", "soon")
    assert code == 2
    assert "expected a date YYYY-MM-DD" in err


def test_protiv_release_due(cli_db, capsys):
    async def approve() -> None:
        db = create_database(cli_db)
        ctx = ServiceContext(db=db, clock=Clock())  # approved on 2026-11-02: due 2026-11-09
        await approved(ctx, Actor(company_id=1, role=Role.ADMIN, name="ada"))
        await db.dispose()

    asyncio.run(approve())
    code, out, _ = run(capsys, "release-due", "--company", "acme", "--json")
    assert (code, json.loads(out)) == (0, {"released": 3})  # the real clock is long past it
    code, out, _ = run(capsys, "release-due")
    assert (code, out) == (0, "Nothing was due.\n")
    code, _, err = run(capsys, "release-due", "--company", "nope")
    assert code == 1
    assert "No company with slug 'nope'" in err
