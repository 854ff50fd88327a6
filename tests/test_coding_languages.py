"""Analysis across languages: keyword rules with forms per language, accents, the workshop's
languages choosing the stop words, and the rule editor saying which languages a rule misses."""

import json

import pytest

from kt_workshop import archive, store
from kt_workshop.coding import aids, codebook
from kt_workshop.coding.suggestions import (
    RuleError,
    highlight,
    missing_languages,
    parse_rule,
    stop_words,
    suggest_themes,
)
from kt_workshop.live import notes

# The example, with a note in each of the workshop's languages.
NOTES = (
    "Funding for peer support runs out in June",
    "Die Finanzierung der Beratungsstellen ist nicht gesichert",
    "Brak stabilnego finansowania dla organizacji pozarządowych",
    "Źródła wsparcia są rozproszone",
    "Müllabfuhr is not our topic",
)


def test_a_rule_lists_forms_per_language_and_finds_each_languages_notes():
    plain = parse_rule("fund*")
    assert [text for text in NOTES if plain.matches(text)] == [NOTES[0]]  # the point
    rule = parse_rule("en: fund*; de: finanz*; pl: finans*")
    assert rule.forms == (("en", "fund*"), ("de", "finanz*"), ("pl", "finans*"))
    assert rule.text == "en: fund*; de: finanz*; pl: finans*"  # kept as written
    assert [text for text in NOTES if rule.matches(text)] == list(NOTES[:3])
    # Parts keep the rest of the syntax: alternatives, phrases, exclusions.
    both = parse_rule('en: "peer support", mentor*; de: beratung* -müll*')
    assert both.matches(NOTES[0]) and both.matches(NOTES[1]) and not both.matches(NOTES[2])


def test_accents_and_capitals():
    # A letter without an accent finds it with one, in Polish and German.
    assert parse_rule("zrodl*").matches("ŹRÓDŁA wsparcia")
    assert parse_rule("pozarzadow*").matches(NOTES[2])
    assert parse_rule("lacz*").matches("Łączenie usług")
    assert parse_rule("mull*").matches(NOTES[4])
    # A letter written with an accent finds only that letter.
    assert not parse_rule("müll").matches("Mull")
    assert parse_rule("müll").matches("MÜLL")
    assert not parse_rule("łącz*").matches("Laczenie") and parse_rule("łącz*").matches("łączenie")
    # ß and ss are one (casefolding), as before.
    assert parse_rule("strasse").matches("Straße")
    # The preview marks the words as written.
    marked = highlight(parse_rule("zrodl*, müll*"), "Źródła: MÜLL, Mull")
    assert [piece for piece, hit in marked if hit] == ["Źródła", "MÜLL"]


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("re: fund*", "not a language code"),
        ("en: fund*;", "has no words"),
        ("de:", "has no words"),
    ],
)
def test_language_parts_that_cannot_be_read_say_what_to_correct(rule, message):
    with pytest.raises(RuleError, match=message):
        parse_rule(rule)


def test_a_rule_knows_which_of_the_workshops_languages_it_has_forms_for():
    workshop = ["en", "de", "pl"]
    assert missing_languages(parse_rule("fund*"), workshop, "en") == ["de", "pl"]
    assert missing_languages(parse_rule("fund*; de-AT: finanz*"), workshop, "en") == ["pl"]
    assert (
        missing_languages(parse_rule("en: fund*; de: finanz*; pl: finans*"), workshop, "en") == []
    )
    # A part without a code is in the workshop's language.
    assert missing_languages(parse_rule("finans*; en: fund*"), ["pl", "en"], "pl") == []


def test_the_workshops_languages_choose_the_stop_words():
    assert "war" in stop_words() and "war" not in stop_words(["en"])
    assert "nie" in stop_words(["pl", "en"]) and "nicht" not in stop_words(["pl", "en"])
    assert stop_words(["de-AT"]) == stop_words(["de"])
    assert stop_words(["fr"]) == stop_words()  # no list of its own: every list we have
    # An English workshop talking about war: "war" is a German stop word, not an English one.
    topics = {
        "war": "war refugees trauma shelter families",
        "school": "school teachers training classroom pupils",
    }
    made = [
        {"id": f"{topic}-{i}", "text": f"{words} {extra}"}
        for topic, words in topics.items()
        for i, extra in enumerate(("today", "again", "locally", "weekly", "monthly", "daily"))
    ]
    english = {w for s in suggest_themes(made, count=2, languages=["en"]) for w in s.keywords}
    every = {w for s in suggest_themes(made, count=2) for w in s.keywords}
    assert "war" in english and "war" not in every


def test_the_workshops_languages_come_from_the_workshop_and_its_delegates(db, workshop):
    for name, language in (
        ("Anna", "pl"),
        ("Jan", "Polish"),
        ("Ola", "polski"),
        ("Hans", "de-AT"),
        ("Eva", "Deutsch, English"),
        ("Zed", "not sure"),
        ("Ann", ""),
    ):
        store.add_item(db, "participant", workshop, {"name": name, "language": language})
    store.update_workshop(db, workshop, {"language": "en"})
    assert aids.workshop_languages(db, workshop) == ["en", "pl", "de"]


def make_notes(db, workshop, ids, texts):
    cell = {
        "round_id": ids["rounds"][0],
        "table_id": ids["tables"][0],
        "question_id": ids["questions"][0],
        "moderator_id": None,
    }
    return [
        notes.store_note(db, workshop, cell, kind="insight", text=text, source="import")[0]
        for text in texts
    ]


def test_the_rule_editor_says_which_languages_a_rule_misses_and_codes_all_three(
    app, db, workshop, organiser, ids
):
    made = make_notes(db, workshop, ids, NOTES)
    store.add_item(db, "participant", workshop, {"name": "Hans", "language": "de"})
    store.add_item(db, "participant", workshop, {"name": "Zofia", "language": "pl"})
    theme = codebook.create_theme(db, workshop, {"name": "Funding"}, "organiser")

    page = organiser.get(f"/w/{workshop}/suggestions?pattern=fund*&theme_id={theme}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'id="rule-languages"' in text
    assert "has words in English only" in text and "German, Polish" in text
    assert "fund* alone will not find “Finanzierung”" in text
    assert "en: fund*; de: …; pl: …" in text
    assert text.count('name="note_ids"') == 1
    assert "This workshop's languages: English, German, Polish." in text

    rule = "en: fund*; de: finanz*; pl: finans*"
    page = organiser.get(
        f"/w/{workshop}/suggestions", query_string={"pattern": rule, "theme_id": theme}
    )
    text = page.get_data(as_text=True)
    assert 'id="rule-languages"' not in text
    assert text.count('name="note_ids"') == 3
    assert "<mark>Finanzierung</mark>" in text and "<mark>finansowania</mark>" in text
    organiser.post(
        f"/w/{workshop}/rules",
        data={"pattern": rule, "theme_id": theme, "chosen": "1", "note_ids": made[:3]},
    )
    coded = db.execute("SELECT note_id FROM coding WHERE theme_id = ? ORDER BY note_id", [theme])
    assert [row[0] for row in coded] == made[:3]
    # The rule is kept, listed and carried in the archive as written.
    page = organiser.get(f"/w/{workshop}/suggestions").get_data(as_text=True)
    assert f"<code>{rule}</code>" in page
    exported = json.loads(archive.archive_bytes(archive.export_workshop(db, workshop)))
    assert [r["pattern"] for r in exported["tables"]["coding_rule"]] == [rule]

    # A rule that cannot be read says why on the page, and codes nothing.
    page = organiser.get(
        f"/w/{workshop}/suggestions", query_string={"pattern": "xx: fund*", "theme_id": theme}
    ).get_data(as_text=True)
    assert "is not a language code" in page


def test_rules_travel_readably_in_the_codebook_file_and_stay_out_of_an_import(
    app, db, workshop, organiser, ids
):
    from kt_workshop.coding import exchange
    from kt_workshop.coding.refi import read_qdc

    make_notes(db, workshop, ids, NOTES)
    theme = codebook.create_theme(
        db, workshop, {"name": "Funding", "usage": "Money for services"}, "organiser"
    )
    rule = "en: fund*; de: finanz*; pl: finans*"
    for pattern in (rule, "grant*", rule):
        organiser.post(f"/w/{workshop}/rules", data={"pattern": pattern, "theme_id": theme})
    qdc = organiser.get(f"/w/{workshop}/codebook.qdc").get_data(as_text=True)
    assert (
        "When to use: Money for services\n\nKeyword rules:\n"
        "en: fund*; de: finanz*; pl: finans*\ngrant*</Description>"
    ) in qdc
    read = read_qdc(qdc.encode())
    assert [(t.name, t.description, t.usage) for t in read.themes] == [
        ("Funding", "", "Money for services")
    ]
    # Into another workshop: the codebook comes, the rules (runs by an analyst) do not.
    other = store.create_workshop(db, {"title": "Other"})
    exchange.import_codebook_file(db, other, qdc.encode(), "organiser")
    imported = codebook.themes(db, other)
    assert [(t["name"], t["description"], t["usage"]) for t in imported] == [
        ("Funding", "", "Money for services")
    ]


def test_while_blind_an_analysts_codebook_file_lists_only_their_own_rules(app, db, workshop, ids):
    from conftest import sign_in_grant

    make_notes(db, workshop, ids, NOTES)
    theme = codebook.create_theme(db, workshop, {"name": "Funding"}, "organiser")
    db["workshop"].update(workshop, {"coding_blind": 1})
    first, second = app.test_client(), app.test_client()
    sign_in_grant(first, app, db, workshop, "analyst")
    sign_in_grant(second, app, db, workshop, "analyst")
    first.post(f"/w/{workshop}/rules", data={"pattern": "de: finanz*", "theme_id": theme})
    second.post(f"/w/{workshop}/rules", data={"pattern": "pl: finans*", "theme_id": theme})
    mine = first.get(f"/w/{workshop}/codebook.qdc").get_data(as_text=True)
    assert "de: finanz*" in mine and "pl: finans*" not in mine
    theirs = second.get(f"/w/{workshop}/codebook.qdc").get_data(as_text=True)
    assert "pl: finans*" in theirs and "de: finanz*" not in theirs
