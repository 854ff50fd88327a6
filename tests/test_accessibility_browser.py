"""In a real Chromium: axe-core on every page, in every shipped language, for the role using it.

One server (the demo workshop, its day running) and one browser serve the whole sweep; each
role has one browser context per language, reused for all its pages. A serious or critical
WCAG 2.0/2.1/2.2 A or AA finding fails the page.
"""

import pytest

from kt_workshop import access, store
from kt_workshop.db import open_db
from kt_workshop.live import day
from tests.accessibility import (
    PAGES,
    describe,
    open_settled,
    require_axe,
    run_axe,
    save_screenshots,
    screenshot_folder,
    serious,
    shipped_languages,
)
from tests.conftest import LiveServer

pytestmark = pytest.mark.browser

LANGUAGES = shipped_languages()


@pytest.fixture(scope="module")
def day_server(tmp_path_factory):
    """The demo workshop with its first round running, so the live pages show the day."""
    server = LiveServer(tmp_path_factory.mktemp("sweep"), demo=True)
    db = open_db(server.db_path)
    day.start(db, 1)
    server.db = db
    server.key = (server.db_path.parent / "secret_key").read_text().strip()
    server.fill = {
        "delegate": store.list_items(db, "participant", 1)[0]["id"],
        "theme": db.execute("SELECT id FROM theme WHERE workshop_id = 1 LIMIT 1").fetchone()[0],
        "join": join_link(
            server, "moderator", table_id=store.list_items(db, "tables", 1)[0]["id"]
        ).rsplit("/", 1)[1],
    }
    yield server
    db.close()
    server.stop()


def join_link(server, role: str, **links) -> str:
    """A fresh join link for the role, as the organiser would hand it out."""
    grant = access.create_grant(server.db, 1, role, f"sweep {role}", **links)
    return f"/join/{access.grant_token(server.key, grant)}"


def sign_in(server, context, role: str) -> None:
    """Sign the context in as the role: the organiser by a one-time link, the others by a
    join link of their own (a table's tablet, a delegate's phone, an analyst)."""
    if role == "public":
        return
    if role == "organiser":
        address = f"/signin?token={access.issue_signin_token(server.db)}"
    elif role == "moderator":
        address = join_link(
            server, role, table_id=store.list_items(server.db, "tables", 1)[0]["id"]
        )
    elif role == "participant":
        address = join_link(server, role, participant_id=server.fill["delegate"])
    else:
        address = join_link(server, role)
    tab = context.new_page()
    tab.goto(server.url + address)
    tab.close()


@pytest.fixture(scope="module")
def contexts(browser, day_server):
    """One signed-in browser context per (role, language), made when first asked for."""
    made = {}

    def context_for(role: str, language: str):
        if (role, language) not in made:
            context = browser.new_context(viewport={"width": 1280, "height": 800}, locale=language)
            sign_in(day_server, context, role)
            made[role, language] = (context, context.new_page())
        return made[role, language][1]

    yield context_for
    for context, _tab in made.values():
        context.close()


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_passes_axe_in_every_language(day_server, contexts, language):
    """Each page, opened by the role that uses it, has no serious or critical WCAG finding."""
    require_axe()
    failures = []
    screenshots = screenshot_folder()
    for page_entry in PAGES:
        tab = contexts(page_entry.role, language)
        address = day_server.url + page_entry.path.format(**day_server.fill)
        response = open_settled(tab, address)
        expected = 404 if "no-such-page" in page_entry.path else 200
        if response.status != expected:
            failures.append(f"{page_entry.role} {page_entry.path}: answered {response.status}")
            continue
        # The page says which language it is in (WCAG 3.1.1): the person's, or for the room's
        # screens and printouts the workshop's (the demo's is English).
        said = tab.evaluate("() => document.documentElement.lang")
        if said.split("-")[0] != ("en" if page_entry.room else language):
            failures.append(f"{page_entry.role} {page_entry.path}: <html lang={said!r}>")
        found = serious(run_axe(tab))
        if found:
            failures.append(f"{page_entry.role} {page_entry.path}:\n{describe(found)}")
        if screenshots is not None:
            save_screenshots(tab, screenshots, language, page_entry)
    assert not failures, "\n\n".join(failures)


# What axe cannot see ----------------------------------------------------------------------------

FOCUS_STATE = """() => {
  const element = document.activeElement;
  if (!element || element === document.body) return null;
  let shown = element;
  const box = element.getBoundingClientRect();
  if (box.width <= 1 || box.height <= 1 || getComputedStyle(element).opacity === "0") {
    shown = element.nextElementSibling || element.closest("label") || element;  // its stand-in
  }
  const style = getComputedStyle(shown);
  const area = shown.getBoundingClientRect();
  const x = Math.min(Math.max(area.left + Math.min(area.width, 40) / 2, 0), innerWidth - 1);
  const y = Math.min(Math.max(area.top + area.height / 2, 0), innerHeight - 1);
  const top = document.elementFromPoint(x, y);
  return {
    what: `${element.tagName.toLowerCase()}#${element.id}.${element.className} `
      + (element.innerText || element.value || element.name || "").slice(0, 40),
    ring: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2,
    dark: style.boxShadow !== "none" || Boolean(shown.closest(".topbar")),
    seen: Boolean(top) && (shown.contains(top) || top.contains(shown) || top === shown),
  };
}"""

KEYBOARD_PAGES = [
    ("public", "/welcome"),
    ("moderator", "/w/1/tablet"),
    ("participant", "/w/1/me"),
    ("participant", "/w/1/feedback"),
    ("organiser", "/w/1/live"),
    ("organiser", "/w/1/projector"),
    ("organiser", "/w/1/plan"),
    ("analyst", "/w/1/coding"),
    ("analyst", "/w/1/codebook"),
    ("organiser", "/w/1/report"),
]


def test_keyboard_focus_is_always_seen(day_server, contexts):
    """Tabbing through the pages people use most, every focused control shows the focus ring
    (yellow inside dark, so it stands out on light and dark) and nothing covers it."""
    problems = []
    for role, path in KEYBOARD_PAGES:
        tab = contexts(role, "en")
        tab.goto(day_server.url + path)
        tab.locator("body").focus()
        for _press in range(25):
            tab.keyboard.press("Tab")
            state = tab.evaluate(FOCUS_STATE)
            if state is None:
                break
            if not (state["ring"] and state["dark"] and state["seen"]):
                problems.append(f"{path}: {state}")
    # Going back up the coding workspace's notes, the picker that stays at the top of the
    # window must not cover the note or button that has the focus.
    tab = contexts("analyst", "en")
    tab.goto(day_server.url + "/w/1/coding")
    tab.locator(".coding-note").nth(8).focus()
    for _press in range(20):
        tab.keyboard.press("Shift+Tab")
        state = tab.evaluate(FOCUS_STATE)
        if not state["seen"]:
            problems.append(f"/w/1/coding going back: {state}")
    assert problems == []


def overflow_at(tab) -> list[str]:
    """What sticks out of the window sideways, or is cut off inside its own box."""
    return tab.evaluate(
        """() => {
      const found = [];
      const root = document.scrollingElement;
      if (root.scrollWidth > innerWidth + 1) found.push(`the page scrolls sideways (${root.scrollWidth}px)`);
      for (const element of document.body.querySelectorAll("*")) {
        const style = getComputedStyle(element);
        if (style.display === "none" || style.visibility === "hidden") continue;
        const box = element.getBoundingClientRect();
        if (box.width === 0 || box.height === 0 || element.closest(".visually-hidden, .table-scroll")) continue;
        const what = `${element.tagName.toLowerCase()}.${element.className}${element.name ? `[name=${element.name}]` : ""}`;
        if (box.right > innerWidth + 1 && style.position !== "fixed") found.push(`${what} ends at ${Math.round(box.right)}px`);
        const clipsX = ["hidden", "clip"].includes(style.overflowX);
        if (clipsX && element.scrollWidth > element.clientWidth + 1) found.push(`${what} cuts off its text`);
      }
      return found.slice(0, 15);
    }"""
    )


@pytest.mark.parametrize(
    "role, path, width, height, language",
    [
        ("moderator", "/w/1/tablet", 400, 640, "en"),  # a 10-inch tablet upright, at 200 %
        ("moderator", "/w/1/tablet", 640, 400, "en"),  # the same tablet on its side
        ("organiser", "/w/1/live", 640, 400, "en"),  # a 1280x800 laptop at 200 %
        ("analyst", "/w/1/coding", 640, 400, "en"),
        # Two cards side by side on an upright tablet, in German's longer words: seen in the
        # screenshots, a long theme name's select and the ratings table stuck out.
        ("organiser", "/w/1/feedback/setup", 800, 1280, "de"),
        ("analyst", "/w/1/suggestions", 800, 1280, "de"),
        ("organiser", "/w/1/plan", 800, 1280, "pl"),  # re-planning's long "From" round
    ],
)
def test_the_busiest_pages_work_at_200_percent_zoom(
    day_server, contexts, role, path, width, height, language
):
    """At half the window's width (what 200 % zoom leaves) nothing needs sideways scrolling or
    is cut off, and the page's main control is still reachable."""
    tab = contexts(role, language)
    tab.set_viewport_size({"width": width, "height": height})
    try:
        tab.goto(day_server.url + path)
        tab.wait_for_load_state("load")
        assert overflow_at(tab) == []
    finally:
        tab.set_viewport_size({"width": 1280, "height": 800})


def test_reduced_motion_is_respected(browser, day_server):
    """A person who asks their system for less motion gets no transitions or animations."""
    for motion, longest in (("reduce", 0.001), ("no-preference", 2)):
        context = browser.new_context(reduced_motion=motion)
        tab = context.new_page()
        tab.goto(day_server.url + "/welcome")
        durations = tab.evaluate(
            """() => {
          const probe = document.createElement("div");
          probe.style.transition = "opacity 2s";
          probe.style.animation = "none 2s";
          document.body.append(probe);
          const style = getComputedStyle(probe);
          return [parseFloat(style.transitionDuration), parseFloat(style.animationDuration)];
        }"""
        )
        context.close()
        assert max(durations) <= longest, (motion, durations)
        if motion == "no-preference":
            assert durations == [2, 2]


def tab_to(tab, selector: str, presses: int = 80) -> None:
    """Press Tab until the element is focused, as a keyboard user moves through the page."""
    target = tab.locator(selector)
    for _press in range(presses):
        tab.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            return
    raise AssertionError(f"Tab never reached {selector}")


def test_a_note_is_captured_and_a_round_advanced_with_the_keyboard_only(day_server, contexts):
    """The moderator writes a note, marks it a challenge and starred, and adds it; the organiser
    moves the day to the next round: no mouse, no touch. (Coding a note by keyboard alone is
    tests/test_coding_browser.py's keyboard test.)"""
    from playwright.sync_api import expect

    tablet = contexts("moderator", "en")
    tablet.goto(day_server.url + "/w/1/tablet")
    expect(tablet.locator("#connection")).to_have_text("Connected")
    tab_to(tablet, "#note-text")
    tablet.keyboard.type("Shared words across borders, said with the keyboard")
    tab_to(tablet, 'input[name="kind"]:checked', presses=3)
    tablet.keyboard.press("ArrowRight")  # the next kind: a challenge
    expect(tablet.locator('input[name="kind"][value="challenge"]')).to_be_checked()
    tab_to(tablet, "#note-star", presses=3)
    tablet.keyboard.press("Space")
    tab_to(tablet, "#note-add", presses=3)
    tablet.keyboard.press("Enter")
    expect(tablet.locator("#save-state")).to_have_text("All saved")
    saved = day_server.db.execute(
        "SELECT kind, starred FROM note WHERE text = ?",
        ["Shared words across borders, said with the keyboard"],
    ).fetchall()
    assert [tuple(row) for row in saved] == [("challenge", 1)]

    control = contexts("organiser", "en")
    control.goto(day_server.url + "/w/1/live")
    expect(control.locator("#connection")).to_have_text("Connected")
    # The tablet's green dot says it in words too.
    expect(control.locator(".tablet-dot.is-online").first).to_contain_text("tablet connected")
    before = control.locator("#now-round").inner_text()
    tab_to(control, "#do-advance")
    control.keyboard.press("Enter")
    expect(control.locator("#now-round")).not_to_have_text(before)
    expect(control.locator("#now-round")).to_contain_text("Round 2")
