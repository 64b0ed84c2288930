"""Running the Node scripts of tests/js/ against a served protiv, from async tests.

The server runs in the test's event loop (tests/api/live.py), so a script is started with
``asyncio.create_subprocess_exec`` and awaited: the loop keeps serving while it runs.
A missing Node.js or ``tests/js/node_modules`` skips the test locally with the fix in the
reason; under CI (``CI`` set) it fails instead, because ``.ci/run`` installs both.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
JS = ROOT / "tests" / "js"
CHROMIUM = Path("/usr/bin/chromium")


def missing(reason: str) -> None:
    """Skip locally, fail in CI: the tool should have been installed by .ci/run."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI installs it: see .ci/run)")
    pytest.skip(reason)


def node_or_skip() -> str:
    node = shutil.which("node")
    if node is None:
        missing("Node.js is not installed (the client tests run real Node clients)")
    elif not (JS / "node_modules").is_dir():
        missing("tests/js/node_modules is missing: run `npm ci --prefix tests/js`")
    assert node is not None
    return node


def chromium_or_skip() -> Path:
    if not CHROMIUM.exists():
        missing("Chromium is not installed: `apt-get install chromium`")
    return CHROMIUM


@dataclass(frozen=True)
class NodeRun:
    returncode: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        """The last line of stdout, which each script prints as one JSON document."""
        assert self.stdout.strip(), f"no output; stderr:\n{self.stderr}"
        return json.loads(self.stdout.strip().splitlines()[-1])


async def run_node(script: str, *args: str, seconds: float = 60) -> NodeRun:
    """Run ``node tests/js/<script> args...`` and wait for it (killed after ``seconds``)."""
    process = await asyncio.create_subprocess_exec(
        node_or_skip(),
        str(JS / script),
        *args,
        cwd=JS,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        out, err = await asyncio.wait_for(process.communicate(), seconds)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise
    return NodeRun(process.returncode or 0, out.decode(), err.decode())
