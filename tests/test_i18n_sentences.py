"""Sentences a translator can translate: every message shown whole, in the page's language.

The app runs here in a made-up Polish catalogue built from the messages extracted fresh with
babel.cfg (as `pybabel extract` does): each message comes back as ⟦message⟧, a message with a
context as ⟦context|message⟧ and a plural's forms as ⟦0|…⟧, ⟦1|…⟧, ⟦2|…⟧ (Polish has three).
So a word shown raw (a role key, a note kind) has no brackets, a word translated on its own and
slotted into a sentence is a bracket inside a bracket, and the plural form chosen is visible.
"""

import functools
import html as html_module
import io
import json
import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import write_po
from flask_babel import force_locale

from kt_workshop import access, store
from kt_workshop.web import babel, socketio
from tests.conftest import make_test_app, sign_in_grant, sign_in_organiser

ROOT = Path(__file__).resolve().parent.parent
KEYWORDS = {**DEFAULT_KEYWORDS, "lazy_": None}  # `pybabel extract -k lazy_`, as the README says
SKIPPED = {"node_modules", "instance", "exports", "vendor", "tests", "bench", "docs"}


@functools.cache
def extracted() -> list[tuple]:
    """(message, context) for every message marked in kt_workshop, Python and templates."""
    with open(ROOT / "babel.cfg", encoding="utf-8") as config:
        method_map, options_map = parse_mapping_cfg(config)
    found = extract_from_dir(
        ROOT,
        method_map,
        options_map,
        keywords=KEYWORDS,
        directory_filter=lambda path: (
            not Path(path).name.startswith((".", "_")) and Path(path).name not in SKIPPED
        ),
    )
    return [(message, context) for _file, _line, message, _comments, context in found]


def pseudo(message: str, context: str | None = None, form: int | None = None) -> str:
    return (
        "⟦"
        + (f"{context}|" if context else "")
        + (f"{form}|" if form is not None else "")
        + message
        + "⟧"
    )


def write_pseudo_catalogue(folder: Path, code: str = "pl") -> None:
    catalogue = Catalog(locale=code, project="kt-workshop")
    for message, context in extracted():
        if isinstance(message, tuple):
            forms = [message[0]] + [message[1]] * (catalogue.num_plurals - 1)
            texts = tuple(pseudo(text, context, i) for i, text in enumerate(forms))
            catalogue.add(message, texts, context=context)
        elif message:
            catalogue.add(message, pseudo(message, context), context=context)
    target = folder / code / "LC_MESSAGES"
    target.mkdir(parents=True)
    with open(target / "messages.po", "wb") as po, open(target / "messages.mo", "wb") as mo:
        write_po(po, catalogue)
        write_mo(mo, catalogue)


@pytest.fixture(scope="module")
def catalogues(tmp_path_factory):
    folder = tmp_path_factory.mktemp("translations")
    write_pseudo_catalogue(folder)
    return folder


@pytest.fixture
def app(tmp_path, catalogues):
    """The app in the made-up Polish, whichever way the page's language is chosen."""
    app = make_test_app(
        tmp_path, BABEL_TRANSLATION_DIRECTORIES=str(catalogues), BABEL_DEFAULT_LOCALE="pl"
    )
    # Flask-Babel keeps loaded catalogues on its one extension object, by language only.
    with app.app_context():
        babel.domain_instance.cache.clear()
    yield app
    with app.app_context():
        babel.domain_instance.cache.clear()


def nested(text: str) -> list[str]:
    """The bracketed messages that sit inside another message."""
    depth, found = 0, []
    for index, char in enumerate(text):
        if char == "⟦":
            if depth:
                found.append(text[index : text.index("⟧", index) + 1])
            depth += 1
        elif char == "⟧":
            depth -= 1
    return found


def in_polish(client):
    """A browser that asks for Polish (the default here too, as the app's language)."""
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "pl"
    return client


def page(client, url: str) -> str:
    response = in_polish(client).get(url)
    assert response.status_code in (200, 403), (url, response.status_code)
    return response.get_data(as_text=True)


# 1. Roles ---------------------------------------------------------------------------------------


def test_a_role_is_named_in_the_readers_language_wherever_it_is_shown(app, db, workshop):
    """The role keys ("organiser") were slotted raw into sentences on the welcome and switch
    pages, the refusal page and socket refusals: each now says the role's translated name."""
    organiser = in_polish(app.test_client())
    sign_in_organiser(organiser, db)
    assert "⟦You are signed in as ⟦organiser⟧.⟧" in page(organiser, "/welcome")
    grant = access.create_grant(db, workshop, "moderator", "Tablet 1")
    token = access.grant_token(app.config["SECRET_KEY"], grant)
    switch = page(organiser, f"/join/{token}")
    assert "⟦This browser is signed in as ⟦organiser⟧.⟧" in switch
    assert "as ⟦moderator⟧. Joining ends" in switch
    assert "<td>⟦moderator⟧</td>" in page(organiser, f"/w/{workshop}/access")

    tablet = in_polish(app.test_client())
    sign_in_grant(tablet, app, db, workshop, "moderator")
    assert "⟦You joined as ⟦moderator⟧.⟧" in page(tablet, f"/w/{workshop}/me")
    refused = page(tablet, f"/w/{workshop}/delegates")
    assert "⟦Your role (⟦moderator⟧) may not use this page.⟧" in refused

    socket = socketio.test_client(app, auth={"token": token}, headers={"Accept-Language": "pl"})
    assert socket.is_connected()
    answer = socket.emit("tablets_get", {}, callback=True)
    assert answer == {"ok": False, "error": "⟦Your role (⟦moderator⟧) may not do this.⟧"}
    socket.disconnect()
    # Every role has its name; an unknown key is shown as it is rather than lost.
    with app.test_request_context(), force_locale("pl"):
        assert [access.role_name(role) for role in access.ROLES] == [
            "⟦organiser⟧",
            "⟦moderator⟧",
            "⟦participant⟧",
            "⟦analyst⟧",
        ]
        assert access.role_name("visitor") == "visitor"


# 2. Note kinds ----------------------------------------------------------------------------------


def test_the_coding_workspace_names_note_kinds_as_the_tablet_does(app, db, workshop):
    """The kind filter and each note's label showed the keys ("good practice" from
    good_practice); they now say the names the tablet and projector use, translated."""
    from kt_workshop.live import notes

    rounds = [r["id"] for r in store.list_items(db, "round", workshop)]
    tables = [t["id"] for t in store.list_items(db, "tables", workshop)]
    cell = {"round_id": rounds[0], "table_id": tables[0], "question_id": None, "moderator_id": None}
    notes.store_note(db, workshop, cell, kind="good_practice", text="Peer review", source="import")
    organiser = in_polish(app.test_client())
    sign_in_organiser(organiser, db)
    html = page(organiser, f"/w/{workshop}/coding")
    kinds = re.search(r'<select name="kind">(.*?)</select>', html, re.S).group(1)
    options = re.findall(r'<option value="(\w+)" >(.*?)</option>', kinds)
    assert options == [(kind, f"⟦{name}⟧") for kind, name in NAMES.items()]
    assert '<span class="note-kind">⟦Good practice⟧' in html
    # The tablet's buttons come from the same names.
    tablet = in_polish(app.test_client())
    sign_in_grant(tablet, app, db, workshop, "moderator")
    words = re.search(r'data-i18n="([^"]*)"', page(tablet, f"/w/{workshop}/tablet")).group(1)
    assert json.loads(html_module.unescape(words))["kinds"] == {
        k: f"⟦{n}⟧" for k, n in NAMES.items()
    }


NAMES = {
    "insight": "Insight",
    "challenge": "Challenge",
    "good_practice": "Good practice",
    "idea": "Idea or recommendation",
    "question": "Question",
    "quote": "Quote",
}


# 3. One English word, two meanings ------------------------------------------------------------


def test_open_a_table_and_open_disagreements_are_translated_apart(app, db, workshop):
    """ "Open" reopens a closed table on the plan and filters open disagreements on the
    comparison: each carries a context (pgettext), which extraction keeps, so a language can
    use a verb for one and an adjective for the other."""
    from kt_workshop.plan import edits

    contexts = {context for message, context in extracted() if message == "Open"}
    assert contexts == {"reopen a closed table", "disagreements not yet resolved"}
    rounds = [r["id"] for r in store.list_items(db, "round", workshop)]
    tables = [t["id"] for t in store.list_items(db, "tables", workshop)]
    db["workshop"].update(workshop, {"format": "travelling"})  # tables close, groups do not
    edits.toggle_closed(db, workshop, rounds[0], tables[0])
    organiser = in_polish(app.test_client())
    sign_in_organiser(organiser, db)
    plan = page(organiser, f"/w/{workshop}/plan")
    assert "⟦reopen a closed table|Open⟧" in plan and "⟦Close⟧" in plan
    organiser.post(f"/w/{workshop}/codebook/blind", data={"on": "0"})
    compare = page(organiser, f"/w/{workshop}/compare")
    assert ">⟦disagreements not yet resolved|Open⟧</option>" in compare


# 5. Whole sentences, lists as the language lists ----------------------------------------------


def test_the_tablet_address_hints_are_whole_sentences(app, db, workshop):
    """The workshop form's hint had ": now <address>" glued on; the address notice split its
    sentence around the address. Both are single messages now, the address inside."""
    organiser = in_polish(app.test_client())
    sign_in_organiser(organiser, db)
    app.config["PUBLIC_URL"] = "http://192.168.1.20:5000"
    form = page(organiser, f"/w/{workshop}/edit")
    hint = re.search(r'id="address-hint">(.*?)</span>', form, re.S).group(1)
    assert hint.startswith("⟦Where tablets reach") and hint.count("⟦") == 1
    access_page = page(organiser, f"/w/{workshop}/access")
    assert "⟦Tablets reach this workshop at <strong" in access_page
    assert not nested(re.search(r"⟦Tablets reach.*?⟧", access_page, re.S).group(0))


def test_lists_in_messages_are_joined_as_the_language_joins_them(app):
    """Numbers and labels listed in a message use Babel's list patterns for the language,
    not a translated " and " or a comma (Polish "3, 4 i 7"); the sentence agrees in number."""
    from kt_workshop.i18n import list_of
    from kt_workshop.plan.algorithms.constraints import Constraints, check

    with app.test_request_context():
        with force_locale("en"):
            assert list_of([3, 4, 7]) == "3, 4 and 7"  # British English, no serial comma
        with force_locale("pl"):
            assert list_of([3, 4, 7]) == "3, 4 i 7"
            assert list_of(["a", "b"], "or") == "a lub b"
            rules = check(12, 3, 2, constraints=Constraints(closed={0: {4, 5, 6}}))
        with force_locale("de"):
            assert list_of([3, 4, 7]) == "3, 4 und 7"
    # Unnamed tables are called "Table 5" (counted from 1), a name like one the organiser gives.
    closed = "⟦1|⟦Table 5⟧, ⟦Table 6⟧ i ⟦Table 7⟧ do not exist, so they cannot be closed.⟧"
    assert closed in rules.problems


def test_a_notes_file_with_an_unknown_kind_lists_the_kinds_as_alternatives(app, db, workshop):
    """The notes import names the columns it misses and the kinds it understands as lists of
    the page's language ("the block and the kind"; "… question lub quote")."""
    from kt_workshop.live import note_import

    context = note_import.context_of(db, workshop)
    with app.test_request_context(), force_locale("pl"):
        missing = note_import.read_notes("n.csv", b"round,table,text\n1,Table 1,Hi\n", context)
        unknown = note_import.read_notes(
            "n.csv", b"block,round,table,kind,text\nMorning,1,Table 1,opinion,Hi\n", context
        )
    assert "⟦the block⟧ i ⟦the kind⟧" in missing.file_errors[0]
    reasons = unknown.rejected[0].reasons
    assert any("insight, challenge, good practice, idea, question lub quote" in r for r in reasons)


# 6. Counts in the report ----------------------------------------------------------------------


def test_no_count_in_the_report_is_translated_apart_from_its_sentence(app, db):
    """ "%(people)s, from %(countries)s" took "65 delegates" and "8 countries" as pieces
    translated on their own, so Polish could not put each noun in the case its place in the
    sentence needs. Every count now sits in a whole message of its own, its plural form chosen
    by that count (Polish: 65 takes the third form)."""
    from docx import Document

    from kt_workshop.demo import create_demo
    from kt_workshop.reports.dataset import Options
    from kt_workshop.reports.gather import gather
    from kt_workshop.reports.word import write_report

    workshop = create_demo(db)
    with app.test_request_context(), force_locale("pl"):
        data = gather(db, workshop, Options(language="pl"))  # the report's own language
        document = Document(io.BytesIO(write_report(data, {})))
    texts = [p.text for p in document.paragraphs] + [
        cell.text for table in document.tables for row in table.rows for cell in row.cells
    ]
    # A message inside another is allowed when it is a whole clause listed after a colon.
    listed = [t.removeprefix("⟦The strongest links: ").removesuffix(".⟧") for t in texts]
    pieces = [piece for text in listed for piece in nested(text) if re.search(r"\d", piece)]
    assert pieces == []
    people = sum(d.attended for d in data.delegates)
    assert people == 65
    sentences = " ".join(texts)
    assert f"⟦2|{people} delegates took part.⟧ ⟦2|They came from 8 countries.⟧" in sentences
    assert re.search(r"⟦2\|10 moderators went from group to group", sentences)
    assert re.search(r"⟦\d\|Notes: \d+ · from \d+ groups? · starred: \d+⟧", sentences)
    assert re.search(
        r"⟦\d\|The codebook has \d+ themes\.⟧ ⟦\d\|They come under \d+ overarching", sentences
    )


def test_the_plan_checks_name_each_size_in_a_whole_sentence(app):
    """ "The number of %(name)s" took "groups" as a word on its own: each limit is its own
    sentence now."""
    from kt_workshop.plan.algorithms.fixed_groups import plan_fixed_groups

    with app.test_request_context(), force_locale("pl"), pytest.raises(ValueError) as refused:
        plan_fixed_groups(3, 0, 2)
    assert str(refused.value) == "⟦The number of moderators must be between 1 and 200 (got 0).⟧"
