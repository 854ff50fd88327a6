"""The participant's start page (itinerary, anonymous idea, feedback link) and the feedback form."""

import re

import pytest
from conftest import sign_in_grant

from kt_workshop import store
from kt_workshop.live import day, feedback


def participant_pages(db, workshop_id: int, on: bool = True) -> None:
    """Let participants have their own pages (or not)."""
    store.update_workshop(db, workshop_id, {"participant_pages": on})


@pytest.fixture
def zofia(db, workshop) -> int:
    """The workshop's delegate, seated at Table 1."""
    table = store.list_items(db, "tables", workshop)[0]
    person = store.list_items(db, "participant", workshop)[0]
    store.update_item(db, "participant", workshop, person["id"], {"table_id": table["id"]})
    return person["id"]


@pytest.fixture
def participant(app, db, workshop, zofia):
    """A test client signed in as the delegate, through a participant join link."""
    client = app.test_client()
    sign_in_grant(client, app, db, workshop, "participant", participant_id=zofia)
    return client


def form_token(page: str) -> str:
    """The CSRF token in the idea form."""
    form = page[page.index('id="send-idea"') :]
    return re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)


# The start page --------------------------------------------------------------------------------


def test_with_pages_on_a_participant_gets_the_idea_form_and_the_feedback_link(
    participant, db, workshop
):
    participant_pages(db, workshop)
    page = participant.get(f"/w/{workshop}/me").get_data(as_text=True)

    assert f'action="/w/{workshop}/ideas"' in page
    assert 'name="text"' in page and 'name="csrf_token"' in page
    assert "without your name" in page and "moderator decides" in page
    assert f'href="/w/{workshop}/feedback"' in page
    assert f"/w/{workshop}/tablet" not in page


def test_with_pages_off_a_participant_sees_neither_and_the_form_is_refused(
    participant, db, workshop
):
    participant_pages(db, workshop, on=False)
    page = participant.get(f"/w/{workshop}/me").get_data(as_text=True)

    assert f"/w/{workshop}/ideas" not in page
    assert f"/w/{workshop}/feedback" not in page
    assert participant.get(f"/w/{workshop}/feedback").status_code == 403


def test_the_itinerary_shows_once_pages_are_on_and_the_plan_has_a_place_for_them(
    participant, db, workshop, zofia
):
    assert 'id="your-day"' not in participant.get(f"/w/{workshop}/me").get_data(as_text=True)
    participant_pages(db, workshop)
    page = participant.get(f"/w/{workshop}/me").get_data(as_text=True)

    assert 'id="your-day"' in page and 'id="send-idea"' in page
    assert "Morning" in page and "js/join/me.js" in page
    participant_pages(db, workshop, on=False)
    assert 'id="your-day"' not in participant.get(f"/w/{workshop}/me").get_data(as_text=True)


def test_a_moderator_gets_a_big_link_to_the_tablet_page_but_no_idea_form(app, db, workshop):
    participant_pages(db, workshop)
    table = store.list_items(db, "tables", workshop)[0]
    client = app.test_client()
    sign_in_grant(client, app, db, workshop, "moderator", table_id=table["id"])

    page = client.get(f"/w/{workshop}/me").get_data(as_text=True)

    assert re.search(rf'<a class="button big" href="/w/{workshop}/tablet">', page)
    assert f"/w/{workshop}/ideas" not in page


def test_an_idea_sent_from_the_start_page_reaches_the_current_table_without_a_name(
    app, participant, db, workshop
):
    participant_pages(db, workshop)
    day.start(db, workshop)
    app.config["WTF_CSRF_ENABLED"] = True  # the form must carry its token
    page = participant.get(f"/w/{workshop}/me").get_data(as_text=True)

    response = participant.post(
        f"/w/{workshop}/ideas",
        data={"text": "Ask <helplines> first", "csrf_token": form_token(page)},
    )

    assert response.status_code == 302 and response.location.endswith(f"/w/{workshop}/me")
    ideas = list(db["idea"].rows)
    table = store.list_items(db, "tables", workshop)[0]
    assert [(i["text"], i["table_id"], i["status"]) for i in ideas] == [
        ("Ask <helplines> first", table["id"], "pending")
    ]
    assert "Zofia" not in str(ideas)
    after = participant.get(f"/w/{workshop}/me").get_data(as_text=True)
    assert "without your name" in after


def test_an_idea_without_a_round_on_is_refused_with_a_message(participant, db, workshop):
    participant_pages(db, workshop)
    response = participant.post(f"/w/{workshop}/ideas", data={"text": "Too early"})
    assert response.status_code == 302
    page = participant.get(f"/w/{workshop}/me").get_data(as_text=True)
    assert "no round on for you" in page
    assert list(db["idea"].rows) == []


# The feedback form -----------------------------------------------------------------------------


def test_feedback_round_trip_from_setup_to_results(organiser, participant, db, workshop):
    participant_pages(db, workshop)
    response = organiser.post(
        f"/w/{workshop}/feedback/setup",
        data={"questions": "rating: How useful was the day?\ntext: What would you change?"},
    )
    assert response.status_code == 302
    setup = organiser.get(f"/w/{workshop}/feedback/setup").get_data(as_text=True)
    assert "rating: How useful was the day?\ntext: What would you change?\n</textarea>" in setup

    rating, text = feedback.questions(db, workshop)
    form = participant.get(f"/w/{workshop}/feedback").get_data(as_text=True)
    assert form.count(f'type="radio" name="q{rating["id"]}"') == 5
    assert f'<textarea id="q{text["id"]}" name="q{text["id"]}"' in form

    response = participant.post(
        f"/w/{workshop}/feedback",
        data={f"q{rating['id']}": "4", f"q{text['id']}": "More time <b>please</b>"},
    )
    assert response.status_code == 302

    again = participant.get(f"/w/{workshop}/feedback").get_data(as_text=True)
    assert "checked" not in again and "More time" not in again  # never shown back
    assert "What “anonymous” means here" in again

    results = organiser.get(f"/w/{workshop}/feedback/setup").get_data(as_text=True)
    assert "1 answer" in results
    assert re.search(r'<td class="num">4</td><td class="num">1</td>', results)
    assert "Mean: 4" in results
    assert "More time &lt;b&gt;please&lt;/b&gt;" in results


def test_a_refused_answer_keeps_what_was_typed(participant, db, workshop):
    participant_pages(db, workshop)
    feedback.set_questions(db, workshop, "rating: Venue?\ntext: Anything else?")
    rating, text = feedback.questions(db, workshop)

    response = participant.post(
        f"/w/{workshop}/feedback",
        data={f"q{rating['id']}": "9", f"q{text['id']}": "Kept as typed"},
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Choose a rating from 1 to 5" in page
    assert "Kept as typed</textarea>" in page
    assert list(db["feedback_answer"].rows) == []


def test_feedback_setup_shows_the_mean_of_several_ratings_and_says_when_pages_are_off(
    organiser, db, workshop
):
    feedback.set_questions(db, workshop, "rating: Useful?")
    field = f"q{feedback.questions(db, workshop)[0]['id']}"
    for number, value in enumerate(("5", "4", "4")):
        feedback.save_answers(db, workshop, f"response-{number}", {field: value})

    page = organiser.get(f"/w/{workshop}/feedback/setup").get_data(as_text=True)

    assert "3 answers" in page
    assert "Mean: 4.3" in page
    assert re.search(r'<td class="num">4</td><td class="num">2</td>', page)
    assert "pages are switched off" in page
