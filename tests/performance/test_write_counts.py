"""What an approval costs in SQL statements, by the number of workers it pays: a constant. The
final calculation is loaded once, the workers' statements are found and made in one batch, and
the line items and events are inserted in one statement each, so paying 10 workers sends as
many statements as paying 2. A change that adds a statement per line item (or per anything)
fails here; one that saves statements passes (lower the numbers then). The data already in the
database must not matter at all.

(When this test was first written the count grew by 4 statements a worker on PostgreSQL and 7
on SQLite, on a base of 37-40: the pay period and the statement were upserted and read back per
worker, and the calculation was loaded twice. The approvals' tuning took it to the constant.)

Untimed: a statement count does not depend on the machine's load, so the check is exact.
"""

from __future__ import annotations

from protiv.domain.roles import Actor
from protiv.services.context import ServiceContext
from schema.ids import to_global
from tests.api.conftest import Api
from tests.performance import world
from tests.performance.conftest import StatementCounter

# Only the status in the answer: what the page reads costs is test_read_counts' business, and a
# DataLoader's batches may vary by one from run to run (see there), which would blur the formula.
APPROVE = """
mutation($id: ID!) { proPayApprove(input: {id: $id}) {
  userErrors { code message }
  proPay { status version }
} }
"""
# statements <= BASE + PER_WORKER x workers (a manager and the crew), as measured. The backends'
# bookkeeping differs: SQLite reserves event ids (SELECT max(event.id)) for its batched event
# INSERTs; PostgreSQL takes the feed's advisory lock and notifies listeners.
BASE = {"sqlite": 30, "postgresql": 28}
PER_WORKER = {"sqlite": 0, "postgresql": 0}


async def approve(
    api: Api, counter: StatementCounter, ctx: ServiceContext, admin: Actor, job: int, crew: int
) -> int:
    """Sync job ``job`` worked by ``crew`` workers and a manager, approve its ProPay through the
    API; the statements the approval sent."""
    (pro_pay_id,) = await world.synced(ctx, admin, [job], crew=crew)
    counter.statements.clear()
    data = await api(APPROVE, id=to_global("ProPay", pro_pay_id))
    assert data["proPayApprove"]["userErrors"] == [], data
    assert data["proPayApprove"]["proPay"]["status"] == "APPROVED"
    sent = counter.queries()
    assert any(s.lstrip().startswith("UPDATE pro_pay") for s in sent), "the writes went unseen"
    return len(sent)


async def test_an_approval_costs_a_fixed_number_of_statements_per_worker(
    api: Api, ctx: ServiceContext, admin: Actor, counter: StatementCounter
) -> None:
    backend = ctx.db.engine.dialect.name
    await approve(api, counter, ctx, admin, job=99, crew=1)  # the first makes the pay period
    by_workers = {
        crew + 1: await approve(api, counter, ctx, admin, job=100 + crew, crew=crew)
        for crew in (1, 4, 9)
    }
    slope = (by_workers[10] - by_workers[5]) / 5
    base = by_workers[5] - 5 * slope
    assert (by_workers[5] - by_workers[2]) == 3 * slope, by_workers  # straight line
    assert slope <= PER_WORKER[backend], f"{slope} statements a worker now: {by_workers}"
    assert base <= BASE[backend], f"{base} statements plus the workers' now: {by_workers}"

    await world.grow(ctx, admin, start=1, units=5)  # more of everything in the database
    again = await approve(api, counter, ctx, admin, job=200, crew=4)
    assert again == by_workers[5], "an approval's statements depend on the data already there"
