"""Disqualifiers and penalties between the savings share and the role split (domain-research §5.4, §5.5)."""

from __future__ import annotations

from typing import Any

from protiv.calc import Breakdown, Penalty, Pool, calculate
from protiv.domain.bonus import DisqualifierResult

from .builders import D, amount_budget, calc, member, work

FAILED, PASSED, PENDING = (
    DisqualifierResult.FAILED,
    DisqualifierResult.PASSED,
    DisqualifierResult.PENDING,
)


def run(**kwargs: Any) -> Breakdown:
    """$2,000 budget, $1,500 cost: $500 saved, $250 savings share, pool 70/20/10."""
    return calculate(
        calc(
            amount_budget(2000),
            (member(1, 50), member(2, 50)),
            (work(1, 15), work(2, 15)),
            pool=Pool(),
            crew_lead_id=8,
            manager_id=9,
            **kwargs,
        )
    )


def test_a_failed_disqualifier_zeroes_the_pool_and_ignores_penalties():
    result = run(disqualifier_results=(PASSED, FAILED), penalties=(Penalty("tool", D(20)),))
    assert result.disqualified
    assert result.savings_share == D(250)
    assert (result.worker_pool, result.penalties_total, result.penalties_applied) == (
        D(0),
        D(20),
        D(0),
    )
    assert all(share.amount == 0 for share in result.shares)
    assert (
        "A disqualifier failed: the worker pool is $0.00 and penalties are ignored." in result.notes
    )


def test_pending_disqualifiers_do_not_change_the_preview():
    result = run(disqualifier_results=(PENDING,))
    assert result.worker_pool == D(250)
    assert result.disqualifiers_pending
    assert not result.disqualified
    assert result == run(disqualifier_results=(PENDING,))


def test_penalties_subtract_before_the_role_split():
    result = run(penalties=(Penalty("tool", D(20)), Penalty("late", D(30))))
    assert (result.penalties_total, result.penalties_applied, result.worker_pool) == (
        D(50),
        D(50),
        D(200),
    )
    assert [b.amount for b in result.buckets[:3]] == [D(140), D(40), D(20)]


def test_penalties_floor_the_pool_at_zero():
    result = run(penalties=(Penalty("damage", D(400)),))
    assert (result.penalties_total, result.penalties_applied, result.worker_pool) == (
        D(400),
        D(250),
        D(0),
    )
    assert all(share.amount >= 0 for share in result.shares)
    assert any("exceed the workers' savings share of $250.00" in note for note in result.notes)
