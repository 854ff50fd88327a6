"""Every string a user sees in a template is marked for translation; user text is kept as is."""

import re
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).parent.parent / "kt_workshop" / "templates"
JINJA = re.compile(r"{%.*?%}|{{.*?}}|{#.*?#}", re.S)
TAG = re.compile(r"<[^>]*>", re.S)
ATTRIBUTE = re.compile(r'\s(?:placeholder|title|aria-label|alt)="([^"{]*[A-Za-z][^"{]*)"')


def visible_text(source: str) -> str:
    """The template's text outside Jinja and HTML tags, plus its user-facing attributes."""
    without_jinja = JINJA.sub(" ", source)
    attributes = " ".join(ATTRIBUTE.findall(without_jinja))
    return (
        TAG.sub(
            " ", re.sub(r"<script.*?</script>|<style.*?</style>", " ", without_jinja, flags=re.S)
        )
        + " "
        + attributes
    )


@pytest.mark.parametrize("template", sorted(TEMPLATES.rglob("*.html")), ids=lambda p: p.name)
def test_template_has_no_untranslated_text(template):
    """Words in a template must come through _() so a translation can replace them."""
    leftover = [
        word
        for word in re.findall(r"[^\W\d_]{2,}", visible_text(template.read_text()))
        if word not in {"kt"}
    ]
    assert not leftover, f"{template.name}: wrap these words in _(): {leftover[:10]}"


def test_the_check_catches_a_bare_word():
    """The checker itself finds text that is not wrapped."""
    assert "Hello" in visible_text('<p>Hello {{ _("World") }}</p>')
    assert "Name" in visible_text('<input placeholder="Name">')
    assert "World" not in visible_text('<p>{{ _("World") }}</p>')


def test_user_text_is_shown_as_written(organiser, db, workshop):
    """Names in any script and hostile-looking text come back unchanged (escaped, not lost)."""
    from kt_workshop import store

    name = "Γιώργος Παπαδόπουλος <b>&amp;</b> 🙂"
    store.add_item(db, "participant", workshop, {"name": name})
    page = organiser.get(f"/w/{workshop}/delegates").get_data(as_text=True)
    assert "Γιώργος Παπαδόπουλος &lt;b&gt;&amp;amp;&lt;/b&gt; 🙂" in page


@pytest.fixture
def in_warsaw(monkeypatch):
    """The laptop's clock set to Warsaw time (UTC+2 in May)."""
    import time

    monkeypatch.setenv("TZ", "Europe/Warsaw")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_stored_moments_show_in_the_laptops_time_zone(app, in_warsaw):
    """The codebook showed 07:05 at 08:05 Warsaw time: moments are stored in UTC and every
    template writes them through the one `local_time` filter, in the page's language."""
    from pathlib import Path

    from kt_workshop.i18n import local_time

    assert local_time("2026-05-04T06:05:00+00:00") == "04/05/2026, 08:05"  # British, 24 h
    assert "8:05" in local_time("2026-05-04T06:05:00")  # no offset: stored as UTC
    assert local_time(None) == "" and local_time("not a time") == "not a time"
    with app.test_request_context():
        shown = app.jinja_env.from_string("{{ at|local_time }}").render(at="2026-05-04T06:05:00Z")
    assert "8:05" in shown and "6:05" not in shown
    templates = Path(__file__).resolve().parent.parent / "kt_workshop" / "templates"
    sliced = [p.name for p in templates.rglob("*.html") if "_at[:" in p.read_text("utf-8")]
    assert sliced == []


SCRIPTS = TEMPLATES.parent / "static" / "js"
JS_TOKEN = re.compile(
    r'"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|`(?:[^`\\]|\\.)*`|/\*.*?\*/|//[^\n]*', re.S
)
# Words in a sentence: a capitalised word, words ending in punctuation, or three words in a row.
SENTENCE = re.compile(
    r"(?:^|[\s(])[A-Z][a-z]+\b|[a-z]{2,}[.!?:…]\s*$|[a-z]{2,} [a-z]{2,} [a-z]{2,}"
)
SHOWN = re.compile(
    r"(?:textContent|innerText|title|placeholder|ariaLabel|alert|confirm)\s*[=(]\s*$"
)
NOT_SHOWN = {"Enter", "Escape", "io server disconnect"}  # key names; Socket.IO's reason


def english_in_script(code: str) -> list[str]:
    """String literals of a script that read as English text, or that are put on the page."""
    found = []
    for match in JS_TOKEN.finditer(code):
        token = match.group(0)
        if token.startswith(("//", "/*")):
            continue
        text = re.sub(r"\$\{[^}]*\}", " ", token[1:-1])
        shown = SHOWN.search(code[max(0, match.start() - 40) : match.start()])
        if text not in NOT_SHOWN and (
            SENTENCE.search(text) or (shown and re.search("[A-Za-z]{2}", text))
        ):
            found.append(text)
    return found


@pytest.mark.parametrize("script", sorted(SCRIPTS.rglob("*.js")), ids=lambda p: p.name)
def test_scripts_show_only_text_the_template_passed_in(script):
    """Every text a script shows comes from the page (data-i18n, translated by the template),
    so scripts hold no English of their own."""
    assert english_in_script(script.read_text("utf-8")) == [], script.name


def test_the_script_check_catches_english():
    code = """// A comment, with Words.
    el.textContent = "saved"; say('Not saved: try again.'); x = `Round ${n} of ${m}`;
    el.className = "secondary small"; if (event.key === "Enter") go(t.saved);"""
    assert english_in_script(code) == ["saved", "Not saved: try again.", "Round   of  "]
