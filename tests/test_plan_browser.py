"""In a real Chromium: the organiser plans the demo workshop's day and downloads table cards."""

import pytest
from docx import Document

pytestmark = pytest.mark.browser


def group_of(page, name: str) -> str:
    """The heading of the group card that lists a delegate."""
    card = page.locator(".group-card", has=page.get_by_text(name, exact=True))
    return card.locator("h3").inner_text().split()[0:2]


def test_organiser_plans_the_day_swaps_two_people_and_prints(demo_server, page):
    """Form groups, plan the rotation, swap two delegates (live at once), download cards."""
    page.goto(demo_server.signin_url)
    page.get_by_role("link", name="Knowledge Transfer Workshop").click()
    page.get_by_role("link", name="Plan", exact=True).click()

    page.get_by_role("button", name="Form groups").click()
    assert page.get_by_text("Groups formed.").is_visible()
    assert page.locator(".group-card").count() == 5
    figure = page.locator(".balance-figure").inner_text()
    assert "Country:" in figure and "Sector:" in figure  # the labels the checkboxes use

    page.get_by_role("button", name="Plan the rotation").click()
    assert page.get_by_text("Rotation planned.").is_visible()
    assert page.locator("#scores").get_by_text("yes").is_visible()
    assert page.locator(".plan-grid tbody .moderator").count() == 50  # 10 rounds x 5 groups

    first = page.locator(".group-card").nth(0).locator(".names li").nth(0).inner_text()
    second = page.locator(".group-card").nth(1).locator(".names li").nth(0).inner_text()
    before = (group_of(page, first), group_of(page, second))
    swap = page.locator("#swap-groups")
    swap.locator("select[name=first]").select_option(label=first)
    swap.locator("select[name=second]").select_option(label=second)
    swap.get_by_role("button", name="Swap").click()
    assert page.get_by_text("Swapped.").is_visible()
    assert (group_of(page, first), group_of(page, second)) == (before[1], before[0])

    # No publishing step: the page says every change goes live at once.
    assert page.locator("#plan-live").get_by_text("Every change goes live at once").is_visible()
    assert page.get_by_role("button", name="Publish the plan").count() == 0

    # Fixed groups: a group card (a folded tent) names the group; the QR codes are the
    # moderators' own, on their run sheets, since their tablets follow them.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Group cards (A4, docx)").click()
    document = Document(download_info.value.path())
    text = "\n".join(p.text for row in document.tables[0].rows for p in row.cells[0].paragraphs)
    for group in ("Group 1", "Group 5"):
        assert group in text
    assert len(document.inline_shapes) == 5  # the moderator's side of each card, no QR code
    assert not any("scan" in d.get("descr") for d in document.element.body.xpath(".//wp:docPr"))
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Moderator run sheets (A4, docx)").click()
    sheets = Document(download_info.value.path())
    described = [d.get("descr") for d in sheets.element.body.xpath(".//wp:inline/wp:docPr")]
    assert described and all("tablet" in d for d in described)
