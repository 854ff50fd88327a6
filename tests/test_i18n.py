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

    assert "8:05" in local_time("2026-05-04T06:05:00+00:00")  # English: 5/4/26, 8:05 AM
    assert "8:05" in local_time("2026-05-04T06:05:00")  # no offset: stored as UTC
    assert local_time(None) == "" and local_time("not a time") == "not a time"
    with app.test_request_context():
        shown = app.jinja_env.from_string("{{ at|local_time }}").render(at="2026-05-04T06:05:00Z")
    assert "8:05" in shown and "6:05" not in shown
    templates = Path(__file__).resolve().parent.parent / "kt_workshop" / "templates"
    sliced = [p.name for p in templates.rglob("*.html") if "_at[:" in p.read_text("utf-8")]
    assert sliced == []
