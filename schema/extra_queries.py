"""Query fields of later areas (diagnostics, integrations, payouts, admin), merged into Query
in schema/__init__.py so each area adds its own module without editing schema/queries.py."""

from schema.admin import AdminQueries
from schema.diagnostics import DiagnosticsQueries
from schema.payout_queries import PayoutQueries

__all__ = ["AdminQueries", "DiagnosticsQueries", "PayoutQueries"]
