"""The end-of-day feedback form: questions set by the organiser, answers kept without names."""

import hashlib
import hmac

from sqlite_utils import Database

from kt_workshop import store
from kt_workshop.i18n import _

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


def response_key(secret: str, grant: dict) -> str:
    """An anonymous key for one participant's answers: stable, so they can change them, and
    made from the grant's secret nonce (not its row id), so no other link ever shares it."""
    message = f"feedback:{grant['id']}:{grant['nonce']}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()[:32]


def save_answers(db: Database, workshop_id: int, response: str, form) -> None:
    """Store one participant's answers (a rating from 1 to 5, or text up to 2,000 characters)."""
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
    with db.atomic():
        for question_id, rating, text in rows:
            db["feedback_answer"].upsert(
                {
                    "question_id": question_id,
                    "response": response,
                    "workshop_id": workshop_id,
                    "rating": rating,
                    "text": text,
                    "at": store.now(),
                },
                pk=("question_id", "response"),
            )


def answers_of(db: Database, workshop_id: int, response: str) -> dict[int, dict]:
    """One participant's answers so far, by question id."""
    return {
        row["question_id"]: dict(row)
        for row in db["feedback_answer"].rows_where(
            "workshop_id = ? AND response = ?", [workshop_id, response]
        )
    }


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
