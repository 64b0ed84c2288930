"""How figures read in reasons and notes: one style, so every explanation looks alike."""

from __future__ import annotations

from decimal import Decimal

from protiv.domain.money import cents

TIMES = "\u00d7"  # the multiplication sign people read in a bonus explanation
MINUS = "\u2212"


def usd(amount: Decimal) -> str:
    """Dollars to the cent with thousands separators: ``$1,234.50``."""
    return f"${cents(amount):,.2f}"


def hrs(hours: Decimal) -> str:
    """Hours to two places: ``28.00 h``."""
    return f"{hours:,.2f} h"


def pct(percent: Decimal) -> str:
    """A percent without trailing zeros: ``70%``, ``12.5%``."""
    text = f"{percent:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{text}%"


def num(value: Decimal) -> str:
    """A plain number without trailing zeros: ``1.5``, ``3``."""
    return pct(value)[:-1]
