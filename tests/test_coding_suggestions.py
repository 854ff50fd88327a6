"""Theme suggestions from the notes' words, and keyword rules that code matching notes."""

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kt_workshop.coding import suggestions
from kt_workshop.coding.suggestions import (
    STOP_WORDS,
    Rule,
    RuleError,
    Suggestion,
    matching_notes,
    parse_rule,
    suggest_themes,
)

TOPICS = {
    "funding": ["funding", "budget", "grants", "money", "costs", "finance", "budgets", "grant"],
    "data": ["data", "protection", "consent", "gdpr", "privacy", "personal", "records"],
    "training": ["training", "staff", "supervision", "skills", "mentoring", "courses", "mentors"],
}
FILLER = [
    "we", "think", "really", "important", "group", "said", "discussed", "maybe", "need", "better",
    "people", "often", "local", "week", "table", "idea", "problem", "good", "next", "year",
    "issue", "very", "the", "is", "of", "2024", "and", "for",
]  # fmt: skip


def topic_notes(per_topic=20, seed=1):
    """Notes on three clearly separate topics, each with its own words plus shared filler."""
    rng = random.Random(seed)
    notes = []
    for topic, words in TOPICS.items():
        for i in range(per_topic):
            chosen = rng.sample(words, 3) + rng.sample(FILLER, 5)
            rng.shuffle(chosen)
            notes.append({"id": f"{topic}-{i}", "text": " ".join(chosen).capitalize() + "."})
    return notes


def topic_of(note_id):
    return note_id.split("-")[0]


# --- theme suggestions -----------------------------------------------------------------------


def test_three_separate_topics_give_three_suggestions_each_on_one_topic():
    suggestions = suggest_themes(topic_notes(), count=3)

    assert len(suggestions) == 3
    found = set()
    for suggestion in suggestions:
        topics = {topic for word in suggestion.keywords for topic, w in TOPICS.items() if word in w}
        assert len(topics) == 1, suggestion.keywords  # never a mix of two topics
        topic = topics.pop()
        found.add(topic)
        assert set(suggestion.keywords[:3]) <= set(TOPICS[topic])
        assert sum(w in TOPICS[topic] for w in suggestion.keywords) >= 4
        on_topic = [n for n in suggestion.note_ids if topic_of(n) == topic]
        assert len(on_topic) >= 0.9 * len(suggestion.note_ids)
        assert len(on_topic) >= 18
    assert found == set(TOPICS)


def test_suggestion_fields_are_consistent():
    suggestions = suggest_themes(topic_notes(), count=3)

    seen = set()
    for s in suggestions:
        assert isinstance(s, Suggestion)
        assert len(s.keywords) == 6
        assert s.key == " ".join(sorted(s.keywords[:3]))
        assert s.label in (" / ".join(s.keywords[:2]), " / ".join(s.keywords[:3]))
        assert 1 <= len(s.examples) <= 3 and set(s.examples) <= set(s.note_ids)
        assert not seen & set(s.note_ids)  # each note goes to one suggestion only
        seen |= set(s.note_ids)
    sizes = [len(s.note_ids) for s in suggestions]
    assert sizes == sorted(sizes, reverse=True)


def test_default_count_for_sixty_notes_is_three():
    assert len(suggest_themes(topic_notes())) == 3


def test_stop_words_and_numbers_never_become_keywords():
    keywords = [w for s in suggest_themes(topic_notes(), count=3) for w in s.keywords]

    assert not {"the", "and", "for", "2024", "we", "very"} & set(keywords)


POLISH = [
    "Finansowanie projektów jest zbyt krótkie i nie wystarcza na badania.",
    "Brakuje stabilnego finansowania, które pozwala się rozwijać; finansowanie to podstawa.",
    "Ochrona danych osobowych jest dla nas problemem, ponieważ zgoda pacjentów się zmienia.",
    "Zgoda na przetwarzanie danych osobowych oraz ochrona danych w szpitalu.",
]
GERMAN = [
    "Die Finanzierung der Forschung ist nicht ausreichend und das Budget wird gekürzt.",
    "Datenschutz und die Einwilligung der Patienten sind für uns ein großes Problem.",
    "Der Datenschutz ist wichtig, aber die Einwilligung dauert sehr lange.",
    "Das Budget für die Finanzierung ist zu klein, und die Förderung endet bald.",
]


def multilingual_notes():
    rng = random.Random(3)
    return [{"id": i, "text": rng.choice(POLISH + GERMAN)} for i in range(40)]


def test_polish_and_german_keywords_skip_stop_words_and_keep_diacritics():
    keywords = {w for s in suggest_themes(multilingual_notes(), count=4) for w in s.keywords}

    assert not keywords & {"się", "jest", "nie", "oraz", "które", "dla", "und", "die", "der"}
    assert not keywords & STOP_WORDS
    assert "finansowanie" in keywords
    assert "datenschutz" in keywords
    assert keywords & {"förderung", "großes", "gekürzt", "projektów", "krótkie", "pacjentów"}


def test_stop_word_lists_hold_common_function_words():
    assert {"się", "jest", "oraz", "który", "można", "także", "tego"} <= STOP_WORDS
    assert {"der", "und", "nicht", "für", "werden", "einer", "dass"} <= STOP_WORDS
    assert "finansowanie" not in STOP_WORDS and "datenschutz" not in STOP_WORDS


def test_dismissing_a_suggestion_removes_only_that_one():
    notes = topic_notes()
    before = suggest_themes(notes, count=3)

    after = suggest_themes(notes, count=3, dismissed={before[1].key})

    assert after == [before[0], before[2]]
    assert suggest_themes(notes, count=3, dismissed={"no such key"}) == before


@pytest.mark.parametrize(
    "notes",
    [
        [],
        topic_notes()[:9],
        [{"id": i, "text": ""} for i in range(30)],
        [{"id": i, "text": None} for i in range(30)],
        [{"id": i, "text": "   "} for i in range(30)],
        [{"id": i, "text": "The and of it is 2024, 17."} for i in range(30)],
        [{"id": i, "text": "Funding budget."} for i in range(30)],  # every word in every note
        topic_notes()[:9] + [{"id": f"empty-{i}", "text": ""} for i in range(10)],
    ],
    ids=[
        "none", "nine", "empty", "missing", "blank", "stop-words", "identical", "nine-plus-empty"
    ],
)  # fmt: skip
def test_too_little_to_cluster_gives_no_suggestions(notes):
    assert suggest_themes(notes) == []


def test_empty_notes_are_skipped():
    notes = topic_notes()
    with_empty = notes + [{"id": f"empty-{i}", "text": ""} for i in range(5)]

    ids = {n for s in suggest_themes(with_empty, count=3) for n in s.note_ids}

    assert not any(str(n).startswith("empty") for n in ids)


def test_same_input_gives_the_same_suggestions():
    notes = topic_notes(per_topic=40, seed=7)

    assert suggest_themes(notes, count=4, seed=5) == suggest_themes(notes, count=4, seed=5)


# --- rules -----------------------------------------------------------------------------------


def matches(rule_text, text):
    return parse_rule(rule_text).matches(text)


@pytest.mark.parametrize("rule", ["grant, budget", "grant OR budget", "grant or budget"])
def test_alternatives_match_either(rule):
    assert matches(rule, "We lost the grant.")
    assert matches(rule, "Budget cuts hurt.")
    assert not matches(rule, "Staff need training.")


def test_words_in_one_alternative_must_all_appear_in_any_order():
    assert matches("data consent", "Consent to share the data.")
    assert not matches("data consent", "Only the data.")
    assert matches("data consent, grant", "A grant.")


def test_a_quoted_phrase_must_appear_in_order():
    assert matches('"data protection"', "Strict data protection rules")
    assert matches('"data protection"', "Data-protection, data\n protection")
    assert matches('"data protection"', "our data,  protection is")
    assert not matches('"data protection"', "protection of data")
    assert not matches('"data protection"', "data and protection")
    assert matches("„Schutz der Daten“", "der Schutz der Daten")  # German quotation marks


def test_wildcards_at_the_start_or_end_of_a_word():
    assert matches("fund*", "Funding ran out")
    assert matches("fund*", "The funders left")
    assert matches("fund*", "no fund")
    assert not matches("fund*", "a refund")
    assert matches("*fund", "a refund")
    assert not matches("*fund", "funding")
    assert matches("*finanz*", "Die Forschungsfinanzierung fehlt")
    assert matches('"fund* cut*"', "funding cuts again")


def test_a_minus_word_excludes_notes():
    assert matches("fund* -refund", "Funding is short")
    assert not matches("fund* -refund", "Funding and a refund")
    assert not matches('grant -"too late"', "The grant came too late")
    assert matches('grant -"too late"', "Late, too: the grant")


def test_case_does_not_matter_including_sharp_s_and_polish_letters():
    assert matches("STRASSE", "Die Straße ist lang")
    assert matches("straße", "DIE STRASSE")
    assert matches("łódź", "Spotkanie w ŁODZI i ŁÓDŹ")
    assert matches("Finansowanie", "FINANSOWANIE badań")
    assert matches("ŻÓŁW*", "żółwie")


def test_only_whole_words_match():
    assert not matches("fund", "The refund arrived")
    assert not matches("fund", "funding")
    assert not matches("ochrona", "nieochrona")
    assert matches("fund", "the fund, arrived")


def test_greek_text():
    assert matches("χρηματοδότηση", "Η Χρηματοδότηση τελειώνει.")
    assert matches("λόγος", "ΕΝΑΣ ΛΌΓΟΣ")  # final sigma folds like any sigma
    assert matches("ΛΟΓΟΣ", "ένας λογος")
    assert matches("χρηματοδότ*", "η χρηματοδότηση")
    assert not matches("λόγος", "διάλογος")


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("", "at least one word"),
        ("   ", "at least one word"),
        ("fund " * 50, "at most 200 characters"),
        ("-refund", "only excludes"),
        ("fund, -refund", "only excludes"),
        ("fund,,grant", "empty alternative"),
        ("fund OR", "empty alternative"),
        (", fund", "empty alternative"),
        ('"data protection', "not closed"),
        ('grant "data', "not closed"),
        ("*", "part of a word"),
        ("fund *", "part of a word"),
        ("f*nd", "start or end of a word, not inside: f*nd"),
        ("**fund", "start or end"),
        ("fund -", "no letters or digits"),
        ('fund ""', "no letters or digits"),
    ],
)
def test_rule_errors_say_what_to_correct(rule, message):
    with pytest.raises(RuleError, match=message.replace("*", r"\*")):
        parse_rule(rule)


def test_rule_keeps_its_text_and_rule_error_is_a_value_error():
    assert parse_rule("  fund*, grant  ").text == "fund*, grant"
    assert issubclass(RuleError, ValueError)


@pytest.mark.parametrize(
    "rule",
    ["a" * 200, "(((a+)+)+)", "*a*", '"' + "a " * 99 + '"', "a" * 99 + "* " + "a" * 99, "(a|a)*b"],
)
def test_hostile_rules_are_refused_or_match_a_long_note_at_once(rule):
    try:
        parsed = parse_rule(rule)
    except RuleError:
        return
    for text in ["a" * 10_000, "a " * 5_000, "a" * 9_999 + "!", "(((" * 3_000 + "a+"]:
        assert parsed.matches(text) in (True, False)


def test_matching_notes_keeps_the_given_order():
    rule = parse_rule("fund*")
    notes = [
        {"id": 3, "text": "funding"},
        {"id": 1, "text": "staff"},
        {"id": 2, "text": "Funders"},
        {"id": 4, "text": ""},
        {"id": 5, "text": None},
    ]

    assert matching_notes(rule, notes) == [3, 2]


RULE_TEXT = st.one_of(
    st.text(max_size=250),
    st.text(alphabet=list('ab ł,*-"„“OR\n\tß'), max_size=60),
)


@settings(max_examples=300, deadline=None)
@given(rule_text=RULE_TEXT, note=st.text(max_size=300))
def test_any_rule_is_refused_cleanly_or_matches_any_text(rule_text, note):
    try:
        rule = parse_rule(rule_text)
    except RuleError as error:
        assert str(error)
        return
    assert isinstance(rule, Rule)
    assert isinstance(rule.matches(note), bool)


def test_a_rule_preview_marks_each_match_and_codes_only_the_ticked_notes(
    app, db, workshop, organiser, ids
):
    """Every match is highlighted in the preview, each note can be unticked, and the rule then
    codes only the notes left ticked."""
    from kt_workshop.coding import codebook
    from kt_workshop.live import notes

    cell = {
        "round_id": ids["rounds"][0],
        "table_id": ids["tables"][0],
        "question_id": ids["questions"][0],
        "moderator_id": None,
    }
    made = [
        notes.store_note(db, workshop, cell, kind="insight", text=text, source="import")[0]
        for text in ("Funding is short. FUNDING again", "No money here", "Fundraising nights")
    ]
    theme = codebook.create_theme(db, workshop, {"name": "Money"}, "organiser")
    page = organiser.get(f"/w/{workshop}/suggestions?pattern=fund*&theme_id={theme}").get_data(
        as_text=True
    )
    assert "<mark>Funding</mark> is short. <mark>FUNDING</mark> again" in page
    assert "<mark>Fundraising</mark> nights" in page
    assert page.count('name="note_ids"') == 2
    organiser.post(
        f"/w/{workshop}/rules",
        data={"pattern": "fund*", "theme_id": theme, "chosen": "1", "note_ids": [made[2]]},
    )
    rows = db.execute("SELECT note_id FROM coding WHERE theme_id = ?", [theme]).fetchall()
    assert [r[0] for r in rows] == [made[2]]


def test_highlight_keeps_the_text_as_written():
    rule = suggestions.parse_rule('"data sharing", straße')
    pieces = suggestions.highlight(rule, "Data  sharing in der STRASSE und Straße")
    assert "".join(p for p, _hit in pieces) == "Data  sharing in der STRASSE und Straße"
    assert [p for p, hit in pieces if hit] == ["Data  sharing", "STRASSE", "Straße"]
