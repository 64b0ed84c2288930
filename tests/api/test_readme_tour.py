"""The README's tour works as written: every operation in it, in order, on a fresh demo."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from protiv.domain.roles import Role
from protiv.services import tokens
from protiv.services.demo import load_demo

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()


def tour_operations() -> list[str]:
    tour = README.split("## A five-minute tour", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```graphql\n(.*?)```", tour, re.S)


async def test_every_tour_operation_works_on_a_fresh_demo(ctx, api):
    await load_demo(ctx)
    demo = api.as_(await tokens.create_token(ctx, "demo", Role.ADMIN))
    results: list[dict[str, Any]] = []
    for operation in tour_operations():
        if operation.lstrip().startswith("subscription"):
            continue  # tested over a real WebSocket in test_subscriptions.py
        response = await demo.raw(operation)
        body = response.json()
        assert response.status_code == 200, body
        assert "errors" not in body, (operation, body)
        results.append(body["data"])

    viewer, active, approve, cancel, group, restore, events, statements = results
    assert viewer["viewer"]["role"] == "ADMIN"
    assert any(n["calculationProblem"] for n in active["proPays"]["nodes"])
    assert approve["proPayApprove"]["userErrors"] == []
    assert approve["proPayApprove"]["proPay"]["status"] == "APPROVED"
    assert {i["status"] for i in approve["proPayApprove"]["proPay"]["lineItems"]} == {"HELD"}
    assert cancel["proPayCancel"]["userErrors"][0]["code"] == "BONUS_ALREADY_PAID"
    assert group["proPayGroupApprove"]["proPayGroup"]["status"] == "APPROVED"
    assert restore["proPayRestore"]["proPay"]["status"] == "ACTIVE"
    assert events["events"]["pageInfo"]["hasNextPage"] is True
    assert statements["statements"]["nodes"]


def test_the_readme_diagram_is_the_generated_one():
    doc = (ROOT / "docs/state-machines/pro_pay.md").read_text()
    block = re.search(r"```mermaid\n.*?```", doc, re.S)
    assert block is not None
    assert block.group(0) in README
