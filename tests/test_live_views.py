"""The live day over HTTP (kt_workshop/live.py): photos, participants' ideas, feedback, tablet page."""

import io
import sys
import uuid
from pathlib import Path

import pytest
from PIL import Image

from kt_workshop import access, store
from kt_workshop.live import day, events, feedback
from kt_workshop.live.views import MAX_PHOTO_BYTES, PHOTO_EDGE
from kt_workshop.web import socketio

sign_in_grant = sys.modules["conftest"].sign_in_grant


@pytest.fixture(autouse=True)
def quick(no_fsync):
    """Every test here runs without an fsync per commit."""


@pytest.fixture
def app(fast_app):
    """conftest's `app` on one app for the module (see fast_app)."""
    return fast_app


@pytest.fixture(autouse=True)
def no_tablets_seen_yet(monkeypatch):
    monkeypatch.setattr(events, "presence", {})


@pytest.fixture
def moderator(app, db, workshop, ids):
    """A browser signed in with table 1's tablet link."""
    client = app.test_client()
    client.grant = sign_in_grant(client, app, db, workshop, "moderator", table_id=ids["tables"][0])
    return client


def image_bytes(width: int = 40, height: int = 30, fmt: str = "PNG") -> bytes:
    """A real image made with Pillow."""
    out = io.BytesIO()
    Image.new("RGB", (width, height), (30, 120, 200)).save(out, fmt)
    return out.getvalue()


def upload(client, workshop_id, ids, data: bytes, name="photo.png", uid=None, table=0):
    """POST a photo as the tablet does; return the response."""
    return client.post(
        f"/w/{workshop_id}/photos",
        data={
            "uid": uid or uuid.uuid4().hex,
            "round_id": str(ids["rounds"][0]),
            "table_id": str(ids["tables"][table]),
            "photo": (io.BytesIO(data), name),
        },
        content_type="multipart/form-data",
    )


# Photos ---------------------------------------------------------------------------------------


def test_a_photo_is_stored_with_its_cell_and_announced_to_staff(
    app, db, organiser, workshop, ids, moderator
):
    control = socketio.test_client(app, flask_test_client=organiser, auth={"workshop_id": workshop})
    browser = app.test_client()
    sign_in_grant(browser, app, db, workshop, "participant")
    participant = socketio.test_client(app, flask_test_client=browser)
    control.get_received()
    participant.get_received()

    response = upload(moderator, workshop, ids, image_bytes(40, 30))

    assert response.status_code == 200
    assert response.json["ok"] is True
    photo_id = response.json["id"]
    row = dict(db["photo"].get(photo_id))
    assert (row["round_id"], row["table_id"], row["mime"]) == (
        ids["rounds"][0],
        ids["tables"][0],
        "image/jpeg",
    )
    assert (row["width"], row["height"]) == (40, 30)
    assert row["access_id"] == moderator.grant["id"]
    [change] = [m["args"][0] for m in control.get_received() if m["name"] == "change"]
    assert (change["kind"], change["audience"], change["seq"]) == (
        "photo",
        "staff",
        response.json["seq"],
    )
    assert change["payload"]["id"] == photo_id
    assert "data" not in change["payload"]  # the image itself is fetched over HTTP
    assert participant.get_received() == []

    for client in (moderator, organiser):
        shown = client.get(f"/w/{workshop}/photos/{photo_id}")
        assert shown.status_code == 200
        assert shown.mimetype == "image/jpeg"
        with Image.open(io.BytesIO(shown.data)) as image:
            assert (image.format, image.size) == ("JPEG", (40, 30))
    assert organiser.get(f"/w/{workshop}/photos/{photo_id + 1}").status_code == 404


def test_a_jpeg_is_accepted_and_a_photo_of_another_workshop_is_not_found(
    app, db, organiser, workshop, ids, moderator
):
    response = upload(moderator, workshop, ids, image_bytes(64, 48, "JPEG"), name="photo.jpg")
    assert response.status_code == 200
    other = store.create_workshop(db, {"title": "Other café"})
    assert organiser.get(f"/w/{other}/photos/{response.json['id']}").status_code == 404


def test_a_text_file_named_jpg_is_refused(db, workshop, ids, moderator):
    response = upload(moderator, workshop, ids, b"This is not a photo\n" * 10, name="photo.jpg")
    assert response.status_code == 400
    assert response.json == {"ok": False, "error": "This file is not a photo."}
    assert db["photo"].count == 0
    assert db["change"].count == 0


def test_a_photo_over_15_mb_is_refused(db, workshop, ids, moderator):
    response = upload(moderator, workshop, ids, b"\xff" * (MAX_PHOTO_BYTES + 1), name="big.jpg")
    assert response.status_code == 413
    assert response.json == {"ok": False, "error": "The photo is over 15 MB."}
    assert db["photo"].count == 0


def test_a_repeated_upload_is_stored_once(db, workshop, ids, moderator):
    uid = uuid.uuid4().hex
    first = upload(moderator, workshop, ids, image_bytes(), uid=uid)
    again = upload(moderator, workshop, ids, image_bytes(), uid=uid)  # the answer was lost
    assert first.status_code == again.status_code == 200
    assert again.json == {"ok": True, "id": first.json["id"], "duplicate": True}
    assert db["photo"].count == 1
    assert db["change"].count == 1


def test_a_photo_for_another_table_is_refused(db, workshop, ids, moderator):
    response = upload(moderator, workshop, ids, image_bytes(), table=1)
    assert response.status_code == 403
    assert response.json == {"ok": False, "error": "This tablet does not take notes at that table."}
    assert db["photo"].count == 0


def test_a_photo_needs_its_id_and_a_real_cell(db, workshop, ids, moderator):
    no_uid = moderator.post(
        f"/w/{workshop}/photos",
        data={"photo": (io.BytesIO(image_bytes()), "p.png"), "round_id": "1", "table_id": "1"},
        content_type="multipart/form-data",
    )
    assert no_uid.status_code == 400
    assert no_uid.json == {"ok": False, "error": "Send a photo with its id."}
    no_photo = moderator.post(f"/w/{workshop}/photos", data={"uid": uuid.uuid4().hex})
    assert no_photo.status_code == 400
    nowhere = moderator.post(
        f"/w/{workshop}/photos",
        data={"uid": uuid.uuid4().hex, "photo": (io.BytesIO(image_bytes()), "p.png")},
        content_type="multipart/form-data",
    )
    assert nowhere.status_code == 403
    assert "not part of this workshop" in nowhere.json["error"]
    assert db["photo"].count == 0


def test_a_large_photo_is_made_at_most_2000_pixels(db, workshop, ids, moderator):
    response = upload(moderator, workshop, ids, image_bytes(2400, 600), name="wide.png")
    assert response.status_code == 200
    row = dict(db["photo"].get(response.json["id"]))
    assert (row["width"], row["height"]) == (PHOTO_EDGE, 500)
    with Image.open(io.BytesIO(row["data"])) as image:
        assert (image.format, image.size) == ("JPEG", (2000, 500))
    tall = upload(moderator, workshop, ids, image_bytes(300, 2100, "JPEG"), name="tall.jpg")
    assert tall.json["ok"] is True
    assert dict(db["photo"].get(tall.json["id"]))["height"] == PHOTO_EDGE


def test_a_damaged_png_is_refused_not_a_server_error(
    app, db, workshop, ids, moderator, monkeypatch
):
    """Regression: Pillow's verify() raises SyntaxError for this, which used to give a 500."""
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)  # the tablet's answer
    png = image_bytes()
    damaged = png[:-20] + b"\x00\x00\x00\x00" + png[-16:]  # IDAT checksum broken in transit
    response = upload(moderator, workshop, ids, damaged)
    assert response.status_code == 400
    assert response.json == {"ok": False, "error": "This file is not a photo."}
    assert db["photo"].count == 0


# Participants' ideas ----------------------------------------------------------------------------


def participant_client(app, db, workshop, ids):
    """Zofia's browser, signed in with her own join link."""
    client = app.test_client()
    sign_in_grant(client, app, db, workshop, "participant", participant_id=ids["participant"])
    return client


def flashes(client) -> list[tuple[str, str]]:
    """The messages flashed since the last call (they are taken off the session)."""
    with client.session_transaction() as session:
        return list(session.pop("_flashes", []))


def test_ideas_are_refused_while_participants_pages_are_off(app, db, workshop, ids):
    day.start(db, workshop)
    client = participant_client(app, db, workshop, ids)
    response = client.post(f"/w/{workshop}/ideas", data={"text": "An idea"})
    assert response.status_code == 403
    assert "not switched on participants&#39; pages" in response.get_data(as_text=True)
    assert db["idea"].count == 0


def test_an_idea_goes_to_the_participants_table(app, db, workshop, ids):
    store.update_workshop(db, workshop, {"participant_pages": True})
    store.update_item(
        db, "participant", workshop, ids["participant"], {"table_id": ids["tables"][1]}
    )
    client = participant_client(app, db, workshop, ids)
    early = client.post(f"/w/{workshop}/ideas", data={"text": "Too early"})
    assert early.status_code == 302
    assert flashes(client) == [("error", "There is no round on for you right now.")]
    day.start(db, workshop)
    for text, message in (
        ("   ", "A note needs some text."),
        ("x" * 2001, "An idea can hold up to 2,000 characters."),
    ):
        client.post(f"/w/{workshop}/ideas", data={"text": text})
        assert flashes(client) == [("error", message)]
    assert db["idea"].count == 0
    response = client.post(f"/w/{workshop}/ideas", data={"text": "Mentors for newcomers"})
    assert response.status_code == 302
    assert response.location.endswith(f"/w/{workshop}/me")
    [idea] = list(db["idea"].rows)
    assert (idea["table_id"], idea["round_id"], idea["status"], idea["text"]) == (
        ids["tables"][1],
        ids["rounds"][0],
        "pending",
        "Mentors for newcomers",
    )
    assert "participant_id" not in idea and "access_id" not in idea  # anonymous


# Feedback -------------------------------------------------------------------------------------


def test_parse_questions_reads_rating_and_text_lines():
    text = "rating: How useful was the day?\n\n  TEXT:   What should change?  \nrating:Pace"
    assert feedback.parse_questions(text) == [
        ("rating", "How useful was the day?"),
        ("text", "What should change?"),
        ("rating", "Pace"),
    ]


def test_parse_questions_lists_every_error():
    text = "rating: Fine\nscale: 1-10\nWhat next?\ntext:\ntext: " + "x" * 301
    with pytest.raises(store.InputError) as caught:
        feedback.parse_questions(text)
    message = caught.value.errors["questions"]
    for line in (2, 3, 4):
        assert f"Line {line}: start with “rating:” or “text:” and then the question." in message
    assert "Line 5: keep a question under 300 characters." in message
    with pytest.raises(store.InputError, match="up to 30 questions"):
        feedback.parse_questions("\n".join(f"rating: Q{n}" for n in range(31)))


def test_the_organiser_sets_the_questions_over_http(db, organiser, workshop):
    response = organiser.post(
        f"/w/{workshop}/feedback/setup",
        data={"questions": "rating: How useful was the day?\ntext: What should change?"},
    )
    assert response.status_code == 302
    assert [(q["kind"], q["text"]) for q in feedback.questions(db, workshop)] == [
        ("rating", "How useful was the day?"),
        ("text", "What should change?"),
    ]
    assert flashes(organiser) == [("success", "Saved.")]
    refused = organiser.post(
        f"/w/{workshop}/feedback/setup",
        data={"questions": "rating: Kept as typed?\nbad line\nalso bad"},
    )
    page = refused.get_data(as_text=True)
    assert refused.status_code == 200 and "Line 2:" in page and "Line 3:" in page
    # What was typed comes back in the box, not the saved questions: nothing to type again.
    assert "rating: Kept as typed?\nbad line\nalso bad</textarea>" in page
    assert len(feedback.questions(db, workshop)) == 2  # unchanged


@pytest.fixture
def form(db, workshop):
    """Participants' pages on and a form of one rating and one text question."""
    store.update_workshop(db, workshop, {"participant_pages": True})
    feedback.set_questions(db, workshop, "rating: How useful?\ntext: What next?")
    rating, text = feedback.questions(db, workshop)
    return rating["id"], text["id"]


def test_answers_are_kept_under_the_phones_own_key_replaced_not_duplicated(app, db, workshop, form):
    rating, text = form
    client = app.test_client()
    sign_in_grant(client, app, db, workshop, "participant")
    key = "0123456789abcdef0123456789abcdef"  # made and kept by the phone's script
    response = client.post(
        f"/w/{workshop}/feedback",
        data={"response": key, f"q{rating}": "4", f"q{text}": "More"},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 200 and response.get_json() == {"ok": True}
    # Sent again from the same phone: replaced; the emptied text answer is gone.
    client.post(
        f"/w/{workshop}/feedback", data={"response": key, f"q{rating}": "2", f"q{text}": ""}
    )
    answers = list(db["feedback_answer"].rows)
    assert [(a["question_id"], a["rating"], a["text"], a["response"]) for a in answers] == [
        (rating, 2, "", key)
    ]
    assert len(answers[0]["at"]) == 10  # the day only
    # A phone without scripts sends no key: each send is a response of its own.
    client.post(f"/w/{workshop}/feedback", data={"response": "not-a-key", f"q{rating}": "5"})
    keys = {a["response"] for a in db["feedback_answer"].rows}
    assert len(keys) == 2 and key in keys and "not-a-key" not in keys
    assert not {"access_id", "participant_id", "grant_id"} & set(db["feedback_answer"].columns_dict)


def test_a_refused_answer_shows_the_form_again_with_what_was_typed(app, db, workshop, form):
    rating, text = form
    client = app.test_client()
    sign_in_grant(client, app, db, workshop, "participant")
    response = client.post(
        f"/w/{workshop}/feedback", data={f"q{rating}": "6", f"q{text}": "Typed, not lost"}
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Choose a rating from 1 to 5." in html
    assert "Typed, not lost" in html
    assert db["feedback_answer"].count == 0
    client.post(f"/w/{workshop}/feedback", data={f"q{rating}": "5", f"q{text}": "Saved text"})
    again = client.get(f"/w/{workshop}/feedback").get_data(as_text=True)
    # Once stored, answers are never shown back (another phone with this link sees none).
    assert "checked" not in again and "Saved text" not in again
    assert db["feedback_answer"].count == 2


def test_the_organiser_sees_the_results(db, organiser, workshop, form):
    rating, text = form
    for response, value in (("a", "5"), ("b", "2")):
        feedback.save_answers(db, workshop, response, {f"q{rating}": value, f"q{text}": "Fine"})
    page = organiser.get(f"/w/{workshop}/feedback/setup")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "rating: How useful?\ntext: What next?" in html  # the form holds the questions
    assert "2 answers" in html
    assert "Mean: 3.5" in html


@pytest.mark.parametrize("value", ["0", "6", "3.5", "five", "-1"])
def test_ratings_are_1_to_5_only(db, workshop, form, value):
    rating, _text = form
    with pytest.raises(store.InputError) as caught:
        feedback.save_answers(db, workshop, "someone", {f"q{rating}": value})
    assert caught.value.errors == {"How useful?": "Choose a rating from 1 to 5."}
    assert db["feedback_answer"].count == 0


def test_a_long_text_answer_is_refused_and_nothing_is_kept(db, workshop, form):
    rating, text = form
    with pytest.raises(store.InputError, match="under 2000 characters"):
        feedback.save_answers(db, workshop, "someone", {f"q{rating}": "5", f"q{text}": "x" * 2001})
    assert db["feedback_answer"].count == 0


def test_results_count_ratings_and_give_the_mean(db, workshop, form):
    rating, text = form
    for response, value, words in (
        ("a", "5", "Great"),
        ("b", "4", ""),
        ("c", "4", "Ok"),
        ("d", "1", ""),
    ):
        feedback.save_answers(db, workshop, response, {f"q{rating}": value, f"q{text}": words})
    # a changes their mind and sends the form again, this time without the text.
    feedback.save_answers(db, workshop, "a", {f"q{rating}": "3"})
    on_rating, on_text = feedback.results(db, workshop)
    assert on_rating["answers"] == 4
    assert on_rating["counts"] == {1: 1, 2: 0, 3: 1, 4: 2, 5: 0}
    assert on_rating["mean"] == pytest.approx(3.0)
    assert on_text["answers"] == 1
    assert sorted(on_text["texts"]) == ["Ok"]


def test_results_without_answers_have_no_mean(db, workshop, form):
    assert feedback.results(db, workshop)[0]["mean"] is None


def test_changing_the_form_keeps_answers_of_questions_that_stay(db, workshop, form):
    rating, text = form
    feedback.save_answers(db, workshop, "a", {f"q{rating}": "5", f"q{text}": "Yes"})
    feedback.set_questions(db, workshop, "text: New question\nrating: How useful?")
    questions = feedback.questions(db, workshop)
    assert [(q["text"], q["position"]) for q in questions] == [
        ("New question", 1),
        ("How useful?", 2),
    ]
    assert questions[1]["id"] == rating
    assert [a["question_id"] for a in db["feedback_answer"].rows] == [rating]


def test_feedback_is_refused_while_participants_pages_are_off(app, db, workshop, form):
    store.update_workshop(db, workshop, {"participant_pages": False})
    client = app.test_client()
    sign_in_grant(client, app, db, workshop, "participant")
    rating, _text = form
    assert client.post(f"/w/{workshop}/feedback", data={f"q{rating}": "5"}).status_code == 403
    assert db["feedback_answer"].count == 0


def test_a_script_asking_for_json_gets_its_refusal_as_json(app, workshop):
    """A tablet's upload whose session has ended gets a reason it can show, not a page."""
    response = app.test_client().post(
        f"/w/{workshop}/photos", headers={"Accept": "application/json"}
    )
    assert response.status_code == 401
    assert response.json["error"].startswith("Please sign in first")


# The tablet page --------------------------------------------------------------------------------


def test_the_tablet_page_renders_for_a_moderator(app, db, workshop, moderator):
    page = moderator.get(f"/w/{workshop}/tablet")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f'data-workshop="{workshop}"' in html
    assert f'data-grant="{moderator.grant["id"]}"' in html
    assert f"/w/{workshop}/photos" in html
    assert "js/live/tablet.js" in html and "vendor/socket.io.min.js" in html
    assert "<script>" not in html  # no inline script: the CSP forbids it
    assert 'maxlength="10000"' in html


def test_the_service_worker_keeps_the_tablet_and_participant_pages_and_their_files(app, tmp_path):
    """Served by the app at the root, so its scope may cover /w/; a new version of a shell
    file gives a new worker (and a new cache)."""
    from kt_workshop.live import views

    worker = app.test_client().get("/service-worker.js")
    assert worker.status_code == 200
    assert worker.mimetype == "text/javascript"
    assert worker.headers["Cache-Control"] == "no-cache"
    body = worker.get_data(as_text=True)
    for name in ("js/live/tablet.js", "js/live/photo_outbox.js", "vendor/socket.io.min.js"):
        assert f"/static/{name}" in body
    assert r"/^\/w\/\d+\/(tablet|me)$/" in body
    folder = tmp_path / "static"
    for name in views.SHELL_FILES:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes((Path(app.static_folder) / name).read_bytes())
    assert views.shell_version(folder) == views.shell_version(app.static_folder)
    (folder / "js/live/tablet.js").write_text("// a new version of the tablet page\n")
    assert views.shell_version(folder) != views.shell_version(app.static_folder)


def test_the_tablet_page_is_for_moderators_of_this_workshop(app, db, workshop, organiser):
    other = store.create_workshop(db, {"title": "Other café"})
    stranger = app.test_client()
    sign_in_grant(stranger, app, db, other, "moderator")
    assert stranger.get(f"/w/{workshop}/tablet").status_code == 403
    assert organiser.get(f"/w/{workshop}/tablet").status_code == 403
    grant = access.create_grant(db, workshop, "moderator")
    access.revoke_grant(db, workshop, grant["id"])
    assert app.test_client().get(f"/w/{workshop}/tablet").status_code == 302


def test_a_photo_with_too_many_pixels_is_refused_without_decoding_it():
    """A small file that unpacks to an enormous image is not decoded."""
    import io as _io

    from PIL import Image

    from kt_workshop.live import views as live

    picture = _io.BytesIO()
    Image.new("1", (9000, 8000)).save(picture, "PNG")  # 72 megapixels, a few KB on disk
    with pytest.raises(ValueError, match="not a photo"):
        live.shrink_photo(picture.getvalue())
