"""Blueprint: the organiser sets up workshops: details, blocks, questions, tables, moderators."""

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)

from kt_workshop import store
from kt_workshop.i18n import _, list_of, ngettext
from kt_workshop.setup import topics
from kt_workshop.web import allow, audit_actor, delete_workshop, flash_errors, get_db

bp = Blueprint("organise", __name__)

# The parts of a workshop edited as rows, by their name in URLs.
KINDS = {"blocks": "block", "questions": "question", "tables": "tables", "moderators": "moderator"}
# How each kind of row is named in the page's anchors (block-3, add-table...).
ANCHOR = {"block": "block", "question": "question", "tables": "table", "moderator": "moderator"}
# The kinds of row kept in the organiser's order.
ORDERED = ("block", "question", "tables")
# The page each kind of row is edited on.
PAGE = {
    "block": "organise.programme",
    "question": "organise.programme",
    "tables": "organise.tables",
    "moderator": "organise.moderators",
}


def kind_or_404(name: str) -> str:
    """The store kind for a URL name, or 404."""
    if name not in KINDS:
        abort(404)
    return KINDS[name]


@bp.route("/")
@allow("organiser")
def dashboard():
    """List every workshop in this database, with a button to create one."""
    return render_template("setup/dashboard.html", workshops=store.list_workshops(get_db()))


@bp.route("/workshops/new", methods=["GET", "POST"])
@allow("organiser")
def workshop_new():
    """Create a workshop from its title, date, venue, language and format."""
    form = request.form.to_dict() if request.method == "POST" else {"format": "fixed_groups"}
    if request.method == "POST":
        form["chatham_house"] = "chatham_house" in request.form
        form["participant_pages"] = "participant_pages" in request.form
        try:
            workshop_id = store.create_workshop(get_db(), form)
        except store.InputError as error:
            flash_errors(error)
        else:
            store.audit(get_db(), workshop_id, audit_actor(), "created workshop")
            flash(_("Workshop created. Now add the blocks of the day."), "success")
            return redirect(url_for("organise.programme", workshop_id=workshop_id))
    return render_template(
        "setup/workshop_form.html",
        workshop=None,
        form=form,
        formats=store.FORMATS,
        served=current_app.config.get("PUBLIC_URL"),
    )


@bp.route("/w/<int:workshop_id>")
@allow("organiser")
def overview(workshop_id):
    """The workshop at a glance: details, the day's programme, tables, moderators, delegates."""
    db = get_db()
    return render_template(
        "setup/overview.html",
        workshop=store.get_workshop(db, workshop_id),
        programme=store.programme(db, workshop_id),
        tables=store.list_items(db, "tables", workshop_id),
        moderators=store.list_items(db, "moderator", workshop_id),
        delegates=len(store.list_items(db, "participant", workshop_id)),
    )


@bp.route("/w/<int:workshop_id>/edit", methods=["GET", "POST"])
@allow("organiser")
def workshop_edit(workshop_id):
    """Change the workshop's details."""
    db = get_db()
    workshop = store.get_workshop(db, workshop_id)
    form = dict(workshop)
    if request.method == "POST":
        form = request.form.to_dict()
        form["chatham_house"] = "chatham_house" in request.form
        form["participant_pages"] = "participant_pages" in request.form
        try:
            store.update_workshop(db, workshop_id, form)
        except store.InputError as error:
            flash_errors(error)
        else:
            store.audit(db, workshop_id, audit_actor(), "edited workshop")
            flash(_("Saved."), "success")
            return redirect(url_for("organise.overview", workshop_id=workshop_id))
    return render_template(
        "setup/workshop_form.html",
        workshop=workshop,
        form=form,
        formats=store.FORMATS,
        served=current_app.config.get("PUBLIC_URL"),
    )


@bp.route("/w/<int:workshop_id>/delete", methods=["POST"])
@allow("organiser")
def workshop_delete(workshop_id):
    """Delete the workshop with everything in it, after the organiser typed its title."""
    db = get_db()
    workshop = store.get_workshop(db, workshop_id)
    if request.form.get("confirm_title", "").strip() != workshop["title"]:
        flash(_("Type the workshop's title exactly to delete it."), "error")
        return redirect(url_for("organise.workshop_edit", workshop_id=workshop_id))
    delete_workshop(db, workshop_id)
    store.audit(db, None, audit_actor(), "deleted workshop", {"title": workshop["title"]})
    flash(_("Workshop deleted."), "success")
    return redirect(url_for("organise.dashboard"))


@bp.route("/w/<int:workshop_id>/programme")
@allow("organiser")
def programme(workshop_id):
    """The blocks of the day with their rounds and questions, and the topic packs to pick from."""
    db = get_db()
    return render_template(
        "setup/programme.html",
        workshop=store.get_workshop(db, workshop_id),
        programme=store.programme(db, workshop_id),
        packs=topics.shipped_packs(),
    )


@bp.route("/w/<int:workshop_id>/tables")
@allow("organiser")
def tables(workshop_id):
    """The tables or groups, with their names and capacity."""
    db = get_db()
    return render_template(
        "setup/tables.html",
        workshop=store.get_workshop(db, workshop_id),
        tables=store.list_items(db, "tables", workshop_id),
    )


@bp.route("/w/<int:workshop_id>/moderators")
@allow("organiser")
def moderators(workshop_id):
    """The moderators or table hosts, with the question or table each one leads."""
    db = get_db()
    return render_template(
        "setup/moderators.html",
        workshop=store.get_workshop(db, workshop_id),
        moderators=store.list_items(db, "moderator", workshop_id),
        questions=store.list_items(db, "question", workshop_id),
        tables=store.list_items(db, "tables", workshop_id),
    )


@bp.route("/w/<int:workshop_id>/<kind>/add", methods=["POST"])
@allow("organiser")
def item_add(workshop_id, kind):
    """Add a block, question, table or moderator from the row form at the foot of its list."""
    kind = kind_or_404(kind)
    db = get_db()
    form = request.form.to_dict()
    item_id = None
    try:
        if kind == "block":
            item_id = store.add_block(
                db, workshop_id, form, _int(form.get("rounds"), 5), _int(form.get("minutes"), 20)
            )
        elif kind == "question" and form.get("bulk", "").strip():
            added = add_pasted_questions(db, workshop_id, form.get("block_id"), form["bulk"])
            flash(ngettext("Added %(num)s question.", "Added %(num)s questions.", added), "success")
        else:
            item_id = store.add_item(db, kind, workshop_id, form)
    except store.InputError as error:
        flash_errors(error)
    else:
        store.audit(db, workshop_id, audit_actor(), f"added {kind}")
    # A new question: back to its block's form, ready for the next one.
    return back_to(kind, workshop_id, None if kind == "question" else item_id, form)


def back_to(kind: str, workshop_id: int, item_id=None, form=None):
    """The page a row is edited on, scrolled to that row (or to where the next one is added)
    rather than to the top."""
    if item_id is not None:
        anchor = f"{ANCHOR[kind]}-{item_id}"
    elif kind == "question" and (form or {}).get("block_id"):
        anchor = f"add-question-{form['block_id']}"
    else:
        anchor = f"add-{ANCHOR[kind]}"
    return redirect(url_for(PAGE[kind], workshop_id=workshop_id) + f"#{anchor}")


def add_pasted_questions(db, workshop_id: int, block_id, text: str) -> int:
    """Add one question per pasted line to a block; a tab (as pasted from a spreadsheet) or
    " | " after the question starts its prompt. All of them, or on any mistake none."""
    rows = []
    for line in text.splitlines():
        if not line.strip():
            continue
        question, _sep, prompt = line.replace(" | ", "\t").partition("\t")
        rows.append({"text": question.strip(), "prompt": prompt.strip(), "block_id": block_id})
    if len(rows) > 100:
        raise store.InputError({"bulk": _("Paste at most 100 questions at a time.")})
    with db.atomic():
        for row in rows:
            store.add_item(db, "question", workshop_id, row)
    return len(rows)


@bp.route("/w/<int:workshop_id>/<kind>/<int:item_id>/edit", methods=["POST"])
@allow("organiser")
def item_edit(workshop_id, kind, item_id):
    """Save a row's changed fields (block rounds are given as minutes, one number per round)."""
    kind = kind_or_404(kind)
    db = get_db()
    form = request.form.to_dict()
    if kind == "block" and "round_minutes" in form and not form.get("drop_planned"):
        planned = planned_rounds_dropped(db, item_id, len(_minutes(form["round_minutes"])))
        if planned:
            flash(
                ngettext(
                    "Round %(rounds)s has a plan (who sits or leads where). Saving removes it "
                    "and its part of the plan at once. Tick “Remove the planned rounds” and "
                    "save again to go ahead.",
                    "Rounds %(rounds)s have a plan (who sits or leads where). Saving removes "
                    "them and their part of the plan at once. Tick “Remove the planned "
                    "rounds” and save again to go ahead.",
                    len(planned),
                    rounds=list_of(planned),
                ),
                "error",
            )
            page = url_for(
                "organise.programme",
                workshop_id=workshop_id,
                drop=item_id,
                minutes=form["round_minutes"],
            )
            return redirect(f"{page}#block-{item_id}")
    try:
        with db.atomic():
            store.update_item(db, kind, workshop_id, item_id, form)
            if kind == "block" and "round_minutes" in form:
                dropped = planned_rounds_dropped(db, item_id, len(_minutes(form["round_minutes"])))
                store.set_rounds(db, workshop_id, item_id, _minutes(form["round_minutes"]))
                if dropped:
                    db["workshop"].update(workshop_id, {"plan_changed_at": store.now()})
    except store.InputError as error:
        flash_errors(error)
    except store.NotFound:
        abort(404)
    else:
        store.audit(db, workshop_id, audit_actor(), f"edited {kind}", {"id": item_id})
        flash(_("Saved."), "success")
    return back_to(kind, workshop_id, item_id)


def planned_rounds_dropped(db, block_id: int, keep: int) -> list[int]:
    """The numbers of a block's rounds past the first `keep` that the plan uses."""
    rounds = list(db["round"].rows_where("block_id = ?", [block_id], order_by="position"))
    return [
        number
        for number, round_ in enumerate(rounds, start=1)
        if number > keep
        and db.execute(
            "SELECT 1 FROM seat WHERE round_id = ? UNION SELECT 1 FROM lead WHERE round_id = ? "
            "AND moderator_id IS NOT NULL LIMIT 1",
            [round_["id"], round_["id"]],
        ).fetchone()
    ]


@bp.route("/w/<int:workshop_id>/<kind>/<int:item_id>/delete", methods=["POST"])
@allow("organiser")
def item_delete(workshop_id, kind, item_id):
    """Remove a row (a block takes its rounds and questions with it)."""
    kind = kind_or_404(kind)
    db = get_db()
    try:
        store.delete_item(db, kind, workshop_id, item_id)
    except store.NotFound:
        abort(404)
    except store.InputError as error:  # rounds that have happened hold it
        for message in error.errors.values():
            flash(message, "error")
        return redirect(url_for(PAGE[kind], workshop_id=workshop_id))
    store.audit(db, workshop_id, audit_actor(), f"deleted {kind}", {"id": item_id})
    flash(_("Deleted."), "success")
    return back_to(kind, workshop_id)


@bp.route("/w/<int:workshop_id>/<kind>/<int:item_id>/move", methods=["POST"])
@allow("organiser")
def item_move(workshop_id, kind, item_id):
    """Move a row up or down in its list."""
    kind = kind_or_404(kind)
    if kind not in ORDERED:
        abort(404)
    try:
        store.move_item(
            get_db(), kind, workshop_id, item_id, -1 if request.form.get("direction") == "up" else 1
        )
    except store.NotFound:
        abort(404)
    return back_to(kind, workshop_id, item_id)


@bp.route("/w/<int:workshop_id>/pack", methods=["POST"])
@allow("organiser")
def pack_apply(workshop_id):
    """Add the questions of a shipped or uploaded topic pack to the workshop."""
    db = get_db()
    upload = request.files.get("pack_file")
    try:
        if upload and upload.filename:
            data = upload.read(topics.MAX_FILE_BYTES + 1)
            if len(data) > topics.MAX_FILE_BYTES:
                raise topics.PackError([topics.Problem(None, "file", _("The file is too large."))])
            try:
                text = data.decode("utf-8-sig")
            except UnicodeDecodeError:
                raise topics.PackError(
                    [topics.Problem(None, "file", _("The file is not UTF-8 text."))]
                ) from None
            pack = topics.load_pack_text(text, upload.filename)
        else:
            pack = topics.find_shipped_pack(request.form.get("pack", ""))
    except KeyError:
        flash(_("Choose a topic pack."), "error")
        return redirect(url_for("organise.programme", workshop_id=workshop_id))
    except topics.PackError as error:
        flash(_("The topic pack has mistakes; nothing was added."), "error")
        for problem in error.problems:
            flash(str(problem), "error")
        return redirect(url_for("organise.programme", workshop_id=workshop_id))
    added = store.apply_pack(db, workshop_id, pack)
    store.audit(db, workshop_id, audit_actor(), "applied topic pack", {"pack": pack.title})
    flash(
        ngettext(
            "Added %(num)s question from “%(title)s”.",
            "Added %(num)s questions from “%(title)s”.",
            added,
            title=pack.title,
        ),
        "success",
    )
    return redirect(url_for("organise.programme", workshop_id=workshop_id))


@bp.route("/w/<int:workshop_id>/pack.toml")
@allow("organiser")
def pack_export(workshop_id):
    """Download the workshop's blocks and questions as a topic pack for reuse."""
    db = get_db()
    workshop = store.get_workshop(db, workshop_id)
    blocks = [
        (b["title"], [(q["text"], q["prompt"]) for q in b["questions"]])
        for b in store.programme(db, workshop_id)
        if b["questions"]
    ]
    if not blocks:
        flash(_("Add questions first: a topic pack needs at least one."), "error")
        return redirect(url_for("organise.programme", workshop_id=workshop_id))
    try:
        pack = topics.pack_from_questions(
            workshop["title"], workshop["description"], workshop["language"], blocks
        )
    except topics.PackError as error:
        flash(_("These questions cannot be saved as a topic pack yet:"), "error")
        for problem in error.problems:
            flash(str(problem), "error")
        return redirect(url_for("organise.programme", workshop_id=workshop_id))
    return Response(
        topics.pack_to_toml(pack),
        mimetype="application/toml",
        headers={"Content-Disposition": 'attachment; filename="topic-pack.toml"'},
    )


@bp.route("/topics")
@allow("organiser")
def packs():
    """The topic packs shipped with the app, and a checker for a pack file."""
    return render_template("setup/packs.html", packs=topics.shipped_packs(), problems=None)


@bp.route("/topics/check", methods=["POST"])
@allow("organiser")
def pack_check():
    """Check an uploaded topic pack and list each mistake with its line and field."""
    upload = request.files.get("pack_file")
    data = upload.read(topics.MAX_FILE_BYTES + 1) if upload else b""
    try:
        topics.load_pack_text(data.decode("utf-8-sig"), upload.filename if upload else "")
        problems = []
    except UnicodeDecodeError:
        problems = [_("The file is not UTF-8 text.")]
    except topics.PackError as error:
        problems = [str(p) for p in error.problems]
    return render_template(
        "setup/packs.html",
        packs=topics.shipped_packs(),
        problems=problems,
        checked=upload.filename if upload else "",
    )


def _int(value, default: int) -> int:
    """A whole number from a form field, or the default when it is not one."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _minutes(text: str) -> list:
    """Round lengths typed as '20, 20, 25' (or one per line)."""
    parts = [part.strip() for part in text.replace("\n", ",").split(",")]
    return [part for part in parts if part]
