"""Read one workshop from the database into the report's `Dataset` (see dataset.py).

The only part of the report that touches the database: the Word and Excel writers and the charts
are pure functions of what this returns.
"""

import hashlib
import re
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime

from sqlite_utils import Database

from kt_workshop import store
from kt_workshop.coding import agreement, analysis, codebook, codes
from kt_workshop.i18n import in_language, shipped_languages
from kt_workshop.join import privacy
from kt_workshop.live import cells, feedback
from kt_workshop.plan import grid as plan_view
from kt_workshop.reports import publishing
from kt_workshop.reports.dataset import (
    HELD,
    AgreementFigures,
    AnalystFigures,
    Block,
    Dataset,
    Delegate,
    FeedbackQuestion,
    FrontMatter,
    Note,
    Options,
    PairFigures,
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
    """Everything the report, workbook and charts need, from one workshop, with the fixed
    text it carries (privacy statements, labels) in the report's language."""
    options = options or Options()
    workshop = store.get_workshop(db, workshop_id)
    workshop_language = workshop.get("language") or "en"  # a workshop setting; English if unset
    language = report_language(options.language, workshop_language, shipped_languages())
    options = replace(options, language=language)
    with in_language(language):
        return _gather(db, workshop_id, options, workshop)


def _gather(db: Database, workshop_id: int, options: Options, workshop: dict) -> Dataset:
    text = _Cleaner()
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
    codings = agreement.coding_data(db, workshop_id)  # read once: three parts need it
    agreed, _unsettled = agreement.consensus(codings)
    consensus = sorted(agreed)  # rolled up: each theme with the themes above it
    decided = publishing.decisions(db, workshop_id)
    notes, left_out = _notes(db, workshop_id, questions, themes, consensus, codings, text, decided)
    kept = {note.id for note in notes}
    consensus = [pair for pair in consensus if pair[0] in kept]  # what the report counts
    counts = _counts(notes, consensus, rows, questions)
    front = publishing.front_matter(db, workshop_id)
    quotes, waiting = _quotes(db, workshop_id, decided, {note.id: note for note in notes})
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
        quotes=quotes,
        points=[text(p["text"]) for p in codes.points(db, workshop_id)],
        feedback=_feedback(db, workshop_id, text),
        front=FrontMatter(**{k: text(front[k]) for k in FrontMatter.__dataclass_fields__}),
        glossary=[(text(t), text(m)) for t, m in publishing.glossary(db, workshop_id)],
        locale=report_locale(front["locale"], options.language, workshop.get("language") or ""),
        respondents=db.execute(
            "SELECT COUNT(DISTINCT response) FROM feedback_answer WHERE workshop_id = ?",
            [workshop_id],
        ).fetchone()[0],
        attendance_recorded=bool(
            db.execute(
                "SELECT 1 FROM participant WHERE workshop_id = ? AND attendance != 'registered'",
                [workshop_id],
            ).fetchone()
        ),
        left_out=left_out,
        quotes_waiting=waiting,
        other_languages=_languages(notes),
        ideas=cells.idea_counts(db, workshop_id),
        data_protection=[text(s) for s in privacy.settings_statement(db, workshop_id)],
        agreement=_agreement(db, workshop_id, text, codings),
        moderators=len(store.list_items(db, "moderator", workshop_id)),
        analysts=len(agreement.coders(db, workshop_id, codings)),
        blind_coding=_coded_blind(db, workshop_id),
        options=options,
        removed_characters=text.removed,
        **counts,
    )


def report_language(requested: str, workshop_language: str, shipped: list[str]) -> str:
    """The language of the report's fixed text: the one asked for, else the workshop's
    ("de-AT" is German), of those a translation is shipped for; else English."""
    for code in (requested, workshop_language):
        code = (code or "").replace("-", "_")
        for candidate in (code, code.split("_")[0]):
            if candidate and candidate in shipped:
                return candidate
    return "en"


def report_locale(chosen: str, language: str, workshop_language: str = "") -> str:
    """How the report writes dates and numbers: the organiser's choice when it is of the
    report's language, else the workshop's own region of it ("en-IE"), else the language's
    usual region (British English for English, the app's own spelling)."""
    base = (language or "en").replace("-", "_").split("_")[0]
    if chosen and chosen.split("_")[0] == base:
        return chosen
    workshop = (workshop_language or "").replace("-", "_")
    if "_" in workshop and workshop.split("_")[0] == base:
        return workshop
    return {"en": "en_GB", "de": "de_DE", "pl": "pl_PL", "nl": "nl_NL", "cs": "cs_CZ"}.get(
        base, base
    )


def _notes(db, workshop_id, questions, themes, consensus, codings, text, decided):
    """The notes the report shows, in programme order with their consensus themes in codebook
    order (the most specific ones, `theme_ids`, and rolled up, `all_theme_ids`) and their text
    as approved for publication; and how many were left out, by reason (deleted notes are not
    counted: they were never part of the record)."""
    order = {q.id: q.number for q in questions}
    theme_order = {t.id: i for i, t in enumerate(themes)}
    themes_of = agreement.most_specific(consensus, codings.themes)
    carried: dict[int, list[int]] = {}
    for note_id, theme_id in consensus:
        carried.setdefault(note_id, []).append(theme_id)
    rows = db.query(
        "SELECT note.*, round.position AS round_number, round.block_id AS round_block,"
        " tables.name AS table_name, tables.position AS table_position FROM note"
        " LEFT JOIN round ON round.id = note.round_id"
        " LEFT JOIN tables ON tables.id = note.table_id"
        " WHERE note.workshop_id = ? AND note.deleted_at IS NULL",
        [workshop_id],
    )
    left_out: Counter = Counter()
    kept = []
    for row in rows:
        decision = decided.get(row["id"])
        if publishing.in_report(bool(row["held"]), decision):
            kept.append(row)
        else:
            reason = decision.reason if decision and decision.excluded else ""
            left_out[text(reason) or HELD] += 1
    notes = sorted(
        kept,
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
            text=text(_published(n, decided)),
            theme_ids=sorted(themes_of.get(n["id"], []), key=lambda t: theme_order.get(t, 0)),
            all_theme_ids=sorted(carried.get(n["id"], []), key=lambda t: theme_order.get(t, 0)),
            edited=_published(n, decided) != n["text"],
        )
        for n in notes
    ], dict(left_out)


def _published(row, decided) -> str:
    decision = decided.get(row["id"])
    if decision is not None and decision.published_text is not None:
        return decision.published_text
    return row["text"]


# Letters and words that mark a note as written in another language than English: a guess
# for the limitations section ("12 notes are in Polish or German"), never for anything counted.
_LANGUAGE_MARKS = {
    "pl": re.compile(r"[ąćęłńśźż]|\b(?:nie|się|jest|oraz|że|dla)\b", re.I),
    "de": re.compile(r"[äöüß]|\b(?:und|nicht|der|die|das|ist|wird|bei)\b", re.I),
    "cs": re.compile(r"[ěřůť]|\b(?:není|jsou|také)\b", re.I),
    "nl": re.compile(r"\b(?:het|een|niet|wordt|zijn|ook)\b", re.I),
    "fr": re.compile(r"\b(?:les|des|est|une|pour|avec|dans)\b|[àâçèêëîïôûù]", re.I),
    "it": re.compile(r"\b(?:della|delle|sono|anche|gli|nella)\b", re.I),
}
_ENGLISH = re.compile(r"\b(?:the|and|is|are|of|to|in|for|with|not)\b", re.I)


def _languages(notes: list[Note]) -> dict[str, int]:
    """Notes that seem written in another language than English, by language code."""
    found: Counter = Counter()
    for note in notes:
        english = len(_ENGLISH.findall(note.text))
        scores = {name: len(mark.findall(note.text)) for name, mark in _LANGUAGE_MARKS.items()}
        best = max(scores, key=scores.get)
        if scores[best] >= 2 and scores[best] > english:
            found[best] += 1
    return dict(found)


def _counts(notes: list[Note], consensus, theme_rows, questions) -> dict:
    """Theme counts, the theme x question matrix, co-occurrence and the question network."""
    plain = [{"id": n.id, "question_id": n.question_id} for n in notes]
    plain_questions = [{"id": q.id, "text": q.text} for q in questions]
    # One roll-up rule for every count: a note counts under a theme when the consensus gives
    # it the theme or one below it (`consensus` is rolled up already). Co-occurrence leaves
    # out a theme and the themes above it: they co-occur by that rule, not by the notes.
    pairs = [(note_id, theme_id) for note_id, theme_id in consensus]
    direct = [(note.id, theme_id) for note in notes for theme_id in note.theme_ids]
    matrix = analysis.theme_question_matrix(plain, pairs, theme_rows, plain_questions)
    together = analysis.co_occurrence(plain, pairs, theme_rows)
    chains = analysis.lineage(theme_rows)
    ids = together.row_ids
    co = {
        (ids[i], ids[j]): together.values[i][j]
        for i in range(len(ids))
        for j in range(i + 1, len(ids))
        if together.values[i][j] and ids[i] not in chains[ids[j]] and ids[j] not in chains[ids[i]]
    }
    links = analysis.question_network(plain, pairs, plain_questions, theme_rows)
    return {
        "theme_totals": analysis.theme_totals(plain, pairs, theme_rows, rollup=True),
        # Notes whose most specific consensus theme is this one (none below it on the note).
        "theme_direct": analysis.theme_totals(plain, direct, theme_rows, rollup=False),
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


def _quotes(db, workshop_id, decided, notes) -> tuple[list[Quote], int]:
    """The key quotes the organiser approved, on notes the report shows, in the words approved
    (cleaned and counted with the notes already); and how many still wait for review."""
    approved, waiting = [], set()
    for row in codes.quotes(db, workshop_id):
        note = notes.get(row["id"])
        if note is None:
            continue
        decision = decided.get(row["id"])
        status = decision.quote if decision else "pending"
        if status == "approved":
            approved.append(
                Quote(
                    note_id=row["id"],
                    theme_id=row["theme_id"],
                    question_id=row["question_id"],
                    text=note.text,
                    kind=note.kind,
                )
            )
        elif status == "pending":
            waiting.add(row["id"])
    return approved, len(waiting)


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


def _agreement(db, workshop_id, text, codings) -> AgreementFigures | None:
    """Every analyst who coded, every pair of them and all of them together; None when fewer
    than two went through notes."""
    found = agreement.overview(db, workshop_id, codings)
    if len(found["analysts"]) < 2:
        return None
    pairs = []
    for pair in found["pairs"]:
        report = pair["report"]
        pairs.append(
            PairFigures(
                analyst_a=text(pair["a"]["name"]),
                analyst_b=text(pair["b"]["name"]),
                units=pair["units"],
                percent=report.pooled.percent,
                kappa=report.pooled.kappa,
                alpha=report.pooled.alpha,
                themes_pooled=len(report.pooled_ids),
                per_theme={t: (r.percent, r.kappa, r.alpha) for t, r in report.themes.items()},
                undefined={t: r.undefined for t, r in report.themes.items() if r.undefined},
                disagreements=len(pair["disagreements"]),
                open_disagreements=pair["open"],
            )
        )
    many, coverage = found["many"], found["coverage"]
    return AgreementFigures(
        analysts=[
            AnalystFigures(text(a["name"]), a["seen"], a["coded"]) for a in found["analysts"]
        ],
        pairs=pairs,
        all_alpha=many.pooled.alpha if many else None,
        all_percent=many.pooled.percent if many else None,
        all_themes_pooled=len(many.pooled_ids) if many else 0,
        all_per_theme={t: r.alpha for t, r in many.themes.items()} if many else {},
        notes=coverage.notes,
        by_all=coverage.by_all,
        by_some=coverage.by_some,
        by_one=coverage.by_one,
        by_none=coverage.by_none,
        open_disagreements=coverage.open,
        decided=coverage.decided,
        with_reason=coverage.with_reason,
    )


# Every table whose rows the report shows, with what changes when a row is added, edited or
# removed. `data_version` reads them in one query: cheap enough for every page view.
_VERSION_PARTS = (
    "SELECT COUNT(*), MAX(updated_at), TOTAL(held) FROM note WHERE workshop_id = :w",
    "SELECT COUNT(*), MAX(id), MAX(created_at) FROM coding WHERE workshop_id = :w",
    "SELECT COUNT(*), MAX(updated_at), MAX(id) FROM theme WHERE workshop_id = :w",
    "SELECT COUNT(*), MAX(id), COUNT(undone_at) FROM theme_change WHERE workshop_id = :w",
    "SELECT COUNT(*), MAX(decided_at), TOTAL(keep) FROM consensus_decision WHERE workshop_id = :w",
    "SELECT COUNT(*), MAX(id), TOTAL(length(country || sector || attendance))"
    " FROM participant WHERE workshop_id = :w",
    "SELECT COUNT(*), MAX(id), TOTAL(length(text)) FROM question WHERE workshop_id = :w",
    "SELECT COUNT(*), MAX(id), TOTAL(length(name)) FROM tables WHERE workshop_id = :w",
    "SELECT COUNT(*), MAX(id), TOTAL(length(title)) FROM block WHERE workshop_id = :w",
    "SELECT COUNT(*), MAX(updated_at), 0 FROM summary WHERE workshop_id = :w",
    "SELECT COUNT(*), MAX(id), 0 FROM quote WHERE workshop_id = :w",
    "SELECT COUNT(*), MAX(id), TOTAL(length(text)) FROM discussion_point WHERE workshop_id = :w",
    "SELECT COUNT(*), MAX(id), TOTAL(length(text)) FROM feedback_question WHERE workshop_id = :w",
    "SELECT COUNT(*), MAX(id), 0 FROM feedback_answer WHERE workshop_id = :w",
    "SELECT COUNT(*), MAX(decided_at), 0 FROM report_note WHERE workshop_id = :w",
    "SELECT COUNT(*), MAX(updated_at), 0 FROM report_setting WHERE workshop_id = :w",
    "SELECT updated_at, title, date FROM workshop WHERE id = :w",
)


def data_version(db: Database, workshop_id: int) -> str:
    """A short fingerprint of everything the report page's charts and its list of what is
    missing are drawn from: it changes when a note, code, theme, delegate, question, summary,
    feedback answer or report decision changes, so a chart drawn once can be served until then.
    Writing the report itself changes nothing here, so previews survive a Generate."""
    parts = " UNION ALL ".join(f"SELECT * FROM ({part})" for part in _VERSION_PARTS)  # noqa: S608
    rows = db.execute(parts, {"w": workshop_id}).fetchall()
    return hashlib.sha1(repr(rows).encode(), usedforsecurity=False).hexdigest()[:16]
