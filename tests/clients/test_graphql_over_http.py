"""The GraphQL-over-HTTP spec's own audit suite (graphql-http's ``serverAudits``) against a
served instance with an admin token: every MUST and every SHOULD passes."""

from __future__ import annotations

from tests.clients.conftest import Served
from tests.clients.node import run_node


async def test_the_server_passes_every_must_and_should_audit(served: Served) -> None:
    run = await run_node("audit.mjs", served.url, served.token)
    report = run.json()
    assert report["failures"] == [], report["failures"]
    assert report["MUST"] == {"ok": 13, "total": 13}
    assert report["SHOULD"] == {"ok": 23, "total": 23}
    assert run.returncode == 0, run.stderr
