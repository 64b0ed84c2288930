"""The vocabulary of manual line items (research §1.3 "Bonus line item"): what a bonus or a
deduction added by hand is for, and which sign its amount may have."""

from __future__ import annotations

import enum


class ManualCategory(enum.Enum):
    SIGNING = "SIGNING"  # signing bonus
    REFERRAL = "REFERRAL"  # referral bonus
    DAMAGE = "DAMAGE"  # equipment damage, deducted
    ADVANCE_REPAYMENT = "ADVANCE_REPAYMENT"  # an advance paid back, deducted
    CORRECTION = "CORRECTION"  # an adjustment either way
    CUSTOM = "CUSTOM"  # named by the caller (``customCategory``), either way


# +1: only bonuses (amount > 0); -1: only deductions (amount < 0); 0: either.
SIGN = {
    ManualCategory.SIGNING: 1,
    ManualCategory.REFERRAL: 1,
    ManualCategory.DAMAGE: -1,
    ManualCategory.ADVANCE_REPAYMENT: -1,
    ManualCategory.CORRECTION: 0,
    ManualCategory.CUSTOM: 0,
}


def sign_problem(category: ManualCategory, amount_sign: int) -> str | None:
    """Why an amount of this sign does not fit the category, or None."""
    if amount_sign == 0:
        return "The amount must not be zero: a bonus is positive, a deduction negative."
    wanted = SIGN[category]
    if wanted == 0 or wanted == amount_sign:
        return None
    what = (
        "a bonus: give a positive amount" if wanted > 0 else "a deduction: give a negative amount"
    )
    return f"{category.value} is {what}."
