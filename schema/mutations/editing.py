"""Mutations of this area (issue 3), merged into Mutation in schema/__init__.py: edits of an
ACTIVE ProPay, its safeguards, and bonus pools with divisions and branches."""

import strawberry

from schema.mutations.pools import PoolMutations
from schema.mutations.pro_pay_edits import ProPayEditMutations
from schema.mutations.safeguards import SafeguardMutations


@strawberry.type
class EditingMutations(ProPayEditMutations, SafeguardMutations, PoolMutations):
    pass
