"""In a real Chromium: axe-core on every page, in every shipped language, for the role using it.

One server (the demo workshop, its day running) and one browser serve the whole sweep; each
role has one browser context per language, reused for all its pages. A serious or critical
WCAG 2.0/2.1/2.2 A or AA finding fails the page.
"""

import pytest

from kt_workshop import access, store
from kt_workshop.db import open_db
from kt_workshop.live import day
from tests.accessibility import PAGES, describe, require_axe, run_axe, serious, shipped_languages
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
    for page_entry in PAGES:
        tab = contexts(page_entry.role, language)
        address = day_server.url + page_entry.path.format(**day_server.fill)
        response = tab.goto(address)
        expected = 404 if "no-such-page" in page_entry.path else 200
        if response.status != expected:
            failures.append(f"{page_entry.role} {page_entry.path}: answered {response.status}")
            continue
        found = serious(run_axe(tab))
        if found:
            failures.append(f"{page_entry.role} {page_entry.path}:\n{describe(found)}")
    assert not failures, "\n\n".join(failures)
