"""Topic packs: ready-made questions for a workshop, kept as small TOML files.

A pack holds blocks (the sessions of the day), each with questions and an optional prompt that a
moderator reads out to open the discussion. Packs ship in topics/, organisers can export their
own, and `kt-workshop topics check FILE` lists every problem in a file with its line number.
"""

import difflib
import json
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from kt_workshop.i18n import _

MAX_FILE_BYTES = 1024 * 1024
MAX_QUESTIONS = 30
MAX_BLOCKS = 30  # a day has a handful of blocks; a larger pack is refused before it is read
MAX_TEXT = 500
MAX_PROMPT = 2000
MAX_TITLE = 200
MAX_DESCRIPTION = 5000
DEFAULT_LANGUAGE = "en"

TOP_KEYS = ("pack", "blocks")
PACK_KEYS = ("title", "description", "language")
BLOCK_KEYS = ("title", "questions")
QUESTION_KEYS = ("text", "prompt")

_LANGUAGE = re.compile(r"[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*")


@dataclass(frozen=True)
class PackQuestion:
    """One question of a pack, with the prompt a moderator reads out."""

    text: str
    prompt: str = ""


@dataclass(frozen=True)
class PackBlock:
    """One block (session of the day) of a pack and its questions."""

    title: str
    questions: tuple[PackQuestion, ...]


@dataclass(frozen=True)
class Pack:
    """A topic pack; name is the file stem for shipped packs."""

    title: str
    description: str
    language: str
    blocks: tuple[PackBlock, ...]
    name: str = ""


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a pack: where it is and what to do about it."""

    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        """Say the problem as a person reads it: line, field, message."""
        parts = [] if self.line is None else [_("line %(line)s", line=self.line)]
        if self.field:
            parts.append(self.field)
        parts.append(self.message)
        return ": ".join(parts)


class PackError(ValueError):
    """A pack that cannot be used, carrying every problem found in it."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))


# Reading: where things are in the raw text (tomllib gives no line numbers).


@dataclass
class _Table:
    path: tuple[str, ...]
    line: int | None
    keys: dict[str, int]


_HEADER = re.compile(r"\s*\[\[?\s*([^\[\]]+?)\s*\]\]?\s*(#.*)?\r?")
_KEY = re.compile(r"""\s*([A-Za-z0-9_-]+|"[^"\\]*"|'[^']*')\s*[.=]""")
_OUTSIDE_STRING = re.compile(r'"""|\'\'\'|"(?:[^"\\]|\\.)*"|\'[^\']*\'|#')
_CLOSING = {'"""': re.compile(r'\\.|"{3,5}'), "'''": re.compile(r"'{3,5}")}


def _scan(text: str) -> list[_Table]:
    """List the tables of a TOML text in order, with header lines and key lines."""
    tables = [_Table((), None, {})]
    open_quote = None
    # tomllib counts lines by "\n" only, so split the same way.
    for number, line in enumerate(text.split("\n"), start=1):
        if open_quote is None:
            header = _HEADER.fullmatch(line)
            if header:
                path = tuple(part.strip().strip("\"'") for part in header.group(1).split("."))
                tables.append(_Table(path, number, {}))
                continue
            key = _KEY.match(line)
            if key:
                tables[-1].keys.setdefault(key.group(1).strip("\"'"), number)
        open_quote = _string_state(line, open_quote)
    return tables


def _string_state(line: str, open_quote: str | None) -> str | None:
    """Say whether a multi-line string is still open at the end of this line."""
    position = 0
    while True:
        if open_quote is None:
            match = _OUTSIDE_STRING.search(line, position)
            if match is None or match.group() == "#":
                return None
            if match.group() in _CLOSING:
                open_quote = match.group()
        else:
            match = _CLOSING[open_quote].search(line, position)
            while match and match.group().startswith("\\"):
                match = _CLOSING[open_quote].search(line, match.end())
            if match is None:
                return open_quote
            open_quote = None
        position = match.end()


def _locate(tables: list[_Table], path: tuple) -> int | None:
    """Find the line of a key, or else of the nearest table header that holds it."""
    line, prefix, current = None, (), 0
    low, high = 0, len(tables)
    step = 0
    while step < len(path):
        key = path[step]
        if key in tables[current].keys:
            return tables[current].keys[key]
        prefix += (key,)
        indexed = step + 1 < len(path) and isinstance(path[step + 1], int)
        index = path[step + 1] if indexed else 0
        matches = [k for k in range(low, high) if tables[k].path == prefix]
        if len(matches) <= index:
            inside = (t.line for t in tables[low:high] if t.path[: len(prefix)] == prefix)
            return next(inside, line)
        current = matches[index]
        line = tables[current].line
        low, high = (
            current,
            next(
                (
                    k
                    for k in range(current + 1, high)
                    if tables[k].path == prefix or tables[k].path[: len(prefix)] != prefix
                ),
                high,
            ),
        )
        step += 2 if indexed else 1
    return line


def _dotted(path: tuple) -> str:
    """Write a path as a person counts: blocks[2].questions[1].prompt."""
    text = ""
    for part in path:
        text += f"[{part + 1}]" if isinstance(part, int) else f".{part}" if text else part
    return text


# Reading: checking the parsed data and collecting every problem.


class _Checker:
    def __init__(self, tables: list[_Table] | None):
        self.tables = tables
        self.problems: list[Problem] = []

    def add(self, path: tuple, message: str, at: tuple | None = None) -> None:
        line = _locate(self.tables, at or path) if self.tables else None
        self.problems.append(Problem(line, _dotted(path), message))


def _kind(value) -> str:
    """Name the type of a TOML value the way the file shows it."""
    if isinstance(value, bool):
        return _("true/false")
    if isinstance(value, int | float):
        return _("a number")
    if isinstance(value, str):
        return _("text")
    if isinstance(value, list):
        return _("a list")
    if isinstance(value, dict):
        return _("a table")
    return _("a date or time")


def _wrong_type(expected: str, value) -> str:
    return _("expected %(expected)s, found %(found)s", expected=expected, found=_kind(value))


def _unknown_keys(table: dict, allowed: tuple, path: tuple, check: _Checker) -> None:
    for key in table:
        if key in allowed:
            continue
        names = ", ".join(allowed)
        close = difflib.get_close_matches(key, allowed, n=1)
        if close:
            message = _(
                'unknown key; did you mean "%(suggestion)s"? Allowed keys: %(allowed)s',
                suggestion=close[0],
                allowed=names,
            )
        else:
            message = _("unknown key; allowed keys: %(allowed)s", allowed=names)
        check.add(path + (key,), message)


def _string(table: dict, path: tuple, check: _Checker, limit: int, need: str = "") -> str:
    """Read one text value: stripped, and reported if missing (when needed), mistyped or long."""
    value = table.get(path[-1])
    if value is None:
        if need:
            check.add(path, _("missing (%(need)s)", need=need))
        return ""
    if not isinstance(value, str):
        check.add(path, _wrong_type(_("text in quotes"), value))
        return ""
    value = value.strip()
    if not value and need:
        check.add(path, _("empty (%(need)s)", need=need))
    if len(value) > limit:
        check.add(
            path,
            _("too long: %(length)s characters, at most %(limit)s", length=len(value), limit=limit),
        )
    return value


def _read_pack(data: dict, check: _Checker, name: str) -> Pack:
    _unknown_keys(data, TOP_KEYS, (), check)
    head = data.get("pack")
    title, description, language = "", "", DEFAULT_LANGUAGE
    if head is None:
        check.add(("pack",), _("missing (a pack starts with a [pack] table holding its title)"))
    elif not isinstance(head, dict):
        check.add(("pack",), _wrong_type(_("a [pack] table"), head))
    else:
        _unknown_keys(head, PACK_KEYS, ("pack",), check)
        title = _string(head, ("pack", "title"), check, MAX_TITLE, _("a pack needs a title"))
        description = _string(head, ("pack", "description"), check, MAX_DESCRIPTION)
        language = _string(head, ("pack", "language"), check, 35) or DEFAULT_LANGUAGE
        if not _LANGUAGE.fullmatch(language):
            check.add(("pack", "language"), _('not a language code such as "en", "pl" or "pt-BR"'))
    return Pack(title, description, language, _read_blocks(data.get("blocks"), check), name)


def _read_blocks(value, check: _Checker) -> tuple[PackBlock, ...]:
    if value is None or value == []:
        check.add(("blocks",), _("missing (a pack needs at least one [[blocks]] table)"))
        return ()
    if not isinstance(value, list):
        check.add(("blocks",), _wrong_type(_("[[blocks]] tables"), value))
        return ()
    if len(value) > MAX_BLOCKS:
        message = _(
            "too many blocks: %(count)s, at most %(limit)s in one pack",
            count=len(value),
            limit=MAX_BLOCKS,
        )
        check.add(("blocks",), message, at=("blocks", MAX_BLOCKS))
        return ()
    blocks = []
    for index, block in enumerate(value):
        path = ("blocks", index)
        if not isinstance(block, dict):
            check.add(path, _wrong_type(_("a [[blocks]] table"), block))
            continue
        _unknown_keys(block, BLOCK_KEYS, path, check)
        title = _string(block, path + ("title",), check, MAX_TITLE, _("every block needs a title"))
        questions = _read_questions(block.get("questions"), path + ("questions",), check)
        blocks.append(PackBlock(title, questions))
    return tuple(blocks)


def _read_questions(value, path: tuple, check: _Checker) -> tuple[PackQuestion, ...]:
    if value is None or value == []:
        need = _("every block needs at least one [[blocks.questions]] table")
        check.add(path, _("missing (%(need)s)", need=need), at=path[:-1])
        return ()
    if not isinstance(value, list):
        check.add(path, _wrong_type(_("[[blocks.questions]] tables"), value))
        return ()
    if len(value) > MAX_QUESTIONS:
        message = _(
            "too many questions: %(count)s, at most %(limit)s in one block",
            count=len(value),
            limit=MAX_QUESTIONS,
        )
        check.add(path, message, at=path + (MAX_QUESTIONS,))
        return ()  # the rest is not read: the pack is refused whatever else it says
    questions = []
    for index, question in enumerate(value):
        here = path + (index,)
        if not isinstance(question, dict):
            check.add(here, _wrong_type(_("a [[blocks.questions]] table"), question))
            continue
        _unknown_keys(question, QUESTION_KEYS, here, check)
        need = _("every question needs a text")
        text = _string(question, here + ("text",), check, MAX_TEXT, need)
        prompt = _string(question, here + ("prompt",), check, MAX_PROMPT)
        questions.append(PackQuestion(text, prompt))
    return tuple(questions)


def _build(data: dict, tables: list[_Table] | None, name: str) -> Pack:
    """Turn parsed data into a Pack, or raise PackError listing every problem."""
    check = _Checker(tables)
    pack = _read_pack(data, check, name)
    if check.problems:
        raise PackError(check.problems)
    return pack


def _syntax_problem(error: tomllib.TOMLDecodeError, text: str) -> Problem:
    """Turn a TOML syntax error into a Problem on the line tomllib names."""
    reason = str(error)
    line = None
    where = re.search(r"\s*\(at (?:line (\d+), column \d+|end of document)\)\s*$", reason)
    if where:
        reason = reason[: where.start()]
        line = int(where.group(1)) if where.group(1) else text.rstrip().count("\n") + 1
    if reason == "Invalid value":
        return Problem(
            line, "", _("not valid TOML: %(reason)s (is a text missing its quotes?)", reason=reason)
        )
    return Problem(line, "", _("not valid TOML: %(reason)s", reason=reason))


def load_pack_text(text: str, name: str = "") -> Pack:
    """Read a pack from TOML text, raising PackError with every problem found."""
    if not text.strip():
        message = _("the file is empty (a pack needs a [pack] table and [[blocks]] of questions)")
        raise PackError([Problem(None, "", message)])
    if len(text.encode("utf-8", "surrogatepass")) > MAX_FILE_BYTES:
        message = _("the file is larger than 1 MB; a topic pack is a small text file")
        raise PackError([Problem(None, "", message)])
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise PackError([_syntax_problem(error, text)]) from None
    return _build(data, _scan(text), name)


def load_pack_file(path) -> Pack:
    """Read a pack from a UTF-8 TOML file, raising PackError with every problem found."""
    path = Path(path)
    try:
        with path.open("rb") as file:
            raw = file.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise PackError(
            [Problem(None, "", _("file not found: %(path)s", path=str(path)))]
        ) from None
    except OSError as error:
        message = _("cannot read %(path)s: %(reason)s", path=str(path), reason=error.strerror)
        raise PackError([Problem(None, "", message)]) from None
    if len(raw) > MAX_FILE_BYTES:
        message = _("the file is larger than 1 MB; a topic pack is a small text file")
        raise PackError([Problem(None, "", message)])
    try:
        text = raw.decode("utf-8-sig")  # -sig: editors on Windows may add a byte-order mark
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        message = _("not UTF-8 text; save the file with UTF-8 encoding")
        raise PackError([Problem(line, "", message)]) from None
    return load_pack_text(text, name=path.stem)


def check_pack_file(path) -> list[Problem]:
    """List the problems of a pack file; an empty list means the pack is fine."""
    try:
        load_pack_file(path)
    except PackError as error:
        return error.problems
    return []


# Shipped packs.


def topics_dir() -> Path:
    """Find the folder of shipped packs: inside the installed package, else the repository's."""
    package = Path(__file__).parent.parent  # kt_workshop/
    installed = package / "topics"
    return installed if installed.is_dir() else package.parent / "topics"


def _shipped_files() -> list[Path]:
    folder = topics_dir()
    return sorted(folder.glob("*.toml")) if folder.is_dir() else []


def shipped_packs() -> list[Pack]:
    """List the packs that ship with the app, sorted by title."""
    packs = [load_pack_file(path) for path in _shipped_files()]
    return sorted(packs, key=lambda pack: (pack.title.casefold(), pack.name))


def find_shipped_pack(name: str) -> Pack:
    """Load one shipped pack by its file name without .toml; KeyError if there is none."""
    for path in _shipped_files():
        if path.stem == name:
            return load_pack_file(path)
    raise KeyError(name)


# Writing.


def _toml_string(value: str) -> str:
    """Quote text as a TOML basic string (JSON escapes are TOML escapes; DEL must be escaped)."""
    return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")


def pack_to_toml(pack: Pack) -> str:
    """Write a pack as TOML text that load_pack_text reads back unchanged."""
    lines = [
        "# kt-workshop topic pack. Check it with: kt-workshop topics check FILE",
        "",
        "[pack]",
        f"title = {_toml_string(pack.title)}",
        f"description = {_toml_string(pack.description)}",
        f"language = {_toml_string(pack.language)}",
    ]
    for block in pack.blocks:
        lines += ["", "[[blocks]]", f"title = {_toml_string(block.title)}"]
        for question in block.questions:
            lines += ["", "[[blocks.questions]]", f"text = {_toml_string(question.text)}"]
            if question.prompt:
                lines.append(f"prompt = {_toml_string(question.prompt)}")
    return "\n".join(lines) + "\n"


def pack_from_questions(
    title: str, description: str, language: str, blocks: list[tuple[str, list[tuple[str, str]]]]
) -> Pack:
    """Build a checked pack from (block title, [(text, prompt), ...]); blank rows are skipped."""
    data = {
        "pack": {"title": title, "description": description, "language": language},
        "blocks": [
            {
                "title": block_title,
                "questions": [
                    {"text": text, "prompt": prompt}
                    for text, prompt in questions
                    if (text or "").strip() or (prompt or "").strip()
                ],
            }
            for block_title, questions in blocks
        ],
    }
    return _build(data, None, "")
