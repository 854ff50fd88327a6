"""The JSON API's workshop routes under /api/v1: workshops, their rows, delegates, join links,
archives and topic packs, doing what the UI does with the same access rules."""

from flask import Response, abort, current_app, jsonify, request

from kt_workshop import access, archive, store
from kt_workshop.api.blueprint import body, bp
from kt_workshop.api.spec import openapi_document
from kt_workshop.i18n import _
from kt_workshop.plan import links
from kt_workshop.setup import delegates as sheets
from kt_workshop.setup import topics
from kt_workshop.web import (
    PUBLIC,
    allow,
    audit_actor,
    current_actor,
    delete_workshop,
    get_db,
    json_error,
)

KINDS = {
    "blocks": "block",
    "questions": "question",
    "tables": "tables",
    "moderators": "moderator",
    "participants": "participant",
}


def kind_or_404(name: str) -> str:
    """The store kind for a collection name in the URL."""
    if name not in KINDS:
        abort(404)
    return KINDS[name]


@bp.route("/openapi.json")
@allow(PUBLIC)
def openapi():
    """The OpenAPI 3 description of this API."""
    return jsonify(openapi_document())


@bp.route("/me")
@allow("organiser", "moderator", "participant", "analyst")
def me():
    """Who the caller is: role and workshop."""
    actor = current_actor()
    return jsonify(
        {
            "role": actor.role,
            "workshop_id": actor.workshop_id,
            "label": actor.label,
            "table_id": actor.table_id,
        }
    )


@bp.route("/workshops")
@allow("organiser")
def workshops():
    """Every workshop."""
    return jsonify(store.list_workshops(get_db()))


@bp.route("/workshops", methods=["POST"])
@allow("organiser")
def workshop_create():
    """Create a workshop."""
    db = get_db()
    workshop_id = store.create_workshop(db, body())
    store.audit(db, workshop_id, audit_actor(), "created workshop")
    return jsonify(store.get_workshop(db, workshop_id)), 201


@bp.route("/workshops/<int:workshop_id>")
@allow("organiser", "moderator", "participant", "analyst")
def workshop(workshop_id):
    """A workshop with its programme, tables and moderators."""
    db = get_db()
    data = store.get_workshop(db, workshop_id)
    data["blocks"] = store.programme(db, workshop_id)
    data["tables"] = store.list_items(db, "tables", workshop_id)
    data["moderators"] = store.list_items(db, "moderator", workshop_id)
    if current_actor().role != "organiser":
        # The organiser's notes on each moderator are the organiser's alone.
        data["moderators"] = [
            {k: v for k, v in m.items() if k != "notes"} for m in data["moderators"]
        ]
    return jsonify(data)


@bp.route("/workshops/<int:workshop_id>", methods=["PATCH"])
@allow("organiser")
def workshop_update(workshop_id):
    """Change a workshop's details."""
    db = get_db()
    store.update_workshop(db, workshop_id, body())
    store.audit(db, workshop_id, audit_actor(), "edited workshop")
    return jsonify(store.get_workshop(db, workshop_id))


@bp.route("/workshops/<int:workshop_id>", methods=["DELETE"])
@allow("organiser")
def workshop_delete(workshop_id):
    """Delete a workshop and everything in it."""
    db = get_db()
    delete_workshop(db, workshop_id)
    store.audit(db, None, audit_actor(), "deleted workshop", {"id": workshop_id})
    return "", 204


@bp.route("/workshops/<int:workshop_id>/<collection>")
@allow("organiser")
def items(workshop_id, collection):
    """The blocks, questions, tables, moderators or participants of a workshop."""
    kind = kind_or_404(collection)
    db = get_db()
    store.get_workshop(db, workshop_id)
    if kind == "block":
        return jsonify(store.programme(db, workshop_id))
    return jsonify(store.list_items(db, kind, workshop_id))


@bp.route("/workshops/<int:workshop_id>/<collection>", methods=["POST"])
@allow("organiser")
def item_create(workshop_id, collection):
    """Add a row; a block takes `rounds` and `minutes` for its rounds."""
    kind = kind_or_404(collection)
    db = get_db()
    data = body()
    if kind == "block":
        rounds = data.get("rounds", 5)
        if not isinstance(rounds, int) or isinstance(rounds, bool):
            raise store.InputError({"rounds": _("Enter a whole number.")})
        item_id = store.add_block(db, workshop_id, data, rounds, data.get("minutes", 20))
    else:
        item_id = store.add_item(db, kind, workshop_id, data)
    store.audit(db, workshop_id, audit_actor(), f"added {kind}", {"id": item_id})
    return jsonify(store.get_item(db, kind, workshop_id, item_id)), 201


@bp.route("/workshops/<int:workshop_id>/<collection>/<int:item_id>")
@allow("organiser")
def item(workshop_id, collection, item_id):
    """One row."""
    return jsonify(store.get_item(get_db(), kind_or_404(collection), workshop_id, item_id))


@bp.route("/workshops/<int:workshop_id>/<collection>/<int:item_id>", methods=["PATCH"])
@allow("organiser")
def item_update(workshop_id, collection, item_id):
    """Change fields of one row; a block takes `round_minutes`, a list of lengths."""
    kind = kind_or_404(collection)
    db = get_db()
    data = body()
    if "round_minutes" in data and (kind != "block" or not isinstance(data["round_minutes"], list)):
        raise store.InputError(
            {"round_minutes": _("Give a block's round lengths as a list of minutes.")}
        )
    with db.atomic():
        store.update_item(db, kind, workshop_id, item_id, data)
        if "round_minutes" in data:
            store.set_rounds(db, workshop_id, item_id, data["round_minutes"])
    store.audit(db, workshop_id, audit_actor(), f"edited {kind}", {"id": item_id})
    return jsonify(store.get_item(db, kind, workshop_id, item_id))


@bp.route("/workshops/<int:workshop_id>/<collection>/<int:item_id>", methods=["DELETE"])
@allow("organiser")
def item_delete(workshop_id, collection, item_id):
    """Delete one row."""
    kind = kind_or_404(collection)
    db = get_db()
    store.delete_item(db, kind, workshop_id, item_id)
    store.audit(db, workshop_id, audit_actor(), f"deleted {kind}", {"id": item_id})
    return "", 204


@bp.route("/workshops/<int:workshop_id>/participants/import", methods=["POST"])
@allow("organiser")
def participants_import(workshop_id):
    """Check an uploaded delegate list; with ?confirm=true also write its good rows."""
    db = get_db()
    store.get_workshop(db, workshop_id)
    upload = request.files.get("file")
    if upload is None:
        abort(400, _("Send the spreadsheet as the multipart field “file”."))
    preview = sheets.read_delegates(
        upload.filename or "upload", upload.read(), store.list_items(db, "participant", workshop_id)
    )
    result = {
        "file_errors": preview.file_errors,
        "notices": preview.notices,
        "rows": [{"row": r.row, "delegate": r.delegate} for r in preview.rows],
        "rejected": [{"row": r.row, "reasons": r.reasons} for r in preview.rejected],
        "imported": 0,
    }
    if request.args.get("confirm") == "true" and preview.ok:
        ids = store.add_delegates(db, workshop_id, [r.delegate for r in preview.rows])
        store.audit(db, workshop_id, audit_actor(), "imported delegates", {"count": len(ids)})
        result["imported"] = len(ids)
    return jsonify(result), 200 if preview.ok else 422


@bp.route("/workshops/<int:workshop_id>/participants/export")
@allow("organiser")
def participants_export(workshop_id):
    """The delegate list as csv (default) or xlsx."""
    store.get_workshop(get_db(), workshop_id)
    people = store.list_items(get_db(), "participant", workshop_id)
    groups = {t["id"]: t["name"] for t in store.list_items(get_db(), "tables", workshop_id)}
    if request.args.get("format", "csv") == "xlsx":
        return Response(
            sheets.write_delegates_xlsx(people, groups),
            mimetype=("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        )
    return Response(sheets.write_delegates_csv(people, groups), mimetype="text/csv")


@bp.route("/workshops/<int:workshop_id>/access")
@allow("organiser")
def grants(workshop_id):
    """The workshop's join links, with their URLs and codes."""
    db = get_db()
    store.get_workshop(db, workshop_id)
    secret = current_app.config["SECRET_KEY"]
    return jsonify([grant_json(g, secret) for g in access.list_grants(db, workshop_id)])


def grant_json(grant: dict, secret: str) -> dict:
    """A grant as the API shows it (the nonce stays inside)."""
    shown = {k: v for k, v in grant.items() if k != "nonce"}
    shown["token"] = access.grant_token(secret, grant)
    return shown


@bp.route("/workshops/<int:workshop_id>/access", methods=["POST"])
@allow("organiser")
def grant_create(workshop_id):
    """Make a join link for a moderator, participant or analyst."""
    db = get_db()
    data = body()
    grant = access.create_grant(
        db,
        workshop_id,
        data.get("role", ""),
        data.get("label", ""),
        table_id=data.get("table_id"),
        moderator_id=data.get("moderator_id"),
        participant_id=data.get("participant_id"),
    )
    store.audit(db, workshop_id, audit_actor(), "created join link", {"grant": grant["id"]})
    return jsonify(grant_json(grant, current_app.config["SECRET_KEY"])), 201


@bp.route("/workshops/<int:workshop_id>/access/every", methods=["POST"])
@allow("organiser")
def grants_make(workshop_id):
    """Make a join link for every moderator, table or delegate without one: {kind:
    moderators|tables|participants}; answers with how many were made."""
    db = get_db()
    kind = body().get("kind", "")
    made = links.make_links(db, workshop_id, kind)
    store.audit(db, workshop_id, audit_actor(), "created join links", {"kind": kind, "n": made})
    return jsonify({"made": made}), 201


@bp.route("/workshops/<int:workshop_id>/access/<int:grant_id>/revoke", methods=["POST"])
@allow("organiser")
def grant_revoke(workshop_id, grant_id):
    """Stop a join link and its code."""
    db = get_db()
    access.revoke_grant(db, workshop_id, grant_id)
    store.audit(db, workshop_id, audit_actor(), "revoked join link", {"grant": grant_id})
    return "", 204


@bp.route("/workshops/<int:workshop_id>/archive")
@allow("organiser")
def archive_export(workshop_id):
    """The whole workshop as one JSON archive."""
    data = archive.archive_bytes(archive.export_workshop(get_db(), workshop_id))
    return Response(data, mimetype="application/json")


@bp.route("/archive", methods=["POST"])
@allow("organiser")
def archive_import():
    """Add a workshop from a JSON archive (sent as the request body)."""
    db = get_db()
    try:
        workshop_id = archive.import_workshop(db, archive.load_archive(request.get_data()))
    except archive.ArchiveError as error:
        return json_error(422, str(error))
    store.audit(db, workshop_id, audit_actor(), "imported archive")
    return jsonify(store.get_workshop(db, workshop_id)), 201


@bp.route("/topic-packs")
@allow("organiser")
def packs():
    """The topic packs shipped with the app."""
    return jsonify([pack_json(p) for p in topics.shipped_packs()])


def pack_json(pack) -> dict:
    """A topic pack as JSON."""
    return {
        "name": pack.name,
        "title": pack.title,
        "description": pack.description,
        "language": pack.language,
        "blocks": [
            {
                "title": b.title,
                "questions": [{"text": q.text, "prompt": q.prompt} for q in b.questions],
            }
            for b in pack.blocks
        ],
    }


@bp.route("/topic-packs/check", methods=["POST"])
@allow("organiser")
def pack_check():
    """Check a topic pack sent as TOML text; list each mistake with line and field."""
    try:
        pack = topics.load_pack_text(request.get_data().decode("utf-8-sig"))
    except UnicodeDecodeError:
        return json_error(422, _("The pack is not UTF-8 text."))
    except topics.PackError as error:
        return jsonify(
            {
                "valid": False,
                "problems": [
                    {"line": p.line, "field": p.field, "message": p.message} for p in error.problems
                ],
            }
        )
    return jsonify({"valid": True, "pack": pack_json(pack)})


@bp.route("/workshops/<int:workshop_id>/topic-pack", methods=["POST"])
@allow("organiser")
def pack_apply(workshop_id):
    """Add a shipped topic pack's questions to the workshop: {"name": "..."}."""
    db = get_db()
    try:
        pack = topics.find_shipped_pack(str(body().get("name", "")))
    except KeyError:
        return json_error(404, _("There is no topic pack of that name."))
    added = store.apply_pack(db, workshop_id, pack)
    store.audit(db, workshop_id, audit_actor(), "applied topic pack", {"pack": pack.name})
    return jsonify({"added": added}), 201


def _id_list(data: dict, name: str) -> list[int]:
    """A list of row ids from the body (absent: none), or a 422 naming the field."""
    value = data.get(name, [])
    if not isinstance(value, list) or not all(
        isinstance(v, int) and not isinstance(v, bool) for v in value
    ):
        raise store.InputError({name: _("Send a list of ids.")})
    return value


@bp.route("/workshops/<int:workshop_id>/replan", methods=["POST"])
@allow("organiser")
def replan(workshop_id):
    """Re-plan the rest of the day from a round that has not started, as the plan page does:
    {from_round_id, left, arrived, close, leaving (lists of ids), seed}; answers who moved."""
    from dataclasses import asdict

    from kt_workshop.plan import replanning
    from kt_workshop.plan.store import plan_changed

    data = body()
    start = data.get("from_round_id")
    if isinstance(start, bool) or not isinstance(start, int):
        raise store.InputError({"from_round_id": _("Enter a whole number.")})
    outcome = replanning.replan_day(
        get_db(),
        workshop_id,
        start,
        left=_id_list(data, "left"),
        arrived=_id_list(data, "arrived"),
        close=_id_list(data, "close"),
        leaving=_id_list(data, "leaving"),
        seed=data.get("seed", 0) if isinstance(data.get("seed", 0), int) else 0,
        actor=audit_actor(),
    )
    plan_changed.send(
        current_app._get_current_object(),
        workshop_id=workshop_id,
        from_round_id=outcome.start_round_id,
    )
    return jsonify(asdict(outcome))
