"""Benchmark the export pack: time and peak memory of the whole pack against a plain-writing floor.

Run with `.venv/bin/python bench/bench_report.py` (about 12 minutes on two quiet cores); prints the
figures as it goes and writes them to docs/report-benchmark.md. Options: `--full` runs
tracemalloc at every size and times three runs each (about 40 minutes); `--profile` only builds
the 20,000-note workshop and prints the 15 functions with the most cumulative time in one pack
under cProfile (about 5 minutes); `--quick` (demo and 2,000 notes, one run) prints the document
instead of writing it.

What is measured, for the demo workshop and for a large one (500 delegates, 20 groups, 2 blocks
of 10 questions, a codebook of 30 themes in 3 levels, two analysts) with 2,000, 5,000, 10,000 and
20,000 notes:

- the full pack, `build_pack(db, id, out, ["docx", "xlsx", "charts", "qdpx", "json"])`: wall
  and CPU time (median of the runs, the first run of the process shown apart), the time of each
  step from the progress callback, the process's max RSS (matplotlib, lxml and SQLite allocate
  outside tracemalloc) and the peak of Python allocations (tracemalloc, in a run of its own since
  tracing slows the pack four- to fivefold: the demo only unless `--full`). Each size runs in a
  fresh subprocess, so the RSS figures do not mix;
- the floor, in another fresh subprocess per size: python-docx writing the same notes plainly
  (a heading per question, a paragraph per note) and openpyxl writing them plainly (a row per
  note: id, question, table, round, kind, text), each saved to memory, the notes read before the
  clock starts. The target is the full pack within 3x of docx + xlsx, charts included;
- one PDF conversion of the demo's report with LibreOffice (`pack.to_pdf`), apart, since
  LibreOffice's time is its own; and the pack's whole PDF step, which converts twice (the
  contents' page numbers are read from the first PDF and the report written again).

The databases are built once per run in a temporary folder with bulk inserts; note texts are the
demo's notes recombined with random.Random(0), so every run sees the same workshop.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import io
import json
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from importlib import metadata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kt_workshop import demo, store  # noqa: E402
from kt_workshop.db import migrate, open_db  # noqa: E402
from kt_workshop.demo import content as demo_content
from kt_workshop.live import feedback
from kt_workshop.plan import store as plan

DOC = Path(__file__).resolve().parents[1] / "docs" / "report-benchmark.md"
APP = Path(__file__).resolve().parents[1] / "kt_workshop"
SIZES = (2_000, 5_000, 10_000, 20_000)
FORMATS = ["docx", "xlsx", "charts", "qdpx", "json"]
STEPS = ("gather", "charts", "docx", "xlsx", "qdpx", "json", "zip")
TARGET = 3.0  # the full pack within this many times the floor
# Timed runs of the pack per size (the floor runs as often, at least twice), each size in a fresh
# process: the median of three shows a warm process (a server's), the first run (shown apart) a
# cold one (the command line's). The sizes the growth is judged on get three each, so one
# disturbed run moves it less; 5,000 notes gets two, to keep the benchmark near twelve minutes.
RUNS = {"demo": 3, 2_000: 3, 5_000: 2, 10_000: 3, 20_000: 3}

DELEGATES = 500
GROUPS = 20
QUESTIONS_PER_BLOCK = 10
ROUNDS_PER_BLOCK = 10
THEME_LEVELS = (5, 15, 10)  # overarching themes, themes (3 each), sub-themes (under 10 themes)
DISAGREEMENT = 0.2  # share of notes the two analysts code differently
RESOLVED = 0.75  # share of those disagreements the analysts settled
RESPONSES = 400  # feedback forms handed in


# Building the workshops ---------------------------------------------------------------------


def new_db(path: Path):
    """A migrated database file."""
    db = open_db(path)
    migrate(db)
    return db


def build_demo(path: Path) -> int:
    """The demo workshop (65 delegates, 376 notes) in its own database; its id."""
    db = new_db(path)
    workshop_id = demo.create_demo(db)
    db.conn.close()
    return workshop_id


def _sentences() -> list[str]:
    """The demo notes cut into sentences, the stuff the large workshop's notes are made of."""
    found = []
    for note in demo_content.NOTES:
        parts = [p.strip() for p in note["text"].replace("? ", "?|").split(". ")]
        found += [p if p.endswith((".", "?", "!")) else p + "." for p in parts if p]
    return found


def note_texts(count: int) -> list[tuple[str, str, bool]]:
    """(kind, text, starred) for `count` notes: a demo note as written (two in three) or two to
    four of its sentences recombined, so lengths range like real notes."""
    rng = random.Random(0)
    sentences = _sentences()
    out = []
    for _ in range(count):
        source = rng.choice(demo_content.NOTES)
        if rng.random() < 2 / 3:
            text = source["text"]
        else:
            text = " ".join(rng.sample(sentences, rng.randint(2, 4)))
        out.append((source["kind"], text, rng.random() < 0.08))
    return out


def _delegates(groups: list[int]) -> list[dict]:
    """500 delegates over the demo's 8 countries (in the demo's proportions) and 5 sectors."""
    weights = [c for c, (_n, count, _g, _f) in enumerate(demo.COUNTRIES) for _ in range(count)]
    stamp = store.now()
    people = []
    for i in range(DELEGATES):
        country, _count, given, family = demo.COUNTRIES[weights[i % len(weights)]]
        sector = demo.SECTORS[(i // 3) % len(demo.SECTORS)]
        people.append(
            {
                "name": f"{given[i % len(given)]} {family[(i // len(given)) % len(family)]}",
                "organisation": demo.ORGANISATIONS[sector].format(country=country),
                "country": country,
                "sector": sector,
                "role": demo.ROLES[(i * 7) % len(demo.ROLES)],
                "language": demo.LANGUAGES[country],
                "attendance": "absent" if i % 23 == 0 else "attended",
                "consent": 1,
                "extra": json.dumps({"Dietary needs": "vegetarian" if i % 6 == 0 else ""}),
                "table_id": groups[i % len(groups)],
                "stays": 0,
                "created_at": stamp,
                "workshop_id": None,  # filled in by the caller
            }
        )
    return people


def _codebook(db, workshop_id: int) -> tuple[list[int], list[int]]:
    """30 themes in three levels, with the demo's names and descriptions; (all ids, top ids)."""
    stamp = store.now()
    source = demo_content.THEMES
    top, middle, ids = [], [], []
    for level, count in enumerate(THEME_LEVELS):
        parents = [None] if level == 0 else (top if level == 1 else middle)
        for i in range(count):
            k = len(ids)
            theme = source[k % len(source)]
            name = theme["name"] if k < len(source) else f"{theme['name']} ({k // len(source) + 1})"
            row = {
                "workshop_id": workshop_id,
                "parent_id": parents[i * len(parents) // count] if level else None,
                "position": i + 1,
                "name": name,
                "colour": theme["colour"].upper(),
                "description": theme["description"],
                "usage": theme["usage"],
                "created_at": stamp,
                "updated_at": stamp,
            }
            theme_id = db["theme"].insert(row).last_pk
            ids.append(theme_id)
            (top if level == 0 else middle if level == 1 else []).append(theme_id)
    return ids, top


def _codes(rng: random.Random, themes: list[int]) -> tuple[list[int], list[int]]:
    """Analyst A's 1-3 themes for a note and analyst B's (different one time in five)."""
    a = rng.sample(themes, rng.randint(1, 3))
    if rng.random() >= DISAGREEMENT:
        return a, list(a)
    b = list(a)
    change = rng.randrange(3)
    others = [t for t in themes if t not in a]
    if change == 0 and len(b) > 1:
        b.pop(rng.randrange(len(b)))  # B left one out
    elif change == 1 and len(b) < 3:
        b.append(rng.choice(others))  # B saw one more
    else:
        b[rng.randrange(len(b))] = rng.choice(others)  # B read it another way
    return a, b


def build_large(path: Path, count: int) -> tuple[int, dict]:
    """The large workshop with `count` notes in its own database; its id and build facts."""
    db = new_db(path)
    rng = random.Random(0)
    stamp = store.now()
    started = time.perf_counter()
    with db.atomic():
        workshop_id = store.create_workshop(
            db,
            {
                "title": "Knowledge Transfer Workshop: large benchmark",
                "date": "2025-06-12",
                "venue": "Conference centre",
                "format": "fixed_groups",
                "chatham_house": True,
                "description": "Five hundred delegates in twenty fixed groups; a moderator per "
                "question moves between the groups.",
            },
        )
        blocks = [
            store.add_block(
                db,
                workshop_id,
                {"title": title, "starts_at": starts},
                rounds=ROUNDS_PER_BLOCK,
                minutes=15,
            )
            for title, starts in (("Policy and practice", "09:30"), ("Evidence", "13:30"))
        ]
        db["question"].insert_all(
            {
                "workshop_id": workshop_id,
                "block_id": blocks[q // QUESTIONS_PER_BLOCK],
                "position": q % QUESTIONS_PER_BLOCK + 1,
                "text": demo_content.QUESTIONS[q % len(demo_content.QUESTIONS)]
                + ("" if q < len(demo_content.QUESTIONS) else " (follow-up)"),
                "prompt": "",
            }
            for q in range(2 * QUESTIONS_PER_BLOCK)
        )
        db["tables"].insert_all(
            {"workshop_id": workshop_id, "position": n, "name": f"Group {n}", "capacity": 25}
            for n in range(1, GROUPS + 1)
        )
        groups = [t["id"] for t in store.list_items(db, "tables", workshop_id)]
        questions = [q for b in store.programme(db, workshop_id) for q in b["questions"]]
        db["moderator"].insert_all(
            {
                "workshop_id": workshop_id,
                "name": f"{demo.MODERATORS[i % len(demo.MODERATORS)]} {i // 10 + 1}",
                "question_id": question["id"],
                "table_id": None,
                "notes": "",
            }
            for i, question in enumerate(questions)
        )
        people = _delegates(groups)
        for person in people:
            person["workshop_id"] = workshop_id
        db["participant"].insert_all(people)
        analysts = [
            db["analyst"]
            .insert(
                {"workshop_id": workshop_id, "kind": "analyst", "name": name, "created_at": stamp}
            )
            .last_pk
            for name in ("Analyst A", "Analyst B")
        ]
    planning = time.perf_counter()
    plan.make_plan(db, workshop_id)
    planning = time.perf_counter() - planning
    with db.atomic():
        _notes_and_coding(db, workshop_id, count, rng, questions, groups, analysts)
        _writing_and_feedback(db, workshop_id, questions, analysts[0])
        db["workshop"].update(workshop_id, {"coding_blind": 0})
        store.audit(db, workshop_id, "bench", "created benchmark workshop")
    facts = {
        "build_s": time.perf_counter() - started,
        "plan_s": planning,
        "db_mb": path.stat().st_size / 2**20,
    }
    db.conn.close()
    return workshop_id, facts


def _notes_and_coding(db, workshop_id, count, rng, questions, groups, analysts) -> None:
    """The notes spread evenly over the 400 cells (question x group), coded by both analysts."""
    stamp = store.now()
    blocks = store.programme(db, workshop_id)
    moderators = {m["question_id"]: m["id"] for m in store.list_items(db, "moderator", workshop_id)}
    lead_round = {
        (m, t): r
        for r, t, m in db.execute(
            "SELECT round_id, table_id, moderator_id FROM lead WHERE workshop_id = ?",
            [workshop_id],
        )
    }
    cells = [(q, g) for q in range(len(questions)) for g in range(len(groups))]
    rng.shuffle(cells)
    rows = []
    for i, (kind, text, starred) in enumerate(note_texts(count)):
        q, g = cells[i % len(cells)]
        block = blocks[q // QUESTIONS_PER_BLOCK]
        moderator = moderators[questions[q]["id"]]
        # Where the plan does not bring the question's moderator to the group (ten moderators,
        # twenty groups), the note sits in the round the group would have met the question.
        fallback = block["rounds"][(q - g) % len(block["rounds"])]["id"]
        rows.append(
            {
                "uid": uuid.UUID(int=rng.getrandbits(128)).hex,
                "workshop_id": workshop_id,
                "round_id": lead_round.get((moderator, groups[g]), fallback),
                "table_id": groups[g],
                "question_id": questions[q]["id"],
                "moderator_id": moderator,
                "access_id": None,
                "source": "tablet",
                "kind": kind,
                "text": text,
                "starred": int(starred),
                "held": 0,
                "version": 1,
                "created_at": stamp,
                "updated_at": stamp,
                "deleted_at": None,
            }
        )
    db["note"].insert_all(rows, batch_size=500)
    ids = [
        r[0]
        for r in db.execute("SELECT id FROM note WHERE workshop_id = ? ORDER BY id", [workshop_id])
    ]
    db["note_version"].insert_all(
        (
            {
                "note_id": note_id,
                "workshop_id": workshop_id,
                "version": 1,
                "kind": row["kind"],
                "text": row["text"],
                "starred": row["starred"],
                "deleted": 0,
                "at": stamp,
            }
            for note_id, row in zip(ids, rows, strict=True)
        ),
        batch_size=500,
    )
    theme_ids, top = _codebook(db, workshop_id)
    codable = [t for t in theme_ids if t not in top]
    codings, seen, decisions = [], [], []
    for note_id in ids:
        a, b = _codes(rng, codable)
        for analyst_id, themes in zip(analysts, (a, b), strict=True):
            seen.append({"workshop_id": workshop_id, "note_id": note_id, "analyst_id": analyst_id})
            codings += [
                {
                    "workshop_id": workshop_id,
                    "note_id": note_id,
                    "theme_id": theme_id,
                    "analyst_id": analyst_id,
                    "created_at": stamp,
                }
                for theme_id in themes
            ]
        if set(a) != set(b) and rng.random() < RESOLVED:
            decisions += [
                {
                    "workshop_id": workshop_id,
                    "note_id": note_id,
                    "theme_id": theme_id,
                    "keep": int(theme_id in a),
                    "decided_by": "analyst:Analyst A",
                    "decided_at": stamp,
                }
                for theme_id in sorted(set(a) ^ set(b))
            ]
    db["coding"].insert_all(codings, batch_size=500)
    db["note_seen"].insert_all(seen, batch_size=500)
    db["consensus_decision"].insert_all(decisions, batch_size=500)
    # Key quotes: five per question, and three for each overarching theme.
    by_question: dict[int, list[int]] = {}
    for note_id, row in zip(ids, rows, strict=True):
        by_question.setdefault(row["question_id"], []).append(note_id)
    quotes = [(n, None) for found in by_question.values() for n in found[:5]]
    quotes += [
        (by_question[questions[t]["id"]][-1 - k], theme)
        for t, theme in enumerate(top)
        for k in range(3)
    ]
    db["quote"].insert_all(
        {
            "workshop_id": workshop_id,
            "note_id": note_id,
            "theme_id": theme_id,
            "analyst_id": analysts[0],
            "created_at": stamp,
        }
        for note_id, theme_id in quotes
    )
    db["memo"].insert_all(
        {
            "workshop_id": workshop_id,
            "note_id": ids[index * len(ids) // 400],
            "analyst_id": analysts[0],
            "text": text,
            "created_at": stamp,
            "updated_at": stamp,
        }
        for index, text in demo_content.NOTE_MEMOS
    )
    summaries = list(demo_content.SUMMARIES.values())
    theme_summaries = list(demo_content.THEME_SUMMARIES.values())
    summary = {"workshop_id": workshop_id, "updated_by": "analyst:Analyst A", "updated_at": stamp}
    db["summary"].insert_all(
        [
            {**summary, "question_id": question["id"], "text": summaries[q % len(summaries)]}
            for q, question in enumerate(questions)
        ]
        + [
            {**summary, "theme_id": theme, "text": theme_summaries[t % len(theme_summaries)]}
            for t, theme in enumerate(top)
        ]
    )


def _writing_and_feedback(db, workshop_id, questions, analyst_id) -> None:
    """Points for discussion and 400 feedback forms."""
    stamp = store.now()
    db["discussion_point"].insert_all(
        {
            "workshop_id": workshop_id,
            "position": position,
            "text": text,
            "created_by": "analyst:Analyst A",
            "created_at": stamp,
        }
        for position, text in enumerate(demo_content.DISCUSSION_POINTS, start=1)
    )
    feedback.set_questions(db, workshop_id, demo.FEEDBACK)
    form = feedback.questions(db, workshop_id)
    answers = []
    for n in range(RESPONSES):
        response = f"bench-{n:03d}"
        for position, question in enumerate(form):
            if question["kind"] == "rating":
                rating, text = 3 + (n + position) % 3 - (n % 17 == 0), ""
            else:
                pool = demo.VALUABLE if position == 3 else demo.CHANGE
                rating, text = None, pool[n % len(pool)] if n % 3 else ""
                if not text:
                    continue
            answers.append(
                {
                    "workshop_id": workshop_id,
                    "question_id": question["id"],
                    "response": response,
                    "rating": rating,
                    "text": text,
                    "at": stamp,
                }
            )
    db["feedback_answer"].insert_all(answers, batch_size=500)


# Measuring (each in a fresh subprocess) ------------------------------------------------------


def steal_jiffies() -> int | None:
    """CPU time the hypervisor gave to other guests, all CPUs together (Linux; else None)."""
    try:
        with open("/proc/stat") as stat:
            return int(stat.readline().split()[8])  # cpu user nice system idle ... steal
    except (OSError, IndexError, ValueError):
        return None


def steal_share(before: int | None, after: int | None, wall: float) -> float | None:
    """The share of the machine's CPU time stolen by the host over `wall` seconds."""
    if before is None or after is None or wall <= 0:
        return None
    return (after - before) / (wall * (os.cpu_count() or 1) * os.sysconf("SC_CLK_TCK"))


def max_rss_mb() -> float:
    """This process's peak resident set so far (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure_pack(db_path: str, workshop_id: int, runs: int, memory: bool = True) -> dict:
    """The full pack `runs` times (wall and CPU time, steps), then once under tracemalloc."""
    import tracemalloc

    from kt_workshop.reports.pack import build_pack

    db = open_db(db_path)
    baseline = max_rss_mb()
    walls, cpus, steal, steps, steps_cpu, size = [], [], [], {}, {}, 0
    for _ in range(runs):
        marks: list[tuple[str, float, float]] = []
        with tempfile.TemporaryDirectory() as out:
            stolen, cpu, start = steal_jiffies(), time.process_time(), time.perf_counter()
            written, _problems = build_pack(
                db,
                workshop_id,
                Path(out),
                FORMATS,
                progress=lambda step, _n, _of, into=marks: into.append(
                    (step, time.perf_counter(), time.process_time())
                ),
            )
            end, end_cpu = time.perf_counter(), time.process_time()
            cpus.append(end_cpu - cpu)
            size = sum(p.stat().st_size for p in written if p.name.endswith("-all.zip"))
        walls.append(end - start)
        steal.append(steal_share(stolen, steal_jiffies(), end - start))
        following = [*marks[1:], ("end", end, end_cpu)]
        for (step, at, at_cpu), (_next, until, until_cpu) in zip(marks, following, strict=True):
            steps.setdefault(step, []).append(until - at)
            steps_cpu.setdefault(step, []).append(until_cpu - at_cpu)
    rss = max_rss_mb()  # before tracemalloc, whose own tables would count
    peak = None
    if memory:
        with tempfile.TemporaryDirectory() as out:
            tracemalloc.start()
            build_pack(db, workshop_id, Path(out), FORMATS)
            peak = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()
    return {
        "times": walls,
        "cpu": cpus,
        "steal": steal,
        "steps": {step: statistics.median(values) for step, values in steps.items()},
        "steps_cpu": {step: statistics.median(values) for step, values in steps_cpu.items()},
        "peak_mb": peak,
        "rss_mb": rss,
        "baseline_rss_mb": baseline,
        "zip_mb": size / 2**20,
    }


def plain_notes(db_path: str, workshop_id: int) -> list[tuple]:
    """(id, question, table, round, kind, text) of the live notes in programme order."""
    db = open_db(db_path)
    return db.execute(
        "SELECT note.id, question.text, tables.name, round.position, note.kind, note.text"
        " FROM note LEFT JOIN question ON question.id = note.question_id"
        " LEFT JOIN block ON block.id = question.block_id"
        " LEFT JOIN tables ON tables.id = note.table_id"
        " LEFT JOIN round ON round.id = note.round_id"
        " WHERE note.workshop_id = ? AND note.deleted_at IS NULL"
        " ORDER BY block.position, question.position, tables.position, round.position, note.id",
        [workshop_id],
    ).fetchall()


def plain_docx(notes: list[tuple]) -> bytes:
    """The floor's Word file: a heading per question, a paragraph per note."""
    from docx import Document

    doc = Document()
    question = None
    for _id, asked, _table, _round, _kind, text in notes:
        if asked != question:
            question = asked
            doc.add_heading(asked or "", level=2)
        doc.add_paragraph(text)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def plain_xlsx(notes: list[tuple]) -> bytes:
    """The floor's workbook: a row per note."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["id", "question", "table", "round", "kind", "text"])
    for row in notes:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def measure_floor(db_path: str, workshop_id: int, runs: int, memory: bool = True) -> dict:
    """python-docx and openpyxl writing the notes plainly, `runs` times each."""
    import tracemalloc

    notes = plain_notes(db_path, workshop_id)
    out: dict = {"notes": len(notes), "chars": sum(len(n[5]) for n in notes)}
    for name, write in (("docx", plain_docx), ("xlsx", plain_xlsx)):
        walls, cpus = [], []
        for _ in range(runs):
            cpu, start = time.process_time(), time.perf_counter()
            write(notes)
            walls.append(time.perf_counter() - start)
            cpus.append(time.process_time() - cpu)
        out[name], out[name + "_cpu"] = walls, cpus
    out["rss_mb"] = max_rss_mb()
    out["peak_mb"] = None
    if memory:
        tracemalloc.start()
        plain_docx(notes)
        plain_xlsx(notes)
        out["peak_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    return out


def measure_pdf(db_path: str, workshop_id: int, runs: int) -> dict:
    """LibreOffice converting the demo's Word report to PDF."""
    from kt_workshop.reports import pack

    if pack.soffice() is None:
        return {"skipped": "LibreOffice is not installed"}
    times = []
    with tempfile.TemporaryDirectory() as out:
        written, _problems = pack.build_pack(open_db(db_path), workshop_id, Path(out), ["docx"])
        for _ in range(runs):
            start = time.perf_counter()
            pdf = pack.to_pdf(written[0])
            times.append(time.perf_counter() - start)
        size = pdf.stat().st_size
        # The pack's own PDF step: LibreOffice twice, the report written again between, so the
        # contents list page numbers (pack._pdf).
        steps = []
        for _ in range(runs):
            started: dict = {}

            def progress(step, _number, _steps, started=started):
                started[step] = time.perf_counter()

            pack.build_pack(
                open_db(db_path), workshop_id, Path(out) / "pack", ["pdf"], None, progress
            )
            steps.append(time.perf_counter() - started["pdf"])
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"times": times, "step_times": steps, "rss_mb": children, "pdf_kb": size / 1024}


def profile_pack(db_path: str, workshop_id: int, top: int = 15) -> dict:
    """cProfile over one pack: the `top` functions by cumulative time."""
    import cProfile
    import pstats

    from kt_workshop.reports.pack import build_pack

    db = open_db(db_path)
    profiler = cProfile.Profile()
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        profiler.runcall(build_pack, db, workshop_id, Path(out), FORMATS)
        wall = time.perf_counter() - start
    stats = pstats.Stats(profiler)
    rows = []
    for (filename, line, name), (_cc, calls, tottime, cumtime, _callers) in stats.stats.items():
        where = filename.split("site-packages/")[-1].split("/main/")[-1]
        rows.append((cumtime, tottime, calls, f"{where}:{line}({name})"))
    rows.sort(reverse=True)
    return {"wall": wall, "rows": rows[:top]}


CHILDREN = {
    "pack": measure_pack,
    "floor": measure_floor,
    "pdf": measure_pdf,
    "profile": profile_pack,
}


def child(kind: str, db_path: Path, workshop_id: int, runs: int = 1, memory: bool = True) -> dict:
    """Run one measurement in a fresh interpreter and return what it printed (JSON)."""
    args = [sys.executable, __file__, "--child", kind, str(db_path), str(workshop_id), str(runs)]
    args.append("memory" if memory else "-")
    done = subprocess.run(args, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{kind} on {db_path.name} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# Tables ----------------------------------------------------------------------------------------


def _s(seconds: float) -> str:
    return f"{seconds:.2f}" if seconds < 10 else f"{seconds:.1f}"


def verdict(ratio: float) -> str:
    """Whether the pack is within TARGET times the floor."""
    if ratio <= TARGET:
        return f"met (≤ {TARGET:g}x)"
    return f"MISSED: {ratio / TARGET:.1f}x over the {TARGET:g}x target"


def pack_table(results: list[dict]) -> list[str]:
    """Per workshop: the full pack against the floor."""
    rows = [
        "| workshop | notes | runs | full pack s: wall (first run) / CPU | peak MB (tracemalloc) "
        "| max RSS MB (after imports) | floor s: docx + xlsx = wall / CPU | floor max RSS MB "
        "| pack / floor: wall (CPU) | verdict |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for r in results:
        pack, floor = r["pack"], r["floor"]
        peak = f"{pack['peak_mb']:.0f}" if pack.get("peak_mb") is not None else "-"
        rows.append(
            f"| {r['label']} | {floor['notes']:,} | {len(pack['times'])} "
            f"| {_s(r['pack_s'])} ({_s(pack['times'][0])}) / {_s(r['pack_cpu'])} | {peak} "
            f"| {pack['rss_mb']:.0f} ({pack['baseline_rss_mb']:.0f}) "
            f"| {_s(r['docx_s'])} + {_s(r['xlsx_s'])} = {_s(r['floor_s'])} / "
            f"{_s(r['floor_cpu'])} | {floor['rss_mb']:.0f} "
            f"| {r['ratio']:.1f} ({r['pack_cpu'] / r['floor_cpu']:.1f}) | {verdict(r['ratio'])} |"
        )
    return rows


def step_table(results: list[dict]) -> list[str]:
    """Per workshop: the median time of each step of the pack, and the host's steal."""
    rows = [
        "| workshop | " + " | ".join(STEPS) + " | total: wall / CPU | host steal |",
        "| --- |" + " ---: |" * (len(STEPS) + 2),
    ]
    for r in results:
        steps = r["pack"]["steps"]
        cells = " | ".join(_s(steps.get(step, 0.0)) for step in STEPS)
        stolen = [x for x in r["pack"].get("steal", []) if x is not None]
        steal = f"{statistics.mean(stolen):.0%}" if stolen else "-"
        rows.append(
            f"| {r['label']} | {cells} | {_s(r['pack_s'])} / {_s(r['pack_cpu'])} | {steal} |"
        )
    return rows


GROWTH_PARTS = ("pack", "docx", "xlsx", "qdpx", "floor")


def _part(r: dict, part: str) -> float:
    """CPU seconds of the pack, one of its steps, the floor or the floor's docx (growth is
    judged on CPU time, which other work on the machine disturbs less than wall time)."""
    if part == "pack":
        return r["pack_cpu"]
    if part == "floor":
        return r["floor_cpu"]
    if part == "floor docx":
        return statistics.median(r["floor"]["docx_cpu"])
    return r["pack"]["steps_cpu"].get(part, 0.0)


def growth_table(large: list[dict]) -> list[str]:
    """CPU time per 1,000 notes at each size, and the marginal cost between sizes."""
    rows = [
        "| notes | pack s: wall / CPU | CPU s per 1,000 notes | marginal CPU s per 1,000 notes "
        "(pack / docx / xlsx / qdpx / floor) |",
        "| ---: | ---: | ---: | --- |",
    ]
    previous = None
    for r in large:
        n = r["floor"]["notes"]
        marginal = "-"
        if previous is not None:
            span = (n - previous["floor"]["notes"]) / 1000
            marginal = " / ".join(
                _s((_part(r, p) - _part(previous, p)) / span) for p in GROWTH_PARTS
            )
            marginal += f" (from {previous['floor']['notes']:,})"
        rows.append(
            f"| {n:,} | {_s(r['pack_s'])} / {_s(r['pack_cpu'])} "
            f"| {_s(r['pack_cpu'] / n * 1000)} | {marginal} |"
        )
        previous = r
    first, last = large[0], large[-1]
    factor = last["floor"]["notes"] / first["floor"]["notes"]
    if factor == 1:
        return rows
    rows.append("")
    rows.append(
        f"From {first['floor']['notes']:,} to {last['floor']['notes']:,} notes "
        f"({factor:g}x): "
        + ", ".join(
            f"{p} {_part(last, p) / _part(first, p):.1f}x" for p in GROWTH_PARTS if _part(first, p)
        )
        + f" ({factor:g}x would be linear with no fixed cost)."
    )
    notes = [r["floor"]["notes"] / 1000 for r in large]
    slope, fixed = statistics.linear_regression(notes, [r["pack_cpu"] for r in large])
    worst = max(
        abs(r["pack_cpu"] - (fixed + slope * n)) / r["pack_cpu"]
        for r, n in zip(large, notes, strict=True)
    )
    rows.append("")
    rows.append(
        f"A straight line through the {len(large)} sizes: pack CPU = {_s(fixed)} s + "
        f"{_s(slope)} s per 1,000 notes, at most {worst:.0%} off any of them."
    )
    if len(large) >= 3:
        bends = {p: _bend(large, p) for p in GROWTH_PARTS}
        pack_bend = bends["pack"]
        rows.append("")
        rows.append(
            f"Marginal cost per 1,000 notes from {large[-2]['floor']['notes']:,} to "
            f"{last['floor']['notes']:,} against {first['floor']['notes']:,} to "
            f"{large[-2]['floor']['notes']:,}: "
            + ", ".join(f"{p} {b:.2f}x" for p, b in bends.items() if b is not None)
            + f" (1x: linear, {_quadratic_bend(large):.1f}x: quadratic). Growth of the pack: "
            + (
                f"close to linear (marginal cost {pack_bend - 1:+.0%})."
                if pack_bend is not None and pack_bend <= 1.25
                else f"NOT linear (marginal cost {pack_bend:.1f}x)."
            )
        )
    return rows


def _marginal(a: dict, b: dict, part: str) -> float:
    """Seconds per 1,000 notes added, between two sizes."""
    return (_part(b, part) - _part(a, part)) / ((b["floor"]["notes"] - a["floor"]["notes"]) / 1000)


def _bend(large: list[dict], part: str) -> float | None:
    """The marginal cost of the last span (10,000 to 20,000 notes) over that of the span before
    it (2,000 to 10,000): 1 when the part grows linearly, 2.5 when it grows quadratically. Wide
    spans, so that one disturbed run moves it less."""
    first = _marginal(large[0], large[-2], part)
    return _marginal(large[-2], large[-1], part) / first if first > 0 else None


def _quadratic_bend(large: list[dict]) -> float:
    """What `_bend` would be for a part that grows with the square of the notes."""
    a, b, c = (large[i]["floor"]["notes"] for i in (0, -2, -1))
    return (b + c) / (a + b)


def what_dominates(results: list[dict]) -> list[str]:
    """A few sentences drawn from the figures alone: what takes the time, how it grows."""
    demo_row, large = results[0], results[1:]
    big, small = large[-1], large[0]
    n_big, n_small = big["floor"]["notes"], small["floor"]["notes"]
    steps = big["pack"]["steps"]
    ranked = sorted(steps.items(), key=lambda item: -item[1])
    share = ", ".join(f"{k} {_s(v)} s ({v / big['pack_s']:.0%})" for k, v in ranked[:4])
    missed = "met" if big["ratio"] <= TARGET else f"missed by {big['ratio'] / TARGET:.1f}x"
    others = sum(steps.get(k, 0.0) for k in ("gather", "json", "zip"))
    out = [
        f"At {n_big:,} notes the pack takes {_s(big['pack_s'])} s, {big['ratio']:.1f}x the floor "
        f"of {_s(big['floor_s'])} s (target {TARGET:g}x: {missed}); the biggest steps are "
        f"{share}.",
        f"Against the plain writers, the docx step takes "
        f"{steps.get('docx', 0) / big['docx_s']:.1f}x python-docx's plain document and the xlsx "
        f"step {steps.get('xlsx', 0) / big['xlsx_s']:.1f}x openpyxl's plain sheet, while the "
        f"charts ({_s(steps.get('charts', 0))} s), the REFI-QDA project "
        f"({_s(steps.get('qdpx', 0))} s) and gather, json and zip ({_s(others)} s together) have "
        f"no counterpart in the floor.",
    ]
    if len(large) >= 2:
        notes = [r["floor"]["notes"] / 1000 for r in large]
        _slope, fixed = statistics.linear_regression(notes, [r["pack_cpu"] for r in large])
        charts = (
            "most of it the charts" if steps.get("charts", 0) >= fixed / 2 else "charts included"
        )
        out.append(
            f"A straight line through the large sizes puts the pack's fixed cost near "
            f"{_s(max(fixed, 0))} CPU s, {charts}; that is why the demo "
            f"({demo_row['floor']['notes']} notes, a floor of {_s(demo_row['floor_s'])} s) is "
            f"{demo_row['ratio']:.0f}x its floor, its charts step alone taking "
            f"{_s(demo_row['pack']['steps'].get('charts', 0))} s."
        )
    if len(large) >= 3:
        pack_bend, docx_bend = _bend(large, "pack") or 0, _bend(large, "docx") or 0
        floor_bend = _bend(large, "floor docx") or 0
        sentence = (
            f"Above that cost the pack grows "
            f"{'about linearly' if pack_bend <= 1.25 else 'faster than linearly'}: "
            f"{_s(_marginal(large[0], large[-2], 'pack'))} CPU s per 1,000 notes from "
            f"{n_small:,} to {large[-2]['floor']['notes']:,} notes, "
            f"{_s(_marginal(large[-2], big, 'pack'))} s from {large[-2]['floor']['notes']:,} to "
            f"{n_big:,}"
        )
        bending = []
        if docx_bend > 1.3:
            bending.append(
                f"the docx step's marginal cost is {docx_bend:.1f}x higher in the second span"
            )
        if floor_bend > 1.3:
            bending.append(
                f"the plain python-docx floor's {floor_bend:.1f}x (python-docx's add_paragraph "
                f"looks for the body's closing sectPr among all its children on every call, so a "
                f"long document built with it is quadratic)"
            )
        if bending:
            sentence += "; " + " and ".join(bending)
        out.append(sentence + ".")
    rss = (big["pack"]["rss_mb"] - small["pack"]["rss_mb"]) / ((n_big - n_small) / 1000 or 1)
    memory = (
        f"Memory: the pack process peaks at {big['pack']['rss_mb']:.0f} MB resident for "
        f"{n_big:,} notes ({rss:.0f} MB more per 1,000 notes than at {n_small:,}), against "
        f"{big['floor']['rss_mb']:.0f} MB for the floor"
    )
    if big["pack"].get("peak_mb") is not None:
        memory += f"; Python's own allocations peak at {big['pack']['peak_mb']:.0f} MB"
    out.append(memory + ".")
    return out


def code_state() -> dict[str, tuple[float, int]]:
    """The app's Python files with their modification time and size."""
    return {
        str(path.relative_to(APP.parent)): (path.stat().st_mtime, path.stat().st_size)
        for path in sorted(APP.rglob("*.py"))
    }


def fingerprint() -> str:
    """A short hash of the app's Python files: which code the figures belong to."""
    digest = hashlib.sha256()
    for path in sorted(APP.rglob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def machine(context: dict) -> list[str]:
    """Where the numbers come from, and which code they belong to."""
    versions = ", ".join(
        f"{name} {metadata.version(name)}"
        for name in ("python-docx", "openpyxl", "matplotlib", "lxml", "sqlite-utils")
    )
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    before = ", ".join(f"{x:.2f}" for x in context["load"])
    lines = [
        f"- Date: {datetime.date.today().isoformat()}",
        f"- Platform: {platform.platform()}, {os.cpu_count()} CPUs ({platform.machine()})",
        f"- Python {platform.python_version()}; {versions}",
        f"- App code measured: kt_workshop/**/*.py with SHA-256 {context['code']}…",
        f"- Load average (1, 5, 15 min) before: {before}; after: {load}. Other work shared the "
        "machine; where the load was above 1 the times carry some of it (the CPU times less).",
    ]
    if context["changed"]:
        lines.append(
            "- WARNING: these app files changed while the benchmark ran, so the sizes may have "
            "been measured with different code: " + ", ".join(context["changed"])
        )
    return lines


# Running -------------------------------------------------------------------------------------


def measure(label: str, path: Path, workshop_id: int, runs: int, memory: bool) -> dict:
    """Pack and floor of one workshop, each in its own subprocess."""
    pack = child("pack", path, workshop_id, runs, memory)
    floor = child("floor", path, workshop_id, max(runs, 2), memory)
    docx_s, xlsx_s = statistics.median(floor["docx"]), statistics.median(floor["xlsx"])
    pack_s = statistics.median(pack["times"])
    result = {
        "label": label,
        "pack": pack,
        "floor": floor,
        "pack_s": pack_s,
        "docx_s": docx_s,
        "xlsx_s": xlsx_s,
        "floor_s": docx_s + xlsx_s,
        "ratio": pack_s / (docx_s + xlsx_s),
        "pack_cpu": statistics.median(pack["cpu"]),
        "floor_cpu": statistics.median(floor["docx_cpu"]) + statistics.median(floor["xlsx_cpu"]),
    }
    print(
        f"{label}: pack {_s(pack_s)} s (steps "
        + ", ".join(f"{k} {_s(v)}" for k, v in pack["steps"].items())
        + f"), RSS {pack['rss_mb']:.0f} MB, floor {_s(docx_s)} + {_s(xlsx_s)} s, "
        f"ratio {result['ratio']:.1f}",
        flush=True,
    )
    return result


def main(quick: bool, full: bool) -> None:
    """Build the workshops, measure them and write the document."""
    context = {"load": os.getloadavg(), "code": fingerprint()}
    code = code_state()
    sizes = SIZES[:1] if quick else SIZES
    results, facts = [], {}
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        demo_id = build_demo(folder / "demo.db")
        for n in sizes:
            facts[n] = build_large(folder / f"large-{n}.db", n)
        print(
            "built: "
            + ", ".join(f"{n:,} notes in {f['build_s']:.1f} s" for n, (_i, f) in facts.items()),
            flush=True,
        )
        runs = (lambda key: 1) if quick else (lambda key: 3 if full else RUNS[key])
        results.append(measure("demo", folder / "demo.db", demo_id, runs("demo"), memory=True))
        for n in sizes:
            workshop_id = facts[n][0]
            results.append(
                measure(f"large, {n:,} notes", folder / f"large-{n}.db", workshop_id, runs(n), full)
            )
        pdf = child("pdf", folder / "demo.db", demo_id, 1 if quick else 2)
        print("pdf:", pdf, flush=True)
    now = code_state()
    context["changed"] = sorted(k for k in {*code, *now} if code.get(k) != now.get(k))
    if context["changed"]:
        print("WARNING: app code changed during the run:", ", ".join(context["changed"]))
    write_doc(results, facts, pdf, context, full, None if quick else DOC)


def write_doc(results, facts, pdf, context, full, target: Path | None) -> None:
    """docs/report-benchmark.md from the figures."""
    large = results[1:]
    big = max(facts)
    _id, big_facts = facts[big]
    mean_chars = results[-1]["floor"]["chars"] / results[-1]["floor"]["notes"]
    if "skipped" in pdf:
        pdf_line = f"PDF of the demo's report: skipped ({pdf['skipped']})."
    else:
        pdf_line = (
            f"| demo report .docx to PDF (LibreOffice, `pack.to_pdf`) | "
            f"{_s(statistics.median(pdf['times']))} (first {_s(pdf['times'][0])}) | "
            f"{pdf['rss_mb']:.0f} | {pdf['pdf_kb']:.0f} KB |"
        )
        if pdf.get("step_times"):
            pdf_line += (
                "\n| the pack's PDF step: converted, report written again with the contents' "
                "pages, converted again (`build_pack(..., ['pdf'])`) | "
                f"{_s(statistics.median(pdf['step_times']))} (first {_s(pdf['step_times'][0])})"
                " | | |"
            )
    memory_note = (
        "tracemalloc ran for every size (`--full`)."
        if full
        else "tracemalloc slows the pack four- to fivefold, so by default it runs for the demo "
        "only (`--full` runs it for every size and three timed runs each, about 40 minutes); max "
        "RSS is measured at every size."
    )
    lines = [
        "# Export pack benchmark",
        "",
        "How long the export pack (Word report, workbook, charts, REFI-QDA project, JSON archive "
        "and the zip of them) takes and how much memory it needs, for the demo workshop and for a "
        "large one, against a floor: python-docx and openpyxl writing the same notes plainly.",
        "",
        "Run with `.venv/bin/python bench/bench_report.py` (about 12 minutes on two cores); it "
        "prints the figures and rewrites this file. `--full` adds tracemalloc at every size; "
        "`--profile` prints the 15 functions with the most cumulative time in one pack of the "
        "largest workshop; `--quick` is a smoke test.",
        "",
        "## Machine",
        "",
        *machine(context),
        "",
        "## Workshops",
        "",
        "- Demo: `create_demo` (65 delegates, 5 groups, 10 questions, "
        f"{results[0]['floor']['notes']} notes, 23 themes, two analysts).",
        f"- Large: {DELEGATES} delegates (8 countries, 5 sectors), {GROUPS} fixed groups, "
        f"2 blocks of {QUESTIONS_PER_BLOCK} questions and {ROUNDS_PER_BLOCK} rounds, one "
        f"moderator per question, planned by `make_plan` in {big_facts['plan_s'] * 1000:.0f} ms "
        "(ten moderators cannot reach twenty groups in ten rounds, so half the cells are "
        f"self-led); a codebook of {sum(THEME_LEVELS)} themes in 3 levels; two analysts coding "
        f"1-3 themes per note, differently on {DISAGREEMENT:.0%} of notes, {RESOLVED:.0%} of "
        f"those resolved; 5 key quotes per question and 3 per overarching theme, summaries, "
        f"memos, points for discussion and {RESPONSES} feedback forms. Notes are the demo's "
        f"notes recombined (mean {mean_chars:.0f} characters). Built with bulk inserts: "
        f"{big:,} notes in {big_facts['build_s']:.1f} s, a {big_facts['db_mb']:.0f} MB database.",
        "",
        "## Full pack against the floor",
        "",
        'Full pack: `build_pack(db, id, out, ["docx", "xlsx", "charts", "qdpx", "json"])`'
        ", median wall time of the runs (the first run of a fresh process in brackets). Floor: "
        "python-docx (a heading per question, a paragraph per note) plus openpyxl (a row per "
        "note: id, question, table, round, kind, text), each saved to memory; the notes are read "
        "before the clock starts. Max RSS is the pack process's peak, with the RSS after imports "
        f"in brackets; {memory_note}",
        "",
        *pack_table(results),
        "",
        "## Steps of the pack (median wall seconds, from the progress callback)",
        "",
        "charts includes drawing each chart and writing its PNG file (the pack holds no SVG: "
        "the report page serves those); docx includes putting the charts' PNG images in the "
        "report. Host steal: the share of the machine's CPU time the hypervisor "
        "gave to other guests during the pack (from /proc/stat); where it is high, the times "
        "are slower than the code.",
        "",
        *step_table(results),
        "",
        "## Growth with the number of notes (large workshop)",
        "",
        "Judged on CPU time, which other work on the machine disturbs less than wall time (host "
        "steal still slows it); with one or two runs per size, a single disturbed run moves a "
        "marginal cost.",
        "",
        *growth_table(large),
        "",
        "## PDF (apart: LibreOffice's own time)",
        "",
        "| conversion | seconds | LibreOffice max RSS MB | PDF size |",
        "| --- | ---: | ---: | ---: |",
        pdf_line,
        "",
        "## What dominates",
        "",
        " ".join(what_dominates(results)),
        "",
    ]
    if target is None:  # --quick: show the document, keep the one written by a full run
        print("\n".join(lines))
        return
    target.write_text("\n".join(lines))
    print(f"wrote {target}")


def run_child(kind: str, db_path: str, workshop_id: str, runs: str, memory: str) -> None:
    """The subprocess side of `child`: one measurement, printed as JSON."""
    if kind in ("pack", "floor"):
        result = CHILDREN[kind](db_path, int(workshop_id), int(runs), memory == "memory")
    else:
        result = CHILDREN[kind](db_path, int(workshop_id), int(runs))
    print(json.dumps(result))


def profile(top: int = 15) -> None:
    """cProfile over one pack of the largest workshop: print the top functions."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "large.db"
        workshop_id, _facts = build_large(path, SIZES[-1])
        result = child("profile", path, workshop_id, top)
    print(f"one pack of {SIZES[-1]:,} notes under cProfile: {result['wall']:.1f} s wall")
    print("| cumulative s | own s | calls | function |")
    print("| ---: | ---: | ---: | --- |")
    for cumulative, own, calls, name in result["rows"]:
        print(f"| {cumulative:.1f} | {own:.1f} | {calls:,} | `{name}` |")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="demo and 2,000 notes, one run")
    parser.add_argument("--full", action="store_true", help="tracemalloc at every size, 3 runs")
    parser.add_argument("--profile", action="store_true", help="cProfile the largest pack")
    parser.add_argument("--child", nargs=5, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        run_child(*options.child)
    elif options.profile:
        profile()
    else:
        main(options.quick, options.full)
