"""The accessibility sweep covers every page and every shipped language; pictures carry words.

The sweep itself runs in Chromium (tests/test_accessibility_browser.py); these checks keep it
complete without a browser: a new GET page without a sweep entry, or a picture without alt
text, fails here.
"""

import re
from pathlib import Path

from werkzeug.exceptions import NotFound

from tests.accessibility import (
    NOT_PAGES,
    PAGES,
    screenshot_folder,
    screenshot_name,
    shipped_languages,
)

PACKAGE = Path(__file__).resolve().parent.parent / "kt_workshop"


def test_every_get_page_is_in_the_sweep(app):
    """Each GET route is opened by the sweep or named as not a page (a download, JSON, a
    picture); a new page without a sweep entry fails here, and so does a stale entry."""
    adapter = app.url_map.bind("localhost")
    swept = set()
    for page in PAGES:
        address = page.path.format(delegate=1, theme=1, join="1.x")
        try:
            endpoint, _args = adapter.match(address, method="GET")
        except NotFound:
            assert page.note == "the error page", f"{page.path} matches no route"
            continue
        swept.add(endpoint)
    pages = {rule.endpoint for rule in app.url_map.iter_rules() if "GET" in rule.methods}
    pages = {endpoint for endpoint in pages if not endpoint.startswith("api.")}
    assert pages - swept - set(NOT_PAGES) == set(), "add these pages to tests/accessibility.py"
    assert set(NOT_PAGES) <= pages, "NOT_PAGES names a route that is gone"
    assert not swept & set(NOT_PAGES)


def test_screenshots_are_asked_for_and_each_page_has_its_own_file(monkeypatch, tmp_path):
    """The sweep takes screenshots only when KT_WORKSHOP_SCREENSHOTS names a folder, and no
    two pages in it would overwrite each other's picture."""
    monkeypatch.delenv("KT_WORKSHOP_SCREENSHOTS", raising=False)
    assert screenshot_folder() is None
    monkeypatch.setenv("KT_WORKSHOP_SCREENSHOTS", str(tmp_path))
    assert screenshot_folder() == tmp_path
    names = [screenshot_name(page) for page in PAGES]
    assert len(set(names)) == len(PAGES)
    assert "organiser-home.png" in names and "analyst-w-1-codebook.png" in names


def test_the_sweep_finds_every_shipped_language_as_flask_babel_does(tmp_path, monkeypatch):
    """English always; a language whose compiled catalogue is added to the translations folder
    is swept from then on, with no change to the tests."""
    from babel.messages.catalog import Catalog
    from babel.messages.mofile import write_mo

    assert "en" in shipped_languages()
    folder = tmp_path / "translations"
    for code in ("cs", "pl"):
        (folder / code / "LC_MESSAGES").mkdir(parents=True)
        with open(folder / code / "LC_MESSAGES" / "messages.mo", "wb") as mo:
            write_mo(mo, Catalog(locale=code))
    (folder / "README.md").write_text("not a language")
    (folder / "de" / "LC_MESSAGES").mkdir(parents=True)  # no compiled catalogue: not shipped
    assert shipped_languages(folder) == ["cs", "en", "pl"]


IMG = re.compile(r"<img\b[^>]*>", re.S)


def test_every_picture_in_the_templates_and_scripts_has_alt_text():
    """An <img> in a template has a non-empty alt; a script that makes one sets its alt."""
    missing = []
    for path in (PACKAGE / "templates").rglob("*.html"):
        for tag in IMG.findall(path.read_text("utf-8")):
            if not re.search(r"""\balt=["'][^"']""", tag) and 'role="presentation"' not in tag:
                missing.append(f"{path.name}: {tag[:80]}")
    for path in (PACKAGE / "static" / "js").rglob("*.js"):
        text = path.read_text("utf-8")
        if re.search(r"""createElement\(["']img["']\)|new Image\(""", text) and ".alt" not in text:
            missing.append(f"{path.name} makes a picture without alt text")
    assert missing == []


def test_the_report_page_describes_each_chart_in_words(organiser, demo, app):
    """A chart preview's alt text says what it shows, with its figures once drawn (the same words
    as the Word report's), and its caption is a translated title, not a file name."""
    from kt_workshop.reports import figures

    page = organiser.get(f"/w/{demo}/report").get_data(as_text=True)
    alts = re.findall(r'<img src="[^"]*/report/charts/([a-z-]+)\.svg[^"]*" alt="([^"]+)"', page)
    assert [name for name, _alt in alts] == list(figures.NAMES)
    captions = ["Participation by country", "Participation by sector"]
    for (_name, alt), caption in zip(alts, captions, strict=False):
        assert alt == f"Chart: {caption}" or alt.startswith("Bar chart of delegates by"), alt
    # Once the charts are drawn, the alt text carries their figures too.
    organiser.get(f"/w/{demo}/report/charts/participation-by-country.svg")
    page = organiser.get(f"/w/{demo}/report").get_data(as_text=True)
    assert "Bar chart of delegates by country: United Kingdom 20" in page
    assert "<figcaption>Participation by country ·" in page  # a translated caption


def test_theme_colours_are_named_in_words(organiser, demo):
    """Each theme's colour is said in words beside its swatch (the palette's own names; any
    other colour by the nearest name), so no one needs to tell the colours apart."""
    from kt_workshop.coding.codebook_page import colour_name

    with organiser.application.test_request_context():
        assert colour_name("#0072b2") == "blue"
        assert colour_name("#0000FF") == "blue"  # nearest
        assert colour_name("#e69f00") == "orange"
        assert colour_name("") == colour_name("nonsense") == "grey"
    page = organiser.get(f"/w/{demo}/codebook").get_data(as_text=True)
    swatches = len(re.findall(r'<h2 class="theme-name"><span class="swatch', page))
    named = re.findall(r"colour: ([a-z ]+)</span></h2>", page)
    assert swatches == len(named) > 10
    assert set(named) <= {
        "orange",
        "sky blue",
        "bluish green",
        "yellow",
        "blue",
        "vermilion",
        "reddish purple",
        "grey",
        "black",
        "white",
        "red",
        "green",
        "brown",
        "purple",
    }
