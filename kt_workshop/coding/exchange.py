"""The workshop's coding as REFI-QDA files for NVivo, ATLAS.ti and MAXQDA, and codebooks back in.

Reads the database into the plain dataclasses of `kt_workshop.coding.refi`, which writes them.
Each analyst is a user with their codings; the consensus the report uses travels as one more
user, "Consensus", so the other tool sees exactly what was reported.
"""

from datetime import UTC, datetime

from sqlite_utils import Database

from kt_workshop import store
from kt_workshop.coding import agreement, codebook, codes, refi
from kt_workshop.i18n import _

CONSENSUS = "consensus"


def refi_themes(db: Database, workshop_id: int) -> list[refi.Theme]:
    """The codebook as REFI themes, parents first."""
    return [
        refi.Theme(
            id=theme["id"],
            name=theme["name"],
            parent_id=theme["parent_id"],
            colour=theme["colour"],
            description="\n\n".join(t for t in (theme["description"], theme["usage"]) if t),
        )
        for theme in codebook.themes(db, workshop_id)
    ]


def codebook_file(db: Database, workshop_id: int) -> bytes:
    """The codebook as a .qdc file."""
    workshop = store.get_workshop(db, workshop_id)
    return refi.codebook_qdc(
        refi_themes(db, workshop_id), workshop["title"], scope=f"workshop-{workshop_id}"
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
        )
        for memo in codes.memos(db, workshop_id, analyst_ids=only)
    ]
    return refi.Project(
        title=workshop["title"],
        themes=refi_themes(db, workshop_id),
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


def import_codebook_file(
    db: Database, workshop_id: int, data: bytes, actor: str, by: int | None = None
):
    """Add the themes of a .qdc (or a .qdpx's codebook); return how many and the problems."""
    return codebook.import_codebook(db, workshop_id, refi.read_qdc(data), actor, by)
