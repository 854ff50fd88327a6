"""In a real Chromium: a re-plan mid-day reaches the projector and a participant's phone live."""

import pytest
from playwright.sync_api import expect

from kt_workshop import access, store
from kt_workshop.db import open_db
from kt_workshop.live import day
from kt_workshop.plan import grid as plan_view
from kt_workshop.plan import store as plan

pytestmark = pytest.mark.browser


def arrange(path) -> tuple[int, str, str]:
    """A travelling café of 24 at 6 tables over 4 rounds, round 1 on, pages switched on;
    returns the workshop, the delegate who carries a phone and their round-2 table."""
    db = open_db(path)
    workshop = store.create_workshop(
        db, {"title": "Live café", "format": "travelling", "participant_pages": True}
    )
    for n in range(1, 7):
        store.add_item(db, "tables", workshop, {"name": f"Table {n}", "capacity": 6})
    for title in ("Morning", "Afternoon"):
        block = store.add_block(db, workshop, {"title": title}, rounds=2, minutes=20)
        store.add_item(db, "question", workshop, {"text": f"{title} question", "block_id": block})
    store.add_delegates(db, workshop, [{"name": f"Person {i:02}"} for i in range(24)])
    plan.make_plan(db, workshop, time_limit=0.2)
    day.start(db, workshop)
    person = next(
        p for p in store.list_items(db, "participant", workshop) if p["name"] == "Person 03"
    )
    access.create_grant(
        db, workshop, "participant", "Phone of Person 03", participant_id=person["id"]
    )
    table = plan_view.schedule_for(db, workshop, participant_id=person["id"])[1]["table"]
    db.close()
    return workshop, person["id"], table


def tablet_link(server, workshop: int, table_name: str) -> str:
    """A join link for a table's tablet, as the organiser would print it."""
    db = open_db(server.db_path)
    key = (server.db_path.parent / "secret_key").read_text().strip()
    table = next(t for t in store.list_items(db, "tables", workshop) if t["name"] == table_name)
    grant = access.create_grant(db, workshop, "moderator", table_name, table_id=table["id"])
    db.close()
    return f"{server.url}/join/{access.grant_token(key, grant)}"


def test_a_replan_reaches_the_projector_and_the_phone_without_a_reload(live_server, browser, page):
    workshop, person_id, table = arrange(live_server.db_path)
    page.goto(live_server.signin_url)
    base = f"{live_server.url}/w/{workshop}"
    page.goto(f"{base}/access")
    row = page.locator("tr", has=page.get_by_text("Phone of Person 03"))
    link = row.locator(".copy-link").input_value()

    projector = page.context.new_page()
    projector.goto(f"{base}/projector")
    expect(projector.locator(".next-card")).to_have_count(6)
    expect(projector.locator(".next-card").filter(has_text=table)).to_have_count(1)

    phone_context = browser.new_context(viewport={"width": 390, "height": 844})
    phone = phone_context.new_page()
    phone.goto(link)
    expect(phone.locator(".day-round.is-now .day-badge")).to_have_text("Now")
    expect(phone.locator(".day-round.is-next .day-table")).to_have_text(table)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390

    # An idea sent from the phone in round 1, which nobody decides before the round ends.
    phone.locator("#idea-text").fill("Idea from round 1")
    phone.get_by_role("button", name="Send without my name").click()
    expect(phone.get_by_text("your idea went to your table's moderator")).to_be_visible()
    first_table = phone.locator(".day-round.is-now .day-table").inner_text()

    # The organiser closes that table for the rest of the day and re-plans from round 2.
    page.bring_to_front()
    page.goto(f"{base}/plan")
    box = page.locator("#replan")
    box.locator("select[name=from_round]").select_option(label="Morning round 2")
    box.locator("select[name=close]").select_option(label=table)
    box.get_by_role("button", name="Re-plan from this round").click()
    expect(page.locator("#replan-outcome")).to_contain_text("Re-planned from Morning round 2")
    expect(page.locator("#replan-outcome")).to_contain_text("Person 03")

    # No reload anywhere: the projector drops the closed table, the phone says it moved.
    expect(projector.locator(".next-card")).to_have_count(5)
    expect(projector.locator(".next-card").filter(has_text=table)).to_have_count(0)
    expect(phone.locator("#day-changed")).to_contain_text("Your table changed")
    expect(phone.locator("#day-changed")).to_contain_text("Morning round 2")
    expect(phone.locator(".day-round.is-next .day-table")).not_to_have_text(table)
    phone_context.close()

    # Round 2 starts: the idea waits on round 1's tablet under its round; the closed table's
    # tablet says it is closed and takes no notes.
    db = open_db(live_server.db_path)
    day.advance(db, workshop)
    db.close()
    # A browser of its own: a join link opened where the organiser is signed in asks first.
    tablet = page.context.browser.new_context().new_page()
    tablet.goto(tablet_link(live_server, workshop, first_table))
    tablet.goto(f"{live_server.url}/w/{workshop}/tablet")
    expect(tablet.locator("#ideas li")).to_contain_text("Idea from round 1")
    expect(tablet.locator("#ideas .idea-round")).to_have_text("Morning round 1")
    closed = page.context.browser.new_context().new_page()
    closed.goto(tablet_link(live_server, workshop, table))
    closed.goto(f"{live_server.url}/w/{workshop}/tablet")
    expect(closed.locator("#cell-where")).to_contain_text("closed")
    expect(closed.locator("#note-add")).to_be_disabled()
