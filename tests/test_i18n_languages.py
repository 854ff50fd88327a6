"""Languages: the catalogues shipped and complete, a new language added with a catalogue alone,
and each page in the language its person picked (or the workshop's, for the room)."""

import os
import re
import time

import pytest
from babel.messages.pofile import read_po
from catalogues import extracted, placeholders, write_catalogue
from conftest import make_test_app, sign_in_organiser

from kt_workshop import access, store, translations
from kt_workshop.i18n import ngettext


class AnyValue(dict):
    """Formats any %(name)s, so a msgstr's %-formatting can be tried without its values."""

    def __missing__(self, key):
        return 1


def formats(text: str, named: bool) -> bool:
    """True when gettext can %-format the text (no lone % in a message with values)."""
    try:
        text % (AnyValue() if named else ())
    except (TypeError, ValueError, KeyError):
        return False
    return True


def catalogue_problems(po_path) -> list[str]:
    """What a catalogue lacks against the messages extracted now: each msgid without a
    non-fuzzy msgstr (every plural form filled), or with other placeholders."""
    with open(po_path, "rb") as source:
        catalogue = read_po(source)
    problems = []
    for message in extracted():
        if not message.id:
            continue
        found = catalogue.get(message.id, context=message.context)
        key = message.id if isinstance(message.id, str) else message.id[0]
        if found is None:
            problems.append(f"missing: {key!r}")
            continue
        if found.fuzzy:
            problems.append(f"fuzzy: {key!r}")
            continue
        strings = list(found.string) if isinstance(found.string, tuple | list) else [found.string]
        if not all(strings) or len(strings) != (catalogue.num_plurals if found.pluralizable else 1):
            problems.append(f"untranslated: {key!r}")
            continue
        source = message.id if isinstance(message.id, tuple) else (message.id,)
        wanted = set(placeholders(source[-1])) - {"%%"}
        named = any(p.startswith("%(") for text in source for p in placeholders(text))
        for index, text in enumerate(strings):
            have = set(placeholders(text)) - {"%%"}
            # A singular form may leave the number out ("eine Notiz"); the others may not.
            allowed = (
                have <= set(placeholders(source[0])) | wanted if index == 0 else have == wanted
            )
            if (found.pluralizable and index == 0 and not allowed) or (
                not (found.pluralizable and index == 0) and have != wanted
            ):
                problems.append(f"placeholders differ: {key!r} -> {text!r}")
                break
            if named and not formats(text, named):
                problems.append(f"a lone % breaks formatting: {key!r} -> {text!r}")
                break
    return problems


def test_english_polish_and_german_are_shipped():
    """The languages offered are found in the translations folder: English, German, Polish."""
    assert translations.shipped_languages() == ["en", "de", "pl"]
    assert translations.language_name("pl") == "Polski"
    assert translations.language_name("de") == "Deutsch"


@pytest.mark.parametrize("code", translations.catalogue_languages(), ids=str)
def test_every_shipped_language_translates_every_message(code):
    """Every message extracted now (Python and templates, as babel.cfg says) has a non-fuzzy
    translation in each shipped catalogue, with the same placeholders. Fails after a string is
    added or changed until the catalogues are updated (README: Translations)."""
    po_path = translations.FOLDER / code / "LC_MESSAGES" / "messages.po"
    problems = catalogue_problems(po_path)
    shown = "\n".join(problems)
    assert not problems, f"{code}: {len(problems)} messages need a translation:\n{shown}"


def test_the_completeness_check_names_what_is_missing(tmp_path):
    """The check passes a fully translated catalogue and names a missing, a fuzzy and an
    untranslated message, and a placeholder lost or broken in translation."""
    full = write_catalogue(tmp_path, "de", lambda text: "DE " + text)
    assert catalogue_problems(full) == []

    with open(full, "rb") as source:
        catalogue = read_po(source)
    catalogue.delete("Sign out")
    catalogue["Join"].flags.add("fuzzy")
    catalogue["Language"].string = ""
    catalogue["Keep this under %(n)s characters."].string = "Höchstens %(anzahl)s Zeichen."
    catalogue["Round %(n)s"].string = "Runde %(n)s zu 100%"
    from babel.messages.pofile import write_po

    with open(full, "wb") as target:
        write_po(target, catalogue)
    problems = catalogue_problems(full)
    assert "missing: 'Sign out'" in problems
    assert "fuzzy: 'Join'" in problems
    assert "untranslated: 'Language'" in problems
    assert any(p.startswith("placeholders differ: 'Keep this under") for p in problems)
    assert any(p.startswith("a lone % breaks formatting: 'Round %(n)s'") for p in problems)
    assert len(problems) == 5


@pytest.fixture
def app_with(tmp_path):
    """An app reading its catalogues from a folder of the test's own."""

    def make(folder):
        return make_test_app(tmp_path, BABEL_TRANSLATION_DIRECTORIES=str(folder))

    return make


def page(client, path, language=None) -> str:
    headers = {"Accept-Language": language} if language else {}
    response = client.get(path, headers=headers)
    assert response.status_code == 200, (path, response.status_code)
    return response.get_data(as_text=True)


def test_a_new_language_is_a_catalogue_only_step(app_with, tmp_path):
    """Dropping a Czech messages.po into the translations folder (README, "Adding a language")
    is enough: compiled at start, offered on the switch in its own name, chosen by a Czech
    browser or by the switch, its three plural forms used; no code changes."""
    folder = tmp_path / "translations"
    po = write_catalogue(folder, "cs", lambda text: "CS " + text)
    app = app_with(folder)
    assert app.config["LANGUAGES"] == ["en", "cs"]
    assert po.with_suffix(".mo").is_file()  # compiled from the .po at start

    czech = app.test_client()
    shown = page(czech, "/welcome", "cs-CZ,cs;q=0.9,en;q=0.5")
    assert '<html lang="cs">' in shown
    assert "CS Welcome to kt-workshop" in shown
    assert '<option value="cs" lang="cs" selected>Čeština</option>' in shown

    english = app.test_client()
    shown = page(english, "/welcome", "en-GB")
    assert "CS " not in shown and '<option value="cs" lang="cs">Čeština</option>' in shown
    answer = english.post("/language", data={"language": "cs", "next": "/welcome?x=1"})
    assert answer.status_code == 302 and answer.location.endswith("/welcome?x=1")
    assert "CS Welcome to kt-workshop" in page(english, "/welcome", "en-GB")

    with app.test_request_context(headers={"Accept-Language": "cs"}):
        # Czech has three forms (1; 2-4; 5 and more): the catalogue's header says so.
        assert ngettext("%(num)s note", "%(num)s notes", 1).startswith("CS ")
        from flask_babel import get_translations

        assert get_translations().plural(3) == 1 and get_translations().plural(5) == 2

    # A translator's update reaches the app at its next start (the .mo is made again).
    text = po.read_text("utf-8").replace('"CS Welcome to kt-workshop"', '"Vítejte"')
    time.sleep(0.01)
    po.write_text(text, "utf-8")
    os.utime(po, (time.time() + 5, time.time() + 5))
    again = app_with(folder).test_client()
    assert "Vítejte" in page(again, "/welcome", "cs")


def test_each_person_keeps_the_language_they_picked(app, db, workshop):
    """The browser's preference comes first; a pick is remembered for the organiser on this
    laptop (a new sign-in keeps it) and on a join link (another device with it, a reload)."""
    organiser = app.test_client()
    sign_in_organiser(organiser, db)
    assert '<html lang="de">' in page(organiser, f"/w/{workshop}", "de-AT,de;q=0.9")
    organiser.post("/language", data={"language": "pl", "next": f"/w/{workshop}"})
    assert '<html lang="pl">' in page(organiser, f"/w/{workshop}", "de-AT,de;q=0.9")
    later = app.test_client()
    sign_in_organiser(later, db)
    assert '<html lang="pl">' in page(later, f"/w/{workshop}", "en")

    grant = access.create_grant(db, workshop, "analyst", "Analyst A")
    token = access.grant_token(app.config["SECRET_KEY"], grant)
    laptop, other = app.test_client(), app.test_client()
    laptop.get(f"/join/{token}")
    assert '<html lang="en">' in page(laptop, f"/w/{workshop}/me", "en-GB")
    laptop.post("/language", data={"language": "de", "next": f"/w/{workshop}/me"})
    assert '<html lang="de">' in page(laptop, f"/w/{workshop}/me", "en-GB")
    other.get(f"/join/{token}")
    assert '<html lang="de">' in page(other, f"/w/{workshop}/me", "pl")
    assert access.get_grant(db, grant["id"])["language"] == "de"
    # The organiser's own pick is not the analyst's, and the other way round.
    assert '<html lang="pl">' in page(later, f"/w/{workshop}", "en")


def test_a_pick_before_joining_goes_with_the_person(app, db, workshop):
    """A language picked on the welcome page stays after joining with a link or code."""
    grant = access.create_grant(db, workshop, "participant", "Zofia")
    token = access.grant_token(app.config["SECRET_KEY"], grant)
    phone = app.test_client()
    phone.post("/language", data={"language": "pl", "next": "/welcome"})
    assert '<html lang="pl">' in page(phone, "/welcome", "en")
    phone.get(f"/join/{token}")
    assert '<html lang="pl">' in page(phone, f"/w/{workshop}/me", "en")


def test_the_room_sees_the_workshops_language(app, db, workshop, organiser):
    """The projector and the printouts use the workshop's language, whatever the organiser
    reads their own pages in; a workshop language with no catalogue falls back to the pick."""
    store.update_workshop(db, workshop, {"language": "de"})
    organiser.post("/language", data={"language": "pl", "next": "/"})
    assert '<html lang="pl">' in page(organiser, f"/w/{workshop}/live")
    assert '<html lang="de">' in page(organiser, f"/w/{workshop}/projector")
    for kind in ("cards", "itineraries", "runsheets", "rosters", "badges"):
        assert '<html lang="de">' in page(organiser, f"/w/{workshop}/printouts/{kind}.html")
    store.update_workshop(db, workshop, {"language": "cy"})  # Welsh: not shipped
    assert '<html lang="pl">' in page(organiser, f"/w/{workshop}/projector")


def test_the_switch_refuses_what_it_cannot_do(app, db):
    """An unknown language changes nothing; `next` only goes back within this site."""
    client = app.test_client()
    answer = client.post("/language", data={"language": "xx", "next": "https://evil.example/"})
    assert answer.status_code == 302 and answer.location.endswith("/welcome")
    for target in ("//evil.example/x", "javascript:alert(1)", "welcome"):
        answer = client.post("/language", data={"language": "de", "next": target})
        assert answer.location.endswith("/welcome"), target
    assert '<html lang="de">' in page(client, "/welcome", "en")


def test_the_switch_is_on_every_page_and_labelled(organiser, workshop):
    """A labelled select and a button (keyboard use, no script needed) in the top bar."""
    shown = page(organiser, f"/w/{workshop}/delegates")
    assert re.search(r'<label for="language-switch">[^<]+</label>', shown)
    assert '<select id="language-switch" name="language">' in shown
    assert f'name="next" value="/w/{workshop}/delegates"' in shown


def test_work_done_outside_a_request_is_translated_without_one(app):
    """The report's thread has the app but no request: a message there asks the language
    selector, which must answer (English, unless the work says its language) rather than
    reach for a session that is not there."""
    from kt_workshop.i18n import _, in_language

    with app.app_context():
        assert _("Language") == "Language"
        with in_language("pl"):
            assert _("Language") == "Język"
