"""``protiv serve``: what it hands uvicorn (in-process, uvicorn.run replaced), and one real
start in a subprocess: the demo's printed admin token works against the running server."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from alembic.script import ScriptDirectory

from protiv.persistence.migrate import alembic_config
from tests.cli.conftest import Protiv

BEARER = re.compile(r"Authorization: Bearer (ptv_\S+)")


@pytest.fixture
def uvicorn_calls(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.append({"app": app, **kw}))
    return calls


def test_serve_migrates_then_runs_the_app_factory(
    protiv: Protiv, uvicorn_calls: list[dict[str, Any]]
) -> None:
    ran = protiv("serve", "--port", "8123", "--workers", "2")
    assert ran.code == 0, ran.err
    assert "GraphiQL: http://127.0.0.1:8123/graphql" in ran.out
    assert "Bearer" not in ran.out
    [call] = uvicorn_calls
    assert call["app"] == "protiv.server.app:create_app"
    assert (call["factory"], call["loop"], call["http"]) == (True, "auto", "auto")
    assert (call["host"], call["port"], call["workers"], call["reload"]) == (
        "127.0.0.1",
        8123,
        2,
        False,
    )
    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    assert protiv("db", "current").out == f"{head} (head)\n"


def test_serve_demo_loads_into_an_empty_database_only(
    protiv: Protiv, uvicorn_calls: list[dict[str, Any]], acme: str
) -> None:
    ran = protiv("serve", "--demo")
    assert ran.code == 0
    assert "already holds other companies" in ran.out
    assert "Bearer" not in ran.out


def test_serve_demo_prints_a_fresh_token_when_the_demo_is_there(
    protiv: Protiv, uvicorn_calls: list[dict[str, Any]]
) -> None:
    first = protiv("serve", "--demo")
    assert "Loaded the demo company" in first.out
    assert BEARER.search(first.out)
    second = protiv("serve", "--demo")
    assert "Loaded" not in second.out
    assert BEARER.search(second.out)
    assert BEARER.findall(first.out) != BEARER.findall(second.out)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_up(base: str, process: subprocess.Popen[bytes], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, "the server exited early"
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    pytest.fail(f"the server did not answer on {base}/healthz within {timeout} s")


@pytest.mark.slow
def test_serve_demo_in_a_subprocess(tmp_path: Path) -> None:
    executable = Path(sys.executable).with_name("protiv")
    if not executable.exists():
        pytest.skip("the protiv console script is not installed next to this interpreter")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = os.environ | {"PROTIV_DATABASE_URL": f"sqlite:///{tmp_path / 'serve.db'}"}
    out_path, err_path = tmp_path / "stdout.txt", tmp_path / "stderr.txt"
    with out_path.open("wb") as out, err_path.open("wb") as err:
        process = subprocess.Popen(
            [str(executable), "serve", "--demo", "--port", str(port), "--log-level", "warning"],
            stdout=out,
            stderr=err,
            env=env,
        )
        try:
            wait_until_up(base, process)
            token = BEARER.search(out_path.read_text())
            assert token, out_path.read_text()
            viewer = httpx.post(
                f"{base}/graphql",
                json={"query": "{ viewer { role } }"},
                headers={"Authorization": f"Bearer {token.group(1)}"},
            )
            assert viewer.json() == {"data": {"viewer": {"role": "ADMIN"}}}
            page = httpx.get(f"{base}/graphql", headers={"Accept": "text/html"})
            assert page.status_code == 200
            assert "graphiql" in page.text.lower()
        finally:
            process.terminate()
            process.wait(timeout=10)
    assert f"GraphiQL: {base}/graphql" in out_path.read_text()
