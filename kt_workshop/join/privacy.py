"""Data protection for one workshop: the consent text, the retention date, removing personal
data (pseudonyms for names and contact data, photos deleted, the analysis kept), and one
delegate's data on request. Plain functions on the database; the pages are in join/views.py."""

import json
from datetime import date

from sqlite_utils import Database

from kt_workshop import store
from kt_workshop.db import writing
from kt_workshop.i18n import _, local_date, ngettext

MAX_CONSENT_TEXT = 5000


def settings(db: Database, workshop_id: int) -> dict:
    """The workshop's data-protection settings and what it holds, for the privacy page."""
    workshop = store.get_workshop(db, workshop_id)
    consent = dict(
        db.execute(
            "SELECT IFNULL(consent, -1), count(*) FROM participant WHERE workshop_id = ? "
            "GROUP BY IFNULL(consent, -1)",
            [workshop_id],
        ).fetchall()
    )
    return {
        "consent_text": workshop["consent_text"],
        "retention_until": workshop["retention_until"],
        "removed_at": workshop["personal_data_removed_at"],
        "overdue": is_overdue(workshop),
        "consented": consent.get(1, 0),
        "refused": consent.get(0, 0),
        "unknown": consent.get(-1, 0),
        "photos": db.execute(
            "SELECT count(*) FROM photo WHERE workshop_id = ?", [workshop_id]
        ).fetchone()[0],
    }


def statement(db: Database, workshop_id: int) -> list[str]:
    """The data-protection statement for the report, sentence by sentence, from what the
    workshop's settings and rows actually are (not from a template the organiser fills in)."""
    workshop = store.get_workshop(db, workshop_id)
    said = [
        _(
            "Notes were taken per table, round and question on the moderators' tablets; no "
            "note names the person who said it."
        )
    ]
    if workshop["chatham_house"]:
        said.append(
            _(
                "The Chatham House Rule applied: no statement is attributed to a person or an "
                "organisation."
            )
        )
    return said + settings_statement(db, workshop_id)


def settings_statement(db: Database, workshop_id: int) -> list[str]:
    """The part of the statement that follows from the workshop's privacy settings and rows:
    consent asked and given, who saw names, how long personal data is kept, photos (the Word
    report prints it after its own words on notes and quotes)."""
    facts = settings(db, workshop_id)
    people = facts["consented"] + facts["refused"] + facts["unknown"]
    said = []
    if facts["consent_text"]:
        said.append(_("Delegates were asked to agree to: “%(text)s”", text=facts["consent_text"]))
    if people:
        said.append(
            ngettext(
                "Of %(num)s delegate, %(yes)s gave their consent, %(no)s did not and for "
                "%(unknown)s it was not recorded.",
                "Of %(num)s delegates, %(yes)s gave their consent, %(no)s did not and for "
                "%(unknown)s it was not recorded.",
                people,
                yes=facts["consented"],
                no=facts["refused"],
                unknown=facts["unknown"],
            )
        )
    said.append(
        _("Only the organiser saw delegates' names; analysts worked with the notes and pseudonyms.")
    )
    if facts["removed_at"]:
        said.append(
            _(
                "Names and contact data were replaced by pseudonyms and photos deleted on "
                "%(date)s.",
                date=local_date(facts["removed_at"]),
            )
        )
    elif facts["retention_until"]:
        said.append(
            _(
                "Personal data is kept until %(date)s and then replaced by pseudonyms.",
                date=facts["retention_until"],
            )
        )
    if facts["photos"]:
        said.append(
            ngettext(
                "%(num)s photo of a flipchart or tablecloth is kept with the notes.",
                "%(num)s photos of flipcharts and tablecloths are kept with the notes.",
                facts["photos"],
            )
        )
    return said


def is_overdue(workshop: dict, today: date | None = None) -> bool:
    """True when the retention date has passed and the personal data is still there."""
    until = workshop.get("retention_until")
    if not until or workshop.get("personal_data_removed_at"):
        return False
    return until < (today or date.today()).isoformat()


def save_settings(db: Database, workshop_id: int, consent_text: str, retention_until: str):
    """Store the consent text and the retention date (YYYY-MM-DD, or empty for none)."""
    store.get_workshop(db, workshop_id)
    errors = {}
    consent_text = (consent_text or "").strip()
    if len(consent_text) > MAX_CONSENT_TEXT:
        errors["consent_text"] = _("Keep this under %(n)s characters.", n=MAX_CONSENT_TEXT)
    retention_until = (retention_until or "").strip() or None
    if retention_until:
        try:
            date.fromisoformat(retention_until)
        except ValueError:
            errors["retention_until"] = _("Give the date as YYYY-MM-DD.")
    if errors:
        raise store.InputError(errors)
    db["workshop"].update(
        workshop_id,
        {
            "consent_text": consent_text,
            "retention_until": retention_until,
            "updated_at": store.now(),
        },
    )


def remove_personal_data(db: Database, workshop_id: int) -> dict:
    """Replace delegates', moderators' and analysts' names and contact data with pseudonyms,
    clear join links' labels, delete photos; keep notes, codes and the analysis. Return counts.

    Notes themselves are kept as written: names typed into a note are not found by this.
    """
    store.get_workshop(db, workshop_id)
    counts = {}
    with writing(db):
        people = db.execute(
            "SELECT id FROM participant WHERE workshop_id = ? ORDER BY id", [workshop_id]
        ).fetchall()
        for number, (person_id,) in enumerate(people, start=1):
            db["participant"].update(
                person_id,
                {"name": _("Delegate %(n)s", n=number), "organisation": "", "extra": "{}"},
            )
        counts["delegates"] = len(people)
        moderators = db.execute(
            "SELECT id FROM moderator WHERE workshop_id = ? ORDER BY id", [workshop_id]
        ).fetchall()
        for number, (moderator_id,) in enumerate(moderators, start=1):
            db["moderator"].update(
                moderator_id, {"name": _("Moderator %(n)s", n=number), "notes": ""}
            )
        counts["moderators"] = len(moderators)
        analysts = db.execute(
            "SELECT id FROM analyst WHERE workshop_id = ? AND kind = 'analyst' ORDER BY id",
            [workshop_id],
        ).fetchall()
        for number, (analyst_id,) in enumerate(analysts, start=1):
            db["analyst"].update(analyst_id, {"name": _("Analyst %(n)s", n=number)})
        db.execute("UPDATE access SET label = '' WHERE workshop_id = ?", [workshop_id])
        # The log names who did what by their link's label: keep the role only.
        db.execute(
            "UPDATE audit SET actor = substr(actor, 1, instr(actor, ':') - 1) "
            "WHERE workshop_id = ? AND instr(actor, ':') > 0",
            [workshop_id],
        )
        counts["photos"] = db.execute(
            "DELETE FROM photo WHERE workshop_id = ?", [workshop_id]
        ).rowcount
        db["workshop"].update(
            workshop_id, {"personal_data_removed_at": store.now(), "updated_at": store.now()}
        )
    return counts


def delete_backups(folder) -> int:
    """Delete the backups the app made (instance/backups/kt-workshop-*.db): each is a copy of
    the whole database, names included, so they go when personal data is removed. Return how
    many."""
    from pathlib import Path

    found = sorted(Path(folder).glob("kt-workshop-*.db")) if Path(folder).is_dir() else []
    for path in found:
        path.unlink(missing_ok=True)
    return len(found)


def delegate_data(db: Database, workshop_id: int, delegate_id: int) -> dict:
    """Everything the workshop holds about one delegate, for a subject access request: the
    row, the tables they were seated at, pair rules naming them, and the consent text."""
    person = store.get_item(db, "participant", workshop_id, delegate_id)
    workshop = store.get_workshop(db, workshop_id)
    seats = [
        dict(row)
        for row in db.query(
            "SELECT r.position AS round, b.title AS block, t.name AS table_name "
            "FROM seat s JOIN round r ON r.id = s.round_id JOIN block b ON b.id = r.block_id "
            "JOIN tables t ON t.id = s.table_id WHERE s.participant_id = ? "
            "ORDER BY b.position, r.position",
            [delegate_id],
        )
    ]
    rules = [
        dict(row)
        for row in db.query(
            "SELECT kind, first_id, second_id FROM pair_rule WHERE first_id = ? OR second_id = ?",
            [delegate_id, delegate_id],
        )
    ]
    return {
        "workshop": {"title": workshop["title"], "date": workshop["date"]},
        "consent_text": workshop["consent_text"],
        "delegate": person,
        "seats": seats,
        "pair_rules": rules,
        "notes": _(
            "Notes are tied to a table, round and question, never to a speaker, so none of "
            "them is this delegate's."
        ),
    }


def delegate_json(data: dict) -> bytes:
    """One delegate's data as UTF-8 JSON text."""
    return json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")


# The audit log ---------------------------------------------------------------------------------

# What the log can be narrowed to; "changes" is everything that is neither a view nor a download.
AUDIT_SHOWN = ("all", "views", "downloads", "changes")
_SHOWN_WHERE = {
    "all": "",
    "views": " AND action = 'viewed'",
    "downloads": " AND action = 'downloaded'",
    "changes": " AND action NOT IN ('viewed', 'downloaded')",
}


def audit_entries(db: Database, workshop_id: int, show: str = "all", who: str = "") -> list[dict]:
    """The workshop's audit log, newest first, narrowed to views, downloads or changes and to
    one person (an unknown choice shows everything). A view's row also gets its `page` (the
    endpoint) and `ids` (the other parts of its address) from its detail."""
    sql = "SELECT * FROM audit WHERE workshop_id = ?" + _SHOWN_WHERE.get(show, "")  # noqa: S608
    params: list = [workshop_id]
    if who:
        sql += " AND actor = ?"
        params.append(who)
    rows = [dict(row) for row in db.query(sql + " ORDER BY id DESC", params)]
    for row in rows:
        if row["action"] == "viewed":
            try:
                what = json.loads(row["detail"])
            except ValueError:
                what = {}
            what = what if isinstance(what, dict) else {}
            row["page"] = str(what.pop("page", ""))
            row["ids"] = ", ".join(f"{key} {value}" for key, value in sorted(what.items()))
    return rows


def audit_people(db: Database, workshop_id: int) -> list[str]:
    """Everyone named in the workshop's audit log, for the page's filter."""
    return [
        row[0]
        for row in db.execute(
            "SELECT DISTINCT actor FROM audit WHERE workshop_id = ? ORDER BY actor", [workshop_id]
        )
    ]
