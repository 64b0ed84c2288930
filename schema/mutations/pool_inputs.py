"""Inputs shared by the pool mutations and a ProPay's own percentages."""

# No ``from __future__ import annotations``: strawberry reads these annotations at import.
from decimal import Decimal

import strawberry


@strawberry.input(description="Role percents of the worker pool; they must total 100.")
class RolePercentsInput:
    crew: Decimal = strawberry.field(description="Split between the crew by the distribution.")
    crew_lead: Decimal = strawberry.field(description="To the crew lead.")
    manager: Decimal = strawberry.field(description="To the manager.")
    company: Decimal = strawberry.field(
        default=Decimal(0), description="Kept by the company, never paid out."
    )
    other: Decimal = strawberry.field(
        default=Decimal(0), description="Shared equally by the pool's other members (needs one)."
    )

    def as_settings(self) -> dict[str, Decimal]:
        """As the services' pool fields."""
        return {
            "crew_pct": self.crew,
            "crew_lead_pct": self.crew_lead,
            "manager_pct": self.manager,
            "company_pct": self.company,
            "other_pct": self.other,
        }


@strawberry.input(description="Days each role's line items are held after approval.")
class RetentionDaysInput:
    crew: int = strawberry.field(default=0, description="Crew bucket items.")
    crew_lead: int = strawberry.field(default=0, description="Crew lead bucket items.")
    manager: int = strawberry.field(default=0, description="Manager bucket items.")
    other: int = strawberry.field(default=0, description="Other bucket items.")

    def as_settings(self) -> dict[str, int]:
        return {
            "retention_days_crew": self.crew,
            "retention_days_crew_lead": self.crew_lead,
            "retention_days_manager": self.manager,
            "retention_days_other": self.other,
        }
