"""In a real Chromium: a moderator's tablet keeps notes made offline and sends them once."""

import re
import time

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


def saved_texts(db) -> list[str]:
    """The texts of the notes in the database, oldest first."""
    return [row[0] for row in db.execute("SELECT text FROM note ORDER BY id").fetchall()]


def test_notes_made_offline_arrive_once_when_the_tablet_is_back(day_server, browser):
    """Offline: notes wait on the tablet and are listed; online again: all saved, once each."""
    context = browser.new_context(viewport={"width": 800, "height": 1280})
    tablet = context.new_page()
    tablet.goto(table_link(day_server))
    tablet.goto(f"{day_server.url}/w/1/tablet")
    expect(tablet.locator("#cell-where")).to_contain_text("Group 1")
    expect(tablet.locator("#cell-question")).not_to_be_empty()
    expect(tablet.locator("#connection")).to_have_text("Connected")

    context.set_offline(True)
    tablet.get_by_text("Offline").wait_for(timeout=15000)
    for text in ("Funding follows evidence", "Wir brauchen gemeinsame Begriffe", "Zaufanie 🙂"):
        tablet.locator("#note-text").fill(text)
        tablet.get_by_role("button", name="Add note").click()
    tablet.get_by_text("3 waiting").wait_for()
    assert tablet.locator("#waiting-list li").count() == 3
    assert saved_texts(day_server.db) == []

    context.set_offline(False)
    tablet.get_by_text("All saved").wait_for(timeout=20000)
    deadline = time.monotonic() + 10
    while len(saved_texts(day_server.db)) < 3 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert saved_texts(day_server.db) == [
        "Funding follows evidence",
        "Wir brauchen gemeinsame Begriffe",
        "Zaufanie 🙂",
    ]
    tablet.reload()
    expect(tablet.locator("#notes li")).to_have_count(3)
    expect(tablet.locator("#save-state")).to_have_text("All saved")
    assert len(saved_texts(day_server.db)) == 3
    context.close()


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
