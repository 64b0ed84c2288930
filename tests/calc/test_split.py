"""Role buckets and the crew-bucket distributions (domain-research §3.4, §3.5, §5.6-§5.8)."""

from __future__ import annotations

import pytest

from protiv.calc import Pool, calculate
from protiv.domain.bonus import Bucket, Distribution
from protiv.domain.errors import ValidationFailed

from .builders import D, amount_budget, amounts, calc, member, work

TWO = (member(1, 20), member(2, 30))
TEN_EACH = (work(1, 10), work(2, 10))


def crew_split(distribution: Distribution, entries=TEN_EACH, crew=TWO, **kwargs):
    """Shares of a $500 crew bucket ($1,000 budget, $500 cost for TEN_EACH)."""
    result = calculate(
        calc(amount_budget(1000), crew, entries, distribution=distribution, **kwargs)
    )
    return amounts(result.bucket(Bucket.CREW).shares)


def test_by_wage_weights_hours_by_base_wage():
    assert crew_split(Distribution.BY_WAGE) == {1: D(200), 2: D(300)}


def test_by_wage_ignores_burden_in_the_weight():
    crew = (member(1, 20, burden_pct=D(100)), member(2, 30))
    assert crew_split(Distribution.BY_WAGE, crew=crew, use_burden=True) == {1: D(120), 2: D(180)}


def test_by_wage_with_only_zero_wages_falls_back_to_hours():
    crew = (member(1, 0), member(2, 0))
    result = calculate(
        calc(amount_budget(90), crew, (work(1, 1), work(2, 2)), distribution=Distribution.BY_WAGE)
    )
    assert amounts(result.shares) == {1: D(30), 2: D(60)}
    assert any("split by hours instead" in note for note in result.notes)


def test_equal_ignores_hours_but_needs_some():
    entries = (work(1, 1), work(2, 9), work(3, 0))
    crew = (*TWO, member(3, 10))
    assert crew_split(Distribution.EQUAL, entries=entries, crew=crew) == {1: D(355), 2: D(355)}


def test_crew_lead_weighted_finds_the_lead_by_flag_too():
    crew = (member(1, 20, is_crew_lead=True), member(2, 30))
    split = crew_split(Distribution.CREW_LEAD_WEIGHTED, crew=crew, crew_lead_weight=D(3))
    assert split == {1: D(375), 2: D(125)}


def test_crew_lead_weighted_without_a_lead_is_equal():
    assert crew_split(Distribution.CREW_LEAD_WEIGHTED) == {1: D(250), 2: D(250)}


def test_manual_amounts_must_add_up_to_the_crew_bucket():
    crew = (member(1, 20, manual_amount=D("100.01")), member(2, 30, manual_amount=D("399.99")))
    assert crew_split(Distribution.MANUAL, crew=crew) == {1: D("100.01"), 2: D("399.99")}
    short = (member(1, 20, manual_amount=D(100)), member(2, 30, manual_amount=D(300)))
    with pytest.raises(
        ValidationFailed, match=r"manual amounts total \$400.00 but the crew bucket is \$500.00"
    ) as refused:
        crew_split(Distribution.MANUAL, crew=short)
    assert refused.value.field == ["crew", "manual_amount"]


def test_manual_amount_for_a_remove_bonus_worker_is_refused():
    crew = (
        member(1, 20, manual_amount=D(500)),
        member(2, 30, remove_bonus=True, manual_amount=D(1)),
    )
    with pytest.raises(ValidationFailed, match="worker 2 has remove bonus"):
        crew_split(Distribution.MANUAL, crew=crew)


def test_crew_lead_who_logged_time_shares_the_crew_bucket_too():
    """domain-research §3.5 assumption: the lead is in the crew bucket and gets the lead bucket."""
    result = calculate(
        calc(
            amount_budget(1000),
            TWO,
            TEN_EACH,
            pool=Pool(split_savings_pct=D(100)),
            crew_lead_id=1,
            manager_id=9,
        )
    )
    assert result.per_worker() == {1: D(175 + 100), 2: D(175), 9: D(50)}
    assert [(s.worker_id, s.bucket) for s in result.shares] == [
        (1, Bucket.CREW),
        (1, Bucket.CREW_LEAD),
        (2, Bucket.CREW),
        (9, Bucket.MANAGER),
    ]


def test_missing_crew_lead_and_manager_buckets_go_to_the_crew_bucket():
    result = calculate(
        calc(amount_budget(1000), TWO, TEN_EACH, pool=Pool(split_savings_pct=D(100)))
    )
    crew, lead, manager = result.buckets[:3]
    assert (crew.amount, crew.percent, crew.configured_percent) == (D(500), D(100), D(70))
    assert (lead.amount, lead.percent, lead.recipient_missing, lead.shares) == (
        D(0),
        D(0),
        True,
        (),
    )
    assert manager.recipient_missing
    assert (
        "No crew lead to receive it: the 20% crew lead bucket goes to the crew bucket."
        in result.notes
    )
    assert sum(s.amount for s in result.shares) == D(500)


def test_a_remove_bonus_crew_lead_is_no_recipient():
    crew = (member(1, 20, remove_bonus=True), member(2, 30))
    result = calculate(
        calc(
            amount_budget(1000),
            crew,
            TEN_EACH,
            pool=Pool(D(80), D(20), D(0), split_savings_pct=D(100)),
            crew_lead_id=1,
        )
    )
    assert result.bucket(Bucket.CREW_LEAD).recipient_missing
    assert result.per_worker() == {2: D(500)}


def test_other_bucket_is_shared_equally_by_its_eligible_members():
    pool = Pool(D(70), D(0), D(0), D(0), D(30), D(100), other_member_ids=(7, 2, 8))
    crew = (member(1, 20), member(2, 30, remove_bonus=True))
    result = calculate(calc(amount_budget(1000), crew, TEN_EACH, pool=pool))
    other = result.bucket(Bucket.OTHER)
    assert other.amount == D(150)
    assert amounts(other.shares) == {7: D(75), 8: D(75)}
    assert (
        other.shares[0].reason
        == "1 of 2 other members \N{MULTIPLICATION SIGN} $150.00 other bucket"
    )


def test_nobody_eligible_leaves_the_crew_bucket_undistributed():
    crew = (member(1, 20, remove_bonus=True), member(2, 30, remove_bonus=True))
    result = calculate(
        calc(amount_budget(1000), crew, TEN_EACH, pool=Pool(split_savings_pct=D(100)), manager_id=9)
    )
    crew_bucket = result.bucket(Bucket.CREW)
    assert (crew_bucket.amount, crew_bucket.shares, crew_bucket.recipient_missing) == (
        D(450),
        (),
        True,
    )
    assert result.undistributed == D(450)
    assert result.per_worker() == {9: D(50)}
    assert result.total_paid == D(50)
    assert any("crew bucket is not distributed" in note for note in result.notes)


def test_no_time_at_all_leaves_the_savings_undistributed():
    result = calculate(calc(amount_budget(100), TWO, ()))
    assert result.worker_pool == D(100)
    assert result.shares == ()
    assert result.undistributed == D(100)


def test_over_budget_pays_nothing_but_still_lists_the_crew():
    result = calculate(calc(amount_budget(100), TWO, TEN_EACH, crew_lead_id=1))
    assert (result.saved, result.savings_share, result.worker_pool) == (D(-400), D(0), D(0))
    assert [s.amount for s in result.shares] == [0, 0]
    assert "Over budget by $400.00: no bonus (nothing negative is paid)." in result.notes


def test_company_bucket_is_kept_and_zero_percent_buckets_have_no_shares():
    pool = Pool(D(50), D(0), D(0), D(50), split_savings_pct=D(100))
    result = calculate(calc(amount_budget(1000), TWO, TEN_EACH, pool=pool))
    assert result.bucket(Bucket.COMPANY).amount == D(250)
    assert {s.bucket for s in result.shares} == {Bucket.CREW}
    assert not any(b.recipient_missing for b in result.buckets)
