"""The workshop's coding as REFI-QDA files for NVivo, ATLAS.ti, MAXQDA and QualCoder, the codebook
as CSV for Taguette, and codebooks back in (a codebook's own themes recognised by their GUIDs).

Reads the database into the plain dataclasses of `kt_workshop.coding.refi`, which writes them.
Each analyst is a user with their codings; the consensus the report uses travels as one more
user, "Consensus", so the other tool sees exactly what was reported.
"""

import dataclasses
from datetime import UTC, datetime

from sqlite_utils import Database

from kt_workshop import store
from kt_workshop.coding import agreement, blind, codebook, codes, refi
from kt_workshop.coding.refi import taguette
from kt_workshop.i18n import _

CONSENSUS = "consensus"


def theme_rules(db: Database, workshop_id: int, sight=None) -> dict[int, tuple[str, ...]]:
    """The keyword rules run with each theme, as written, first run first, each once; given a
    blind `sight`, only that analyst's own."""
    found: dict[int, dict[str, None]] = {}
    for theme_id, pattern, analyst_id in db.execute(
        "SELECT theme_id, pattern, analyst_id FROM coding_rule WHERE workshop_id = ? ORDER BY id",
        [workshop_id],
    ):
        if sight is None or sight.sees(analyst_id):
            found.setdefault(theme_id, {})[pattern] = None
    return {theme_id: tuple(patterns) for theme_id, patterns in found.items()}


def refi_themes(db: Database, workshop_id: int, sight=None) -> list[refi.Theme]:
    """The codebook as REFI themes, parents first, with the keyword rules run with each (the
    ones `sight` may see)."""
    rules = theme_rules(db, workshop_id, sight)
    return [
        refi.Theme(
            id=theme["id"],
            name=theme["name"],
            parent_id=theme["parent_id"],
            colour=theme["colour"],
            description=theme["description"],
            usage=theme["usage"],
            guid=theme.get("guid"),
            rules=rules.get(theme["id"], ()),
        )
        for theme in codebook.themes(db, workshop_id)
    ]


def codebook_file(db: Database, workshop_id: int, sight=None) -> bytes:
    """The codebook as a .qdc file (with the keyword rules `sight` may see)."""
    workshop = store.get_workshop(db, workshop_id)
    return refi.codebook_qdc(
        refi_themes(db, workshop_id, sight), workshop["title"], scope=f"workshop-{workshop_id}"
    )


def _notes(db: Database, workshop_id: int) -> list[refi.Note]:
    """The workshop's live notes with where they were taken, in id order."""
    rows = db.execute(  # plain tuples: a dict per row costs more than the rest of the query
        "SELECT note.id, note.text, block.title, question.text, tables.name, round.position,"
        " note.kind FROM note"
        " LEFT JOIN round ON round.id = note.round_id"
        " LEFT JOIN block ON block.id = round.block_id"
        " LEFT JOIN question ON question.id = note.question_id"
        " LEFT JOIN tables ON tables.id = note.table_id"
        " WHERE note.workshop_id = ? AND note.deleted_at IS NULL ORDER BY note.id",
        [workshop_id],
    )
    return [
        refi.Note(note_id, text, block or "", question or "", table or "", position or 0, kind)
        for note_id, text, block, question, table, position, kind in rows
    ]


def project(db: Database, workshop_id: int, sight=None) -> refi.Project:
    """The whole coding project: notes, codebook, each analyst's codings, consensus and memos.
    Given a blind `sight` (kt_workshop.coding.blind), only that analyst's own codings and memos
    and no consensus."""
    workshop = store.get_workshop(db, workshop_id)
    only = None if sight is None else sight.only()
    writers = {m["analyst_id"] for m in codes.memos(db, workshop_id, analyst_ids=only)}
    # Those who coded or wrote a memo (a codebook change alone makes an analyst row too).
    people = [
        a
        for a in codes.analysts(db, workshop_id)
        if (only is None or a["id"] in only) and (a["coded"] or a["seen"] or a["id"] in writers)
    ]
    analysts = [refi.Analyst(key=str(a["id"]), name=a["name"]) for a in people]
    data = agreement.coding_data(db, workshop_id)
    codings = [refi.Coding(n, t, str(a)) for n, t, a in data.codings if only is None or a in only]
    if people and only is None:
        agreed, _disputed = agreement.consensus(data)
        analysts.append(refi.Analyst(key=CONSENSUS, name=_("Consensus")))
        # The most specific themes: the tool rolls them up into their parents itself.
        for note_id, theme_ids in sorted(agreement.most_specific(agreed, data.themes).items()):
            codings += [refi.Coding(note_id, t, CONSENSUS) for t in theme_ids]
    memos = [
        refi.Memo(
            id=memo["id"],
            text=memo["text"],
            analyst=str(memo["analyst_id"]) if memo["analyst_id"] else CONSENSUS,
            note_id=memo["note_id"],
            theme_id=memo["theme_id"],
            created=_moment(memo["created_at"]),
        )
        for memo in codes.memos(db, workshop_id, analyst_ids=only)
    ]
    return refi.Project(
        title=workshop["title"],
        themes=refi_themes(db, workshop_id, sight),
        notes=_notes(db, workshop_id),
        analysts=analysts,
        codings=codings,
        memos=memos,
        created=datetime.fromisoformat(workshop["created_at"]).astimezone(UTC)
        if workshop["created_at"]
        else datetime.now(UTC),
        scope=f"workshop-{workshop_id}",
    )


def project_file(db: Database, workshop_id: int, sight=None) -> refi.QdpxExport:
    """The coding project as a .qdpx file, with what had to change on the way."""
    return refi.export_project(project(db, workshop_id, sight))


def _moment(iso: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(iso).astimezone(UTC) if iso else None
    except ValueError:
        return None


def known_guids(db: Database, workshop_id: int) -> dict[str, int]:
    """The GUIDs the codebook's themes go by (the one each came with, or the derived one our
    exports write), lower case, to the theme: a codebook coming back is recognised by them."""
    scope = f"workshop-{workshop_id}"
    known = {}
    for theme in codebook.themes(db, workshop_id):
        known[refi.guid("theme", theme["id"], scope)] = theme["id"]
        if theme.get("guid"):
            known[theme["guid"].lower()] = theme["id"]
    return known


def is_csv(data: bytes, filename: str = "") -> bool:
    """Whether an upload is a CSV codebook (Taguette's kind) rather than REFI-QDA XML or zip."""
    if filename.lower().endswith(".csv"):
        return True
    start = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    return bool(start) and start not in (b"<", b"P")


def import_codebook_file(
    db: Database,
    workshop_id: int,
    data: bytes,
    actor: str,
    filename: str = "",
    by: int | None = None,
):
    """Add the themes of a .qdc (or a .qdpx's codebook, or a CSV codebook from Taguette);
    return how many and the problems. Themes that are the codebook's own (by GUID) are matched,
    not added again, so a codebook exported here comes back without duplicates."""
    known = known_guids(db, workshop_id)
    if is_csv(data, filename):
        # A CSV has no GUIDs: a theme is the codebook's own when its path is (Funding.Grants).
        imported = taguette.read_codebook_csv(data)
        paths: list[str] = []
        for theme in imported.themes:
            above = paths[theme.parent] if theme.parent is not None else ""
            paths.append(f"{above}/{theme.name}")
        imported.themes = [
            dataclasses.replace(theme, guid=f"path:{path}")
            for theme, path in zip(imported.themes, paths, strict=True)
        ]
        for theme in codebook.themes(db, workshop_id):
            known["path:/" + "/".join(theme["path"])] = theme["id"]
    else:
        imported = refi.read_qdc(data)
    return codebook.import_codebook(db, workshop_id, imported, actor, by, known=known)


def codebook_csv_file(db: Database, workshop_id: int, sight: blind.Sight | None = None) -> bytes:
    """The codebook as CSV for Taguette: tag path, description, when to use, notes (counted
    over the codes `sight` may see: while blind, the analyst's own)."""
    only = sight.only() if sight is not None else None
    mine = "" if only is None else f" AND analyst_id IN ({','.join(str(int(i)) for i in only)})"
    if only == []:
        mine = " AND 0"
    counts = dict(
        db.execute(
            "SELECT theme_id, COUNT(DISTINCT note_id) FROM coding WHERE workshop_id = ?"  # noqa: S608
            + mine
            + " GROUP BY theme_id",
            [workshop_id],
        ).fetchall()
    )
    return taguette.codebook_csv(refi_themes(db, workshop_id), counts)
