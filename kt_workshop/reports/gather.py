"""Read one workshop from the database into the report's `Dataset` (see dataset.py).

The only part of the report that touches the database: the Word and Excel writers and the charts
are pure functions of what this returns.
"""

from datetime import UTC, datetime

from sqlite_utils import Database

from kt_workshop import store
from kt_workshop.coding import analysis, codebook, codes
from kt_workshop.live import cells, feedback
from kt_workshop.plan import grid as plan_view
from kt_workshop.reports.dataset import (
    AgreementFigures,
    Block,
    Dataset,
    Delegate,
    FeedbackQuestion,
    Note,
    Options,
    PlanCell,
    Question,
    Quote,
    Theme,
    clean,
)


class _Cleaner:
    """Cleans user text for XML and counts what it removed."""

    def __init__(self):
        self.removed = 0

    def __call__(self, text) -> str:
        cleaned, removed = clean(text if isinstance(text, str) else str(text or ""))
        self.removed += removed
        return cleaned


def gather(db: Database, workshop_id: int, options: Options | None = None) -> Dataset:
    """Everything the report, workbook and charts need, from one workshop."""
    options = options or Options()
    text = _Cleaner()
    workshop = store.get_workshop(db, workshop_id)
    summaries = codes.summaries(db, workshop_id)
    programme = store.programme(db, workshop_id)
    blocks, questions = [], []
    for block in programme:
        blocks.append(
            Block(
                id=block["id"],
                title=text(block["title"]),
                starts_at=block["starts_at"],
                rounds=[r["minutes"] for r in block["rounds"]],
                question_ids=[q["id"] for q in block["questions"]],
            )
        )
    ordered = [q for block in programme for q in block["questions"]]
    ordered += [q for q in store.list_items(db, "question", workshop_id) if q["block_id"] is None]
    for number, question in enumerate(ordered, start=1):
        summary = summaries.get(("question", question["id"]))
        questions.append(
            Question(
                id=question["id"],
                number=number,
                block_id=question["block_id"],
                text=text(question["text"]),
                prompt=text(question["prompt"]),
                summary=text(summary["text"]) if summary else "",
            )
        )
    rows = codebook.themes(db, workshop_id)
    themes = [
        Theme(
            id=row["id"],
            parent_id=row["parent_id"],
            name=text(row["name"]),
            colour=row["colour"],
            description=text(row["description"]),
            usage=text(row["usage"]),
            depth=row["depth"],
            summary=text((summaries.get(("theme", row["id"])) or {}).get("text", "")),
        )
        for row in rows
    ]
    codings = codes.coding_data(db, workshop_id)  # read once: three parts need it
    agreed, disputed = codes.consensus(codings)
    consensus = sorted(agreed)
    analysts = codes.analysts(db, workshop_id)
    notes = _notes(db, workshop_id, questions, themes, consensus, text)
    counts = _counts(notes, consensus, rows, questions)
    return Dataset(
        title=text(workshop["title"]),
        date=workshop["date"],
        venue=text(workshop["venue"]),
        description=text(workshop["description"]),
        format=workshop["format"],
        chatham_house=bool(workshop["chatham_house"]),
        language=options.language,
        generated_at=datetime.now(UTC).isoformat(timespec="seconds"),
        blocks=blocks,
        questions=questions,
        tables=[text(t["name"]) for t in store.list_items(db, "tables", workshop_id)],
        plan=_plan(db, workshop_id, text),
        delegates=_delegates(db, workshop_id, options, text),
        notes=notes,
        themes=themes,
        quotes=_quotes(db, workshop_id),
        points=[text(p["text"]) for p in codes.points(db, workshop_id)],
        feedback=_feedback(db, workshop_id, text),
        ideas=cells.idea_counts(db, workshop_id),
        agreement=_agreement(db, workshop_id, text, codings, len(disputed), analysts),
        moderators=len(store.list_items(db, "moderator", workshop_id)),
        analysts=len(analysts),
        blind_coding=_coded_blind(db, workshop_id),
        options=options,
        removed_characters=text.removed,
        **counts,
    )


def _notes(db, workshop_id, questions, themes, consensus, text) -> list[Note]:
    """Live notes in programme order with their consensus themes in codebook order."""
    order = {q.id: q.number for q in questions}
    theme_order = {t.id: i for i, t in enumerate(themes)}
    themes_of: dict[int, list[int]] = {}
    for note_id, theme_id in consensus:
        themes_of.setdefault(note_id, []).append(theme_id)
    rows = db.query(
        "SELECT note.*, round.position AS round_number, round.block_id AS round_block,"
        " tables.name AS table_name, tables.position AS table_position FROM note"
        " LEFT JOIN round ON round.id = note.round_id"
        " LEFT JOIN tables ON tables.id = note.table_id"
        " WHERE note.workshop_id = ? AND note.deleted_at IS NULL",
        [workshop_id],
    )
    notes = sorted(
        rows,
        key=lambda n: (
            order.get(n["question_id"], 10_000),
            n["table_position"] or 0,
            n["round_number"] or 0,
            n["id"],
        ),
    )
    return [
        Note(
            id=n["id"],
            question_id=n["question_id"],
            block_id=n["round_block"],
            table=text(n["table_name"] or ""),
            round=n["round_number"],
            kind=n["kind"],
            starred=bool(n["starred"]),
            text=text(n["text"]),
            theme_ids=sorted(themes_of.get(n["id"], []), key=lambda t: theme_order.get(t, 0)),
        )
        for n in notes
    ]


def _counts(notes: list[Note], consensus, theme_rows, questions) -> dict:
    """Theme counts, the theme x question matrix, co-occurrence and the question network."""
    plain = [{"id": n.id, "question_id": n.question_id} for n in notes]
    plain_questions = [{"id": q.id, "text": q.text} for q in questions]
    pairs = [(note_id, theme_id) for note_id, theme_id in consensus]
    matrix = analysis.theme_question_matrix(plain, pairs, theme_rows, plain_questions)
    together = analysis.co_occurrence(plain, pairs, theme_rows)
    ids = together.row_ids
    co = {
        (ids[i], ids[j]): together.values[i][j]
        for i in range(len(ids))
        for j in range(i + 1, len(ids))
        if together.values[i][j]
    }
    links = analysis.question_network(plain, pairs, plain_questions, theme_rows)
    return {
        "theme_totals": analysis.theme_totals(plain, pairs, theme_rows, rollup=True),
        "theme_direct": analysis.theme_totals(plain, pairs, theme_rows, rollup=False),
        "matrix": matrix.values,
        "co_occurrence": co,
        "links": [(k.question_a, k.question_b, k.weight, list(k.theme_ids)) for k in links],
        "isolated": analysis.isolated_questions(plain, pairs, plain_questions, theme_rows)
        if len(questions) > 1
        else [],
    }


def _plan(db, workshop_id, text) -> list[PlanCell]:
    cells = []
    for row in plan_view.grid(db, workshop_id):
        for cell in row["cells"]:
            if cell["closed"]:
                continue
            cells.append(
                PlanCell(
                    block_id=row["round"]["block_id"],
                    round=row["round"]["position"],
                    table=text(cell["table"]["name"]),
                    question_id=(cell["question"] or {}).get("id"),
                    people=len(cell["people"]),
                )
            )
    return cells


def _delegates(db, workshop_id, options: Options, text) -> list[Delegate]:
    people = store.list_items(db, "participant", workshop_id)
    blocks = [b["id"] for b in store.programme(db, workshop_id)]
    rounds = plan_view.day_rounds(db, workshop_id)
    held = set(store.held_round_ids(db, workshop_id))
    seated: dict[int, set[int]] = {}
    last_held: dict[int, dict] = {}
    order = [r["id"] for r in rounds]
    for participant_id, block_id, round_id in db.execute(
        "SELECT seat.participant_id, round.block_id, seat.round_id FROM seat JOIN round ON"
        " round.id = seat.round_id WHERE seat.workshop_id = ?",
        [workshop_id],
    ):
        seated.setdefault(participant_id, set()).add(block_id)
        if round_id in held:
            known = last_held.get(participant_id)
            if known is None or order.index(round_id) > order.index(known["id"]):
                last_held[participant_id] = next(r for r in rounds if r["id"] == round_id)
    # Fixed groups: rounds without seats of their own follow each delegate's group (the rounds
    # that have happened have seats once anything changed; see store.keep_groups).
    with_seats = {
        row[0]
        for row in db.execute(
            "SELECT DISTINCT round_id FROM seat WHERE workshop_id = ?", [workshop_id]
        )
    }
    by_group = {r["block_id"] for r in rounds if r["id"] not in with_seats}
    width = max(2, len(str(len(people))))
    out = []
    for index, person in enumerate(people, start=1):
        # A delegate marked absent who sat in rounds that happened left during the day.
        left = person["attendance"] == "absent" and person["id"] in last_held
        attended = person["attendance"] != "absent" or left
        found = set(seated.get(person["id"], set()))
        if person["attendance"] != "absent" and person["table_id"]:
            found |= by_group if with_seats else set(blocks)
        in_blocks = sorted(found, key=blocks.index) if found else []
        out.append(
            Delegate(
                pseudonym=f"P{index:0{width}d}",
                name=text(person["name"]) if options.names else "",
                organisation=text(person["organisation"]) if options.names else "",
                country=text(person["country"]),
                sector=text(person["sector"]),
                role=text(person["role"]),
                attended=attended,
                blocks=in_blocks,
                left_after=text(plan_view.round_name(last_held[person["id"]])) if left else "",
            )
        )
    return out


def _quotes(db, workshop_id) -> list[Quote]:
    # The notes' text was cleaned (and counted) with the notes already.
    return [
        Quote(
            note_id=row["id"],
            theme_id=row["theme_id"],
            question_id=row["question_id"],
            text=clean(row["text"])[0],
        )
        for row in codes.quotes(db, workshop_id)
    ]


def _feedback(db, workshop_id, text) -> list[FeedbackQuestion]:
    return [
        FeedbackQuestion(
            text=text(row["text"]),
            kind=row["kind"],
            ratings=dict(row.get("counts") or {}),
            answers=[text(t) for t in row.get("texts") or [] if t.strip()],
        )
        for row in feedback.results(db, workshop_id)
    ]


def _coded_blind(db, workshop_id) -> bool:
    """True when coding began before the organiser ended blind coding (blind is the default)."""
    first_code = db.execute(
        "SELECT MIN(created_at) FROM coding WHERE workshop_id = ?", [workshop_id]
    ).fetchone()[0]
    ended = db.execute(
        "SELECT MIN(at) FROM audit WHERE workshop_id = ? AND action = 'blind coding off'",
        [workshop_id],
    ).fetchone()[0]
    return first_code is not None and (ended is None or ended > first_code)


def _agreement(db, workshop_id, text, codings, open_disputes, analysts) -> AgreementFigures | None:
    """The first two analysts who coded, compared; None when fewer than two coded."""
    people = [a for a in analysts if a["coded"] or a["seen"]]
    if len(people) < 2:
        return None
    result = codes.comparison(db, workshop_id, people[0]["id"], people[1]["id"], codings)
    report = result["report"]
    return AgreementFigures(
        analyst_a=text(result["a"]["name"]),
        analyst_b=text(result["b"]["name"]),
        analysts=len(people),
        units=report.pooled.units // max(len(report.themes), 1),
        percent=report.pooled.percent,
        kappa=report.pooled.kappa,
        alpha=report.pooled.alpha,
        per_theme={t: (r.percent, r.kappa, r.alpha) for t, r in report.themes.items()},
        disagreements=len(result["disagreements"]),
        open_disagreements=open_disputes,
    )
