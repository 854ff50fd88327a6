"""What the organiser settles before the report goes out, kept with the workshop.

- Key quotes: a note marked as a key quote reaches the report only once the organiser approved
  it on the quote-review screen, in the words approved there (an edited text for publication,
  for instance with an attribution taken out; the note as written is kept). A dropped quote
  stays out.
- Notes left out: any note can be left out of the report with a reason (moderators'
  housekeeping, a duplicate...). Notes held back from the projector on the day stay out too,
  unless the organiser lets them in.
- Front matter (authors, commissioning organisation, funder, acknowledgements, how to cite,
  version, licence, contact), the executive summary, further limitations, and the glossary.

Plain functions taking `db` first; `report_note` has one row per note someone decided on.
"""

import re
from dataclasses import dataclass

from sqlite_utils import Database

from kt_workshop.i18n import _, lazy_, local_number
from kt_workshop.store import InputError, NotFound, now

_GLOSSARY_LINE = re.compile(r"([^:\t]+?)(?:\s*[:\t]\s*|\s+[–—-]\s+)(\S.*)")
QUOTE_STATES = ("pending", "approved", "dropped")
MAX_TEXT = 5000
MAX_TERMS = 200
# The front matter the report page edits: field -> (label, longest text, several lines).
FRONT_FIELDS = {
    "authors": (lazy_("Authors"), 500, False),
    "commissioned_by": (lazy_("Commissioned by"), 500, False),
    "funder": (lazy_("Funder statement"), 2000, True),
    "acknowledgements": (lazy_("Acknowledgements"), 3000, True),
    "citation": (lazy_("How to cite"), 1000, True),
    "version": (lazy_("Version"), 100, False),
    "licence": (lazy_("Licence"), 300, False),
    "contact": (lazy_("Contact"), 500, False),
    "executive_summary": (lazy_("Executive summary"), MAX_TEXT, True),
    "limitations": (lazy_("Further limitations"), 3000, True),
}
LOCALES = {
    "en_GB": "English (United Kingdom): 22 January 2024",
    "en_US": "English (United States): January 22, 2024",
    "en_IE": "English (Ireland): 22 January 2024",
    "de_DE": "Deutsch: 22. Januar 2024",
    "pl_PL": "polski: 22 stycznia 2024",
    "nl_NL": "Nederlands: 22 januari 2024",
}
# Words that, beside a role or a country, say who was speaking: "Czech delegate:", "(helpline
# manager)", "A Polish delegate explained". The screen flags them; the organiser decides.
_ROLE = (
    r"delegate|participant|practitioner|colleague|manager|officer|therapist|researcher|"
    r"clinician|psychologist|police|detective|lawyer|judge|academic|director|lead|"
    r"coordinator|worker|nurse|doctor|social worker|representative|speaker|attendee"
)
_ATTRIBUTION = re.compile(
    rf"\((?:[^(),]{{0,40}}\b(?:{_ROLE})s?\b[^(),]{{0,40}})\)"  # "(helpline manager)"
    rf"|\b[A-Z][a-z]+(?: [A-Z][a-z]+)? (?:{_ROLE})s?\b\s*[:\-–—]"  # "Czech delegate:"
    rf"|\b(?:A|An|One|The|Our) [A-Z][a-z]+ (?:{_ROLE})s?\b",  # "A Polish delegate"
)


@dataclass(frozen=True)
class NoteDecision:
    """The organiser's decisions on one note (defaults when nobody decided)."""

    note_id: int
    excluded: bool = False
    included: bool = False  # a held note let into the report
    reason: str = ""
    quote: str = "pending"
    published_text: str | None = None  # None: as written


def attribution(text: str) -> str:
    """The words of a note that seem to say who spoke ("" when none): a hint for the reviewer."""
    found = _ATTRIBUTION.search(text or "")
    return found.group(0) if found else ""


def without_attribution(text: str) -> str:
    """The note with who spoke taken out, as a suggestion for the reviewer: "(helpline
    manager)" and "Czech delegate:" go, "A Polish delegate explained" becomes "A delegate
    explained"."""

    def replace(found: re.Match) -> str:
        words = found.group(0)
        article = re.match(r"(A|An|One|The|Our) ", words)
        if article:
            return f"{article.group(1) if article.group(1) != 'An' else 'A'} delegate"
        return ""

    out = _ATTRIBUTION.sub(replace, text or "")
    out = re.sub(r"\s+([.,;:!?])", r"\1", " ".join(out.split()))
    return out[:1].upper() + out[1:]


def decisions(db: Database, workshop_id: int) -> dict[int, NoteDecision]:
    """Every note someone decided on, by note id."""
    return {
        row["note_id"]: NoteDecision(
            note_id=row["note_id"],
            excluded=bool(row["excluded"]),
            included=bool(row["included"]),
            reason=row["reason"],
            quote=row["quote"],
            published_text=row["published_text"],
        )
        for row in db.query("SELECT * FROM report_note WHERE workshop_id = ?", [workshop_id])
    }


def in_report(held: bool, decision: NoteDecision | None) -> bool:
    """Whether a note goes into the report: not left out, and not held unless let in."""
    if decision is None:
        return not held
    if decision.excluded:
        return False
    return not held or decision.included


def _note(db: Database, workshop_id: int, note_id) -> dict:
    try:
        note_id = int(note_id)
    except (TypeError, ValueError):
        raise NotFound(_("No such note in this workshop.")) from None
    row = db.execute(
        "SELECT id, text, held FROM note WHERE id = ? AND workshop_id = ? AND deleted_at IS NULL",
        [note_id, workshop_id],
    ).fetchone()
    if row is None:
        raise NotFound(_("No such note in this workshop."))
    return {"id": row[0], "text": row[1], "held": bool(row[2])}


def _save(db: Database, workshop_id: int, note_id: int, actor: str, **values) -> None:
    """Write the decision's changed columns, making its row on the first decision."""
    values = {**values, "decided_by": actor, "decided_at": now()}
    found = db.execute("SELECT id FROM report_note WHERE note_id = ?", [note_id]).fetchone()
    if found:
        db["report_note"].update(found[0], values)
    else:
        db["report_note"].insert({"workshop_id": workshop_id, "note_id": note_id, **values})


def review_quote(
    db: Database, workshop_id: int, note_id, decision: str, actor: str, text: str | None = None
) -> None:
    """Approve a key quote (in `text` when given, as written when blank or unchanged), drop it,
    or set it back to waiting for review."""
    note = _note(db, workshop_id, note_id)
    if decision not in QUOTE_STATES:
        raise InputError({"decision": _("Choose approve, drop or review again.")})
    marked = db.execute("SELECT 1 FROM quote WHERE note_id = ?", [note["id"]]).fetchone()
    if not marked:
        raise InputError({"decision": _("This note is not marked as a key quote.")})
    values: dict = {"quote": decision}
    if text is not None:
        text = text.replace("\r\n", "\n").strip()
        if len(text) > MAX_TEXT:
            raise InputError(
                {"text": _("A quote can hold up to %(n)s characters.", n=local_number(MAX_TEXT))}
            )
        if decision == "approved" and not text:
            raise InputError({"text": _("Write the words to publish, or drop the quote.")})
        values["published_text"] = None if text == note["text"].strip() else text
    _save(db, workshop_id, note["id"], actor, **values)


def edit_note(db: Database, workshop_id: int, note_id, text: str, actor: str) -> None:
    """Set the words a note is published in (blank or unchanged: as written). The note itself,
    as the moderator wrote it, is never changed."""
    note = _note(db, workshop_id, note_id)
    text = (text or "").replace("\r\n", "\n").strip()
    if len(text) > MAX_TEXT:
        raise InputError(
            {"text": _("A note can hold up to %(n)s characters.", n=local_number(MAX_TEXT))}
        )
    published = None if not text or text == note["text"].strip() else text
    _save(db, workshop_id, note["id"], actor, published_text=published)


def attributed(db: Database, workshop_id: int) -> list[dict]:
    """Notes in the report whose words seem to say who spoke, with the words found and a
    suggestion without them."""
    out = []
    for row in db.query(
        "SELECT note.id, note.text, note.kind, note.held, report_note.published_text,"
        " report_note.excluded, report_note.included, question.text AS question,"
        " tables.name AS table_name FROM note"
        " LEFT JOIN report_note ON report_note.note_id = note.id"
        " LEFT JOIN question ON question.id = note.question_id"
        " LEFT JOIN tables ON tables.id = note.table_id"
        " WHERE note.workshop_id = ? AND note.deleted_at IS NULL ORDER BY note.id",
        [workshop_id],
    ):
        if row["excluded"] or (row["held"] and not row["included"]):
            continue
        words = attribution(row["text"])
        if words:
            item = dict(row)
            item["attribution"] = words
            item["suggestion"] = without_attribution(row["text"])
            out.append(item)
    return out


def exclude_note(db: Database, workshop_id: int, note_id, reason: str, actor: str) -> None:
    """Leave a note out of the report, saying why."""
    note = _note(db, workshop_id, note_id)
    reason = " ".join((reason or "").split())
    if not reason:
        raise InputError({"reason": _("Say why the note is left out of the report.")})
    if len(reason) > 200:
        raise InputError({"reason": _("Keep the reason under 200 characters.")})
    _save(db, workshop_id, note["id"], actor, excluded=1, included=0, reason=reason)


def include_note(db: Database, workshop_id: int, note_id, actor: str) -> None:
    """Put a note back into the report (a held note is let in)."""
    note = _note(db, workshop_id, note_id)
    _save(db, workshop_id, note["id"], actor, excluded=0, included=int(note["held"]), reason="")


def review_list(db: Database, workshop_id: int) -> list[dict]:
    """The key quotes to review, in programme order: the note as written, where it was taken,
    what it was marked for, the decision and the words approved, and any attribution seen."""
    rows = db.query(
        "SELECT note.id, note.text, note.kind, note.held, question.text AS question,"
        " tables.name AS table_name, round.position AS round,"
        " group_concat(DISTINCT IFNULL(theme.name, '')) AS themes,"
        " report_note.quote AS status, report_note.published_text, report_note.excluded,"
        " report_note.decided_by, report_note.decided_at"
        " FROM quote JOIN note ON note.id = quote.note_id"
        " LEFT JOIN theme ON theme.id = quote.theme_id"
        " LEFT JOIN question ON question.id = note.question_id"
        " LEFT JOIN block ON block.id = question.block_id"
        " LEFT JOIN tables ON tables.id = note.table_id"
        " LEFT JOIN round ON round.id = note.round_id"
        " LEFT JOIN report_note ON report_note.note_id = note.id"
        " WHERE quote.workshop_id = ? AND note.deleted_at IS NULL"
        " GROUP BY note.id ORDER BY block.position, question.position, tables.position, note.id",
        [workshop_id],
    )
    out = []
    for row in rows:
        item = dict(row)
        item["status"] = item["status"] or "pending"
        item["themes"] = [t for t in (item["themes"] or "").split(",") if t]
        item["attribution"] = attribution(item["published_text"] or item["text"])
        out.append(item)
    return out


def left_out(db: Database, workshop_id: int) -> list[dict]:
    """Notes out of the report: left out with a reason, or held on the day and not let in."""
    return [
        dict(row)
        for row in db.query(
            "SELECT note.id, note.text, note.kind, note.held, report_note.reason,"
            " report_note.decided_by, question.text AS question, tables.name AS table_name"
            " FROM note LEFT JOIN report_note ON report_note.note_id = note.id"
            " LEFT JOIN question ON question.id = note.question_id"
            " LEFT JOIN tables ON tables.id = note.table_id"
            " WHERE note.workshop_id = ? AND note.deleted_at IS NULL AND"
            " (IFNULL(report_note.excluded, 0) = 1"
            "  OR (note.held = 1 AND IFNULL(report_note.included, 0) = 0))"
            " ORDER BY note.id",
            [workshop_id],
        )
    ]


def uncoded(db: Database, workshop_id: int, limit: int = 200) -> list[dict]:
    """Notes in the report that no analyst gave a theme: often housekeeping ("photo taken",
    "short on time"), offered to be left out."""
    return [
        dict(row)
        for row in db.query(
            "SELECT note.id, note.text, note.kind, question.text AS question,"
            " tables.name AS table_name FROM note"
            " LEFT JOIN report_note ON report_note.note_id = note.id"
            " LEFT JOIN question ON question.id = note.question_id"
            " LEFT JOIN tables ON tables.id = note.table_id"
            " WHERE note.workshop_id = ? AND note.deleted_at IS NULL"
            " AND IFNULL(report_note.excluded, 0) = 0"
            " AND (note.held = 0 OR IFNULL(report_note.included, 0) = 1)"
            " AND NOT EXISTS (SELECT 1 FROM coding WHERE coding.note_id = note.id)"
            " ORDER BY note.id LIMIT ?",
            [workshop_id, limit],
        )
    ]


# Front matter and glossary ------------------------------------------------------------------


def front_matter(db: Database, workshop_id: int) -> dict:
    """The report's front matter and own texts ("" for what is not written), and the locale
    its dates are written in."""
    rows = list(db.query("SELECT * FROM report_setting WHERE workshop_id = ?", [workshop_id]))
    values = {name: "" for name in (*FRONT_FIELDS, "locale")}
    if rows:
        values.update({name: rows[0].get(name) or "" for name in values})
    return values


def save_front_matter(db: Database, workshop_id: int, form, actor: str) -> None:
    """Store the front matter from the report page's form (each field checked)."""
    values, errors = {}, {}
    for name, (label, longest, _lines) in FRONT_FIELDS.items():
        text = (form.get(name) or "").replace("\r\n", "\n").strip()
        if len(text) > longest:
            errors[name] = _(
                "%(field)s: keep it under %(n)s characters.", field=label, n=local_number(longest)
            )
        values[name] = text
    locale = form.get("locale") or ""
    if locale and locale not in LOCALES:
        errors["locale"] = _("Choose one of the listed ways of writing dates.")
    values["locale"] = locale
    if errors:
        raise InputError(errors)
    values.update({"updated_by": actor, "updated_at": now()})
    found = db.execute(
        "SELECT id FROM report_setting WHERE workshop_id = ?", [workshop_id]
    ).fetchone()
    if found:
        db["report_setting"].update(found[0], values)
    else:
        db["report_setting"].insert({"workshop_id": workshop_id, **values})


def glossary(db: Database, workshop_id: int) -> list[tuple[str, str]]:
    """The glossary as (term, meaning), in the order written."""
    return [
        (row["term"], row["meaning"])
        for row in db.query(
            "SELECT term, meaning FROM glossary_term WHERE workshop_id = ? ORDER BY position, id",
            [workshop_id],
        )
    ]


def parse_glossary(text: str) -> list[tuple[str, str]]:
    """Glossary lines "CSAM: child sexual abuse material" (or with a dash or tab) as pairs;
    InputError naming the first line that has no meaning."""
    terms, seen = [], set()
    for number, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        found = _GLOSSARY_LINE.fullmatch(line)
        if not found:
            raise InputError(
                {
                    "glossary": _(
                        "Line %(n)s: write the term, a colon and its meaning"
                        " (“KPI: key performance indicator”).",
                        n=number,
                    )
                }
            )
        term, meaning = found.group(1).strip(), found.group(2).strip()
        if len(term) > 100 or len(meaning) > 1000:
            raise InputError({"glossary": _("Line %(n)s is too long.", n=number)})
        if term.casefold() in seen:
            raise InputError({"glossary": _("Line %(n)s repeats “%(t)s”.", n=number, t=term)})
        seen.add(term.casefold())
        terms.append((term, meaning))
    if len(terms) > MAX_TERMS:
        raise InputError({"glossary": _("A glossary holds up to %(n)s terms.", n=MAX_TERMS)})
    return terms


def save_glossary(db: Database, workshop_id: int, terms: list[tuple[str, str]]) -> None:
    """Replace the glossary."""
    db.execute("DELETE FROM glossary_term WHERE workshop_id = ?", [workshop_id])
    db["glossary_term"].insert_all(
        [
            {"workshop_id": workshop_id, "position": i, "term": t, "meaning": m}
            for i, (t, m) in enumerate(terms, start=1)
        ]
    )


_ACRONYM = re.compile(r"\b[A-Z][A-Z0-9&]{1,6}s?\b")
_NOT_TERMS = {"UK", "US", "EU", "NL", "DE", "PL", "CZ", "OK", "II", "III", "IV", "Q"}


def undefined_terms(db: Database, workshop_id: int, limit: int = 30) -> list[str]:
    """Abbreviations the questions and notes use that the glossary does not explain, most used
    first ("CSAM", "KPI"): what a reader may need explained."""
    counts: dict[str, int] = {}
    for (text,) in db.execute(
        "SELECT text FROM note WHERE workshop_id = ? AND deleted_at IS NULL"
        " UNION ALL SELECT text FROM question WHERE workshop_id = ?"
        " UNION ALL SELECT title FROM workshop WHERE id = ?",
        [workshop_id, workshop_id, workshop_id],
    ):
        for word in _ACRONYM.findall(text or ""):
            word = word[:-1] if word.endswith("s") and word[:-1].isupper() else word
            if word not in _NOT_TERMS and not word.isdigit():
                counts[word] = counts.get(word, 0) + 1
    known = {term.casefold() for term, _meaning in glossary(db, workshop_id)}
    ranked = sorted((w for w in counts if w.casefold() not in known), key=lambda w: (-counts[w], w))
    return ranked[:limit]
