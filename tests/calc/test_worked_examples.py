"""The worked examples of domain-research §3.4, §3.5 and §3.6, with the published figures.

The sources speak of "total hours x combined wage"; here every crew member earns that combined
wage, so person-hours x wage gives the same cost (domain-research §3.3, §5.2). Crew leads and
managers in these examples log no time, so they get only their own bucket.
"""

from __future__ import annotations

from decimal import Decimal

from protiv.calc import Budget, CalcInput, Pool, calculate, calculate_group
from protiv.domain.bonus import Bucket, BudgetType, Distribution

from .builders import ALL_CREW, D, amount_budget, amounts, calc, hours_budget, member, work

LEAD, MANAGER = 90, 91


def test_hours_example_s14():
    """40 h budget, 30 h at $50 -> $500 saved -> 50% = $250 -> 70/20/10; crew split EQUAL.

    [S14] splits the crew bucket "equally, $87.50 x 2", so the example uses EQUAL (BY_HOURS gives
    the same here: both worked 15 h).
    """
    result = calculate(
        calc(
            hours_budget(40),
            (member(1, 50), member(2, 50)),
            (work(1, 15), work(2, 15)),
            pool=Pool(),
            distribution=Distribution.EQUAL,
            crew_lead_id=LEAD,
            manager_id=MANAGER,
        )
    )
    assert result.budget_amount == D("2000.00")
    assert result.actual_cost == D("1500.00")
    assert result.blended_wage == D("50.00")
    assert result.saved == D("500.00")
    assert result.savings_share == D("250.00")
    assert result.worker_pool == D("250.00")
    assert result.bucket(Bucket.CREW).amount == D("175.00")
    assert amounts(result.bucket(Bucket.CREW).shares) == {1: D("87.50"), 2: D("87.50")}
    assert result.per_worker() == {
        1: D("87.50"),
        2: D("87.50"),
        LEAD: D("50.00"),
        MANAGER: D("25.00"),
    }


def test_amount_example_s17():
    """$5,000 budget, 45 h x $90 = $4,050 -> $950 saved -> 50/50 = $475 -> 70/20/10.

    [S17] publishes the pool only; the crew bucket is split BY_HOURS (the default) over three
    workers of 15 h, so the cent left over goes to the lowest worker id.
    """
    result = calculate(
        calc(
            amount_budget(5000),
            (member(1, 90), member(2, 90), member(3, 90)),
            (work(1, 15), work(2, 15), work(3, 15)),
            pool=Pool(),
            crew_lead_id=LEAD,
            manager_id=MANAGER,
        )
    )
    assert result.actual_cost == D("4050.00")
    assert result.saved == D("950.00")
    assert result.worker_pool == D("475.00")
    assert [b.amount for b in result.buckets[:3]] == [D("332.50"), D("95.00"), D("47.50")]
    assert amounts(result.bucket(Bucket.CREW).shares) == {
        1: D("110.84"),
        2: D("110.83"),
        3: D("110.83"),
    }


def test_contract_price_example_s15():
    """$10,000 x 30% = $3,000; 40 h x $60 = $2,400; $600 -> $300; 60/20/10/10.

    [S15] gives "three workers $60 each" although 40 h cannot split evenly three ways, so the
    crew bucket is split EQUAL (14 h, 13 h, 13 h here). The company keeps its $30.
    """
    budget = Budget(BudgetType.CONTRACT_PRICE, contract_price=D(10000), labor_pct=D(30))
    result = calculate(
        calc(
            budget,
            (member(1, 60), member(2, 60), member(3, 60)),
            (work(1, 14), work(2, 13), work(3, 13)),
            pool=Pool(D(60), D(20), D(10), D(10)),
            distribution=Distribution.EQUAL,
            crew_lead_id=LEAD,
            manager_id=MANAGER,
        )
    )
    assert result.budget_amount == D("3000.00")
    assert result.actual_cost == D("2400.00")
    assert result.saved == D("600.00")
    assert result.worker_pool == D("300.00")
    assert amounts(result.bucket(Bucket.CREW).shares) == {1: D(60), 2: D(60), 3: D(60)}
    assert result.per_worker()[LEAD] == D("60.00")
    assert result.per_worker()[MANAGER] == D("30.00")
    company = result.bucket(Bucket.COMPANY)
    assert (company.amount, company.shares, company.recipient_missing) == (D("30.00"), (), False)


def test_rate_example_s16():
    """$2.50 x 1,200 = $3,000; 35 h x $75 = $2,625; $375 -> $187.50; 80/10/10 (BY_HOURS)."""
    budget = Budget(BudgetType.RATE, rate=D("2.50"), quantity=D(1200))
    result = calculate(
        calc(
            budget,
            (member(1, 75), member(2, 75)),
            (work(1, "17.5"), work(2, "17.5")),
            pool=Pool(D(80), D(10), D(10)),
            crew_lead_id=LEAD,
            manager_id=MANAGER,
        )
    )
    assert result.budget_amount == D("3000.00")
    assert result.actual_cost == D("2625.00")
    assert result.saved == D("375.00")
    assert result.worker_pool == D("187.50")
    assert [b.amount for b in result.buckets[:3]] == [D("150.00"), D("18.75"), D("18.75")]
    assert amounts(result.bucket(Bucket.CREW).shares) == {1: D(75), 2: D(75)}


def test_by_hours_example_s12():
    """[S12]: $500 / 100 h = $5/h, so 20 h, 30 h and 50 h get $100, $150 and $250 (BY_HOURS)."""
    result = calculate(
        calc(
            amount_budget(1500),
            (member(1, 10), member(2, 10), member(3, 10)),
            (work(1, 20), work(2, 30), work(3, 50)),
        )
    )
    crew = result.bucket(Bucket.CREW)
    assert crew.amount == D("500.00")
    assert amounts(crew.shares) == {1: D(100), 2: D(150), 3: D(250)}
    assert (
        crew.shares[0].reason
        == "20.00 h of 100.00 crew hours \N{MULTIPLICATION SIGN} $500.00 crew bucket"
    )


def test_crew_lead_weighted_example_s13():
    """[S13]: $300 / 3.5 units = $85.71 per unit; the lead (weight 1.5) gets 1.5 units.

    To the cent the units leave one cent over (128.57 + 85.71 + 85.71 = 299.99); largest
    remainder gives it to the first of the two tied workers by id.
    """
    result = calculate(
        calc(
            amount_budget(600),
            (member(1, 10), member(2, 10), member(3, 10)),
            (work(1, 10), work(2, 10), work(3, 10)),
            distribution=Distribution.CREW_LEAD_WEIGHTED,
            crew_lead_id=1,
        )
    )
    crew = result.bucket(Bucket.CREW)
    assert crew.amount == D("300.00")
    assert amounts(crew.shares) == {1: D("128.57"), 2: D("85.72"), 3: D("85.71")}
    assert sum(s.amount for s in crew.shares) == D("300.00")
    assert (
        crew.shares[0].reason
        == "crew lead weight 1.5 of 3.5 units \N{MULTIPLICATION SIGN} $300.00 crew bucket"
    )


def _group_members() -> list[CalcInput]:
    """Three ProPays at $20/h: A under budget, B over budget, C under budget.

    A: $400 budget, w1 5 h + w2 3 h = $160.  B: $100 budget, w1 3 h + w3 4 h = $140 (over).
    C: $200 budget, w2 3 h + w3 3 h = $120.  Totals $700 / $420 / 21 h (w1 8, w2 6, w3 7).
    """
    crew = (member(1, 20), member(2, 20), member(3, 20))
    return [
        calc(amount_budget(400), crew, (work(1, 5), work(2, 3))),
        calc(amount_budget(100), crew, (work(1, 3), work(3, 4))),
        calc(amount_budget(200), crew, (work(2, 3), work(3, 3))),
    ]


def test_group_example_s23():
    """[S23]: budgets $700, actuals $420 -> $280 over 21 h = $13.33/h -> $106.67/$80/$93.33.

    The article gives the whole savings to workers by group hours, so the pool is 100% crew,
    100% of savings, BY_HOURS.
    """
    result = calculate_group(_group_members(), ALL_CREW, Distribution.BY_HOURS)
    assert result.budget_amount == D("700.00")
    assert result.actual_cost == D("420.00")
    assert result.saved == D("280.00")
    assert result.actual_hours == D(21)
    assert result.per_worker() == {1: D("106.67"), 2: D("80.00"), 3: D("93.33")}


def test_group_differs_from_the_members_alone_s23():
    """Ungrouped, B is over budget and pays nothing, and A and C pay by their own hours."""
    alone: dict[int, Decimal] = {}
    for member_input in _group_members():
        for worker, paid in calculate(member_input).per_worker().items():
            alone[worker] = alone.get(worker, D(0)) + paid
    assert alone == {1: D("150.00"), 2: D("130.00"), 3: D("40.00")}
