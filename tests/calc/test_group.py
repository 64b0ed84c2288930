"""Group maths beyond the worked example (domain-research §3.6)."""

from __future__ import annotations

from protiv.calc import Penalty, Pool, calculate_group
from protiv.domain.bonus import Bucket, DisqualifierResult, Distribution, TimeKind

from .builders import ALL_CREW, D, amount_budget, calc, hours_budget, member, work

DRIVE = TimeKind.DRIVE
CREW = (member(1, 20), member(2, 30))


def test_each_member_is_priced_with_its_own_settings():
    """Drive time counts in the member that includes it; hours budgets use the member's wage."""
    first = calc(
        amount_budget(500), CREW, (work(1, 5), work(1, 5, kind=DRIVE)), include_drive_time=True
    )
    second = calc(hours_budget(10), CREW, (work(2, 5), work(2, 5, kind=DRIVE)))
    result = calculate_group([first, second], ALL_CREW)
    assert result.budget_amount == D("800.00")  # 500 + 10 h x $30
    assert result.actual_cost == D("350.00")  # 10 h x $20 + 5 h x $30
    assert result.actual_hours == D(15)
    assert result.budget_hours is None  # one member's budget is dollars only
    assert result.per_worker() == {1: D(300), 2: D(150)}


def test_budget_hours_add_up_when_every_member_has_them():
    members = [calc(hours_budget(10), CREW, (work(1, 5),)), calc(hours_budget(6), CREW, ())]
    assert calculate_group(members, ALL_CREW).budget_hours == D(16)


def test_the_shared_crew_lead_and_manager_are_used_without_explicit_ones():
    members = [
        calc(amount_budget(300), CREW, (work(1, 5),), crew_lead_id=2, manager_id=9),
        calc(amount_budget(300), CREW, (work(2, 5),), crew_lead_id=2, manager_id=8),
    ]
    result = calculate_group(members, Pool(split_savings_pct=D(100)))
    assert result.bucket(Bucket.CREW_LEAD).shares[0].worker_id == 2
    assert result.bucket(Bucket.MANAGER).recipient_missing  # members disagree: no manager
    explicit = calculate_group(members, Pool(split_savings_pct=D(100)), manager_id=9)
    assert explicit.per_worker()[9] == explicit.bucket(Bucket.MANAGER).amount


def test_a_member_disqualifier_or_penalty_counts_for_the_group():
    failing = calc(amount_budget(300), CREW, (), disqualifier_results=(DisqualifierResult.FAILED,))
    fine = calc(amount_budget(300), CREW, (work(1, 5),))
    assert calculate_group([fine, failing], ALL_CREW).worker_pool == 0
    fined = calc(amount_budget(300), CREW, (), penalties=(Penalty("late", D(50)),))
    result = calculate_group([fine, fined], ALL_CREW, penalties=(Penalty("tool", D(10)),))
    assert (result.penalties_total, result.worker_pool) == (D(60), D(440))


def test_remove_bonus_in_one_member_only_takes_those_hours_out_of_the_split():
    removed = (member(1, 20, remove_bonus=True), member(2, 20))
    members = [
        calc(amount_budget(400), removed, (work(1, 10), work(2, 10))),
        calc(amount_budget(200), CREW[:1], (work(1, 5),)),
    ]
    result = calculate_group(members, ALL_CREW, Distribution.BY_HOURS)
    # $600 - $500 = $100, over 5 earning hours of worker 1 and 10 of worker 2
    assert result.per_worker() == {1: D("33.33"), 2: D("66.67")}
