"""Test helpers for the catalogues: the messages extracted fresh from the package, as
`pybabel extract -F babel.cfg -k lazy_` extracts them, and catalogues generated from them."""

import functools
import re
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import write_po

ROOT = Path(__file__).resolve().parent.parent
KEYWORDS = {**DEFAULT_KEYWORDS, "lazy_": None}  # `-k lazy_`, as the README's command says

# Every placeholder a message may hold: %(name)s, %s, %%, {name}.
PLACEHOLDER = re.compile(r"%\(\w+\)[sdfr]|%[sdfr]|%%|\{\w*\}")


@functools.cache
def extracted() -> Catalog:
    """Every message marked in kt_workshop (Python and templates), as extracted now."""
    with open(ROOT / "babel.cfg", encoding="utf-8") as config:
        method_map, options_map = parse_mapping_cfg(config)
    catalogue = Catalog(locale=None, project="kt-workshop")
    for filename, line, message, comments, context in extract_from_dir(
        ROOT, method_map, options_map, keywords=KEYWORDS, directory_filter=worth_reading
    ):
        catalogue.add(message, None, [(filename, line)], auto_comments=comments, context=context)
    return catalogue


def worth_reading(path: str) -> bool:
    """Skip folders that hold no marked strings (hidden ones, node_modules, the data)."""
    name = Path(path).name
    return not name.startswith((".", "_")) and name not in SKIPPED


SKIPPED = {"node_modules", "instance", "exports", "vendor", "tests", "bench", "docs"}


def placeholders(text: str) -> list[str]:
    """The placeholders of a message, sorted (a translation may move them)."""
    return sorted(PLACEHOLDER.findall(text or ""))


def write_catalogue(folder: Path, code: str, translate) -> Path:
    """Write `<folder>/<code>/LC_MESSAGES/messages.po` translating every extracted message
    with translate(msgid); plural messages get each of the language's forms."""
    catalogue = Catalog(locale=code, project="kt-workshop")
    for message in extracted():
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            singular, plural = message.id
            forms = [translate(singular)] + [translate(plural)] * (catalogue.num_plurals - 1)
            catalogue.add(message.id, tuple(forms), message.locations, context=message.context)
        else:
            catalogue.add(
                message.id, translate(message.id), message.locations, context=message.context
            )
    path = Path(folder) / code / "LC_MESSAGES" / "messages.po"
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as target:
        write_po(target, catalogue)
    return path
