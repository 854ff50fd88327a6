"""The shipped catalogues: which languages there are, and their compiled (.mo) form.

A language is shipped when its folder holds `<code>/LC_MESSAGES/messages.po` (or, in an
installed wheel, the compiled `messages.mo`): adding one needs no code. The .po files are the
source kept in git; the .mo files are made from them, never committed: by the package build
(tools/hatch_build.py, so the wheel and the sdist carry them) and when the app starts from a
checkout (`compile_catalogues`, which remakes a .mo older than its .po).

Only Babel is imported here, so the build hook can load this file without Flask.
"""

from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

FOLDER = Path(__file__).resolve().parent
SOURCE_LANGUAGE = "en"  # the msgids: English needs no catalogue
DOMAIN = "messages"


def catalogue_languages(folder: Path = FOLDER) -> list[str]:
    """The language codes with a catalogue in the folder (a .po, or a .mo alone), sorted."""
    found = []
    for child in sorted(Path(folder).iterdir()) if Path(folder).is_dir() else []:
        messages = child / "LC_MESSAGES"
        has_catalogue = (messages / f"{DOMAIN}.po").is_file() or (
            messages / f"{DOMAIN}.mo"
        ).is_file()
        if has_catalogue and known_locale(child.name):
            found.append(child.name)
    return found


def shipped_languages(folder: Path = FOLDER) -> list[str]:
    """Every language a person may pick: English first, then each catalogue's."""
    return [SOURCE_LANGUAGE, *(c for c in catalogue_languages(folder) if c != SOURCE_LANGUAGE)]


def known_locale(code: str) -> bool:
    """True when Babel knows how this language writes dates, numbers and plurals."""
    try:
        Locale.parse(code)
    except (ValueError, UnknownLocaleError):
        return False
    return True


def language_name(code: str) -> str:
    """A language's own name for itself ("polski", "Deutsch"), as a language switch shows it."""
    name = Locale.parse(code).get_display_name(code) or code
    return name[:1].upper() + name[1:]


def stale_catalogues(folder: Path = FOLDER) -> list[Path]:
    """The .po files whose .mo is missing or older than the .po."""
    stale = []
    for po in sorted(Path(folder).glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        mo = po.with_suffix(".mo")
        if not mo.is_file() or mo.stat().st_mtime < po.stat().st_mtime:
            stale.append(po)
    return stale


def compile_catalogue(po: Path) -> Path:
    """Write the .mo beside a .po (fuzzy entries left out, as msgfmt does); return its path."""
    with open(po, "rb") as source:
        catalogue = read_po(source, locale=po.parent.parent.name)
    mo = po.with_suffix(".mo")
    partial = mo.with_suffix(".mo.part")
    with open(partial, "wb") as target:
        write_mo(target, catalogue, use_fuzzy=False)
    partial.replace(mo)  # a running app never reads half a file
    return mo


def compile_catalogues(folder: Path = FOLDER) -> list[Path]:
    """Compile every catalogue whose .mo is missing or out of date; return the .mo written."""
    return [compile_catalogue(po) for po in stale_catalogues(folder)]
