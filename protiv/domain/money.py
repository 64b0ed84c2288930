"""Money and hours as ``Decimal``: parsing, cents, and splitting a total exactly.

Float never enters: a crew that sees a wrong cent stops trusting the bonus.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
ZERO = Decimal("0")
HUNDRED = Decimal("100")


def to_decimal(value: object) -> Decimal:
    """Parse a money or hours value; floats are refused because they are already inexact."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool | float):
        raise TypeError(f"refusing inexact value {value!r}; pass a string or Decimal")
    try:
        return Decimal(str(value))
    except InvalidOperation as exc:
        raise ValueError(f"not a number: {value!r}") from exc


def cents(value: Decimal) -> Decimal:
    """Round half up to the cent, the way a payroll system shows it."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def split_exact(total: Decimal, weights: Sequence[Decimal]) -> list[Decimal]:
    """Split ``total`` (in cents) by ``weights`` so the parts sum to it exactly.

    Largest-remainder rounding: each part is floored to the cent, and the cents left over go to
    the largest fractional remainders (ties to the earliest position, so the result is stable).
    """
    total = cents(total)
    if not weights:
        return []
    weight_sum = sum(weights, ZERO)
    if weight_sum <= 0:
        raise ValueError("weights must have a positive sum")
    total_cents = int(total / CENT)
    raw = [Decimal(total_cents) * w / weight_sum for w in weights]
    floors = [int(r.to_integral_value(rounding="ROUND_FLOOR")) for r in raw]
    left = total_cents - sum(floors)
    order = sorted(range(len(raw)), key=lambda i: (-(raw[i] - floors[i]), i))
    for i in order[:left]:
        floors[i] += 1
    return [Decimal(f) * CENT for f in floors]
