"""The JSON API's analysis routes: the codebook, codings, agreement and the report's files."""

import io
import tempfile
from pathlib import Path

from flask import abort, jsonify, request, send_file

from kt_workshop import access, store
from kt_workshop.api.blueprint import body, bp
from kt_workshop.coding import agreement as coding_agreement
from kt_workshop.coding import blind, codebook, codes
from kt_workshop.db import writing
from kt_workshop.i18n import _
from kt_workshop.reports import pack
from kt_workshop.reports.dataset import Options
from kt_workshop.web import (
    allow,
    audit_actor,
    current_actor,
    get_db,
    json_error,
    may_name_delegates,
)

CODERS = ("organiser", "analyst")


def caller_sight(workshop_id: int) -> blind.Sight:
    """What the caller may see of the others' coding (the blind-coding rule)."""
    return blind.sight_of(get_db(), workshop_id, current_actor())


def caller_analyst(workshop_id: int, create: bool) -> dict:
    """The analyst the caller codes under (404 for a workshop that is not there)."""
    actor = current_actor()
    store.get_workshop(get_db(), workshop_id)
    return codes.analyst_for(
        get_db(), workshop_id, actor.role, actor.grant_id, actor.label, create=create
    )


@bp.route("/workshops/<int:workshop_id>/themes")
@allow(*CODERS)
def themes(workshop_id):
    """The codebook in reading order, with each theme's depth and path."""
    db = get_db()
    store.get_workshop(db, workshop_id)
    return jsonify(codebook.themes(db, workshop_id))


@bp.route("/workshops/<int:workshop_id>/themes", methods=["POST"])
@allow(*CODERS)
def theme_create(workshop_id):
    """Add a theme: name, and optionally parent_id, colour, description, usage."""
    db = get_db()
    data = body()
    with writing(db):
        by = caller_analyst(workshop_id, create=True)["id"]
        theme_id = codebook.create_theme(db, workshop_id, data, audit_actor(), by)
    return jsonify(codebook.get_theme(db, workshop_id, theme_id)), 201


@bp.route("/workshops/<int:workshop_id>/codings")
@allow(*CODERS)
def codings(workshop_id):
    """Codings as [note_id, theme_id] pairs: the caller's (default), an analyst's, or the
    consensus (rolled up: each theme with the themes above it); while blind, the caller's own."""
    db = get_db()
    sight = caller_sight(workshop_id)
    whose = request.args.get("analyst", "me")
    if whose == "consensus":
        if not sight.shared:
            return json_error(409, sight.refusal())
        return jsonify(
            {"analyst": "consensus", "codings": coding_agreement.report_coding(db, workshop_id)}
        )
    me = caller_analyst(workshop_id, create=False)
    analyst_id = me["id"] if whose == "me" else (access.row_id(whose) or -1)
    if analyst_id != me["id"] and not sight.sees(analyst_id):
        return json_error(409, sight.refusal())
    analyst = codes.get_analyst(db, workshop_id, analyst_id) if analyst_id != me["id"] else me
    pairs = db.execute(
        "SELECT note_id, theme_id FROM coding WHERE workshop_id = ? AND analyst_id IS ?"
        " ORDER BY note_id, theme_id",
        [workshop_id, analyst["id"]],
    ).fetchall()
    return jsonify({"analyst": analyst["name"], "codings": [list(pair) for pair in pairs]})


@bp.route("/workshops/<int:workshop_id>/codings", methods=["POST"])
@allow(*CODERS)
def code(workshop_id):
    """Add a theme to notes, or take it off: {note_ids, theme_id, action: add|remove}."""
    db = get_db()
    data = body()
    note_ids = data.get("note_ids")
    if not isinstance(note_ids, list) or not note_ids:
        raise store.InputError({"note_ids": _("Give the notes as a list of ids.")})
    if data.get("action", "add") not in ("add", "remove"):
        raise store.InputError({"action": _("Choose add or remove.")})
    with writing(db):
        analyst = caller_analyst(workshop_id, create=True)
        result = codes.code_notes(
            db,
            workshop_id,
            analyst["id"],
            note_ids,
            data.get("theme_id"),
            data.get("action", "add") == "add",
        )
    return jsonify(
        {"changed": result["changed"], "notes": result["notes"], "problems": result["problems"]}
    )


@bp.route("/workshops/<int:workshop_id>/agreement")
@allow(*CODERS)
def agreement(workshop_id):
    """Agreement on rolled-up codes: with ?a=&b=, two analysts per theme and pooled with their
    disagreements; without, every analyst, every pair and all of them together (alpha)."""
    db = get_db()
    sight = caller_sight(workshop_id)
    if not sight.shared:
        return json_error(409, sight.refusal())
    if not request.args.get("a") and not request.args.get("b"):
        return jsonify(_overview(db, workshop_id))
    try:
        a, b = int(request.args.get("a", "")), int(request.args.get("b", ""))
    except ValueError:
        raise store.InputError({"a": _("Give two analysts' ids as ?a=&b=.")}) from None
    result = coding_agreement.comparison(db, workshop_id, a, b)
    return jsonify(
        {
            **_pair(result),
            "themes": {
                str(theme_id): _figures(row) for theme_id, row in result["report"].themes.items()
            },
            "disagreements": result["disagreements"],
        }
    )


FIGURES = ("units", "both", "only_a", "only_b", "neither", "percent", "kappa", "alpha")
POOLED_KAPPA = (
    "De Vries et al. (2008): mean observed and mean chance agreement over the pooled themes "
    "(those whose kappa is defined), then one ratio"
)


def _figures(row) -> dict:
    return {
        **{key: getattr(row, key) for key in FIGURES},
        "no_variation": row.no_variation,
        "unreliable": row.unreliable,
        "undefined": row.undefined or None,
    }


def _pair(result: dict) -> dict:
    return {
        "a": result["a"]["name"],
        "b": result["b"]["name"],
        "notes_both_went_through": result["units"],
        "pooled": _figures(result["report"].pooled),
        "pooled_themes": result["report"].pooled_ids,
        "pooled_kappa": POOLED_KAPPA,
        "rolled_up": True,
        "disagreement_count": len(result["disagreements"]),
        "open": result["open"],
    }


def _overview(db, workshop_id: int) -> dict:
    found = coding_agreement.overview(db, workshop_id)
    many, cover = found["many"], found["coverage"]
    return {
        "analysts": [
            {"id": a["id"], "name": a["name"], "seen": a["seen"], "coded": a["coded"]}
            for a in found["analysts"]
        ],
        "pairs": [_pair(pair) for pair in found["pairs"]],
        "all_analysts": None
        if many is None
        else {
            "alpha": many.pooled.alpha,
            "percent": many.pooled.percent,
            "undefined": many.pooled.undefined or None,
            "pooled_themes": many.pooled_ids,
        },
        "coverage": {
            "notes": cover.notes,
            "by_all": cover.by_all,
            "by_some": cover.by_some,
            "by_one": cover.by_one,
            "by_none": cover.by_none,
            "open": cover.open,
            "decided": cover.decided,
        },
    }


EXPORTS = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "qdpx": "application/zip",
    "json": "application/json",
    "pdf": "application/pdf",
}


@bp.route("/workshops/<int:workshop_id>/exports/<fmt>")
@allow(*CODERS)
def export(workshop_id, fmt):
    """One file of the report pack, made now: docx, xlsx, qdpx, json or pdf (?names=1)."""
    if fmt not in EXPORTS:
        abort(404)
    sight = caller_sight(workshop_id)
    if not sight.shared:  # every file of the pack is made from everyone's coding
        return json_error(409, sight.refusal())
    if fmt == "json" and not may_name_delegates():  # as the archive route: every row, names too
        return json_error(403, _("Only the organiser may download the workshop archive."))
    names = request.args.get("names") == "1" and may_name_delegates()
    with tempfile.TemporaryDirectory() as folder:  # build_pack answers an unknown workshop
        written, problems = pack.build_pack(
            get_db(), workshop_id, Path(folder), [fmt], Options(names=names)
        )
        found = [p for p in written if p.suffix == f".{fmt}"]
        if not found:
            return json_error(503, " ".join(problems) or _("The file could not be made."))
        data = found[0].read_bytes()
        name = found[0].name
    response = send_file(
        io.BytesIO(data), mimetype=EXPORTS[fmt], as_attachment=True, download_name=name
    )
    if problems:
        response.headers["X-Export-Problems"] = (
            " | ".join(problems)[:1000].encode("ascii", "replace").decode()
        )
    return response
