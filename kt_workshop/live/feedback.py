"""The end-of-day feedback form: questions set by the organiser, answers kept without names.

A phone's answers are kept under a random key that the phone itself makes and keeps: nothing
stored on the laptop (not the link, not the secret key) leads from a delegate to their answers.
Answers go in through the same write path as the tablets' notes (one write at a time, a busy
database answered with "send again", never lost), and are never shown back.
"""

import re
import secrets

from sqlite_utils import Database

from kt_workshop import store
from kt_workshop.db import writing
from kt_workshop.i18n import _

RESPONSE_KEY = re.compile(r"[0-9a-f]{32}")

RATINGS = (1, 2, 3, 4, 5)
MAX_QUESTIONS = 30


def questions(db: Database, workshop_id: int) -> list[dict]:
    """The form's questions in order."""
    return [
        dict(row)
        for row in db["feedback_question"].rows_where(
            "workshop_id = ?", [workshop_id], order_by="position"
        )
    ]


def parse_questions(text: str) -> list[tuple[str, str]]:
    """Read the organiser's list: one question per line, `rating:` or `text:` before it."""
    found, errors = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        kind, colon, wording = line.partition(":")
        kind = kind.strip().lower()
        if not colon or kind not in ("rating", "text") or not wording.strip():
            errors.append(
                _("Line %(n)s: start with “rating:” or “text:” and then the question.", n=number)
            )
        elif len(wording.strip()) > 300:
            errors.append(_("Line %(n)s: keep a question under 300 characters.", n=number))
        else:
            found.append((kind, wording.strip()))
    if len(found) > MAX_QUESTIONS:
        errors.append(_("A form can have up to %(n)s questions.", n=MAX_QUESTIONS))
    if errors:
        raise store.InputError({"questions": " ".join(errors)})
    return found


def set_questions(db: Database, workshop_id: int, text: str) -> None:
    """Replace the form's questions, keeping the answers of questions that stay the same."""
    store.get_workshop(db, workshop_id)
    wanted = parse_questions(text)
    current = {(q["kind"], q["text"]): q for q in questions(db, workshop_id)}
    with db.atomic():
        keep = set()
        for position, (kind, wording) in enumerate(wanted, start=1):
            if (kind, wording) in current:
                question_id = current[(kind, wording)]["id"]
                db["feedback_question"].update(question_id, {"position": position})
            else:
                question_id = (
                    db["feedback_question"]
                    .insert(
                        {
                            "workshop_id": workshop_id,
                            "position": position,
                            "kind": kind,
                            "text": wording,
                        }
                    )
                    .last_pk
                )
            keep.add(question_id)
        for question in current.values():
            if question["id"] not in keep:
                db["feedback_question"].delete(question["id"])


def response_key(sent: str | None) -> str:
    """The key a phone keeps its answers under: the random one it sent, else a fresh one (a
    browser without scripts sends none, so each of its sends is a response of its own)."""
    if isinstance(sent, str) and RESPONSE_KEY.fullmatch(sent):
        return sent
    return secrets.token_hex(16)


def save_answers(db: Database, workshop_id: int, response: str, form) -> int:
    """Store one phone's answers (a rating from 1 to 5, or text up to 2,000 characters), in
    place of the ones it sent before: an answer left empty now is removed. Returns how many
    answers are kept."""
    rows, errors = [], {}
    for question in questions(db, workshop_id):
        value = (form.get(f"q{question['id']}") or "").strip()
        if not value:
            continue
        if question["kind"] == "rating":
            if value not in {str(r) for r in RATINGS}:
                errors[question["text"]] = _("Choose a rating from 1 to 5.")
                continue
            rows.append((question["id"], int(value), ""))
        elif len(value) > 2000:
            errors[question["text"]] = _("Keep this under %(n)s characters.", n=2000)
        else:
            rows.append((question["id"], None, value))
    if errors:
        raise store.InputError(errors)
    # The day only: a time to the second could be matched with the server's other records.
    day = store.now()[:10]
    # Inside a caller's transaction (the demo's), the answers join it; otherwise they take the
    # write lock at once, as the tablets' notes do.
    with db.atomic() if db.conn.in_transaction else writing(db):
        db.execute(
            "DELETE FROM feedback_answer WHERE workshop_id = ? AND response = ?",
            [workshop_id, response],
        )
        for question_id, rating, text in rows:
            db["feedback_answer"].insert(
                {
                    "question_id": question_id,
                    "response": response,
                    "workshop_id": workshop_id,
                    "rating": rating,
                    "text": text,
                    "at": day,
                }
            )
    return len(rows)


def results(db: Database, workshop_id: int) -> list[dict]:
    """Per question: how many answered, the count of each rating and the mean, or the texts."""
    out = []
    for question in questions(db, workshop_id):
        answers = list(
            db["feedback_answer"].rows_where("question_id = ?", [question["id"]], order_by="id")
        )
        entry = {**question, "answers": len(answers)}
        if question["kind"] == "rating":
            counts = {r: sum(1 for a in answers if a["rating"] == r) for r in RATINGS}
            entry["counts"] = counts
            entry["mean"] = (
                sum(r * c for r, c in counts.items()) / len(answers) if answers else None
            )
        else:
            entry["texts"] = [a["text"] for a in answers]
        out.append(entry)
    return out
