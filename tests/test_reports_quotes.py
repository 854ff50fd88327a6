"""The organiser's review before publishing, as the organiser does it on the page: a key quote
approved in edited words (the note as written kept), a moderator's paraphrase that is not
printed as a quotation, a dropped quote, a note left out as housekeeping, a held note let in;
and what the Word report then prints."""

import io

from docx import Document

from kt_workshop import store
from kt_workshop.coding import codebook
from kt_workshop.coding import codes as coding
from kt_workshop.live import notes
from kt_workshop.reports import publishing
from kt_workshop.reports.gather import gather
from kt_workshop.reports.word import write_report
from tests.conftest import sign_in_grant


def add_note(db, workshop_id, kind, text, held=False):
    block = store.programme(db, workshop_id)[0]
    cell = {
        "round_id": block["rounds"][0]["id"],
        "table_id": store.list_items(db, "tables", workshop_id)[0]["id"],
        "question_id": block["questions"][0]["id"],
    }
    note_id, _change = notes.store_note(
        db, workshop_id, cell, kind=kind, text=text, source="tablet", starred=False
    )
    if held:
        db["note"].update(note_id, {"held": 1})
    return note_id


def report_text(db, workshop_id) -> tuple[str, list[str]]:
    doc = Document(io.BytesIO(write_report(gather(db, workshop_id), {})))
    quotes = [p.text for p in doc.paragraphs if p.style.name == "Quote"]
    return "\n".join(p.text for p in doc.paragraphs), quotes


def test_the_organiser_reviews_quotes_and_notes_before_the_report_goes_out(organiser, db, workshop):
    said = add_note(db, workshop, "quote", '"We need money, not pilots." (helpline manager)')
    challenge = add_note(db, workshop, "challenge", "Funding ends after the pilot year.")
    dropped = add_note(db, workshop, "quote", "Off the record, this is a mess.")
    chores = add_note(db, workshop, "insight", "Photo of the flipchart taken.")
    held = add_note(db, workshop, "idea", "Pool funding across regions.", held=True)
    analyst = coding.analyst_for(db, workshop, "organiser")["id"]
    theme = codebook.create_theme(db, workshop, {"name": "Funding"}, "organiser")
    coding.code_notes(db, workshop, analyst, [said, challenge, dropped, held], theme)
    for note_id in (said, challenge, dropped):
        coding.set_quote(db, workshop, note_id, analyst, True)  # an analyst's "q"

    # Marked by an analyst is not published: nothing is quoted until the organiser says so.
    text, quotes = report_text(db, workshop)
    assert quotes == []
    assert "Pool funding across regions." not in text  # held back on the day: out
    page = organiser.get(f"/w/{workshop}/report").get_data(as_text=True)
    assert "3 key quotes wait for your review" in page
    review = organiser.get(f"/w/{workshop}/report/review").get_data(as_text=True)
    assert "3 waiting for review" in review
    assert "This may say who spoke: “(helpline manager)”" in review
    assert "printed as paraphrase" in review  # the challenge is the moderator's words

    edited = '"We need money, not pilots."'
    for note_id, decision, words in (
        (said, "approve", edited),
        (challenge, "approve", "Funding ends after the pilot year."),
        (dropped, "drop", ""),
    ):
        response = organiser.post(
            f"/w/{workshop}/report/review/quote",
            data={"note_id": note_id, "decision": decision, "text": words},
        )
        assert response.status_code == 302
    organiser.post(
        f"/w/{workshop}/report/review/note",
        data={"note_id": chores, "decision": "housekeeping"},
    )
    organiser.post(
        f"/w/{workshop}/report/review/note", data={"note_id": held, "decision": "include"}
    )

    text, quotes = report_text(db, workshop)
    assert set(quotes) == {  # under the question and under the theme
        f"“We need money, not pilots.” (note N{said})",
        f"Funding ends after the pilot year. (paraphrase, note N{challenge})",
    }
    assert "helpline manager" not in text  # not in the quote, not in the appendix
    assert "Off the record" in text and "Off the record" not in "\n".join(quotes)
    assert "Photo of the flipchart" not in text
    assert "The organiser left 1 note out of the report (Housekeeping: 1)." in text
    assert "Pool funding across regions." in text  # let in by the organiser
    assert "1 note was edited for publication" in text
    # The note as written is kept: the tablet's text and the archive are unchanged.
    row = db["note"].get(said)
    assert row["text"] == '"We need money, not pilots." (helpline manager)'
    decided = publishing.decisions(db, workshop)
    assert decided[said].published_text == edited and decided[dropped].quote == "dropped"
    # Put back in, a left-out note reappears; a blank reason is refused with a message.
    response = organiser.post(
        f"/w/{workshop}/report/review/note",
        data={"note_id": challenge, "decision": "exclude", "reason": "  "},
        follow_redirects=True,
    )
    assert "Say why the note is left out of the report." in response.get_data(as_text=True)
    organiser.post(
        f"/w/{workshop}/report/review/note", data={"note_id": chores, "decision": "include"}
    )
    assert "Photo of the flipchart taken." in report_text(db, workshop)[0]


def test_only_the_organiser_reviews(app, db, workshop):
    client = app.test_client()
    sign_in_grant(client, app, db, workshop, "analyst")
    assert client.get(f"/w/{workshop}/report/review").status_code == 403
    note_id = add_note(db, workshop, "quote", "Words.")
    response = client.post(
        f"/w/{workshop}/report/review/quote", data={"note_id": note_id, "decision": "approve"}
    )
    assert response.status_code == 403
    assert publishing.decisions(db, workshop) == {}


def test_a_note_from_another_workshop_or_no_note_is_a_clear_message(organiser, db, workshop):
    other = store.create_workshop(db, {"title": "Other"})
    response = organiser.post(
        f"/w/{other}/report/review/quote",
        data={"note_id": "999", "decision": "approve"},
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "No such note in this workshop." in response.get_data(as_text=True)


def test_attributions_are_found_and_taken_out():
    assert publishing.attribution('"Enough." (helpline manager)') == "(helpline manager)"
    assert publishing.attribution("Czech delegate: police and health") == "Czech delegate:"
    assert publishing.attribution("Teams (police, probation, health) meet.") == ""
    assert publishing.without_attribution("A Polish delegate explained that it works.") == (
        "A delegate explained that it works."
    )
    assert publishing.without_attribution("Czech delegate: police talk.") == "Police talk."


def test_front_matter_and_glossary_are_kept_with_the_workshop(organiser, db, workshop):
    page = organiser.get(f"/w/{workshop}/report").get_data(as_text=True)
    assert "Not set yet: Authors, Funder statement, How to cite, Licence, Contact." in page
    response = organiser.post(
        f"/w/{workshop}/report/front",
        data={
            "authors": "A. Author",
            "funder": "Funded by the Fund.",
            "citation": "Author (2026).",
            "licence": "CC BY 4.0",
            "contact": "a@example.org",
            "executive_summary": "It went well.",
            "locale": "en_GB",
            "glossary": "KPI: key performance indicator\nCSAM – child sexual abuse material",
        },
        follow_redirects=True,
    )
    assert "Saved: the next report uses it." in response.get_data(as_text=True)
    data = gather(db, workshop)
    assert data.front.authors == "A. Author" and data.locale == "en_GB"
    assert data.glossary == [
        ("KPI", "key performance indicator"),
        ("CSAM", "child sexual abuse material"),
    ]
    page = organiser.get(f"/w/{workshop}/report").get_data(as_text=True)
    assert "Not set yet" not in page
    bad = organiser.post(
        f"/w/{workshop}/report/front", data={"glossary": "no meaning here"}, follow_redirects=True
    )
    assert "Line 1: write the term, a colon and its meaning" in bad.get_data(as_text=True)
    assert gather(db, workshop).glossary  # a refused form changes nothing
