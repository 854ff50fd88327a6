"""In a real Chromium on a phone: feedback typed with no network is kept and sent later."""

import pytest
from playwright.sync_api import expect

from kt_workshop import access, store
from kt_workshop.db import open_db
from kt_workshop.live import feedback

pytestmark = pytest.mark.browser


def test_feedback_sent_offline_waits_on_the_phone_and_arrives_once(live_server, browser, page):
    db = open_db(live_server.db_path)
    workshop = store.create_workshop(db, {"title": "Feedback café", "participant_pages": True})
    person = store.add_item(db, "participant", workshop, {"name": "Ada"})
    access.create_grant(db, workshop, "participant", "Ada's phone", participant_id=person)
    feedback.set_questions(db, workshop, "rating: How useful?\ntext: What next?")
    page.goto(live_server.signin_url)
    page.goto(f"{live_server.url}/w/{workshop}/access")
    link = page.locator("tr", has=page.get_by_text("Ada's phone")).locator(".copy-link")
    link = link.input_value()

    phone_context = browser.new_context(viewport={"width": 390, "height": 844})
    phone = phone_context.new_page()
    phone.goto(link)
    phone.goto(f"{live_server.url}/w/{workshop}/feedback")
    expect(phone.locator("#anonymous")).to_contain_text("random number")
    phone.locator("label.kind", has_text="4").click()
    phone.locator("textarea").fill("Longer breaks")
    phone_context.set_offline(True)
    phone.get_by_role("button", name="Send my answers").click()
    expect(phone.locator("#feedback-status")).to_contain_text("kept on this phone")
    assert db["feedback_answer"].count == 0
    # Back on the network, the kept answers go by themselves, once.
    phone_context.set_offline(False)
    expect(phone.locator("#feedback-status")).to_contain_text("Thank you", timeout=40000)
    rows = sorted(db["feedback_answer"].rows, key=lambda a: a["question_id"])
    assert [(a["rating"], a["text"]) for a in rows] == [(4, ""), (None, "Longer breaks")]
    key = rows[0]["response"]
    assert phone.evaluate(f"Object.values(localStorage).some((v) => v.includes('{key}'))"), (
        "the key stays on the phone"
    )
    # Nothing is shown back: the form is empty again, also after a reload.
    phone.reload()
    assert phone.locator("textarea").input_value() == ""
    assert phone.locator("input[type=radio]:checked").count() == 0
    phone_context.close()
    db.close()
