"""What every benchmark shares: a fresh database, a served ``protiv serve``, wrk, and the result
records that ``bench/run.py`` gathers into ``bench/README.md``.

A benchmark script prints its results with ``--json PATH`` (a list of ``Result``), so the one
command can run each script in a process of its own (its memory is its own, a crash is one
row) and still render one table.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy.engine import make_url

from protiv.config import normalize_database_url

ROOT = Path(__file__).resolve().parent.parent
LOAD_TOOL = "wrk 4.1.0"
UVICORN = ("--log-level", "warning", "--loop", "auto", "--http", "auto")  # as `protiv serve`


@dataclass
class Result:
    """One row of the table: our figure, the limit measured beside it in the same run, and
    the target it answers to (``met`` is None when the row has no target of its own)."""

    benchmark: str
    figure: str  # what was measured, e.g. "req/s" or "p99"
    ours: float
    unit: str
    limit_name: str = ""
    limit: float | None = None
    target: str = ""
    met: bool | None = None
    notes: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        """Ours over the limit: for rates higher is better, for times lower is."""
        if not self.limit:
            return None
        return self.ours / self.limit


def write_results(path: str | None, results: list[Result]) -> None:
    for result in results:
        limit = "" if result.limit is None else f"  limit {result.limit:,.1f} ({result.limit_name})"
        print(f"{result.benchmark}: {result.figure} {result.ours:,.1f} {result.unit}{limit}")
    if path:
        Path(path).write_text(json.dumps([asdict(r) for r in results], indent=1))


def read_results(path: Path) -> list[Result]:
    return [Result(**row) for row in json.loads(path.read_text())]


# -- databases -----------------------------------------------------------------------------------


def pg_server_url() -> str | None:
    """The PostgreSQL server benchmarks may use (each makes and drops a database of its own)."""
    return os.environ.get("PROTIV_BENCH_DATABASE_URL")


async def _admin_sql(server_url: str, statement: str) -> None:
    import asyncpg

    parts = make_url(normalize_database_url(server_url))
    conn = await asyncpg.connect(
        host=parts.host,
        port=parts.port or 5432,
        user=parts.username,
        password=parts.password,
        database=parts.database or "postgres",
    )
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


@contextmanager
def fresh_database(server_url: str | None) -> Iterator[str]:
    """A new, empty database URL: a SQLite file in a temporary folder, or a PostgreSQL database
    made on ``server_url`` and dropped afterwards."""
    if server_url is None:
        folder = tempfile.mkdtemp(prefix="protiv-bench-")
        try:
            yield f"sqlite+aiosqlite:///{folder}/bench.db"
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return
    name = f"protiv_bench_{uuid.uuid4().hex[:8]}"
    asyncio.run(_admin_sql(server_url, f'CREATE DATABASE "{name}"'))
    try:
        yield str(make_url(normalize_database_url(server_url)).set(database=name))
    finally:
        asyncio.run(_admin_sql(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


# -- servers -------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_healthy(base: str, process: subprocess.Popen[bytes], log: Path, path: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"the server exited: {log.read_text()}")
        try:
            if httpx.get(base + path, timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    sys.exit(f"the server did not come up: {log.read_text()}")


@contextmanager
def protiv_server(
    database_url: str, workers: int = 1, env: dict[str, str] | None = None
) -> Iterator[str]:
    """``protiv serve`` (uvicorn, uvloop, httptools) on a free loopback port; yields its base
    URL. The database should be prepared (migrated or stamped) beforehand."""
    port = free_port()
    log = Path(tempfile.mkdtemp(prefix="protiv-bench-log-")) / "server.log"
    executable = Path(sys.executable).with_name("protiv")
    command = [str(executable), "serve", "--port", str(port), "--log-level", "warning"]
    with log.open("wb") as out:
        process = subprocess.Popen(
            [*command, "--workers", str(workers)],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=os.environ | {"PROTIV_DATABASE_URL": database_url} | (env or {}),
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base, process, log, "/healthz")
        yield base
    finally:
        process.terminate()
        process.wait(20)


@contextmanager
def plain_server(app: str, workers: int = 1) -> Iterator[str]:
    """Any ASGI app (``module:attr``) under uvicorn with the same options as ``protiv serve``:
    the limit beside us."""
    port = free_port()
    log = Path(tempfile.mkdtemp(prefix="protiv-bench-log-")) / "plain.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                app,
                *UVICORN,
                "--port",
                f"{port}",
                f"--workers={workers}",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=ROOT / "bench",
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base, process, log, "/healthz")
        yield base
    finally:
        process.terminate()
        process.wait(20)


# -- wrk -----------------------------------------------------------------------------------------

_REPORT = """
done = function(summary, latency, requests)
  io.write(string.format(
    "\\nRESULT {\\"requests\\": %d, \\"seconds\\": %f, \\"non2xx\\": %d, \\"errors\\": %d, "
    .. "\\"p50_us\\": %d, \\"p90_us\\": %d, \\"p99_us\\": %d, \\"max_us\\": %d}\\n",
    summary.requests, summary.duration / 1e6, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
"""


@dataclass(frozen=True)
class Load:
    """What wrk measured: throughput and latency percentiles (milliseconds)."""

    requests: int
    seconds: float
    non2xx: int
    errors: int
    p50: float
    p90: float
    p99: float
    max: float

    @property
    def rate(self) -> float:
        return self.requests / self.seconds


def post_script(body: dict[str, Any], token: str | None = None) -> str:
    """A wrk Lua script that POSTs one JSON body again and again."""
    headers = 'wrk.headers["Content-Type"] = "application/json"\n'
    if token:
        headers += f'wrk.headers["Authorization"] = "Bearer {token}"\n'
    payload = json.dumps(json.dumps(body))  # a Lua string literal is a JSON string literal
    return f'wrk.method = "POST"\n{headers}wrk.body = {payload}\n'


def wrk(
    url: str,
    script: str,
    seconds: float = 10,
    connections: int = 32,
    threads: int = 1,
    timeout: float = 10,
) -> Load:
    """Run wrk against ``url`` (loopback only) for a bounded time with a Lua ``script``."""
    if not url.startswith("http://127.0.0.1"):
        raise ValueError("load goes to loopback only")
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        lua.write(script + _REPORT)
    try:
        out = subprocess.run(
            [
                "wrk",
                f"-t{threads}",
                f"-c{connections}",
                f"-d{round(seconds)}s",
                f"--timeout={round(timeout)}s",
                "-s",
                lua.name,
                url,
            ],
            capture_output=True,
            text=True,
            check=True,
            timeout=seconds + 60,
        ).stdout
    finally:
        os.unlink(lua.name)
    found = re.search(r"^RESULT (\{.*\})$", out, re.MULTILINE)
    if found is None:
        raise RuntimeError(f"wrk printed no result:\n{out}")
    raw = json.loads(found.group(1))
    return Load(
        requests=raw["requests"],
        seconds=raw["seconds"],
        non2xx=raw["non2xx"],
        errors=raw["errors"],
        p50=raw["p50_us"] / 1000,
        p90=raw["p90_us"] / 1000,
        p99=raw["p99_us"] / 1000,
        max=raw["max_us"] / 1000,
    )
