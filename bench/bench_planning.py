"""Benchmark the rotation planner against the Good Enough Golfers baseline, and re-planning.

Run with `.venv/bin/python bench/bench_planning.py`; prints the tables and writes them to
docs/planning-benchmark.md. Each planner runs several times per instance: the time shown is
the median, the first call (caches cold) is shown apart.
"""

from __future__ import annotations

import datetime
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kt_workshop.plan.algorithms.replan import replan  # noqa: E402
from kt_workshop.plan.algorithms.rotation import Constraints, plan_rotation  # noqa: E402

RUNS = 5
DOC = Path(__file__).resolve().parents[1] / "docs" / "planning-benchmark.md"

# (label, arguments, target coincidences or "bound", target milliseconds or None)
INSTANCES = [
    ("Kirkman: 15 people, 5 tables of 3, 7 rounds", dict(tables=5, size=3, rounds=7), 0, 10),
    ("18 people, 6 tables of 3, 8 rounds", dict(tables=6, size=3, rounds=8), 0, 1000),
    ("32 people, 8 tables of 4, 9 rounds", dict(tables=8, size=4, rounds=9), 0, 50),
    (
        "65 people, 13 tables of 5, hosts, 4 rounds",
        dict(tables=13, size=5, rounds=4, hosts=True),
        0,
        50,
    ),
    ("65 people, 5 tables of 13, 3 rounds", dict(tables=5, size=13, rounds=3), "bound", 1000),
    ("stretch: 32 people, 8 tables of 4, 10 rounds", dict(tables=8, size=4, rounds=10), 0, None),
    ("stretch: 28 people, 7 tables of 4, 9 rounds", dict(tables=7, size=4, rounds=9), 0, None),
    ("search: 30 people, 6 tables of 5, 5 rounds", dict(tables=6, size=5, rounds=5), None, None),
    ("search: 12 people, 4 tables of 3, 5 rounds", dict(tables=4, size=3, rounds=5), None, None),
    (
        "search: 150 people, 10 tables of 15, 5 rounds",
        dict(tables=10, size=15, rounds=5),
        "bound",
        None,
    ),
    (
        "search: 40 people, 10 tables of 4, 6 rounds, 5 countries",
        dict(
            tables=10, size=4, rounds=6, attributes=[{"country": "ABCDE"[i % 5]} for i in range(40)]
        ),
        "bound",
        None,
    ),
]


def run(args: dict, method: str):
    """Plan RUNS times; return the last plan, the first call's ms and the median ms."""
    times, plan = [], None
    for _ in range(RUNS):
        start = time.perf_counter()
        plan = plan_rotation(**args, method=method, time_limit=1.0)
        times.append((time.perf_counter() - start) * 1000)
    return plan, times[0], statistics.median(times)


def verdict(plan, median: float, target, ms) -> str:
    """Whether the target of the issue is met."""
    if target is None:
        return "-"
    wanted = plan.lower_bound if target == "bound" else target
    ok = plan.coincidences <= wanted and (ms is None or median <= ms)
    goal = f"{'=bound' if target == 'bound' else target}" + (f" in {ms} ms" if ms else "")
    return ("met" if ok else "MISSED") + f" ({goal})"


def plan_table() -> list[str]:
    """Ours against the greedy baseline on every target instance."""
    rows = [
        "| instance | ours: coinc. / bound / max / ms (first) | method | greedy: coinc. / max / ms | target |",
        "| --- | --- | --- | --- | --- |",
    ]
    for label, args, target, ms in INSTANCES:
        ours, first, median = run(args, "auto")
        greedy, _first, g_median = run(args, "greedy")
        extra = (
            f" / imbalance {ours.imbalance} vs {greedy.imbalance}" if "attributes" in args else ""
        )
        rows.append(
            f"| {label} | {ours.coincidences} / {ours.lower_bound} / {ours.max_meetings} / "
            f"{median:.1f} ({first:.1f}){extra} | {ours.method} | {greedy.coincidences} / "
            f"{greedy.max_meetings} / {g_median:.1f} | {verdict(ours, median, target, ms)} |"
        )
        print(rows[-1], flush=True)
    return rows


def replan_table() -> list[str]:
    """Re-planning a day of 150 people (10 tables of 15, 6 rounds) after round 2."""
    day = plan_rotation(10, 6, size=15, time_limit=2.0).rounds
    history, future = day[:2], day[2:]
    everyone = set(range(150))
    cases = [
        ("one person leaves", everyone - {7}, None),
        ("three leave, two arrive", (everyone - {7, 8, 9}) | {150, 151}, None),
        (
            "table 3 closes for the rest of the day",
            everyone,
            Constraints(closed={r: {3} for r in range(2, 6)}),
        ),
        (
            "five leave, person 0 fixed at table 0",
            everyone - {10, 20, 30, 40, 50},
            Constraints(fixed={0: 0}),
        ),
    ]
    rows = [
        "| change after round 2 | coinc. / bound / max | seats moved | ms | from scratch: coinc. / seats moved |",
        "| --- | --- | --- | --- | --- |",
    ]
    for label, present, rules in cases:
        times = []
        for _ in range(RUNS):
            start = time.perf_counter()
            result = replan(history, 4, 10, present, future, rules)
            times.append((time.perf_counter() - start) * 1000)
        scratch = replan(history, 4, 10, present, None, rules)
        moved = _moved(scratch.rounds[2:], future)
        rows.append(
            f"| {label} | {result.coincidences} / {result.lower_bound} / {result.max_meetings} | "
            f"{result.moved} | {statistics.median(times):.0f} (max {max(times):.0f}) | "
            f"{scratch.coincidences} / {moved} |"
        )
        print(rows[-1], flush=True)
    return rows


def _moved(new, old) -> int:
    """Seats (person, round) that differ between two plans, for people in both."""
    count = 0
    for a, b in zip(new, old, strict=True):
        where_a = {p: t for t, table in enumerate(a) for p in table}
        where_b = {p: t for t, table in enumerate(b) for p in table}
        count += sum(1 for p in where_a if p in where_b and where_a[p] != where_b[p])
    return count


def machine() -> str:
    """One line about where the numbers come from."""
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (
        f"nproc {os.cpu_count()}, Python {platform.python_version()}, NumPy {np.__version__}, "
        f"{datetime.date.today().isoformat()}, load average at the end {load}"
    )


def main() -> None:
    """Run both benchmarks and write the document."""
    print("Rotation plans (times in ms; median of", RUNS, "runs, first call in brackets)")
    plans = plan_table()
    print("\nRe-planning 150 people")
    replans = replan_table()
    note = machine()
    print("\n" + note)
    intro = (
        DOC.read_text().split("<!-- results -->")[0] if DOC.exists() else "# Planning benchmark\n\n"
    )
    DOC.write_text(
        intro
        + "<!-- results -->\n\n"
        + f"Machine: {note}.\n\n## Rotation plans\n\n"
        + "\n".join(plans)
        + "\n\n## Re-planning 150 people (10 tables of 15, 6 rounds, re-planned after round 2)\n\n"
        + "\n".join(replans)
        + "\n"
    )


if __name__ == "__main__":
    main()
