"""The vocabulary of the product: statuses, triggers, roles, errors, money.

Nothing here imports a framework; every other layer builds on these names.
"""
