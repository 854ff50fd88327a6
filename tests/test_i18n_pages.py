"""Every page shows only translated text or what users wrote: each GET page of the app (its
url_map, so a new page is covered without touching this file), for each role, rendered on the
demo workshop in a pseudo-language whose every translation is wrapped in ⟦ ⟧. Visible text
outside the markers that is not user data is a string nobody marked for translation."""

import json
import re
from html.parser import HTMLParser

import pytest
from babel import Locale
from catalogues import write_catalogue
from conftest import make_test_app

from kt_workshop import access, store
from kt_workshop.access import ROLES
from kt_workshop.db import open_db
from kt_workshop.demo import create_demo
from kt_workshop.live.notes import KINDS
from kt_workshop.setup.topics import shipped_packs
from kt_workshop.store import ATTENDANCE, FORMATS
from kt_workshop.translations import catalogue_languages, language_name
from kt_workshop.web import PUBLIC

PSEUDO = "eo"  # Esperanto's locale data (Babel's dates, numbers); the texts are ours
OPEN, CLOSE = "⟦", "⟧"

# Sample values for the URL parts; a page with a part not here is listed in SKIPPED_PARTS, so
# a new kind of page is either rendered or consciously left out.
PRINTOUTS = ("cards", "itineraries", "runsheets", "rosters", "badges", "links")
SKIPPED_PARTS = {
    "token",  # join links: they sign in and redirect
    "collection",  # API: JSON
    "item_id",  # API: JSON
    "job_id",  # a report job: JSON
    "name",  # chart previews (SVG) and report files
}

# Text that is neither translated nor user data, and rightly so.
ALLOWED = re.compile(
    r"^(kt-workshop|QualCoder|Taguette|ATLAS\.ti|MAXQDA|NVivo|REFI-QDA|LibreOffice|Word|Excel"
    r"|TOML|CSV|JSON|XLSX|DOCX|PDF|QDPX|QDC|SVG|ID|A4|OK|κ|α"
    r"|https?://\S+|\S+@\S+|[\w.-]+\.(csv|xlsx|docx|toml|json|qdc|qdpx|zip|crt|pdf|db))$"
)


class VisibleText(HTMLParser):
    """The text a person sees or hears: text nodes outside script and style, and the
    attributes read out or shown (title, alt, aria-label, placeholder, button values).
    Left out, as not for translating: a textarea's contents (what a person is editing),
    elements marked translate="no", and elements in another language than the page's
    (`lang`, such as a language's own name on a language switch)."""

    SPOKEN = ("title", "alt", "aria-label", "placeholder", "aria-description")
    VOID = {
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "source",
        "track",
        "wbr",
    }

    def __init__(self, page_language: str):
        super().__init__(convert_charrefs=True)
        self.page_language = page_language
        self.texts: list[str] = []
        self.open: list[tuple[str, bool]] = []  # (tag, skipped) of each open element

    def skipping(self) -> bool:
        return any(skipped for _tag, skipped in self.open)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        language = attributes.get("lang")
        skipped = (
            tag in ("script", "style", "textarea")
            or attributes.get("translate") == "no"
            or (language is not None and tag != "html" and language != self.page_language)
        )
        if not self.skipping() and not skipped:
            for name in self.SPOKEN:
                if attributes.get(name):
                    self.texts.append(attributes[name])
            if tag == "input" and attributes.get("type") in ("submit", "button", "reset"):
                self.texts.append(attributes.get("value") or "")
        if tag not in self.VOID:
            self.open.append((tag, skipped))

    def handle_endtag(self, tag):
        for index in range(len(self.open) - 1, -1, -1):  # forgiving of unclosed elements
            if self.open[index][0] == tag:
                del self.open[index:]
                break

    def handle_data(self, data):
        if not self.skipping():
            self.texts.append(data)


NODE = "\x01"  # between two text nodes: a translation may hold markup, so markers may span it


def visible_texts(page: str, page_language: str = PSEUDO) -> list[str]:
    """The visible texts of a page with the translations' markers taken out, one per text
    node (or per piece between markers)."""
    parser = VisibleText(page_language)
    parser.feed(page)
    joined = NODE.join(" ".join(t.split()) for t in parser.texts if t.strip())
    marked = re.compile(f"{OPEN}[^{OPEN}{CLOSE}]*{CLOSE}")
    while marked.search(joined):
        joined = marked.sub("\0", joined)
    return [t for t in re.split(f"[{NODE}\0]", joined) if t.strip()]


def pieces(text: str) -> list[str]:
    """A text outside the markers, then its parts when it joins several values."""
    parts = re.split(r" · | \| | / ", text)  # a meta line, or a theme's path
    return [p.strip(STRIP) for p in [text, *parts]]


STRIP = " \t:;,.·|/()[]–—-•*#?!\"'“”‘’…★"


def is_user_data(piece: str, user: set[str], blob: str, words: frozenset = frozenset()) -> bool:
    """Written by a user (whole, cut short, or with a number before or after it: a note's
    number, a count), or a date or name that only Babel or the data make."""
    variants = {
        piece,
        re.sub(r"^\d+ ", "", piece),  # "194 Everyone at the table..."
        re.sub(r"\s*\(?\d+$", "", piece).strip(STRIP),  # "Belgium 2", "Group 1 (13"
    }
    for variant in variants:
        if variant in user or ALLOWED.match(variant):
            return True
        if len(variant) >= 12 and variant in blob:  # an excerpt of a long note
            return True
    letters = re.sub(r"[^\W\d_]+", lambda m: "" if m[0].lower() in words else m[0], piece)
    return not re.search(r"[^\W\d_]{2,}", letters)  # a date: numbers and month names


def user_data(db) -> tuple[set[str], str]:
    """Every text the database and the shipped topic packs hold (what users and the demo
    wrote), their lines too; the codes the app keeps (kinds, roles, formats, states) are left
    out: a page must show them translated."""
    codes = {
        *KINDS,
        *ROLES,
        *FORMATS,
        *ATTENDANCE,
        "waiting",
        "running",
        "paused",
        "break",
        "finished",
        "rating",
        "text",
    }
    values = [
        text
        for pack in shipped_packs()
        for text in (pack.title, pack.description, *(b.title for b in pack.blocks))
        + tuple(t for b in pack.blocks for q in b.questions for t in (q.text, q.prompt))
    ]
    for table in db.table_names():
        for row in db.execute(f"SELECT * FROM [{table}]").fetchall():  # noqa: S608
            for value in row:
                if isinstance(value, str) and value not in codes:
                    values += [value, *json_texts(value)]
    found = set()
    for value in values:
        found.add(" ".join(value.split()))
        found.update(" ".join(line.split()) for line in value.splitlines())
    found.discard("")
    return found, "\n".join(sorted(found))


def json_texts(value: str) -> list[str]:
    """The texts inside a JSON value (a delegate's extra columns)."""
    if not value.startswith(("{", "[")):
        return []
    try:
        data = json.loads(value)
    except ValueError:
        return []
    items = data.values() if isinstance(data, dict) else data
    return [item for item in items if isinstance(item, str)]


def allowed_words() -> set[str]:
    """What Babel writes for the pseudo-language's dates (month and day names)."""
    locale = Locale.parse(PSEUDO)
    words = {language_name(PSEUDO)}  # on the language switch, in its own name
    for names in (locale.months, locale.days):
        for width in names.values():
            for group in width.values():
                words.update(group.values())
    for width in locale.day_periods.values():
        for group in width.values():
            words.update(group.values())
    return words


@pytest.fixture(scope="module")
def pseudo_app(tmp_path_factory):
    """An app offering only English and the pseudo-language, with the demo workshop in it."""
    root = tmp_path_factory.mktemp("pseudo")
    write_catalogue(root / "translations", PSEUDO, lambda text: f"{OPEN}{text}{CLOSE}")
    app = make_test_app(root, BABEL_TRANSLATION_DIRECTORIES=str(root / "translations"))
    db = open_db(app.config["DATABASE"])
    workshop = create_demo(db)
    store.update_workshop(db, workshop, {"language": PSEUDO})  # the projector and printouts
    yield app, db, workshop
    db.close()


def clients(app, db, workshop) -> dict:
    """A signed-in browser for each role, reading the pseudo-language."""
    from conftest import sign_in_organiser

    organiser = app.test_client()
    sign_in_organiser(organiser, db)
    signed_in = {"organiser": organiser, "public": app.test_client()}
    moderator = store.list_items(db, "moderator", workshop)[0]
    participant = store.list_items(db, "participant", workshop)[0]
    for role, links in (
        ("moderator", {"moderator_id": moderator["id"]}),
        ("participant", {"participant_id": participant["id"]}),
        ("analyst", {}),
    ):
        grant = access.create_grant(db, workshop, role, f"Pseudo {role}", **links)
        client = app.test_client()
        client.get(f"/join/{access.grant_token(app.config['SECRET_KEY'], grant)}")
        signed_in[role] = client
    return signed_in


def sample_urls(app, db, workshop) -> list[tuple[str, str, str]]:
    """(endpoint, URL, roles) for every GET route, with the demo's ids filled in."""
    first = {
        "workshop_id": [workshop],
        "theme_id": [db.execute("SELECT min(id) FROM theme").fetchone()[0]],
        "delegate_id": [store.list_items(db, "participant", workshop)[0]["id"]],
        "photo_id": [db.execute("SELECT min(id) FROM photo").fetchone()[0] or 1],
        "kind": list(PRINTOUTS),
        "fmt": ["html"],
    }
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        if rule.arguments & SKIPPED_PARTS:
            continue
        missing = rule.arguments - set(first)
        assert not missing, f"{rule.rule}: give a sample value for {missing} (or skip it)"
        combos = [{}]
        for name in sorted(rule.arguments):
            combos = [{**c, name: v} for c in combos for v in first[name]]
        view = app.view_functions[rule.endpoint]
        for values in combos:
            with app.test_request_context():
                from flask import url_for

                urls.append((rule.endpoint, url_for(rule.endpoint, **values), view.access_roles))
    return urls


def test_every_page_shows_only_translated_text_or_user_data(pseudo_app):
    """Each role's every HTML page: no visible text outside ⟦ ⟧ but what users wrote."""
    app, db, workshop = pseudo_app
    signed_in = clients(app, db, workshop)
    user, blob = user_data(db)
    words = frozenset(w.lower() for w in allowed_words())
    problems, pages = [], 0
    for _endpoint, url, roles in sample_urls(app, db, workshop):
        for role in sorted(roles):
            client = signed_in["public" if role == PUBLIC else role]
            response = client.get(url, headers={"Accept-Language": PSEUDO})
            if not response.content_type.startswith("text/html") or response.status_code != 200:
                continue
            pages += 1
            page = response.get_data(as_text=True)
            assert f'<html lang="{PSEUDO}">' in page, url
            for text in visible_texts(page):
                whole, *parts = pieces(text)
                if is_user_data(whole, user, blob, words):
                    continue
                for piece in parts if len(parts) > 1 else [whole]:
                    if not is_user_data(piece, user, blob, words):
                        problems.append(f"{role} {url}: {piece!r}")
    unique = sorted(set(problems))
    assert not unique, f"{len(unique)} unmarked texts:\n" + "\n".join(unique[:120])
    assert pages >= 45, pages  # every page of every role, not a handful


def test_the_error_pages_are_translated_too(pseudo_app):
    """The page for an address that does not exist, or a row that is gone, says its title and
    explanation in the person's language (Werkzeug's own are English); the sweep above reads
    only pages that answer 200. Seen in the German screenshots: "404 · Not Found"."""
    app, db, workshop = pseudo_app
    organiser = clients(app, db, workshop)["organiser"]
    user, blob = user_data(db)
    words = frozenset(w.lower() for w in allowed_words())
    problems = []
    for url in (f"/w/{workshop}/no-such-page", "/w/999999"):
        response = organiser.get(url, headers={"Accept-Language": PSEUDO})
        assert response.status_code == 404, url
        for text in visible_texts(response.get_data(as_text=True)):
            whole, *parts = pieces(text)
            for piece in parts if len(parts) > 1 else [whole]:
                if not is_user_data(piece, user, blob, words):
                    problems.append(f"{url}: {piece!r}")
    assert problems == []


def test_the_page_check_catches_unmarked_text():
    """The checker itself: text outside the markers is found; user data, markers (even around
    markup), scripts, textareas and text in another language pass."""
    user, blob = {"Zofia Wiśniewska"}, "Zofia Wiśniewska"
    texts = visible_texts(
        '<p>⟦Hello <b>⟦Admin⟧</b> %s⟧ Zofia Wiśniewska</p><button title="Save">⟦Go⟧</button>'
        "<script>var x = 'Hidden';</script><textarea>Typed</textarea><p>Plain words</p>"
        '<option lang="pl">Polski</option><td translate="no">joined</td><p>Shown</p>'
    )
    found = [p for t in texts for p in pieces(t)[:1] if not is_user_data(p, user, blob)]
    assert found == ["Save", "Plain words", "Shown"]


@pytest.mark.parametrize("code", catalogue_languages(), ids=str)
def test_every_page_renders_in_each_shipped_language(code, tmp_path):
    """With the real catalogues, every page of every role answers in each shipped language as
    it does in English (a translation with a broken placeholder would fail the page), with
    <html lang> saying which: the demo workshop set to that language, projector and
    printouts included."""
    app = make_test_app(tmp_path)
    db = open_db(app.config["DATABASE"])
    workshop = create_demo(db)
    store.update_workshop(db, workshop, {"language": code})
    signed_in = clients(app, db, workshop)
    broken, pages = [], 0
    for _endpoint, url, roles in sample_urls(app, db, workshop):
        for role in sorted(roles):
            client = signed_in["public" if role == PUBLIC else role]
            english = client.get(url, headers={"Accept-Language": "en"}).status_code
            response = client.get(url, headers={"Accept-Language": code})
            if response.status_code != english:
                broken.append(f"{role} {url}: {response.status_code} (English {english})")
            elif response.status_code == 200 and response.content_type.startswith("text/html"):
                pages += 1
                if f'<html lang="{code}">' not in response.get_data(as_text=True):
                    broken.append(f"{role} {url}: not in {code}")
    db.close()
    assert broken == [] and pages >= 45, (broken, pages)
