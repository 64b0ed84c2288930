"""Reading sync files: a JSON batch, JSON Lines, or CSV, and a file-drop folder of them.

- ``*.json``: one batch object, in the integration's shape (internal, Aspire or Jobber); read
  whole, with exact decimals.
- ``*.jsonl`` / ``*.ndjson``: one internal record per line with its ``"kind"``
  (``{"kind": "timeEntries", "externalId": "T-1", ...}``), streamed line by line: the format
  for large syncs. Lines should come in dependency order (branches ... timeEntries): a record
  whose reference has not synced yet is rejected with that reason.
- ``*.csv``: one kind per file, named by the file (``jobs.csv``, ``2026-11-02.timeEntries.csv``,
  or an Aspire/Jobber collection such as ``Opportunities.csv``); a header row of field names,
  empty cells are null, true/false for flags.

A file that cannot be read raises ``BatchError`` naming the file and the line.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from protiv.services.adapters import mapper_for, shape_of
from protiv.services.adapters.base import BatchError, Records
from protiv.services.sync_records import KINDS

SUFFIXES = (".json", ".jsonl", ".ndjson", ".csv")
FLAGS = frozenset({"active", "recurring", "approved", "Active", "Approved"})
ALIASES = {k.lower(): k for k in KINDS} | {
    "time_entries": "timeEntries",
    "timeentries": "timeEntries",
}


def pending_files(folder: Path) -> list[Path]:
    """The files waiting in a drop folder (not in its done/ or failed/ folders), oldest name first."""
    if not folder.is_dir():
        raise BatchError(f"The drop folder {folder} does not exist or is not a folder.")
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in SUFFIXES)


def read_files(paths: Sequence[Path], provider: str) -> Records:
    """Every file's records, JSON batches first, then JSON Lines, then CSV files by kind."""
    mapper = mapper_for(provider)
    by_type = sorted(paths, key=lambda p: (_rank(p, mapper.collections), p.name))
    collected: dict[str, list[Mapping[str, Any]]] = {}
    for path in by_type:
        suffix = path.suffix.lower()
        if suffix == ".json":
            payload = _json(path)
            yield from shape_of(provider, payload).records(payload)
        elif suffix in (".jsonl", ".ndjson"):
            yield from _json_lines(path)
        else:
            kind = csv_kind(path, mapper.collections)
            if kind in KINDS:
                yield from ((kind, row) for row in _csv(path))
            else:
                collected.setdefault(kind, []).extend(_csv(path))
    if collected:
        yield from mapper.records(collected)


def _rank(path: Path, collections: Sequence[str]) -> tuple[int, int]:
    suffix = path.suffix.lower()
    if suffix == ".json":
        return (0, 0)
    if suffix != ".csv":
        return (1, 0)
    kind = csv_kind(path, collections)
    order = [*KINDS, *collections]
    return (2, order.index(kind))


def csv_kind(path: Path, collections: Sequence[str]) -> str:
    """The record kind a CSV file holds, from its name."""
    last = path.stem.split(".")[-1]
    by_name = ALIASES | {c.lower(): c for c in collections}
    found = by_name.get(last.lower()) or by_name.get(path.stem.lower())
    if found is None:
        raise BatchError(
            f"{path.name}: a CSV file is named by the kind it holds, one of {list(collections)} "
            "(e.g. jobs.csv or 2026-11-02.jobs.csv)."
        )
    return found


def _json(path: Path) -> Mapping[str, Any]:
    try:
        with path.open(encoding="utf-8") as handle:
            payload = json.load(handle, parse_float=Decimal)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BatchError(f"{path.name}: cannot be read as JSON ({error})") from error
    if not isinstance(payload, Mapping):
        raise BatchError(f"{path.name}: must hold a JSON object of record lists.")
    return payload


def _json_lines(path: Path) -> Iterator[tuple[str, Mapping[str, Any]]]:
    try:
        with path.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, 1):
                if line.strip():
                    yield _line(path, number, line)
    except (OSError, UnicodeDecodeError) as error:
        raise BatchError(f"{path.name}: cannot be read ({error})") from error


def _line(path: Path, number: int, line: str) -> tuple[str, Mapping[str, Any]]:
    try:
        record = json.loads(line, parse_float=Decimal)
    except json.JSONDecodeError as error:
        raise BatchError(f"{path.name}, line {number}: not valid JSON ({error})") from error
    if not isinstance(record, dict) or not isinstance(record.get("kind"), str):
        raise BatchError(f'{path.name}, line {number}: expected an object with a "kind".')
    return record.pop("kind"), record


def _csv(path: Path) -> Iterator[dict[str, Any]]:
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                yield {key: _cell(key, value) for key, value in row.items() if key}
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise BatchError(f"{path.name}: cannot be read as CSV ({error})") from error


def _cell(key: str, value: str | None) -> Any:
    if value is None or not value.strip():
        return None
    if key in FLAGS:
        return value.strip().lower() in ("true", "yes", "1", "y")
    return value.strip()
