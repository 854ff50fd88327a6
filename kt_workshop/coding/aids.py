"""Help with coding that a person accepts or rejects: keyword rules and theme suggestions.

A rule codes every matching note for the analyst who runs it; the run is one codebook change, so
"undo" takes its codes off again. Suggestions come from clustering the notes
(`kt_workshop.suggestions`); the analyst turns one into a theme, merges it into a theme, or
dismisses it. Both are recorded in the codebook's history and undone the same way.
"""

import functools
import re
import threading

from sqlite_utils import Database
from threadpoolctl import threadpool_limits

from kt_workshop.coding import suggestions
from kt_workshop.coding.codebook import Change, create_theme, get_theme
from kt_workshop.i18n import _, ngettext
from kt_workshop.store import InputError, now

_cache: dict[tuple, list] = {}
_cache_lock = threading.Lock()


def _notes(db: Database, workshop_id: int) -> list[dict]:
    return [
        dict(row)
        for row in db.query(
            "SELECT id, text FROM note WHERE workshop_id = ? AND deleted_at IS NULL ORDER BY id",
            [workshop_id],
        )
    ]


# Languages ------------------------------------------------------------------------------------


@functools.cache
def _language_names() -> dict[str, str]:
    """Language names as delegate lists write them ("Polish", "polski", "Polnisch"), to codes."""
    from babel import Locale

    names = {}
    for shown_in in ("en", "de", "pl"):
        for code, name in Locale.parse(shown_in).languages.items():
            if "_" not in code:
                names.setdefault(name.casefold(), code)
    return names


def language_code(value: str) -> str:
    """The language a code or name stands for ("de-AT", "German", "niemiecki": "de"), or ""."""
    from babel import Locale, UnknownLocaleError

    text = (value or "").strip()
    if re.fullmatch(r"[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*", text):
        try:
            return Locale.parse(text.replace("-", "_")).language
        except (ValueError, UnknownLocaleError):
            pass
    return _language_names().get(text.casefold(), "")


def workshop_languages(db: Database, workshop_id: int) -> list[str]:
    """The languages the workshop's notes may be in: the workshop's own first, then those of
    its delegates (codes or names, several per delegate split by , ; / or +), most spoken
    first; a value that names no language is passed over."""
    row = db.execute("SELECT language FROM workshop WHERE id = ?", [workshop_id]).fetchone()
    found = [language_code(str(row[0] or "")) if row else ""]
    spoken = db.execute(
        "SELECT language, count(*) AS n FROM participant WHERE workshop_id = ? "
        "GROUP BY language ORDER BY n DESC, language",
        [workshop_id],
    ).fetchall()
    counts: dict[str, int] = {}
    for value, n in spoken:
        for piece in re.split(r"[,;/+&]", str(value or "")):
            code = language_code(piece)
            if code:
                counts[code] = counts.get(code, 0) + n
    found += sorted(counts, key=lambda code: (-counts[code], code))
    return list(dict.fromkeys(code for code in found if code))


def language_name(code: str) -> str:
    """A language's name in the language of the page ("German", "niemiecki")."""
    from babel import Locale
    from flask_babel import get_locale

    try:
        shown_in = str(get_locale() or "en")
    except (RuntimeError, AttributeError):
        shown_in = "en"
    try:
        return Locale.parse(code).get_display_name(shown_in) or code
    except (ValueError, TypeError):
        return code


def rule_language_gap(rule: suggestions.Rule, languages: list[str]) -> str | None:
    """What the rule editor says when a rule has forms for only some of the workshop's
    languages, or None when it has forms for all of them."""
    default = languages[0] if languages else "en"
    missing = suggestions.missing_languages(rule, languages, default)
    if not missing:
        return None
    have = rule.languages(default)
    example = "; ".join(
        [rule.text if any(code for code, _part in rule.forms) else f"{default}: {rule.text}"]
        + [f"{code}: …" for code in missing]
    )
    return _(
        "“%(rule)s” has words in %(have)s only, but this workshop's notes may also be in "
        "%(missing)s: notes in those languages are not found this way (fund* alone will not "
        "find “Finanzierung”). Add their words after the language's code: %(example)s",
        rule=rule.text,
        have=", ".join(language_name(code) for code in have),
        missing=", ".join(language_name(code) for code in missing),
        example=example,
    )


def check_rule(pattern) -> suggestions.Rule:
    """The parsed rule, or InputError with what is wrong with it."""
    try:
        return suggestions.parse_rule(pattern if isinstance(pattern, str) else "")
    except suggestions.RuleError as error:
        raise InputError({"pattern": str(error)}) from None


def preview_rule(db: Database, workshop_id: int, pattern, theme_id, analyst_id: int) -> dict:
    """The notes a rule would code, and which of them the analyst already coded with the theme."""
    rule = check_rule(pattern)
    theme = get_theme(db, workshop_id, theme_id)
    notes = _notes(db, workshop_id)
    matched = set(suggestions.matching_notes(rule, notes))
    already = {
        row[0]
        for row in db.execute(
            "SELECT note_id FROM coding WHERE theme_id = ? AND analyst_id = ?",
            [theme["id"], analyst_id],
        )
    }
    found = [note for note in notes if note["id"] in matched]
    return {
        "languages": rule_language_gap(rule, workshop_languages(db, workshop_id)),
        "rule": rule,
        "theme": theme,
        "notes": found,
        "new": sorted(matched - already),
        "pieces": {note["id"]: suggestions.highlight(rule, note["text"] or "") for note in found},
    }


def _code(change: Change, workshop_id: int, analyst_id: int, theme_id: int, note_ids) -> int:
    """Add the codes the notes lack, each recorded so the change can be undone."""
    added = 0
    for note_id in note_ids:
        exists = change.db.execute(
            "SELECT 1 FROM coding WHERE note_id = ? AND theme_id = ? AND analyst_id = ?",
            [note_id, theme_id, analyst_id],
        ).fetchone()
        if not exists:
            change.insert(
                "coding",
                {
                    "workshop_id": workshop_id,
                    "note_id": note_id,
                    "theme_id": theme_id,
                    "analyst_id": analyst_id,
                    "created_at": now(),
                },
            )
            added += 1
    return added


def apply_rule(
    db: Database,
    workshop_id: int,
    pattern,
    theme_id,
    analyst_id: int,
    actor: str,
    note_ids=None,
) -> int:
    """Code the matching notes with the theme for this analyst (only `note_ids` of them, when
    the analyst unticked some in the preview); keep the rule; count the new codes."""
    preview = preview_rule(db, workshop_id, pattern, theme_id, analyst_id)
    new = preview["new"]
    if note_ids is not None:
        chosen = {int(n) for n in note_ids if str(n).isdigit()}
        new = [n for n in new if n in chosen]
    change = Change(db, workshop_id, analyst_id)
    added = _code(change, workshop_id, analyst_id, preview["theme"]["id"], new)
    change.insert(
        "coding_rule",
        {
            "workshop_id": workshop_id,
            "pattern": preview["rule"].text,
            "theme_id": preview["theme"]["id"],
            "analyst_id": analyst_id,
            "created_at": now(),
        },
    )
    _mark_seen(change, workshop_id, analyst_id, new)
    change.record(
        actor,
        "rule",
        ngettext(
            "The rule “%(rule)s” coded %(num)s note with “%(theme)s”.",
            "The rule “%(rule)s” coded %(num)s notes with “%(theme)s”.",
            added,
            rule=preview["rule"].text,
            theme=preview["theme"]["name"],
        ),
    )
    return added


def _mark_seen(change: Change, workshop_id: int, analyst_id: int, note_ids) -> None:
    """Mark the notes gone through as part of the change, so undo takes that back too."""
    for note_id in note_ids:
        exists = change.db.execute(
            "SELECT 1 FROM note_seen WHERE note_id = ? AND analyst_id = ?", [note_id, analyst_id]
        ).fetchone()
        if not exists:
            change.insert(
                "note_seen",
                {"workshop_id": workshop_id, "note_id": note_id, "analyst_id": analyst_id},
            )


def rules(db: Database, workshop_id: int) -> list[dict]:
    """The rules run so far, newest first, with their theme's name."""
    return [
        dict(row)
        for row in db.query(
            "SELECT coding_rule.*, theme.name AS theme FROM coding_rule"
            " JOIN theme ON theme.id = coding_rule.theme_id"
            " WHERE coding_rule.workshop_id = ? ORDER BY coding_rule.id DESC",
            [workshop_id],
        )
    ]


# Suggestions ----------------------------------------------------------------------------------


def theme_suggestions(db: Database, workshop_id: int) -> list[suggestions.Suggestion]:
    """Suggested themes for the notes as they are now, without the dismissed ones."""
    notes = _notes(db, workshop_id)
    stamp = db.execute(
        "SELECT COUNT(*), MAX(updated_at) FROM note WHERE workshop_id = ?", [workshop_id]
    ).fetchone()
    languages = workshop_languages(db, workshop_id)
    key = (db.conn.execute("PRAGMA database_list").fetchone()[2], workshop_id, *stamp, *languages)
    with _cache_lock:
        found = _cache.get(key)
    if found is None:
        # One BLAS thread: on the laptops this runs on, a second thread costs more than it
        # saves (0.5 s instead of 1-1.6 s for 5,000 notes, see docs/themes-benchmark.md).
        with threadpool_limits(limits=1):
            found = suggestions.suggest_themes(notes, languages=languages)
        with _cache_lock:
            if len(_cache) > 32:
                _cache.clear()
            _cache[key] = found
    dismissed = {
        row[0]
        for row in db.execute(
            "SELECT key FROM dismissed_suggestion WHERE workshop_id = ?", [workshop_id]
        )
    }
    return [s for s in found if s.key not in dismissed]


def _suggestion(db: Database, workshop_id: int, key: str) -> suggestions.Suggestion:
    for suggestion in theme_suggestions(db, workshop_id):
        if suggestion.key == key:
            return suggestion
    raise InputError(
        {"suggestion": _("This suggestion is gone (the notes changed): look at the new ones.")}
    )


def accept_suggestion(
    db: Database,
    workshop_id: int,
    key: str,
    analyst_id: int,
    actor: str,
    name=None,
    into=None,
    note_ids=None,
) -> int:
    """Turn a suggestion into a new theme, or merge it into a theme, and code its notes (only
    `note_ids` of them, when the analyst chose some): one change, so one undo takes back the
    codes and the new theme together. Return the theme's id."""
    suggestion = _suggestion(db, workshop_id, key)
    chosen = list(suggestion.note_ids)
    if note_ids is not None:
        wanted = {int(n) for n in note_ids if str(n).isdigit()}
        chosen = [n for n in chosen if n in wanted]
        if not chosen:
            raise InputError({"suggestion": _("Tick at least one of the suggestion's notes.")})
    change = Change(db, workshop_id, analyst_id)
    if into:
        theme = get_theme(db, workshop_id, into)
    else:
        theme_id = create_theme(
            db, workshop_id, {"name": name or suggestion.label}, actor, change=change
        )
        theme = get_theme(db, workshop_id, theme_id)
    added = _code(change, workshop_id, analyst_id, theme["id"], chosen)
    change.insert("dismissed_suggestion", {"workshop_id": workshop_id, "key": key})
    _mark_seen(change, workshop_id, analyst_id, chosen)
    change.record(
        actor,
        "suggestion",
        ngettext(
            "The suggestion “%(label)s” coded %(num)s note with “%(theme)s”.",
            "The suggestion “%(label)s” coded %(num)s notes with “%(theme)s”.",
            added,
            label=suggestion.label,
            theme=theme["name"],
        )
        + ("" if into else " " + _("(“%(theme)s” is new.)", theme=theme["name"])),
    )
    return theme["id"]


def dismiss_suggestion(db: Database, workshop_id: int, key: str) -> None:
    """Hide a suggestion for good."""
    if not isinstance(key, str) or not key.strip():
        raise InputError({"suggestion": _("Choose the suggestion to dismiss.")})
    db.execute(
        "INSERT OR IGNORE INTO dismissed_suggestion (workshop_id, key) VALUES (?, ?)",
        [workshop_id, str(key)[:500]],
    )
