"""The demo content: counts, proportions and consistency of notes, codebook and summaries."""

import copy
import importlib
import re
from collections import Counter

import pytest

from kt_workshop.demo import content as dc
from kt_workshop.live.notes import KINDS

THEME_KEYS = {theme["key"] for theme in dc.THEMES}
PARENT = {theme["key"]: theme["parent"] for theme in dc.THEMES}
ROOTS = [theme["key"] for theme in dc.THEMES if theme["parent"] is None]

# Short function words; the test only needs a rough share per language.
POLISH_WORDS = re.compile(r"\b(się|nie|jest|czy|że|na|w|z|do|o|ale|nikt|to|a)\b")
GERMAN_WORDS = re.compile(r"\b(und|nicht|ist|wir|das|die|der|es|bei|mit|für|ein)\b")


def depth(key: str) -> int:
    level = 1
    while PARENT[key] is not None:
        key = PARENT[key]
        level += 1
    return level


def root(key: str) -> str:
    while PARENT[key] is not None:
        key = PARENT[key]
    return key


def language(text: str) -> str:
    """A rough guess from diacritics and a few function words."""
    text = text.lower()
    if re.search("[ąęłśżźćń]", text) and len(POLISH_WORDS.findall(text)) >= 2:
        return "pl"
    if len(GERMAN_WORDS.findall(text)) >= 2:
        return "de"
    return "en"


def test_codebook_shape():
    assert 18 <= len(dc.THEMES) <= 25
    assert len(THEME_KEYS) == len(dc.THEMES), "theme keys must be unique"
    seen = set()
    for theme in dc.THEMES:
        assert set(theme) == {"key", "parent", "name", "colour", "description", "usage"}
        assert theme["parent"] is None or theme["parent"] in seen, "parents come first"
        seen.add(theme["key"])
        assert re.fullmatch(r"#[0-9a-f]{6}", theme["colour"])
        assert theme["name"].strip() and theme["description"].strip() and theme["usage"].strip()
        assert re.fullmatch(r"[a-z][a-z0-9-]*", theme["key"])
    assert max(depth(key) for key in THEME_KEYS) == 3
    assert [t["name"] for t in dc.THEMES if t["parent"] is None] == [
        "Consistent communication and shared values",
        "Research and funding",
        "Service ethics: assessing risk and reporting",
    ]
    for key in ROOTS:
        assert 3 <= sum(PARENT[k] == key for k in THEME_KEYS) <= 5
    assert 3 <= sum(depth(key) == 3 for key in THEME_KEYS) <= 6
    assert len({theme["colour"] for theme in dc.THEMES}) == len(dc.THEMES)


def test_note_fields():
    for note in dc.NOTES:
        assert set(note) == {"question", "group", "kind", "text", "starred", "a", "b", "quote"}
        assert note["question"] in range(10) and note["group"] in range(5)
        assert note["kind"] in KINDS and note["kind"] in dc.KINDS
        assert isinstance(note["starred"], bool) and isinstance(note["quote"], bool)
        assert 0 < len(note["text"].strip()) <= 2000
        assert note["text"] == note["text"].strip() and "  " not in note["text"]
        assert len(note["a"]) <= 3 and len(note["b"]) <= 3
        assert set(note["a"]) | set(note["b"]) <= THEME_KEYS


def test_note_counts():
    assert 350 <= len(dc.NOTES) <= 420
    per_question = Counter(note["question"] for note in dc.NOTES)
    per_cell = Counter((note["question"], note["group"]) for note in dc.NOTES)
    for question in range(10):
        assert 30 <= per_question[question] <= 45
        for group in range(5):
            assert 5 <= per_cell[question, group] <= 9
    lengths = sorted(len(note["text"]) for note in dc.NOTES)
    assert lengths[len(lengths) // 20] >= 40 and lengths[-len(lengths) // 20] <= 300
    assert lengths[-1] <= 600


def test_kinds_stars_and_quotes():
    kinds = Counter(note["kind"] for note in dc.NOTES)
    assert set(kinds) == set(KINDS)
    assert kinds["insight"] + kinds["challenge"] > len(dc.NOTES) / 2
    assert 0.07 <= sum(note["starred"] for note in dc.NOTES) / len(dc.NOTES) <= 0.13
    quotes = [note for note in dc.NOTES if note["quote"]]
    assert 12 <= len(quotes) <= 18
    assert {note["question"] for note in quotes} == set(range(10))


def test_languages():
    languages = Counter(language(note["text"]) for note in dc.NOTES)
    share = {lang: count / len(dc.NOTES) for lang, count in languages.items()}
    assert 0.06 <= share["pl"] <= 0.11
    assert 0.035 <= share["de"] <= 0.07
    for lang in ("pl", "de"):
        questions = {note["question"] for note in dc.NOTES if language(note["text"]) == lang}
        assert len(questions) >= 8, f"{lang} notes should be spread across the questions"


def test_coding_agreement():
    coded = [note for note in dc.NOTES if note["a"]]
    assert all(1 <= len(note["a"]) <= 3 for note in coded)
    uncoded = [note for note in dc.NOTES if not note["a"] and not note["b"]]
    assert 0.015 <= len(uncoded) / len(dc.NOTES) <= 0.05
    differ = sum(set(note["a"]) != set(note["b"]) for note in dc.NOTES)
    assert 0.10 <= differ / len(dc.NOTES) <= 0.30
    # Analyst A codes mostly below the overarching themes.
    applied = [key for note in dc.NOTES for key in note["a"]]
    assert sum(key in ROOTS for key in applied) / len(applied) < 0.05


def test_every_theme_used_but_one_sub_theme():
    used = {key for note in dc.NOTES for key in note["a"] + note["b"]}
    unused = THEME_KEYS - used
    assert len(unused) == 1
    assert depth(unused.pop()) == 3


@pytest.mark.parametrize("key", ROOTS)
def test_overarching_themes_cut_across_questions(key):
    questions = {
        note["question"] for note in dc.NOTES for k in note["a"] + note["b"] if root(k) == key
    }
    assert len(questions) >= 6


def test_summaries_and_points():
    assert set(dc.SUMMARIES) == set(range(10))
    for text in dc.SUMMARIES.values():
        assert 80 <= len(text.split()) <= 150 and len(text) <= 2000
    assert set(dc.THEME_SUMMARIES) == set(ROOTS)
    for text in dc.THEME_SUMMARIES.values():
        assert 100 <= len(text.split()) <= 180 and len(text) <= 2000
    assert 6 <= len(dc.DISCUSSION_POINTS) <= 8
    assert all(0 < len(point) <= 2000 for point in dc.DISCUSSION_POINTS)


def test_memos():
    assert 3 <= len(dc.THEME_MEMOS) <= 5
    assert set(dc.THEME_MEMOS) <= THEME_KEYS
    assert 6 <= len(dc.NOTE_MEMOS) <= 10
    indexes = [index for index, _ in dc.NOTE_MEMOS]
    assert len(set(indexes)) == len(indexes)
    for index, memo in dc.NOTE_MEMOS:
        assert 0 <= index < len(dc.NOTES)
        assert 0 < len(memo) <= 2000
    for memo in dc.THEME_MEMOS.values():
        assert 0 < len(memo) <= 2000


def test_no_speaker_names():
    """Speakers appear by role or country, never by name (the demo's delegate names)."""
    from kt_workshop.demo import COUNTRIES, MODERATORS

    names = {name for _, _, given, family in COUNTRIES for name in given + family}
    names |= {part for moderator in MODERATORS for part in moderator.split() if len(part) > 3}
    for note in dc.NOTES:
        words = set(re.findall(r"\w+", note["text"]))
        assert not words & names, note["text"]


def test_deterministic():
    before = copy.deepcopy(dc.NOTES), list(dc.NOTE_MEMOS)
    again = importlib.reload(dc)
    assert before == (again.NOTES, again.NOTE_MEMOS)
