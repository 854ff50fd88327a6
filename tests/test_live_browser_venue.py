"""In a real Chromium, the day in a real venue, in the detail the dress rehearsal
(test_live_browser_rehearsal.py) leaves out: a photo that cannot go says why, with retry and
discard; the capture area in view at three tablet sizes; the projector's stars and undo and
the control room's dots. The offline reload, the revoked link and HTTPS are in the rehearsal."""

import io
import re
import time

import pytest
from PIL import Image
from playwright.sync_api import expect

from kt_workshop import access, store
from kt_workshop.db import open_db
from kt_workshop.live import day
from kt_workshop.plan import store as plan
from tests.conftest import LiveServer

pytestmark = pytest.mark.browser


def day_server(tmp_path, **options):
    """A server with the demo workshop on the morning of the day: planned, its first round
    running, and no notes or photos yet."""
    server = LiveServer(tmp_path, demo=True, **options)
    db = open_db(server.db_path)
    db.execute("DELETE FROM note")
    db.execute("DELETE FROM photo")
    db.execute("DELETE FROM change WHERE kind IN ('note', 'photo')")  # replayed by catch_up
    db.conn.commit()
    plan.make_plan(db, 1)
    day.start(db, 1)
    server.db = db
    return server


@pytest.fixture
def venue(tmp_path):
    server = day_server(tmp_path)
    yield server
    server.db.close()
    server.stop()


def table_grant(server, index=0):
    """A join link for a group's tablet, as the organiser would print it: (grant, link)."""
    key = (server.db_path.parent / "secret_key").read_text().strip()
    table = store.list_items(server.db, "tables", 1)[index]
    grant = access.create_grant(server.db, 1, "moderator", table["name"], table_id=table["id"])
    return grant, f"{server.url}/join/{access.grant_token(key, grant)}"


def open_tablet(context, server, index=0):
    """A tablet page signed in with a group's link; returns (page, grant)."""
    grant, link = table_grant(server, index)
    tablet = context.new_page()
    tablet.goto(link)
    tablet.goto(f"{server.url}/w/1/tablet")
    expect(tablet.locator("#connection")).to_have_text("Connected")
    expect(tablet.locator("#cell-where")).to_contain_text(f"Group {index + 1}")
    return tablet, grant


def jpeg(width=2400, height=1800) -> bytes:
    """A real camera-sized JPEG."""
    out = io.BytesIO()
    image = Image.new("RGB", (width, height), (240, 240, 230))
    for x in range(0, width, 40):
        image.paste((20, 60, 160), (x, 0, x + 8, height))
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def wait_for(check, seconds=15):
    """Wait until check() is true (the server writes on its own thread)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return check()


def photos(db):
    return db.execute("SELECT width, height, table_id FROM photo ORDER BY id").fetchall()


def signed_in_organiser(context, server):
    page = context.new_page()
    page.goto(server.signin_url.split()[-1])
    return page


def test_a_photo_arrives_and_one_that_cannot_says_why_with_retry_and_discard(venue, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    tablet, grant = open_tablet(context, venue)
    organiser_context = browser.new_context(viewport={"width": 1280, "height": 800})
    control = signed_in_organiser(organiser_context, venue)
    control.goto(f"{venue.url}/w/1/live")
    group = control.locator(f'.table-state[data-table="{grant["table_id"]}"]')
    expect(group.locator('[data-slot="tablets"]')).to_contain_text(
        "tablet connected", timeout=15000
    )

    # A camera photo is made smaller on the tablet and arrives: no data: URL, no CSP error.
    errors = []
    tablet.on("console", lambda message: message.type == "error" and errors.append(message.text))
    tablet.locator("#photo-input").set_input_files(
        {"name": "flipchart.jpg", "mimeType": "image/jpeg", "buffer": jpeg()}
    )
    assert wait_for(lambda: len(photos(venue.db)) == 1)
    expect(tablet.locator("#save-state")).to_have_text("All saved")
    assert photos(venue.db) == [(1600, 1200, grant["table_id"])]
    assert not [e for e in errors if "Content Security Policy" in e]

    # The server refuses the next one: the tablet says why and offers retry and discard, and
    # the control room counts it as waiting on the tablet.
    tablet.route(
        "**/w/1/photos",
        lambda route: route.fulfill(
            status=413, json={"ok": False, "error": "The photo is over 15 MB."}
        ),
    )
    tablet.locator("#photo-input").set_input_files(
        {"name": "second.jpg", "mimeType": "image/jpeg", "buffer": jpeg(1200, 900)}
    )
    expect(tablet.locator("#save-state")).to_have_text("1 not sent")
    waiting = tablet.locator("#waiting-list .photo-waiting")
    expect(waiting).to_contain_text("The photo is over 15 MB.")
    expect(group.locator('[data-slot="waiting"]')).to_have_text("1 waiting on a tablet")

    # Retried once the problem is gone, it arrives, and nothing waits any more.
    tablet.unroute("**/w/1/photos")
    waiting.get_by_role("button", name="Retry").click()
    expect(tablet.locator("#save-state")).to_have_text("All saved")
    assert wait_for(lambda: len(photos(venue.db)) == 2)
    expect(group.locator('[data-slot="waiting"]')).to_have_text("nothing waiting")

    # A photo that cannot go can be discarded: the indicator never sticks.
    tablet.route("**/w/1/photos", lambda route: route.fulfill(status=400, body="Bad Request"))
    tablet.locator("#photo-input").set_input_files(
        {"name": "third.jpg", "mimeType": "image/jpeg", "buffer": jpeg(800, 600)}
    )
    expect(tablet.locator("#save-state")).to_have_text("1 not sent")
    expect(waiting).to_contain_text("400")
    tablet.once("dialog", lambda dialog: dialog.accept())
    waiting.get_by_role("button", name="Discard").click()
    expect(tablet.locator("#save-state")).to_have_text("All saved")
    expect(group.locator('[data-slot="waiting"]')).to_have_text("nothing waiting")

    # Offline, a photo waits (kept in IndexedDB through a reload) and goes by itself later.
    tablet.unroute("**/w/1/photos")
    context.set_offline(True)
    tablet.locator("#photo-input").set_input_files(
        {"name": "fourth.jpg", "mimeType": "image/jpeg", "buffer": jpeg(1000, 800)}
    )
    expect(tablet.locator("#save-state")).to_have_text("1 waiting")
    context.set_offline(False)
    tablet.reload()
    expect(tablet.locator("#save-state")).to_have_text("All saved", timeout=20000)
    assert wait_for(lambda: len(photos(venue.db)) == 3)
    context.close()
    organiser_context.close()


def tablet_is_kept_for_offline(tablet, path=None) -> bool:
    """True once the service worker is active and keeps a copy of the page (the next load,
    online or not, goes through it)."""
    return tablet.evaluate(
        """async () => {
          const registration = await navigator.serviceWorker.getRegistration("/w/");
          if (!registration || !registration.active) return false;
          for (const name of await caches.keys()) {
            const cache = await caches.open(name);
            if (await cache.match(path || location.pathname, { ignoreVary: true })) return true;
          }
          return false;
        }""".replace("async () =>", "async (path) =>"),
        path,
    )


@pytest.mark.parametrize(
    "size", [(1280, 800), (1280, 500), (800, 1280)], ids=["landscape", "keyboard-up", "portrait"]
)
def test_the_capture_area_is_in_view_without_scrolling(venue, browser, size):
    width, height = size
    context = browser.new_context(viewport={"width": width, "height": height})
    tablet, _grant = open_tablet(context, venue)
    # An announcement shows with a 24-hour time and can be dismissed for good.
    organiser_context = browser.new_context()
    control = signed_in_organiser(organiser_context, venue)
    control.goto(f"{venue.url}/w/1/live")
    control.locator("#announce-text").fill("Lunch at 13:00")
    control.get_by_role("button", name="Send to every screen").click()
    expect(control.locator("#announcements")).to_contain_text("Lunch at 13:00")
    assert re.fullmatch(
        r"\d\d:\d\d Lunch at 13:00", control.locator("#announcements li").first.inner_text()
    )
    organiser_context.close()
    banner = tablet.locator("#announcement")
    expect(banner).to_contain_text("Lunch at 13:00")
    expect(banner.locator("#announcement-time")).to_have_text(re.compile(r"^\d\d:\d\d$"))
    for selector in ("#note-text", ".kind-buttons", "#note-add"):
        box = tablet.locator(selector).bounding_box()
        assert box["y"] >= 0 and box["y"] + box["height"] <= height, selector
    assert tablet.locator("#note-text").bounding_box()["height"] >= (90 if height < 600 else 160)
    assert tablet.evaluate("window.scrollY") == 0
    tablet.screenshot(path=f"/tmp/tablet-{width}x{height}.png")
    tablet.get_by_role("button", name="Dismiss the announcement").click()
    expect(banner).to_be_hidden()
    tablet.reload()
    expect(tablet.locator("#connection")).to_have_text("Connected")
    expect(banner).to_be_hidden()
    context.close()


def test_projector_shows_stars_and_undoes_a_hidden_note_and_control_room_dots_tell_the_truth(
    venue, browser
):
    db = venue.db
    round_id = day.state(db, 1)["round_id"]
    away = db.execute(
        "SELECT id, name FROM moderator WHERE workshop_id = 1 AND id NOT IN "
        "(SELECT moderator_id FROM lead WHERE round_id = ? AND moderator_id IS NOT NULL) "
        "ORDER BY id LIMIT 1",
        [round_id],
    ).fetchone()
    assert away, "the demo has moderators of the afternoon"
    access.create_grant(db, 1, "moderator", away[1], moderator_id=away[0])
    tablets = browser.new_context()
    tablet, grant = open_tablet(tablets, venue)
    tablet.locator("#note-text").fill("A starred point for the wall")
    tablet.locator("#note-star").check()
    tablet.get_by_role("button", name="Add note").click()
    expect(tablet.locator("#save-state")).to_have_text("All saved")

    organiser = browser.new_context(viewport={"width": 1600, "height": 900})
    control = signed_in_organiser(organiser, venue)
    control.goto(f"{venue.url}/w/1/projector")
    note = control.locator("button.wall-note", has_text="A starred point for the wall")
    expect(note.locator(".wall-star")).to_have_text("★")
    note.click()
    expect(note).to_have_count(0)
    expect(control.locator("#undo-hold")).to_contain_text("A starred point for the wall")
    control.get_by_role("button", name="Undo").click()
    expect(note).to_have_count(1)
    assert wait_for(lambda: db.execute("SELECT held FROM note").fetchone()[0] == 0)

    control.goto(f"{venue.url}/w/1/live")
    expect(control.locator("#elsewhere-list")).to_contain_text(
        f"{away[1]} · not at a table this round"
    )
    assert "is-offline" not in control.locator("#elsewhere-list .tablet-dot").first.get_attribute(
        "class"
    )
    group = control.locator(f'.table-state[data-table="{grant["table_id"]}"]')
    ours = group.locator(".tablet-dot", has_text="Group 1")
    expect(ours).to_contain_text("tablet connected")
    venue.stop()  # the laptop's server goes down: no dot may stay green
    expect(ours).to_contain_text("server unreachable", timeout=20000)
    expect(control.locator(".tablet-dot.is-online")).to_have_count(0)
    tablets.close()
    organiser.close()
