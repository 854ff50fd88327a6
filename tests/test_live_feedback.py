"""Feedback is never lost: thirty phones sending the form at the same moment are all stored."""

import threading

from conftest import sign_in_grant

from kt_workshop import store
from kt_workshop.live import feedback


def test_thirty_feedback_forms_sent_at_once_are_all_stored(app, db, workshop):
    store.update_workshop(db, workshop, {"participant_pages": True})
    feedback.set_questions(db, workshop, "rating: How useful?\ntext: What next?\ntext: Venue?")
    rating, text, venue = (q["id"] for q in feedback.questions(db, workshop))
    phones = []
    for _n in range(30):
        phone = app.test_client()
        sign_in_grant(phone, app, db, workshop, "participant")
        phones.append(phone)
    start = threading.Barrier(len(phones))
    answers: list[int] = []

    def send(n: int, phone) -> None:
        data = {
            "response": f"{n:032x}",
            f"q{rating}": str(n % 5 + 1),
            f"q{text}": f"Answer {n} " + "words " * 200,
            f"q{venue}": f"Venue {n}",
        }
        start.wait()
        for _attempt in range(20):  # what the phone's script does: send again while busy
            reply = phone.post(
                f"/w/{workshop}/feedback", data=data, headers={"Accept": "application/json"}
            )
            answers.append(reply.status_code)
            if reply.status_code == 200:
                return

    threads = [threading.Thread(target=send, args=(n, p)) for n, p in enumerate(phones)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert 500 not in answers
    stored = list(db["feedback_answer"].rows)
    assert len({a["response"] for a in stored}) == 30
    assert len(stored) == 90
    assert sorted(a["text"] for a in stored if a["question_id"] == venue) == sorted(
        f"Venue {n}" for n in range(30)
    )


def test_the_key_is_the_phones_alone_so_the_link_cannot_be_tied_to_the_answers(app, db, workshop):
    """Two phones holding the same itinerary link: neither sees nor overwrites the other's
    answers, and nothing stored ties the answers to the link."""
    store.update_workshop(db, workshop, {"participant_pages": True})
    feedback.set_questions(db, workshop, "text: Anything else?")
    question = feedback.questions(db, workshop)[0]["id"]
    first, second = app.test_client(), app.test_client()
    grant = sign_in_grant(first, app, db, workshop, "participant")
    from kt_workshop import access

    token = access.grant_token(app.config["SECRET_KEY"], grant)
    second.get(f"/join/{token}")
    first.post(f"/w/{workshop}/feedback", data={"response": "a" * 32, f"q{question}": "Mine"})
    page = second.get(f"/w/{workshop}/feedback").get_data(as_text=True)
    assert "Mine" not in page
    second.post(f"/w/{workshop}/feedback", data={"response": "b" * 32, f"q{question}": "Theirs"})
    assert sorted(a["text"] for a in db["feedback_answer"].rows) == ["Mine", "Theirs"]
    stored = {a["response"] for a in db["feedback_answer"].rows}
    for column in ("id", "nonce", "short_code", "label"):
        assert str(grant[column]) not in str(stored)
    assert str(grant["id"]) not in {a["response"] for a in db["feedback_answer"].rows}
    audit = [row["detail"] for row in db["audit"].rows]
    assert not any("a" * 32 in detail for detail in audit)
