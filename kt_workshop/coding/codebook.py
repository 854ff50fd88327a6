"""The codebook: themes in a hierarchy, and every change to it recorded so the last can be undone.

A workshop's themes form a tree at most three levels deep: overarching theme, theme, sub-theme.
Each change (create, edit, move, merge, split, delete, and the coding runs of rules and
suggestions) is one `theme_change` row that keeps who, when, what, and the rows it touched as
they were before, so `undo_last` can put them back. Changes are undone last first.
"""

import json
import re

from sqlite_utils import Database

from kt_workshop.i18n import _, ngettext
from kt_workshop.store import InputError, NotFound, audit, clean, now

MAX_DEPTH = 3  # overarching theme, theme, sub-theme
# Okabe-Ito: colour-blind-safe; new themes take the next one their siblings do not use.
PALETTE = ["#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#999999"]
COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
LEVELS = {0: "overarching", 1: "theme", 2: "sub-theme"}


# Reading -------------------------------------------------------------------------------------


def themes(db: Database, workshop_id: int) -> list[dict]:
    """The codebook in reading order (each theme, then those below it), with depth and path."""
    rows = [
        dict(row)
        for row in db.query(
            "SELECT * FROM theme WHERE workshop_id = ? ORDER BY position, id", [workshop_id]
        )
    ]
    children: dict = {}
    for row in rows:
        children.setdefault(row["parent_id"], []).append(row)
    ordered = []

    def walk(parent_id, depth, path):
        for row in children.get(parent_id, []):
            row["depth"], row["path"] = depth, [*path, row["name"]]
            row["level"] = LEVELS.get(depth, LEVELS[2])
            ordered.append(row)
            walk(row["id"], depth + 1, row["path"])

    walk(None, 0, [])
    return ordered


def get_theme(db: Database, workshop_id: int, theme_id) -> dict:
    """One theme of the workshop, or NotFound with a message the analyst understands."""
    row = next(
        db.query("SELECT * FROM theme WHERE id = ? AND workshop_id = ?", [theme_id, workshop_id]),
        None,
    )
    if row is None:
        raise NotFound(
            _("This theme no longer exists (it was merged, deleted or undone): reload the page.")
        )
    return row


def descendants(db: Database, workshop_id: int, theme_id: int) -> list[int]:
    """The theme's id and the ids of every theme below it."""
    rows = db.execute(
        """WITH RECURSIVE below(id) AS (
            SELECT id FROM theme WHERE id = ? AND workshop_id = ?
            UNION SELECT theme.id FROM theme JOIN below ON theme.parent_id = below.id
        ) SELECT id FROM below""",
        [theme_id, workshop_id],
    ).fetchall()
    return [row[0] for row in rows]


def _depth(db: Database, theme_id: int | None) -> int:
    """How many levels lie above a theme (0 for an overarching theme); None is the root (-1)."""
    depth = -1
    while theme_id is not None:
        depth += 1
        theme_id = db.execute("SELECT parent_id FROM theme WHERE id = ?", [theme_id]).fetchone()[0]
    return depth


def _height(db: Database, workshop_id: int, theme_id: int) -> int:
    """How many levels the theme and those below it take (1 for a theme without children)."""
    below = db.execute("SELECT id FROM theme WHERE parent_id = ?", [theme_id]).fetchall()
    return 1 + max((_height(db, workshop_id, row[0]) for row in below), default=0)


# Checking ------------------------------------------------------------------------------------


def _check_name(db: Database, workshop_id: int, name, theme_id: int | None = None) -> str:
    """A name that is not empty, not too long and not another theme's (ignoring case)."""
    name = clean(db, "theme", workshop_id, {"name": name}, partial=True)["name"]
    name = " ".join(name.split())
    for (other,) in db.execute(
        "SELECT name FROM theme WHERE workshop_id = ? AND id IS NOT ?", [workshop_id, theme_id]
    ):
        if other.casefold() == name.casefold():
            raise InputError({"name": _("There is already a theme called “%(n)s”.", n=other)})
    return name


def _check_colour(colour) -> str:
    colour = str(colour or "").strip()
    if colour and not COLOUR.fullmatch(colour):
        raise InputError({"colour": _("Give the colour as #rrggbb, for example #0072B2.")})
    return colour.upper()


def _check_parent(db: Database, workshop_id: int, parent_id, theme_id: int | None = None):
    """The parent to put a theme under: in this workshop, not itself, not below itself."""
    if parent_id in (None, "", "0", 0):
        return None
    try:
        parent_id = int(parent_id)
    except (TypeError, ValueError):
        raise InputError({"parent_id": _("Choose a theme from the codebook.")}) from None
    try:
        get_theme(db, workshop_id, parent_id)
    except NotFound as error:
        raise InputError({"parent_id": str(error)}) from None
    if theme_id is not None and parent_id in descendants(db, workshop_id, theme_id):
        raise InputError(
            {"parent_id": _("A theme cannot go under itself or under one of its own sub-themes.")}
        )
    height = 1 if theme_id is None else _height(db, workshop_id, theme_id)
    if _depth(db, parent_id) + 1 + height > MAX_DEPTH:
        raise InputError(
            {
                "parent_id": _(
                    "The codebook has three levels (overarching theme, theme, sub-theme): "
                    "there is no room below that theme."
                )
            }
        )
    return parent_id


def _next_colour(db: Database, workshop_id: int, parent_id) -> str:
    if parent_id is not None:
        return get_theme(db, workshop_id, parent_id)["colour"]
    used = {
        row[0].upper()
        for row in db.execute(
            "SELECT colour FROM theme WHERE workshop_id = ? AND parent_id IS NULL", [workshop_id]
        )
    }
    return next((c for c in PALETTE if c not in used), PALETTE[len(used) % len(PALETTE)])


def _next_position(db: Database, workshop_id: int, parent_id) -> int:
    row = db.execute(
        "SELECT MAX(position) FROM theme WHERE workshop_id = ? AND parent_id IS ?",
        [workshop_id, parent_id],
    ).fetchone()
    return (row[0] or 0) + 1


# Recording changes ---------------------------------------------------------------------------


class Change:
    """One codebook change in the making: writes rows and keeps each row as it was before."""

    def __init__(self, db: Database, workshop_id: int, by: int | None = None):
        self.db, self.workshop_id, self.before, self.by = db, workshop_id, [], by

    def _keep(self, table: str, row_id: int) -> None:
        sql = f"SELECT * FROM [{table}] WHERE id = ?"  # noqa: S608 - tables named in this module
        self.before.append([table, row_id, next(self.db.query(sql, [row_id]), None)])

    def insert(self, table: str, values: dict) -> int:
        row_id = self.db[table].insert(values).last_pk
        self.before.append([table, row_id, None])
        return row_id

    def update(self, table: str, row_id: int, values: dict) -> None:
        self._keep(table, row_id)
        self.db[table].update(row_id, values)

    def delete(self, table: str, row_id: int) -> None:
        self._keep(table, row_id)
        self.db[table].delete(row_id)

    def record(self, actor: str, action: str, detail: str) -> int:
        """Store the change (and a line in the audit log); return its id."""
        audit(self.db, self.workshop_id, actor, f"codebook: {action}", detail)
        return (
            self.db["theme_change"]
            .insert(
                {
                    "workshop_id": self.workshop_id,
                    "at": now(),
                    "actor": actor,
                    "action": action,
                    "detail": detail,
                    "before": json.dumps(self.before, ensure_ascii=False),
                    "analyst_id": self.by,
                }
            )
            .last_pk
        )


def history(db: Database, workshop_id: int, limit: int = 50) -> list[dict]:
    """The latest codebook changes, newest first, with who and when and whether undone."""
    return [
        dict(row)
        for row in db.query(
            "SELECT id, at, actor, action, detail, undone_at, undone_by, analyst_id"
            " FROM theme_change WHERE workshop_id = ? ORDER BY id DESC LIMIT ?",
            [workshop_id, limit],
        )
    ]


def undoable(db: Database, workshop_id: int, by: int | None, anyone: bool = False):
    """The change "Undo" takes back for this person: their own latest change not yet undone
    (the organiser, `anyone`, may undo anyone's latest); None when there is none."""
    mine = "" if anyone else " AND analyst_id IS ?"
    row = next(
        db.query(
            "SELECT id, at, actor, action, detail, before, analyst_id FROM theme_change"  # noqa: S608
            f" WHERE workshop_id = ? AND undone_at IS NULL{mine} ORDER BY id DESC LIMIT 1",
            [workshop_id] + ([] if anyone else [by]),
        ),
        None,
    )
    return dict(row) if row else None


def _touched(before: str) -> set[tuple[str, int]]:
    return {(table, row_id) for table, row_id, _values in json.loads(before)}


def undo_last(
    db: Database, workshop_id: int, actor: str, by: int | None = None, anyone: bool = True
) -> dict:
    """Put back the rows the person's latest change (not yet undone) touched; return it.

    An analyst undoes only their own changes; the organiser (`anyone`) the latest of all. A
    change whose rows someone changed again since is not undone (that would silently throw
    their later change away): the message says whose change is in the way."""
    row = undoable(db, workshop_id, by, anyone)
    if row is None:
        raise InputError({"undo": _("There is nothing left to undo.")})
    change_id, action, detail, before = row["id"], row["action"], row["detail"], row["before"]
    rows = _touched(before)
    for later in db.query(
        "SELECT actor, detail, before FROM theme_change"
        " WHERE workshop_id = ? AND id > ? AND undone_at IS NULL ORDER BY id",
        [workshop_id, change_id],
    ):
        if rows & _touched(later["before"]):
            raise InputError(
                {
                    "undo": _(
                        "“%(detail)s” cannot be undone: %(who)s changed the same themes or codes"
                        " since (“%(later)s”). Undo that first.",
                        detail=detail,
                        who=later["actor"],
                        later=later["detail"],
                    )
                }
            )
    # Rows come back in any order (a child before its parent theme), so foreign keys are
    # checked when the savepoint ends, not statement by statement.
    db.conn.execute("SAVEPOINT undo")
    try:
        db.conn.execute("PRAGMA defer_foreign_keys = ON")
        _restore(db, json.loads(before))
        db.conn.execute("RELEASE undo")
    except BaseException:
        db.conn.execute("ROLLBACK TO undo")
        db.conn.execute("RELEASE undo")
        raise
    db.execute(
        "UPDATE theme_change SET undone_at = ?, undone_by = ? WHERE id = ?",
        [now(), actor, change_id],
    )
    audit(db, workshop_id, actor, "codebook: undo", f"{action}: {detail}")
    return {"id": change_id, "action": action, "detail": detail, "actor": row["actor"]}


def _in_use(db: Database, theme_id: int) -> tuple[int, int]:
    """How many codes a theme has, and how many themes sit below it."""
    codes = db.execute("SELECT COUNT(*) FROM coding WHERE theme_id = ?", [theme_id]).fetchone()[0]
    below = db.execute("SELECT COUNT(*) FROM theme WHERE parent_id = ?", [theme_id]).fetchone()[0]
    return codes, below


def _restore(db: Database, entries: list) -> None:
    """Put back every kept row as it was, then remove the rows the change had made."""
    for table, row_id, values in entries:
        if values is None:
            continue
        if db.execute(f"SELECT 1 FROM [{table}] WHERE id = ?", [row_id]).fetchone():  # noqa: S608
            db[table].update(row_id, {k: v for k, v in values.items() if k != "id"})
        else:
            db[table].insert(values)
    for table, row_id, values in reversed(entries):
        if values is not None:
            continue
        if table == "theme":
            _refuse_undo_of_used_theme(db, row_id)
        db.execute(f"DELETE FROM [{table}] WHERE id = ?", [row_id])  # noqa: S608


def _refuse_undo_of_used_theme(db: Database, theme_id: int) -> None:
    codes, below = _in_use(db, theme_id)
    if codes or below:
        name = db.execute("SELECT name FROM theme WHERE id = ?", [theme_id]).fetchone()[0]
        raise InputError(
            {
                "undo": _(
                    "“%(name)s” has been used since (%(codes)s codes, %(below)s themes below it),"
                    " so undoing would lose work. Merge it into another theme instead.",
                    name=name,
                    codes=codes,
                    below=below,
                )
            }
        )


# Changing the codebook ----------------------------------------------------------------------


def create_theme(
    db: Database,
    workshop_id: int,
    data: dict,
    actor: str,
    by: int | None = None,
    change: "Change | None" = None,
) -> int:
    """Add a theme (under a parent, or as an overarching theme); return its id. Given a
    `change`, the theme becomes part of it (recorded by its caller) instead of a change of its
    own."""
    name = _check_name(db, workshop_id, data.get("name"))
    values = clean(db, "theme", workshop_id, {**data, "name": name})
    parent_id = _check_parent(db, workshop_id, data.get("parent_id"))
    colour = _check_colour(data.get("colour")) or _next_colour(db, workshop_id, parent_id)
    own = change is None
    change = change or Change(db, workshop_id, by)
    theme_id = change.insert(
        "theme",
        {
            **values,
            "workshop_id": workshop_id,
            "parent_id": parent_id,
            "position": _next_position(db, workshop_id, parent_id),
            "colour": colour,
            "created_at": now(),
            "updated_at": now(),
        },
    )
    if own:
        change.record(actor, "create", _("Created “%(name)s”.", name=name))
    return theme_id


def update_theme(
    db: Database, workshop_id: int, theme_id: int, data: dict, actor: str, by: int | None = None
) -> None:
    """Rename a theme or change its colour, description or notes on when to use it."""
    theme = get_theme(db, workshop_id, theme_id)
    values = clean(db, "theme", workshop_id, data, partial=True)
    if "name" in data:
        values["name"] = _check_name(db, workshop_id, data["name"], theme_id)
    if "colour" in data:
        values["colour"] = _check_colour(data["colour"]) or theme["colour"]
    changed = {k: v for k, v in values.items() if theme.get(k) != v}
    if not changed:
        return
    change = Change(db, workshop_id, by)
    change.update("theme", theme_id, {**changed, "updated_at": now()})
    if "name" in changed:
        detail = _("Renamed “%(old)s” to “%(new)s”.", old=theme["name"], new=changed["name"])
    else:
        detail = _("Edited “%(name)s”.", name=theme["name"])
    change.record(actor, "rename" if "name" in changed else "edit", detail)


def move_theme(
    db: Database, workshop_id: int, theme_id: int, parent_id, actor: str, by: int | None = None
) -> None:
    """Put a theme (with everything below it) under another theme, or make it overarching."""
    theme = get_theme(db, workshop_id, theme_id)
    parent_id = _check_parent(db, workshop_id, parent_id, theme_id)
    if parent_id == theme["parent_id"]:
        return
    change = Change(db, workshop_id, by)
    change.update(
        "theme",
        theme_id,
        {
            "parent_id": parent_id,
            "position": _next_position(db, workshop_id, parent_id),
            "updated_at": now(),
        },
    )
    where = (
        get_theme(db, workshop_id, parent_id)["name"] if parent_id else _("the overarching themes")
    )
    change.record(actor, "move", _("Moved “%(name)s” under %(to)s.", name=theme["name"], to=where))


def _move_references(change: Change, source_id: int, target_id: int, note_ids=None) -> int:
    """Move codings, quotes, memos, rules and decisions from one theme to another; return codes."""
    db, moved = change.db, 0
    only = "" if note_ids is None else f" AND note_id IN ({','.join('?' * len(note_ids))})"
    params = [source_id, *(note_ids or [])]
    for coding_id, note_id, analyst_id in db.execute(
        f"SELECT id, note_id, analyst_id FROM coding WHERE theme_id = ?{only}",  # noqa: S608
        params,
    ).fetchall():
        duplicate = db.execute(
            "SELECT 1 FROM coding WHERE note_id = ? AND theme_id = ? AND analyst_id = ?",
            [note_id, target_id, analyst_id],
        ).fetchone()
        if duplicate:
            change.delete("coding", coding_id)
        else:
            change.update("coding", coding_id, {"theme_id": target_id})
            moved += 1
    for table, owner in (("quote", "analyst_id"), ("consensus_decision", "NULL")):
        # A key-quote mark is each analyst's own; a decision is one per note and theme.
        for row_id, note_id, who in db.execute(
            f"SELECT id, note_id, {owner} FROM [{table}] WHERE theme_id = ?{only}",  # noqa: S608
            params,
        ).fetchall():
            taken = db.execute(
                f"SELECT 1 FROM [{table}] WHERE note_id = ? AND theme_id = ?"  # noqa: S608
                f" AND {owner} IS ?",
                [note_id, target_id, who],
            ).fetchone()
            if taken:
                change.delete(table, row_id)
            else:
                change.update(table, row_id, {"theme_id": target_id})
    if note_ids is None:
        for table in ("memo", "coding_rule"):
            for (row_id,) in db.execute(
                f"SELECT id FROM [{table}] WHERE theme_id = ?",  # noqa: S608
                [source_id],
            ).fetchall():
                change.update(table, row_id, {"theme_id": target_id})
    return moved


def merge_themes(
    db: Database,
    workshop_id: int,
    source_id: int,
    target_id: int,
    actor: str,
    by: int | None = None,
):
    """Fold one theme into another: its codes, quotes, memos and sub-themes go to the target."""
    source = get_theme(db, workshop_id, source_id)
    target = get_theme(db, workshop_id, target_id)
    if source_id == target_id:
        raise InputError({"target_id": _("A theme cannot be merged into itself.")})
    if target_id in descendants(db, workshop_id, source_id):
        raise InputError(
            {"target_id": _("A theme cannot be merged into one of its own sub-themes.")}
        )
    change = Change(db, workshop_id, by)
    for (child_id,) in db.execute(
        "SELECT id FROM theme WHERE parent_id = ? ORDER BY position", [source_id]
    ).fetchall():
        if _depth(db, target_id) + 1 + _height(db, workshop_id, child_id) > MAX_DEPTH:
            raise InputError(
                {
                    "target_id": _(
                        "The sub-themes of “%(name)s” would go deeper than three levels under"
                        " the target: move them first.",
                        name=source["name"],
                    )
                }
            )
        change.update(
            "theme",
            child_id,
            {"parent_id": target_id, "position": _next_position(db, workshop_id, target_id)},
        )
    moved = _move_references(change, source_id, target_id)
    _merge_summaries(change, workshop_id, source_id, target_id)
    change.delete("theme", source_id)
    change.record(
        actor,
        "merge",
        ngettext(
            "Merged “%(source)s” into “%(target)s” (%(num)s code moved).",
            "Merged “%(source)s” into “%(target)s” (%(num)s codes moved).",
            moved,
            source=source["name"],
            target=target["name"],
        ),
    )


def _merge_summaries(change: Change, workshop_id: int, source_id: int, target_id: int) -> None:
    db = change.db
    source = db.execute("SELECT id, text FROM summary WHERE theme_id = ?", [source_id]).fetchone()
    if source is None:
        return
    target = db.execute("SELECT id, text FROM summary WHERE theme_id = ?", [target_id]).fetchone()
    if target is None:
        change.update("summary", source[0], {"theme_id": target_id})
    else:
        change.update("summary", target[0], {"text": f"{target[1]}\n\n{source[1]}".strip()})
        change.delete("summary", source[0])


def split_theme(
    db: Database,
    workshop_id: int,
    theme_id: int,
    name: str,
    note_ids: list[int],
    actor: str,
    by: int | None = None,
) -> int:
    """Make a new theme beside this one and move the codes of the chosen notes to it."""
    theme = get_theme(db, workshop_id, theme_id)
    name = _check_name(db, workshop_id, name)
    note_ids = [int(n) for n in note_ids]
    if not note_ids:
        raise InputError({"note_ids": _("Choose the notes that go to the new theme.")})
    change = Change(db, workshop_id, by)
    new_id = change.insert(
        "theme",
        {
            "workshop_id": workshop_id,
            "parent_id": theme["parent_id"],
            "position": _next_position(db, workshop_id, theme["parent_id"]),
            "name": name,
            "colour": theme["colour"],
            "description": "",
            "usage": "",
            "created_at": now(),
            "updated_at": now(),
        },
    )
    moved = _move_references(change, theme_id, new_id, note_ids)
    change.record(
        actor,
        "split",
        ngettext(
            "Split “%(new)s” from “%(name)s” (%(num)s code moved).",
            "Split “%(new)s” from “%(name)s” (%(num)s codes moved).",
            moved,
            new=name,
            name=theme["name"],
        ),
    )
    return new_id


def delete_theme(
    db: Database, workshop_id: int, theme_id: int, actor: str, by: int | None = None
) -> None:
    """Remove a theme nobody has used and that has nothing below it."""
    theme = get_theme(db, workshop_id, theme_id)
    _refuse_delete_of_used_theme(db, theme)
    change = Change(db, workshop_id, by)
    for table in ("memo", "quote", "summary", "coding_rule", "consensus_decision"):
        for (row_id,) in db.execute(
            f"SELECT id FROM [{table}] WHERE theme_id = ?",  # noqa: S608
            [theme_id],
        ).fetchall():
            change.delete(table, row_id)
    change.delete("theme", theme_id)
    change.record(actor, "delete", _("Deleted “%(name)s”.", name=theme["name"]))


def _refuse_delete_of_used_theme(db: Database, theme: dict) -> None:
    codes, below = _in_use(db, theme["id"])
    if codes or below:
        raise InputError(
            {
                "theme": _(
                    "“%(name)s” is in use (%(codes)s codes, %(below)s themes below it): merge it"
                    " into another theme instead of deleting it.",
                    name=theme["name"],
                    codes=codes,
                    below=below,
                )
            }
        )


def import_codebook(
    db: Database,
    workshop_id: int,
    imported,
    actor: str,
    by: int | None = None,
    known: dict | None = None,
) -> tuple[int, list]:
    """Add the themes of a read .qdc (refi.CodebookImport); return how many and the problems.
    A theme whose GUID is in `known` (GUID -> theme id: the codebook's own, or a CSV theme's
    path) is that theme, left as it is, and the themes below it go under it. `by` is the
    analyst who imports (undo takes back one's own changes)."""
    problems = list(imported.problems)
    change = Change(db, workshop_id, by)
    new_ids: dict[int, int | None] = {}
    added = matched = 0
    for index, theme in enumerate(imported.themes):
        parent_id = new_ids.get(theme.parent) if theme.parent is not None else None
        guid = getattr(theme, "guid", None)
        if guid and known and guid in known:
            new_ids[index] = known[guid]
            matched += 1
            continue
        try:
            name = _check_name(db, workshop_id, theme.name)
            if parent_id is not None and _depth(db, parent_id) + 1 >= MAX_DEPTH:
                parent_id = _deepest_allowed(db, parent_id)
                problems.append(
                    _("“%(n)s” was placed higher: the codebook has three levels.", n=name)
                )
        except InputError as error:
            problems.append(f"{theme.name[:80]}: {' '.join(error.errors.values())}")
            new_ids[index] = parent_id
            continue
        new_ids[index] = change.insert(
            "theme",
            {
                "workshop_id": workshop_id,
                "parent_id": parent_id,
                "position": _next_position(db, workshop_id, parent_id),
                "name": name,
                "colour": (theme.colour or "").upper() or _next_colour(db, workshop_id, parent_id),
                "description": (theme.description or "")[:2000],
                "usage": (getattr(theme, "usage", "") or "")[:2000],
                "guid": guid if guid and len(guid) == 36 else None,  # a real GUID only
                "created_at": now(),
                "updated_at": now(),
            },
        )
        added += 1
    if matched:
        problems.append(
            ngettext(
                "%(num)d theme is in the codebook already and was left as it is.",
                "%(num)d themes are in the codebook already and were left as they are.",
                matched,
            )
        )
    if added:
        change.record(
            actor,
            "import",
            ngettext(
                "Imported %(num)d theme from a codebook file.",
                "Imported %(num)d themes from a codebook file.",
                added,
            ),
        )
    return added, problems


def _deepest_allowed(db: Database, parent_id: int) -> int:
    while _depth(db, parent_id) + 1 >= MAX_DEPTH:
        parent_id = db.execute("SELECT parent_id FROM theme WHERE id = ?", [parent_id]).fetchone()[
            0
        ]
    return parent_id
