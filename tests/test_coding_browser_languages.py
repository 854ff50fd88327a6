"""In a real Chromium: an analyst writes a keyword rule for the demo workshop, whose delegates
speak English, Polish, German and more; the editor says `fund*` alone misses the other
languages, and the rule with words per language codes the Polish and German notes too."""

import pytest
from playwright.sync_api import expect

from kt_workshop.db import open_db
from kt_workshop.live import notes
from tests.test_coding_browser import open_as_analyst

pytestmark = pytest.mark.browser

GERMAN = "Die Finanzierung der Beratungsstellen ist nicht gesichert"
POLISH = "Brak stabilnego finansowania dla organizacji pozarządowych"


def add_notes(server) -> list[int]:
    """A German and a Polish note in the demo's first cell, as an import would add them."""
    db = open_db(server.db_path)
    try:
        round_id, table_id, question_id = db.execute(
            "SELECT round_id, table_id, question_id FROM note WHERE workshop_id = 1 LIMIT 1"
        ).fetchone()
        cell = {
            "round_id": round_id,
            "table_id": table_id,
            "question_id": question_id,
            "moderator_id": None,
        }
        return [
            notes.store_note(db, 1, cell, kind="insight", text=text, source="import")[0]
            for text in (GERMAN, POLISH)
        ]
    finally:
        db.close()


def test_the_rule_editor_names_the_missing_languages_and_the_full_rule_codes_them(
    browser, demo_server
):
    german, polish = add_notes(demo_server)
    page = open_as_analyst(browser, demo_server, "Rule writer")
    page.goto(f"{demo_server.url}/w/1/suggestions")
    page.get_by_label("Words to look for").fill("fund*")
    page.get_by_role("button", name="Preview").click()
    warning = page.locator("#rule-languages")
    expect(warning).to_contain_text("has words in English only")
    expect(warning).to_contain_text("Polish")
    expect(warning).to_contain_text("German")
    expect(warning).to_contain_text("en: fund*;")
    expect(page.locator(".preview-list")).not_to_contain_text("Finanzierung")

    page.get_by_label("Words to look for").fill("en: fund*; de: finanz*; pl: finans*")
    page.get_by_role("button", name="Preview").click()
    for text, word in ((GERMAN, "Finanzierung"), (POLISH, "finansowania")):
        match = page.locator(".preview-list li", has_text=text[len(word) + 8 :])
        expect(match.locator("mark")).to_have_text(word)
    # The warning now names only the languages still without words (the demo has more).
    expect(warning).to_contain_text("may also be in Dutch, Italian, Norwegian, Czech:")
    page.get_by_role("button", name="Code the ticked notes").click()
    expect(page.locator(".flash-success")).to_contain_text("The rule coded")

    db = open_db(demo_server.db_path)
    try:
        coded = {
            row[0]
            for row in db.execute(
                "SELECT note_id FROM coding WHERE note_id IN (?, ?)", [german, polish]
            )
        }
    finally:
        db.close()
    assert coded == {german, polish}
    page.context.close()
