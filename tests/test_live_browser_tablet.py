"""In a real Chromium: a note that looks like HTML is shown as typed on the tablet. (Notes made
offline, sent once when back, are in the dress rehearsal, test_live_browser_rehearsal.py.)"""

import re

import pytest
from playwright.sync_api import expect

from kt_workshop import access, store
from kt_workshop.db import open_db
from kt_workshop.live import day
from kt_workshop.plan import store as plan
from tests.conftest import LiveServer

pytestmark = pytest.mark.browser


@pytest.fixture
def day_server(tmp_path):
    """A server with the demo workshop as on the morning of the day: planned, its first round
    running, and none of the notes the demo carries from the day yet."""
    server = LiveServer(tmp_path, demo=True)
    db = open_db(server.db_path)
    db.execute("DELETE FROM note")
    plan.make_plan(db, 1)
    day.start(db, 1)
    server.db = db
    yield server
    db.close()
    server.stop()


def table_link(server) -> str:
    """A join link for Group 1's tablet, as the organiser would print it."""
    key = (server.db_path.parent / "secret_key").read_text().strip()  # beside the database
    table = store.list_items(server.db, "tables", 1)[0]
    grant = access.create_grant(server.db, 1, "moderator", table["name"], table_id=table["id"])
    return f"{server.url}/join/{access.grant_token(key, grant)}"


def test_a_hostile_note_is_shown_as_text(day_server, browser):
    """A note that looks like HTML is shown as the characters typed, never run."""
    context = browser.new_context()
    tablet = context.new_page()
    tablet.goto(table_link(day_server))
    tablet.goto(f"{day_server.url}/w/1/tablet")
    expect(tablet.locator("#connection")).to_have_text("Connected")
    hostile = "<img src=x onerror=\"document.title='pwned'\">"
    tablet.locator("#note-text").fill(hostile)
    tablet.get_by_role("button", name="Add note").click()
    expect(tablet.locator("#notes .note-text").first).to_have_text(hostile)
    expect(tablet.locator("#save-state")).to_have_text("All saved")
    assert tablet.title() != "pwned" and not re.search("pwned", tablet.title())
    context.close()
