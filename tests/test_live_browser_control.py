"""In a real Chromium: the organiser runs the day from the control room and the projector."""

import re
import time

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


SEVEN_MINUTES_FAST = "(() => { const real = Date.now; Date.now = () => real() + 420000; })();"


def seconds(clock: str) -> int:
    """A timer's text (m:ss, maybe negative) in seconds."""
    match = re.fullmatch(r"(-?)(\d+):(\d\d)", clock.strip())
    assert match, f"not a running clock: {clock!r}"
    value = int(match[2]) * 60 + int(match[3])
    return -value if match[1] else value


def clock(page) -> int:
    """A screen's timer in seconds."""
    return seconds(page.locator("#timer").inner_text())


def in_step(control, projector) -> int:
    """The projector's timer, checked to be within a second of the control room's (read just
    before and just after it, so a slow read cannot make the screens look apart)."""
    before, shown, after = clock(control), clock(projector), clock(control)
    assert after - 1 <= shown <= before + 1, (before, shown, after)
    return shown


def plan_the_demo(page, server) -> str:
    """Sign in, form the groups and plan the rotation; return the workshop's address."""
    page.goto(server.signin_url)
    page.get_by_role("link", name="Knowledge Transfer Workshop").click()
    page.get_by_role("link", name="Plan", exact=True).click()
    page.get_by_role("button", name="Form groups").click()
    page.get_by_role("button", name="Plan the rotation").click()
    assert page.get_by_text("Rotation planned.").is_visible()
    return page.url.rsplit("/plan", 1)[0]


def test_organiser_runs_rounds_on_control_room_and_projector(demo_server, browser, page):
    """Start, pause and advance rounds on both screens; announce; notes reach the wall and can
    be held back; the chime sounds on both screens when the time runs out."""
    workshop = plan_the_demo(page, demo_server)
    page.goto(f"{workshop}/access")
    row = page.locator("tr", has=page.get_by_role("cell", name="Dr Helen Carter", exact=True))
    join_link = row.locator(".copy-link").input_value()

    control = page
    control.goto(f"{workshop}/live")
    projector = page.context.new_page()
    projector.set_viewport_size({"width": 1920, "height": 1080})
    # The projector's computer runs 7 minutes fast: the shared countdown must not care.
    projector.add_init_script(SEVEN_MINUTES_FAST)
    projector.goto(f"{workshop}/projector")
    expect(control.locator("#connection")).to_have_text("Connected")
    expect(projector.locator("#next-title")).to_have_text("Where to go for Round 1")
    expect(projector.locator(".next-card").first).to_contain_text("Group 1")

    # Start round 1: one shared countdown, within a second on both screens. (A tab in the
    # background draws no frames, and clicks wait for one: bring the tab in use to the front.)
    control.bring_to_front()
    control.get_by_role("button", name="Start", exact=True).click()
    expect(projector.locator("#where-round")).to_have_text("Round 1")
    expect(projector.locator("#timer")).to_have_text(re.compile(r"^19:[45]\d$"))
    first = in_step(control, projector)
    expect(projector.locator("#timer")).not_to_have_text(projector.locator("#timer").inner_text())
    assert in_step(control, projector) < first

    # Pause stops both clocks.
    control.get_by_role("button", name="Pause").click()
    expect(projector.locator("#where-status")).to_have_text("Paused")
    paused = (clock(control), in_step(control, projector))
    time.sleep(1.2)
    assert (clock(control), clock(projector)) == paused

    # Advance moves both screens to round 2 with a fresh clock.
    control.get_by_role("button", name="Next round").click()
    expect(control.locator("#now-round")).to_contain_text("Round 2")
    expect(projector.locator("#where-round")).to_have_text("Round 2")
    expect(control.locator(".round-item.is-current .round-name")).to_have_text("Round 2")
    expect(projector.locator("#timer")).to_have_text(re.compile(r"^19:[45]\d$"))

    # An announcement appears big on the projector.
    control.get_by_placeholder("e.g. Coffee is served in the foyer").fill(
        "Lunch at 12:30 <b>sharp</b>"
    )
    control.get_by_role("button", name="Send to every screen").click()
    expect(projector.locator("#announcement")).to_be_visible()
    expect(projector.locator("#announcement-text")).to_have_text("Lunch at 12:30 <b>sharp</b>")
    projector.bring_to_front()
    projector.keyboard.press("Escape")
    expect(projector.locator("#announcement")).to_be_hidden()

    # A moderator's tablet adds a note: it reaches the wall, shown as written.
    tablet_context = browser.new_context(viewport={"width": 1024, "height": 768})
    try:
        tablet = tablet_context.new_page()
        tablet.goto(join_link)
        tablet.goto(f"{workshop}/tablet")
        expect(tablet.locator("#cell-where")).to_contain_text("Dr Helen Carter")
        group = tablet.locator("#cell-where").inner_text().split(" · ")[0]
        card = control.locator(
            ".table-state", has=control.get_by_role("heading", name=group, exact=True)
        )
        before = int(re.search(r"(\d+) notes? this round", card.inner_text()).group(1))
        tablet.locator("#note-text").fill("Shared budgets <i>helped</i> most")
        tablet.get_by_role("button", name="Add note").click()
        expect(tablet.locator("#save-state")).to_have_text("All saved")
        expect(tablet.locator("#cell-where")).to_contain_text("Round 2")
    except Exception:
        tablet_context.close()
        raise
    note = projector.locator(".wall-note", has_text="Shared budgets <i>helped</i> most")
    expect(note).to_be_visible()
    expect(note).to_contain_text(group)
    expect(card).to_contain_text(f"{before + 1} notes this round")
    expect(card).to_contain_text("Dr Helen Carter")

    # Holding the note hides it from the wall, also after a reload; the control room shows
    # it again.
    note.click()
    expect(note).to_be_hidden()
    expect(projector.locator("#held-toggle")).to_have_text("Held back (1)")
    expect(control.locator("#held")).to_contain_text("Shared budgets <i>helped</i> most")
    projector.reload()
    expect(projector.locator("#held-toggle")).to_have_text("Held back (1)")
    expect(projector.locator(".wall-note", has_text="Shared budgets")).to_have_count(0)
    control.bring_to_front()
    control.locator("#held").get_by_role("button", name="Show again").click()
    expect(note).to_be_visible()
    expect(projector.locator("#held-toggle")).to_have_text("Held back (0)")

    # Take the time away: with the chime on, both screens chime once as the clock hits zero.
    chime = control.get_by_label("Chime when time is up")
    chime.uncheck()
    expect(chime).not_to_be_checked()
    minus = control.get_by_role("button", name="−1 min")
    for _minute in range(19):
        minus.click()
    expect(control.locator("#timer")).to_have_text(re.compile(r"^0:[0-5]\d$"))
    chime.check()
    expect(chime).to_be_checked()
    minus.click()
    expect(control.locator("#timer")).to_have_class(re.compile("overrun"))
    expect(projector.locator("#where-status")).to_have_text("Time is up")
    expect(control.locator("#control")).to_have_attribute("data-chimes", "1")
    expect(projector.locator("#projector")).to_have_attribute("data-chimes", "1")
    # Time is up: the projector shows where everyone goes next.
    expect(projector.locator("#next-title")).to_contain_text("Round 3")

    # The control room moves the day on: the tablet follows by itself, to another group,
    # and its brief carries what was said on her question in round 2.
    control.bring_to_front()
    control.get_by_role("button", name="Next round").click()
    expect(tablet.locator("#cell-where")).to_contain_text("Round 3")
    expect(tablet.locator("#cell-where")).not_to_contain_text(group + " ·")
    expect(tablet.locator("#brief")).to_contain_text("Shared budgets <i>helped</i> most")
    expect(tablet.locator("#notes")).not_to_contain_text("Shared budgets")
    tablet_context.close()
