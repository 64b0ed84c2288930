"""What every command shares: settings, a service context for one command, running a
coroutine, and turning expected failures into one line on stderr and an exit code.

Exit codes: 0 success, 1 a domain or validation error (bad file, unknown company, refused
transition, unreachable database), 2 a usage error (argparse).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from typing import Any, NoReturn, TypeVar

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError
from tqdm import tqdm

from protiv.config import Settings
from protiv.domain.errors import DomainError
from protiv.persistence.database import create_database
from protiv.services.context import ServiceContext

T = TypeVar("T")
OK, FAILED, USAGE = 0, 1, 2
Handler = Callable[[argparse.Namespace], int]
SUPPORTED_BACKENDS = frozenset({"sqlite", "postgresql"})
Commands = Any  # what add_subparsers returns (argparse names its class privately)


class CliError(Exception):
    """An expected failure the command explains in one line (exit code 1)."""


class Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr (exit code 2), not usage plus error."""

    def error(self, message: str) -> NoReturn:
        self.exit(USAGE, f"{self.prog}: error: {message} (see `{self.prog} --help`)\n")


def positive_int(value: str) -> int:
    """An argparse type: a whole number of 1 or more (else a usage error)."""
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of 1 or more, not {value!r}")
    return number


def settings() -> Settings:
    """Read once per command; ``PROTIV_DATABASE_URL`` and friends (see protiv.config)."""
    try:
        loaded = Settings.from_env()
    except ValueError as error:  # e.g. PROTIV_PORT=http
        raise CliError(f"bad setting in the environment: {error}") from error
    check_database_url(loaded.database_url)
    return loaded


def check_database_url(url: str) -> None:
    """SQLite or PostgreSQL, and parseable: anything else fails here in one line, not deep
    inside SQLAlchemy with a traceback."""
    try:
        backend = make_url(url).get_backend_name()
    except ArgumentError as error:
        raise CliError(f"PROTIV_DATABASE_URL: {error}") from error
    if backend not in SUPPORTED_BACKENDS:
        raise CliError(
            f"PROTIV_DATABASE_URL must be a sqlite:// or postgresql:// URL, not {backend}://"
        )


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run one coroutine to completion: each command is one short-lived event loop."""
    return asyncio.run(coroutine)


@asynccontextmanager
async def services(database_url: str) -> AsyncIterator[ServiceContext]:
    """A service context for one command; the engine is disposed on the way out so no
    connection (or aiosqlite thread) outlives the command."""
    db = create_database(database_url, pool_size=2)
    try:
        yield ServiceContext(db=db)
    finally:
        await db.dispose()


def redact(url: str) -> str:
    """The database URL without its password, fit to print."""
    return make_url(url).render_as_string(hide_password=True)


def graphiql_url(host: str, port: int) -> str:
    """Where a browser finds GraphiQL (a wildcard bind address is reached via loopback)."""
    shown = "127.0.0.1" if host in ("", "0.0.0.0", "::") else host
    if ":" in shown:
        shown = f"[{shown}]"
    return f"http://{shown}:{port}/graphql"


class Progress:
    """A progress bar on stderr for work that can run longer than a second (a big sync,
    release-due, an export), in the manner of the tools beside it (pip, alembic, uvicorn).

    It shows only when stderr is a terminal and only once the work has taken ``delay`` seconds,
    so quick runs, pipes, CI logs and ``--json`` output stay clean, and it is wiped when the
    work ends. Call it with what is being done and how many are done so far (the shape of a
    service's ``progress`` callback), or ``advance()`` once per item; ``total`` adds a
    percentage and an estimate::

        with common.Progress("syncing", unit="record") as progress:
            report = await sync.run(..., progress=progress)  # progress("jobs", 1200)
    """

    def __init__(
        self, label: str, *, total: int | None = None, unit: str = "item", delay: float = 1.0
    ) -> None:
        self._bar = tqdm(
            total=total,
            desc=label,
            unit=unit,
            file=sys.stderr,
            disable=not sys.stderr.isatty(),
            delay=delay,
            leave=False,
            dynamic_ncols=True,
        )
        self._doing = label
        self._started, self._delay = time.monotonic(), delay

    def __call__(self, doing: str, done: int) -> None:
        self._bar.update(done - self._bar.n)
        if doing != self._doing:  # a new phase shows at once; counts refresh ~10 times a second
            self._doing = doing
            shown = time.monotonic() - self._started >= self._delay
            self._bar.set_description_str(doing, refresh=shown)

    def advance(self, count: int = 1) -> None:
        self._bar.update(count)

    def close(self) -> None:
        self._bar.close()

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def fail(message: str) -> int:
    """One line on stderr; exit code 1."""
    print(f"protiv: error: {' '.join(message.split())}", file=sys.stderr)
    return FAILED


def guarded(handler: Handler, args: argparse.Namespace) -> int:
    """Run a command; expected failures become one line and exit code 1, never a traceback."""
    try:
        return handler(args)
    except DomainError as error:
        return fail(f"{error.code.value}: {error.message}")
    except CliError as error:
        return fail(str(error))
    except DBAPIError as error:
        return fail(database_problem(error))
    except BrokenPipeError:  # the reader went away (``| head``): nothing left to tell it
        _silence_stdout()
        return FAILED
    except OSError as error:  # e.g. the database server refused the connection
        return fail(f"{type(error).__name__}: {error}")
    except KeyboardInterrupt:
        return 130


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush does not fail again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def database_problem(error: DBAPIError) -> str:
    """The driver's first line, plus the likely fix when the schema is missing."""
    first = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
    missing = "no such table" in first or ("relation" in first and "does not exist" in first)
    hint = " (run `protiv db upgrade` first)" if missing else ""
    return f"database error: {first}{hint}"
