"""Run every benchmark and rewrite the results table at the top of ``bench/README.md``.

    .venv/bin/python bench/run.py [--only http,approve,...] [--no-postgres] [--dry-run]

Each benchmark script runs in a process of its own with ``--json`` and reports rows of
``harness.Result``: our figure, the limit measured beside it in the same run (plain Starlette,
raw SQL, a bulk insert, a bare WebSocket broadcast), the ratio and the target. PostgreSQL runs
too when a server answers at ``PROTIV_BENCH_DATABASE_URL`` (default: the local one). Load goes
to loopback only, every run is bounded in time; the whole run takes about 20 minutes.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

from harness import ROOT, Result, _admin_sql, read_results

README = ROOT / "bench" / "README.md"
START, END = "<!-- bench:results:start -->", "<!-- bench:results:end -->"
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/postgres"
BENCHMARKS: dict[str, Sequence[str]] = {  # name -> the script and its arguments
    "http": ("http_bench.py",),
    "approve": ("approve_bench.py",),
    "events": ("events_bench.py",),
    "sync": ("sync_bench.py",),
    "payouts": ("payout_bench.py",),
    "calc": ("calc_bench.py",),
}
PACKAGES = (
    "strawberry-graphql",
    "graphql-core",
    "starlette",
    "uvicorn",
    "uvloop",
    "httptools",
    "websockets",
    "sqlalchemy",
    "aiosqlite",
    "asyncpg",
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help=f"comma-separated, of: {', '.join(BENCHMARKS)}")
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    parser.add_argument("--dry-run", action="store_true", help="print the table, keep README")
    args = parser.parse_args()
    names = args.only.split(",") if args.only else list(BENCHMARKS)
    unknown = set(names) - set(BENCHMARKS)
    if unknown:
        parser.error(f"unknown benchmark: {', '.join(sorted(unknown))}")
    env = _environment(args.no_postgres)
    loads = [os.getloadavg()[0]]
    started = time.monotonic()
    results: list[Result] = []
    for name in names:
        results += _run(name, env)
        loads.append(os.getloadavg()[0])
    minutes = (time.monotonic() - started) / 60
    table = _render(results, _machine(env, loads, minutes))
    if args.dry_run:
        print(table)
        return
    _rewrite(table)
    print(f"bench/README.md: {len(results)} rows ({minutes:.1f} min)")


def _environment(no_postgres: bool) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PROTIV_BENCH_DATABASE_URL", None)
    if no_postgres:
        return env
    url = os.environ.get("PROTIV_BENCH_DATABASE_URL", DEFAULT_PG)
    try:
        asyncio.run(_admin_sql(url, "SELECT 1"))
    except (OSError, Exception) as problem:  # no server: SQLite only, and the table says so
        print(f"PostgreSQL not reachable at {url} ({problem}): SQLite only", file=sys.stderr)
        return env
    env["PROTIV_BENCH_DATABASE_URL"] = url
    return env


def _run(name: str, env: dict[str, str]) -> list[Result]:
    script, *arguments = BENCHMARKS[name]
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "results.json"
        command = [sys.executable, str(ROOT / "bench" / script), *arguments, "--json", str(out)]
        print(f"== {name}: {' '.join(command[1:])}", flush=True)
        finished = subprocess.run(command, env=env, cwd=ROOT, check=False)
        if finished.returncode != 0 or not out.exists():
            return [
                Result(
                    benchmark=f"{name} (failed: exit {finished.returncode})",
                    figure="",
                    ours=0,
                    unit="",
                    met=False,
                    notes="the run failed; its output is above in the command's log",
                )
            ]
        return read_results(out)


# -- the machine ---------------------------------------------------------------------------------


def _machine(env: dict[str, str], loads: list[float], minutes: float) -> list[str]:
    cpu = _cpu()
    wrk = subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False).stdout
    wrk_version = (wrk.split() or ["wrk", "?"])[:2]
    packages = ", ".join(f"{name} {version(name)}" for name in PACKAGES)
    postgres = _postgres_version(env.get("PROTIV_BENCH_DATABASE_URL"))
    return [
        f"- **Date:** {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; whole run {minutes:.0f} min.",
        f"- **Machine:** {cpu}, {os.cpu_count()} cores, {_memory()}; {platform.platform()}.",
        "- **Load average** (1 min) before and after each benchmark: "
        + ", ".join(f"{load:.1f}" for load in loads)
        + ".",
        f"- **Python** {platform.python_version()} ({platform.python_implementation()}); "
        f"SQLite {sqlite3.sqlite_version}; PostgreSQL {postgres}.",
        f"- **Packages:** {packages}.",
        f"- **Load tool:** {' '.join(wrk_version)} on loopback (1 thread); **event loop:** "
        "uvloop, HTTP parser httptools, one uvicorn worker unless a row says otherwise.",
    ]


def _cpu() -> str:
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return platform.processor() or "unknown CPU"
    found = re.search(r"^model name\s*:\s*(.+)$", text, re.MULTILINE)
    return found.group(1).strip() if found else "unknown CPU"


def _memory() -> str:
    try:
        line = Path("/proc/meminfo").read_text().splitlines()[0]
    except OSError:
        return "unknown memory"
    return f"{int(line.split()[1]) / 1024 / 1024:.0f} GiB"


def _postgres_version(url: str | None) -> str:
    if url is None:
        return "not run"
    import asyncpg
    from sqlalchemy.engine import make_url

    from protiv.config import normalize_database_url

    async def ask() -> str:
        parts = make_url(normalize_database_url(url))
        conn = await asyncpg.connect(
            host=parts.host, port=parts.port or 5432, user=parts.username, database=parts.database
        )
        try:
            return str(await conn.fetchval("SHOW server_version"))
        finally:
            await conn.close()

    return asyncio.run(ask()).split()[0]


# -- the table -----------------------------------------------------------------------------------


def _render(results: list[Result], machine: list[str]) -> str:
    rows = [
        "| benchmark | figure | ours | limit beside us (same run) | ours ÷ limit | target | met |",
        "|---|---|---:|---|---:|---|:---:|",
    ]
    notes: dict[str, int] = {}  # each note once; rows that share it share its number
    for result in results:
        n = notes.setdefault(result.notes or "–", len(notes) + 1)
        limit = "" if result.limit is None else f"{_number(result.limit)} ({result.limit_name})"
        ratio = "" if result.ratio is None else f"{result.ratio:.2f}"
        met = {True: "yes", False: "**no**", None: "–"}[result.met]
        ours = f"{_number(result.ours)} {result.unit}".strip()
        rows.append(
            f"| {result.benchmark} [{n}] | {result.figure} | {ours} | {limit} | {ratio} | "
            f"{result.target or '–'} | {met} |"
        )
    listed = [f"{n}. {note}" for note, n in notes.items()]
    return "\n".join([*machine, "", *rows, "", *listed])


def _number(value: float) -> str:
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:,.1f}"
    return f"{value:,.2f}"


def _rewrite(table: str) -> None:
    text = README.read_text()
    block = f"{START}\n{table}\n{END}"
    if START in text and END in text:
        head, rest = text.split(START, 1)
        text = head + block + rest.split(END, 1)[1]
    else:
        title, _, body = text.partition("\n")
        text = f"{title}\n\n## Results\n\n{block}\n{body}"
    README.write_text(text)


if __name__ == "__main__":
    main()
