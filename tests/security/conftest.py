"""The GraphQL harness of tests/api (a client per token, the synced crew) for these tests too."""

from tests.api.conftest import api, client, synced, tokens_by_role

__all__ = ["api", "client", "synced", "tokens_by_role"]
