"""In a real Chromium: the organiser signs in with the printed link and sets up a workshop."""

import re

import pytest

pytestmark = pytest.mark.browser


def test_organiser_signs_in_and_creates_a_workshop_with_two_blocks(live_server, page):
    """The first thing an organiser does: sign in, create a workshop, add two blocks."""
    page.goto(live_server.signin_url)
    page.get_by_role("link", name="New workshop").click()
    page.get_by_label("Title").fill("Regional café: Łódź & Köln ✨")
    page.get_by_label("Date").fill("2026-03-12")
    page.get_by_label("Venue").fill("Łódź, Poland")
    page.get_by_label("Format").select_option("fixed_groups")
    page.get_by_role("button", name="Save").click()

    assert page.get_by_role("heading", name="Blocks and questions").is_visible()
    for title, start in (("Morning", "09:30"), ("Afternoon", "13:30")):
        form = page.locator("#add-block")
        form.get_by_label("Title").fill(title)
        form.get_by_label("Starts at").fill(start)
        form.get_by_label("Rounds").fill("5")
        form.get_by_role("button", name="Add block").click()

    blocks = page.locator("section.block")
    assert blocks.count() == 2
    assert blocks.nth(0).locator("input[name=title]").input_value() == "Morning"
    assert blocks.nth(1).locator("input[name=round_minutes]").input_value() == (
        "20, 20, 20, 20, 20"
    )

    # A question in the afternoon block, then the overview shows both blocks.
    afternoon = blocks.nth(1)
    afternoon.locator(".add-question input[name=text]").fill("Wie finanzieren wir Evaluation?")
    afternoon.get_by_role("button", name="Add question").click()
    page.get_by_role("link", name="Overview").click()
    assert page.get_by_role("heading", name="Regional café: Łódź & Köln ✨").is_visible()
    text = page.locator("main").inner_text()
    assert re.search(r"Morning · 09:30\s+5 rounds · 0 questions", text)
    assert re.search(r"Afternoon · 13:30\s+5 rounds · 1 question", text)


def test_sign_in_link_works_only_once(live_server, page):
    """A second use of the printed link is refused with an explanation."""
    page.goto(live_server.signin_url)
    assert page.get_by_role("heading", name="Workshops").is_visible()
    other = page.context.browser.new_context()
    try:
        second = other.new_page()
        second.goto(live_server.signin_url)
        assert second.get_by_text("has been used or has expired").is_visible()
    finally:
        other.close()
