"""Benchmark of the bonus calculation (protiv.calc): prints a markdown table.

    python bench/calc_bench.py                   # prints the table
    python bench/calc_bench.py --json out.json   # and writes Result rows for bench/run.py

Inputs are built before the clock starts (fixed random seed), so the figures are the
calculation alone. Time is the best of a few repeats (time.perf_counter); peak memory is
measured in a separate run under tracemalloc, because tracing slows everything down.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import sys
import time
import tracemalloc
from collections.abc import Callable
from decimal import Decimal

from harness import Result, write_results

from protiv.calc import (
    Budget,
    CalcInput,
    CrewMember,
    Pool,
    TimeEntry,
    calculate,
    calculate_group,
)
from protiv.domain.bonus import BudgetType, Distribution, TimeKind


def propay(rng: random.Random, workers: int, entries: int, first_id: int = 1) -> CalcInput:
    """A ProPay with ``workers`` crew members and ``entries`` time entries, about 10% under budget."""
    ids = range(first_id, first_id + workers)
    crew = tuple(CrewMember(i, Decimal(rng.randint(1800, 4500)).scaleb(-2)) for i in ids)
    wages = {m.worker_id: m.wage for m in crew}
    time_entries = []
    cost = Decimal(0)
    for _ in range(entries):
        worker = rng.choice(ids)
        hours = Decimal(rng.randint(1, 40)) / 4
        kind = TimeKind.DRIVE if rng.random() < 0.1 else TimeKind.WORK
        time_entries.append(TimeEntry(worker, hours, kind))
        if kind is TimeKind.WORK:
            cost += hours * wages[worker]
    budget = Budget(BudgetType.AMOUNT, amount=(cost * Decimal("1.1")).quantize(Decimal("0.01")))
    return CalcInput(
        budget=budget,
        crew=crew,
        entries=tuple(time_entries),
        pool=Pool(),
        distribution=Distribution.BY_HOURS,
        crew_lead_id=first_id,
        manager_id=first_id + workers,
    )


def best_of(repeats: int, work: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - start)
    return best


def peak_mib(work: Callable[[], object]) -> float:
    tracemalloc.start()
    try:
        work()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def each(inputs: list[CalcInput]) -> Callable[[], None]:
    def run() -> None:
        for calc_input in inputs:
            calculate(calc_input)

    return run


def scenarios() -> list[tuple[str, int, Callable[[], object], int]]:
    """(name, ProPays or groups per run, the work, repeats), inputs built beforehand."""
    rng = random.Random(2024)
    big = propay(rng, workers=50, entries=10_000)
    many = [propay(rng, workers=5, entries=20, first_id=100 + 10 * n) for n in range(10_000)]
    group = [propay(rng, workers=5, entries=20, first_id=1 + n % 4) for n in range(200)]
    return [
        ("one ProPay: 50 workers, 10,000 time entries", 1, lambda: calculate(big), 10),
        ("10,000 ProPays in a row: 5 workers, 20 entries each", 10_000, each(many), 3),
        (
            "one group of 200 ProPays: 5 workers, 20 entries each",
            1,
            lambda: calculate_group(group, Pool()),
            5,
        ),
    ]


def rows(name: str, count: int, seconds: float, peak: float, load: str) -> list[Result]:
    """No target and no limit: the calculation is pure Python with nothing to set it beside;
    these rows keep its figures in the table so a regression shows."""
    found = [Result(f"calc: {name}", "best wall time", seconds * 1e3, "ms", notes=load)]
    if count > 1:
        per = seconds / count * 1e6
        found.append(Result(f"calc: {name}", "per ProPay", per, "µs", notes=load))
    found.append(Result(f"calc: {name}", "peak memory (tracemalloc)", peak, "MiB", notes=load))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--json", help="write the Result rows here (for bench/run.py)")
    args = parser.parse_args()
    load = f"load average {os.getloadavg()[0]:.1f} before the run"
    print(f"python {platform.python_version()} ({sys.implementation.name}), {platform.machine()}")
    print(f"{load}\n")
    print("| scenario | total | per ProPay / group | peak memory |")
    print("|---|---:|---:|---:|")
    results: list[Result] = []
    for name, count, work, repeats in scenarios():
        seconds = best_of(repeats, work)
        peak = peak_mib(work)
        per = seconds / count
        per_text = f"{per * 1e3:.2f} ms" if per >= 1e-3 else f"{per * 1e6:.0f} µs"
        print(f"| {name} | {seconds * 1e3:,.1f} ms | {per_text} | {peak:.2f} MiB |")
        results += rows(name, count, seconds, peak, load)
    print()
    write_results(args.json, results)


if __name__ == "__main__":
    main()
