"""Properties that must hold for any crew, time, wages and pool (hypothesis)."""

from __future__ import annotations

from decimal import Decimal
from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from protiv.calc import (
    Breakdown,
    Budget,
    CalcInput,
    CrewMember,
    Penalty,
    Pool,
    TaskBudget,
    TimeEntry,
    calculate,
)
from protiv.domain.bonus import (
    AdjustmentType,
    Bucket,
    BudgetType,
    DisqualifierResult,
    Distribution,
    TimeKind,
)
from protiv.domain.money import cents, split_exact

FAST = settings(max_examples=150, deadline=None)

money = st.integers(0, 8_000).map(lambda c: Decimal(c).scaleb(-2))
positive_money = st.integers(1, 3_000_000).map(lambda c: Decimal(c).scaleb(-2))
quarter_hours = st.integers(0, 48).map(lambda q: Decimal(q) / 4)
percent = st.integers(0, 100).map(Decimal)
TASKS = ("mow", "trim")
ANSWERS = [*DisqualifierResult, DisqualifierResult.PASSED, DisqualifierResult.PASSED]


@st.composite
def budgets(draw: st.DrawFn) -> Budget:
    kind = draw(st.sampled_from(BudgetType))
    tasks = tuple(TaskBudget(name, draw(quarter_hours) + 1, draw(money) + 1) for name in TASKS)
    adjustment = draw(st.sampled_from(AdjustmentType))
    value = {
        AdjustmentType.NONE: None,
        AdjustmentType.PERCENT_INCREASE: draw(percent),
        AdjustmentType.PERCENT_DECREASE: draw(st.integers(0, 99).map(Decimal)),
        AdjustmentType.MULTIPLY: draw(st.integers(1, 30).map(lambda k: Decimal(k) / 10)),
        AdjustmentType.MANUAL_AMOUNT: draw(positive_money),
        AdjustmentType.MANUAL_HOURS: draw(st.integers(1, 400).map(Decimal)),
    }[adjustment]
    return Budget(
        kind,
        hours=draw(st.integers(1, 400).map(Decimal)),
        amount=draw(positive_money),
        contract_price=draw(positive_money),
        labor_pct=draw(st.integers(1, 100).map(Decimal)),
        rate=draw(positive_money),
        quantity=draw(st.integers(1, 50).map(Decimal)),
        tasks=tasks,
        adjustment=adjustment,
        adjustment_value=value,
    )


@st.composite
def pools(draw: st.DrawFn, worker_ids: list[int]) -> Pool:
    cuts = sorted(draw(st.lists(st.integers(0, 100), min_size=4, max_size=4)))
    bounds = [0, *cuts, 100]
    crew, lead, manager, company, other = (Decimal(high - low) for low, high in pairwise(bounds))
    members: tuple[int, ...] = ()
    if other > 0:
        choices = st.sampled_from([*worker_ids, 97, 98])
        members = tuple(draw(st.lists(choices, min_size=1, max_size=3, unique=True)))
    return Pool(crew, lead, manager, company, other, draw(percent), members)


@st.composite
def calc_inputs(draw: st.DrawFn) -> CalcInput:
    ids = draw(st.lists(st.integers(1, 40), min_size=1, max_size=6, unique=True))
    crew = tuple(
        CrewMember(
            worker_id,
            draw(money),
            draw(st.integers(0, 50).map(Decimal)),
            remove_bonus=draw(st.sampled_from([False, False, False, True])),
            is_crew_lead=draw(st.sampled_from([False, False, False, True])),
        )
        for worker_id in ids
    )
    entries = []
    for _ in range(draw(st.integers(0, 20))):
        hours = draw(quarter_hours)
        entries.append(
            TimeEntry(
                draw(st.sampled_from(ids)),
                hours,
                draw(st.sampled_from(TimeKind)),
                draw(st.integers(0, int(hours * 4)).map(lambda q: Decimal(q) / 4)),
                draw(st.sampled_from([None, *TASKS, "weed"])),
            )
        )
    someone = st.one_of(st.none(), st.sampled_from([*ids, 99]))
    return CalcInput(
        budget=draw(budgets()),
        crew=crew,
        entries=tuple(entries),
        pool=draw(pools(ids)),
        distribution=draw(
            st.sampled_from([d for d in Distribution if d is not Distribution.MANUAL])
        ),
        crew_lead_id=draw(someone),
        manager_id=draw(someone),
        include_drive_time=draw(st.booleans()),
        use_burden=draw(st.booleans()),
        exclude_overtime_cost=draw(st.booleans()),
        disqualifier_results=tuple(draw(st.lists(st.sampled_from(ANSWERS), max_size=2))),
        penalties=tuple(Penalty("p", amount) for amount in draw(st.lists(money, max_size=2))),
        crew_lead_weight=draw(st.integers(1, 30).map(lambda k: Decimal(k) / 10)),
    )


def assert_sound(result: Breakdown) -> None:
    """Cents exact, nothing negative, buckets add up, nobody is paid more than the pool."""
    for share in result.shares:
        assert share.amount >= 0
        assert share.amount == cents(share.amount)
    for bucket in result.buckets:
        assert bucket.amount >= 0
        if bucket.shares:
            assert sum(s.amount for s in bucket.shares) == bucket.amount
        if bucket.bucket is Bucket.COMPANY:
            assert bucket.shares == ()
    assert sum(b.amount for b in result.buckets) == result.worker_pool
    company = result.bucket(Bucket.COMPANY).amount
    assert result.total_paid + company + result.undistributed == result.worker_pool
    assert result.total_paid <= result.worker_pool <= result.savings_share
    assert result.savings_share == cents(
        max(result.saved, Decimal(0)) * result.split_savings_pct / 100
    )
    if result.disqualified:
        assert result.worker_pool == 0
    keys = [(s.worker_id, list(Bucket).index(s.bucket)) for s in result.shares]
    assert keys == sorted(keys)


@FAST
@given(calc_inputs())
def test_any_input_gives_a_sound_breakdown(calc_input):
    assert_sound(calculate(calc_input))


@FAST
@given(st.data())
def test_result_does_not_depend_on_the_order_of_entries_or_crew(data):
    calc_input = data.draw(calc_inputs())
    shuffled = CalcInput(
        **{
            **{name: getattr(calc_input, name) for name in CalcInput.__dataclass_fields__},
            "entries": tuple(data.draw(st.permutations(calc_input.entries))),
            "crew": tuple(data.draw(st.permutations(calc_input.crew))),
        }
    )
    assert calculate(shuffled) == calculate(calc_input)


@FAST
@given(calc_inputs())
def test_manual_amounts_equal_to_a_computed_split_reproduce_it(calc_input):
    """Feeding the crew shares back as MANUAL amounts gives the same crew bucket."""
    first = calculate(calc_input)
    crew_shares = {s.worker_id: s.amount for s in first.bucket(Bucket.CREW).shares}
    if not crew_shares:
        return
    crew = tuple(
        CrewMember(
            m.worker_id,
            m.wage,
            m.burden_pct,
            m.remove_bonus,
            m.is_crew_lead,
            crew_shares.get(m.worker_id),
        )
        for m in calc_input.crew
    )
    fields = {name: getattr(calc_input, name) for name in CalcInput.__dataclass_fields__}
    manual = calculate(CalcInput(**{**fields, "crew": crew, "distribution": Distribution.MANUAL}))
    assert {s.worker_id: s.amount for s in manual.bucket(Bucket.CREW).shares if s.amount} == {
        k: v for k, v in crew_shares.items() if v
    }
    assert_sound(manual)


weights = st.lists(st.integers(0, 10_000).map(Decimal), min_size=1, max_size=12).filter(
    lambda ws: sum(ws) > 0
)


@FAST
@given(st.integers(0, 10_000_000).map(lambda c: Decimal(c).scaleb(-2)), weights)
def test_split_exact_adds_up_and_stays_within_a_cent(total, ws):
    parts = split_exact(total, ws)
    assert len(parts) == len(ws)
    assert sum(parts) == total
    weight_sum = sum(ws)
    for part, weight in zip(parts, ws, strict=True):
        exact = total * weight / weight_sum
        assert part >= 0
        assert abs(part - exact) < Decimal("0.01")
        if weight == 0:
            assert part == 0


@FAST
@given(st.integers(0, 1_000_000).map(lambda c: Decimal(c).scaleb(-2)), weights, st.integers(1, 9))
def test_split_exact_depends_only_on_weight_ratios(total, ws, factor):
    assert split_exact(total, ws) == split_exact(total, [w * factor for w in ws])
