"""In a real Chromium: the day crosses the break between blocks (issue 12)."""

import re

import pytest
from playwright.sync_api import expect

from tests.test_live_browser_control import plan_the_demo

pytestmark = pytest.mark.browser


def test_the_day_goes_on_a_break_between_blocks_and_asks_before_the_next(
    demo_server, browser, page
):
    """After the morning's last round the screens show the break until the afternoon's start
    time and where everyone goes next; starting the afternoon asks first."""
    workshop = plan_the_demo(page, demo_server)
    control = page
    control.goto(f"{workshop}/live")
    projector = page.context.new_page()
    projector.goto(f"{workshop}/projector")
    expect(control.locator("#connection")).to_have_text("Connected")
    control.bring_to_front()
    morning = control.locator(".round-list").first
    last = morning.locator(".round-item").last
    last.get_by_role("button", name="Start this round").click()
    expect(control.locator("#do-advance")).to_have_text("End the block: break")

    control.locator("#do-advance").click()
    expect(control.locator("#now-status")).to_have_text("Break until 13:30")
    expect(projector.locator("#where-status")).to_have_text("Break, back at 13:30")
    expect(projector.locator("#next-title")).to_have_text("Where to go for Round 1")
    afternoon = control.locator(".round-list").nth(1).locator("xpath=preceding-sibling::h3[1]")
    title = afternoon.inner_text()
    expect(projector.locator("#next-block")).to_have_text(title)
    advance = control.locator("#do-advance")
    expect(advance).to_have_text(f"Start {title}")

    asked = []
    control.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    advance.click()
    expect(control.locator("#now-status")).to_have_text("Break until 13:30")  # said no
    assert asked and "It is planned for 13:30" in asked[0] and title in asked[0]
    control.once("dialog", lambda dialog: dialog.accept())
    advance.click()
    expect(control.locator("#now-status")).to_have_text("Running")
    expect(control.locator("#now-block")).to_have_text(title)
    expect(projector.locator("#where-round")).to_have_text("Round 1")
    expect(projector.locator("#timer")).to_have_text(re.compile(r"^\d+:\d\d$"))
