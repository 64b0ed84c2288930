"""Settings from the environment, read once. Nothing here imports the rest of protiv."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./protiv.db"


def normalize_database_url(url: str) -> str:
    """Name the async driver explicitly: SQLAlchemy 2.1 reads plain ``postgresql://`` as
    psycopg 3, and plain ``sqlite://`` as the blocking driver."""
    for plain, driver in (
        ("postgresql://", "postgresql+asyncpg://"),
        ("postgres://", "postgresql+asyncpg://"),
        ("sqlite://", "sqlite+aiosqlite://"),
    ):
        if url.startswith(plain):
            return driver + url[len(plain) :]
    return url


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    host: str = "127.0.0.1"
    port: int = 8000
    allowed_origins: tuple[str, ...] = field(default_factory=tuple)
    scheduler_seconds: float = 60.0
    max_body_bytes: int = 8 * 1024 * 1024  # a bigger HTTP request body is answered 413
    answer_cache: bool = True  # repeated queries answered from memory while the data is unchanged

    @classmethod
    def from_env(cls) -> Settings:
        origins = os.environ.get("PROTIV_ALLOWED_ORIGINS", "")
        return cls(
            database_url=normalize_database_url(
                os.environ.get("PROTIV_DATABASE_URL", DEFAULT_DATABASE_URL)
            ),
            host=os.environ.get("PROTIV_HOST", "127.0.0.1"),
            port=int(os.environ.get("PROTIV_PORT", "8000")),
            allowed_origins=tuple(o.strip() for o in origins.split(",") if o.strip()),
            max_body_bytes=int(os.environ.get("PROTIV_MAX_BODY_BYTES", str(8 * 1024 * 1024))),
            answer_cache=os.environ.get("PROTIV_ANSWER_CACHE", "1") != "0",
        )
