"""In a real Chromium: the printed sign-in link works once. (Setting a workshop up through the
UI is the start of the dress rehearsal, test_live_browser_rehearsal.py.)"""

import pytest

pytestmark = pytest.mark.browser


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
