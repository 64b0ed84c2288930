"""Mutations of this area (filled in by its issue); merged into Mutation in schema/__init__.py."""

import strawberry


@strawberry.type
class AdminMutations:
    pass
