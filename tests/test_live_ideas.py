"""Participants' ideas are never lost: undecided ones stay decidable after their round ends."""

from conftest import sign_in_grant

from kt_workshop import access, store
from kt_workshop.live import cells, day
from kt_workshop.plan import store as plan
from kt_workshop.reports.gather import gather


def setup_day(app, db, workshop):
    """Pages on, Zofia at Table 1, a second delegate there too, both signed in on phones."""
    store.update_workshop(db, workshop, {"participant_pages": True})
    table = store.list_items(db, "tables", workshop)[0]
    second = store.add_item(db, "participant", workshop, {"name": "Ola"})
    phones = []
    for person in store.list_items(db, "participant", workshop):
        store.update_item(db, "participant", workshop, person["id"], {"table_id": table["id"]})
        phone = app.test_client()
        sign_in_grant(
            app=app,
            client=phone,
            db=db,
            workshop_id=workshop,
            role="participant",
            participant_id=person["id"],
        )
        phones.append(phone)
    tablet = access.create_grant(db, workshop, "moderator", "Table 1", table_id=table["id"])
    return phones, tablet, table, second


def test_ideas_left_undecided_when_the_round_ends_stay_on_the_tablet_and_for_the_organiser(
    app, db, workshop, organiser
):
    phones, tablet, table, _second = setup_day(app, db, workshop)
    day.start(db, workshop)
    for number, phone in enumerate(phones):
        response = phone.post(f"/w/{workshop}/ideas", data={"text": f"Idea {number}"})
        assert response.status_code == 302
    assert [i["text"] for i in cells.tablet_cell(db, workshop, tablet)["ideas"]] == [
        "Idea 0",
        "Idea 1",
    ]

    day.advance(db, workshop)  # the organiser presses Next round

    waiting = cells.tablet_cell(db, workshop, tablet)["ideas"]
    assert [(i["text"], i["round"]) for i in waiting] == [
        ("Idea 0", "Morning round 1"),
        ("Idea 1", "Morning round 1"),
    ]
    # The moderator accepts one on the tablet: it becomes a note of round 1, not round 2.
    cells.decide_idea(db, workshop, tablet, waiting[0]["id"], True)
    note = next(iter(db["note"].rows_where("source = 'participant'")))
    assert note["round_id"] == plan.day_rounds(db, workshop)[0]["id"] and note["text"] == "Idea 0"

    # The organiser sees the other one, under its round, and decides it there.
    page = organiser.get(f"/w/{workshop}/ideas").get_data(as_text=True)
    assert "Morning round 1" in page and "Idea 1" in page and "1 waiting" in page
    response = organiser.post(
        f"/w/{workshop}/ideas/{waiting[1]['id']}/decide", data={"accept": "0"}
    )
    assert response.status_code == 302
    assert cells.tablet_cell(db, workshop, tablet)["ideas"] == []
    assert cells.idea_counts(db, workshop) == {
        "sent": 2,
        "accepted": 1,
        "dismissed": 1,
        "pending": 0,
    }
    again = organiser.post(f"/w/{workshop}/ideas/{waiting[1]['id']}/decide", data={"accept": "1"})
    assert again.status_code == 302
    assert "handled already" in organiser.get(f"/w/{workshop}/ideas").get_data(as_text=True)


def test_an_analyst_can_decide_an_idea_after_the_day_and_the_report_counts_them(app, db, workshop):
    phones, _tablet, _table, _second = setup_day(app, db, workshop)
    day.start(db, workshop)
    for text in ("Keep", "Undecided"):
        phones[0].post(f"/w/{workshop}/ideas", data={"text": text})
    day.advance(db, workshop)
    day.advance(db, workshop)  # the day is over
    analyst = app.test_client()
    sign_in_grant(analyst, app, db, workshop, "analyst")
    assert "Participants' ideas" in analyst.get(f"/w/{workshop}/me").get_data(as_text=True)
    first = next(iter(db["idea"].rows_where("text = 'Keep'")))
    analyst.post(f"/w/{workshop}/ideas/{first['id']}/decide", data={"accept": "1"})

    data = gather(db, workshop)
    assert data.ideas == {"sent": 2, "accepted": 1, "dismissed": 0, "pending": 1}
    assert any(n.text == "Keep" for n in data.notes)
    import io

    from docx import Document

    from kt_workshop.reports.word import write_report

    text = "\n".join(p.text for p in Document(io.BytesIO(write_report(data, {}))).paragraphs)
    # Each outcome in its own number, none said of nothing (was: "1 became notes, 0 were set
    # aside and 1 were not decided").
    assert (
        "Participants sent 2 ideas from their phones. 1 of them became a note."
        " 1 of them was not decided." in text
    )


def test_a_refused_idea_keeps_its_text_and_a_burst_of_ideas_is_slowed(app, db, workshop):
    phones, _tablet, _table, _second = setup_day(app, db, workshop)
    phone = phones[0]
    phone.post(f"/w/{workshop}/ideas", data={"text": "Typed before the round"})
    page = phone.get(f"/w/{workshop}/me").get_data(as_text=True)
    assert "no round on for you" in page and "Typed before the round</textarea>" in page

    day.start(db, workshop)
    for number in range(8):
        phone.post(f"/w/{workshop}/ideas", data={"text": f"Quick {number}"})
    page = phone.get(f"/w/{workshop}/me").get_data(as_text=True)
    assert db["idea"].count == 5
    assert "wait a minute" in page and "Quick 7</textarea>" in page


def test_a_personal_link_made_without_a_label_is_labelled_with_its_delegate(
    app, db, workshop, organiser
):
    person = store.list_items(db, "participant", workshop)[0]
    organiser.post(
        f"/w/{workshop}/access", data={"role": "participant", "participant_id": person["id"]}
    )
    grant = next(g for g in access.list_grants(db, workshop) if g["participant_id"])
    assert grant["label"] == person["name"]
