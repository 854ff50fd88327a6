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

RUNS = 3
DOC = Path(__file__).resolve().parents[1] / "docs" / "planning-benchmark.md"
PAIRS_FIRST = ("pairs", "returns", "balance")

# (label, arguments, best known: (coincidences at the pair optimum; fewest returns known and
# the fewest coincidences known with them), where the figures come from). None: not known.
INSTANCES = [
    ("the issue's café: 40 people, 8 tables, 4 rounds", dict(tables=8, people=40, rounds=4),
     (0, 0, 0), "polynomial plan over GF(8) with hosts, hosts left out"),
    ("21 people, 7 tables of 3, 7 rounds", dict(tables=7, size=3, rounds=7),
     (0, 0, 0), "polynomial plan mod 7 with hosts, hosts left out"),
    ("150 people, 15 tables of 10, 6 rounds", dict(tables=15, size=10, rounds=6),
     (0, 0, 0), "stored 6 x 11 difference array over Z15, host column left out"),
    ("Kirkman: 15 people, 5 tables of 3, 7 rounds", dict(tables=5, size=3, rounds=7),
     (0, 30, 0), "Kirkman's schoolgirls; 7 rounds at 5 tables force 30 returns"),
    ("18 people, 6 tables of 3, 8 rounds", dict(tables=6, size=3, rounds=8),
     (0, 36, 0), "nearly Kirkman triple system; 8 rounds at 6 tables force 36 returns"),
    ("32 people, 8 tables of 4, 9 rounds", dict(tables=8, size=4, rounds=9),
     (0, 32, 43), "affine, 9 planes of GF(2)^5; 32 returns forced;"
     " 32 returns at 43 coincidences seen in one of our runs"),
    ("65 people, 13 tables of 5, hosts, 4 rounds", dict(tables=13, size=5, rounds=4, hosts=True),
     (0, 0, 0), "polynomial plan mod 13"),
    ("65 people, 5 tables of 13, 3 rounds", dict(tables=5, size=13, rounds=3),
     (165, 0, 225), "round-pair bound over 5 tables (165), over the 4 not sat at (225)"),
    ("30 people, 6 tables of 5, 5 rounds", dict(tables=6, size=5, rounds=5),
     (0, None, None), "difference array over Z6; none with a host column (Z6 is even)"),
    ("12 people, 4 tables of 3, 5 rounds", dict(tables=4, size=3, rounds=5),
     (None, None, None), "no 0 plan: 4 tables of 3 allow only 4 rounds"),
    ("150 people, 10 tables of 15, 5 rounds", dict(tables=10, size=15, rounds=5),
     (500, 0, 600), "round-pair bound over 10 tables (500), over the 9 not sat at (600)"),
    ("40 people, 10 tables of 4, 6 rounds, 5 countries",
     dict(tables=10, size=4, rounds=6, attributes=[{"country": "ABCDE"[i % 5]} for i in range(40)]),
     (0, 0, 0), "difference array over Z10, balanced by the search"),
]  # fmt: skip


def run(args: dict, method: str, order=None):
    """Plan RUNS times; return the last plan, the first call's ms and the median ms."""
    times, plan = [], None
    extra = {} if order is None else {"order": order}
    for _ in range(RUNS):
        start = time.perf_counter()
        plan = plan_rotation(**args, method=method, time_limit=1.0, **extra)
        times.append((time.perf_counter() - start) * 1000)
    return plan, times[0], statistics.median(times)


def _known(value) -> str:
    """A best-known figure, or a dash where none is known."""
    return "-" if value is None else str(value)


def verdict(ours, pairs, median: float, best) -> str:
    """Whether each order reaches the best known values, and within a second."""
    pair_best, returns_best, with_returns = best
    words = []
    if pair_best is not None:
        words.append("pairs first: " + ("met" if pairs.coincidences <= pair_best else "MISSED"))
    if returns_best is not None:
        hit = ours.returns <= returns_best and ours.coincidences <= with_returns
        words.append("new tables first: " + ("met" if hit else "MISSED"))
    words.append("< 1 s" if median <= 1000 else "SLOW")
    return ", ".join(words)


def plan_table() -> list[str]:
    """Both orders and the greedy baseline on every shape, against the best known values."""
    rows = [
        "| instance | new tables first: coinc. / returns (people) / ms (first) | pairs first:"
        " coinc. / bound / returns (people) | method | greedy: coinc. / returns | best known:"
        " coinc. at the pair optimum; fewest returns, with coinc. | verdict |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for label, args, best, source in INSTANCES:
        ours, first, median = run(args, "auto")
        pairs, _first, _median = run(args, "auto", PAIRS_FIRST)
        greedy, _first, _g_median = run(args, "greedy")
        extra = (
            f" / imbalance {ours.imbalance} vs {greedy.imbalance}" if "attributes" in args else ""
        )
        floor = f", {ours.fewest_returns} unavoidable" if ours.fewest_returns else ""
        rows.append(
            f"| {label} | {ours.coincidences} / {ours.returns} ({ours.returners}{floor}) / "
            f"{median:.0f} ({first:.0f}){extra} | {pairs.coincidences} / {pairs.lower_bound} / "
            f"{pairs.returns} ({pairs.returners}) | {ours.method} | {greedy.coincidences} / "
            f"{greedy.returns} | {_known(best[0])}; {_known(best[1])}, {_known(best[2])} ({source}) | "
            f"{verdict(ours, pairs, median, best)} |"
        )
        print(rows[-1], flush=True)
    return rows


def replan_table() -> list[str]:
    """Re-planning a day of 150 people (10 tables of 15, 6 rounds) after round 2."""
    day = plan_rotation(10, 6, size=15, time_limit=2.0, order=PAIRS_FIRST).rounds
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
