"""GraphiQL in a real browser: headless Chromium opens /graphql (served without a CDN), enters
a token in the Headers pane, runs a query from the README tour and sees its result. The same
browser renders the ProPay state diagram with a local mermaid.

The screenshots go to a temporary folder; ``PROTIV_UPDATE_SCREENSHOTS=1`` writes them to
docs/screenshots/ instead (graphiql.png, pro-pay-states.png), to refresh the committed ones.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from protiv.server import graphiql
from tests.api.test_readme_tour import tour_operations
from tests.clients.conftest import Served
from tests.clients.node import ROOT, chromium_or_skip, missing, run_node

SCREENSHOTS = ROOT / "docs" / "screenshots"
PNG = b"\x89PNG\r\n\x1a\n"


def _screenshot_dir(tmp_path: Path) -> Path:
    if os.environ.get("PROTIV_UPDATE_SCREENSHOTS"):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        return SCREENSHOTS
    return tmp_path


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # the page, not the database
async def test_graphiql_runs_a_tour_query_in_chromium(served: Served, tmp_path: Path) -> None:
    chromium_or_skip()
    if not graphiql.vendored():
        missing("GraphiQL's scripts are not vendored: run scripts/vendor-graphiql")
    active_pro_pays = tour_operations()[1]  # "2. The ACTIVE ProPays, with their live calculation"
    query_file = tmp_path / "tour.graphql"
    query_file.write_text(active_pro_pays)
    out = _screenshot_dir(tmp_path)

    run = await run_node(
        "browser.mjs",
        served.url,
        served.token,
        str(query_file),
        str(ROOT / "docs" / "state-machines" / "pro_pay.md"),
        str(out),
        seconds=120,
    )

    assert run.returncode == 0, run.stderr
    report = run.json()
    assert report["failures"] == []  # no script error, no request the page could not make
    (pro_pay,) = report["result"]["data"]["proPays"]["nodes"]
    assert pro_pay["title"] == "Oak Street mulch"
    assert pro_pay["calculation"]["workerPool"] == "250.00"
    assert report["diagram"]["states"] >= 5  # ACTIVE APPROVED PAID CANCELED DELETED
    for name in ("graphiql.png", "pro-pay-states.png"):
        assert (out / name).read_bytes().startswith(PNG)
