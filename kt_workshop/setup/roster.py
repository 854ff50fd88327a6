"""Blueprint: the delegate list: add and edit by hand, import with a preview, export."""

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for

from kt_workshop import store
from kt_workshop.i18n import _, ngettext
from kt_workshop.setup import delegates as sheets
from kt_workshop.setup.delegates.fields import LABELS as DELEGATE_LABELS
from kt_workshop.web import allow, audit_actor, flash_errors, get_db

bp = Blueprint("roster", __name__)


def delegate_form(form) -> dict:
    """The delegate fields from a submitted form, extra columns included."""
    data = {name: form.get(name, "") for name in store.DELEGATE_FIELDS}
    data["attendance"] = form.get("attendance", "registered")
    data["consent"] = {"yes": True, "no": False}.get(form.get("consent", ""))
    data["table_id"] = form.get("table_id") or None
    data["stays"] = "stays" in form
    extra = {}
    for key, value in zip(form.getlist("extra_key"), form.getlist("extra_value"), strict=False):
        if key.strip():
            extra[key.strip()] = value.strip()
    data["extra"] = extra
    return data


def group_names(db, workshop_id: int) -> dict[int, str]:
    """Each table's or group's name by its id."""
    return {t["id"]: t["name"] for t in store.list_items(db, "tables", workshop_id)}


def place_in_groups(db, workshop_id: int, rows: list[dict]) -> list[str]:
    """Give imported rows that name a group (by name, case aside) that group; return the
    group names the workshop does not have (those rows keep no group)."""
    by_name = {name.casefold(): table_id for table_id, name in group_names(db, workshop_id).items()}
    unknown = []
    for row in rows:
        name = row.pop("group", "")
        if name and name.casefold() in by_name:
            row["table_id"] = by_name[name.casefold()]
        elif name and name not in unknown:
            unknown.append(name)
    return unknown


@bp.route("/w/<int:workshop_id>/delegates")
@allow("organiser")
def delegates(workshop_id):
    """Every delegate of the workshop with their attributes."""
    db = get_db()
    people = store.list_items(db, "participant", workshop_id)
    return render_template(
        "setup/delegates.html",
        workshop=store.get_workshop(db, workshop_id),
        delegates=people,
        extra_columns=store.delegate_extra_columns(people),
        attendance=store.ATTENDANCE,
        tables=store.list_items(db, "tables", workshop_id),
        groups=group_names(db, workshop_id),
    )


@bp.route("/w/<int:workshop_id>/delegates/add", methods=["POST"])
@allow("organiser")
def delegate_add(workshop_id):
    """Add one delegate typed in by the organiser."""
    db = get_db()
    try:
        store.add_item(db, "participant", workshop_id, delegate_form(request.form))
    except store.InputError as error:
        flash_errors(error, DELEGATE_LABELS)
    else:
        store.audit(db, workshop_id, audit_actor(), "added delegate")
        flash(_("Delegate added."), "success")
    return redirect(url_for("roster.delegates", workshop_id=workshop_id))


@bp.route("/w/<int:workshop_id>/delegates/<int:delegate_id>", methods=["GET", "POST"])
@allow("organiser")
def delegate_edit(workshop_id, delegate_id):
    """Change one delegate's details, including the organiser's own columns."""
    db = get_db()
    try:
        person = store.get_item(db, "participant", workshop_id, delegate_id)
    except store.NotFound:
        abort(404)
    if request.method == "POST":
        try:
            store.update_item(
                db, "participant", workshop_id, delegate_id, delegate_form(request.form)
            )
        except store.InputError as error:
            flash_errors(error, DELEGATE_LABELS)
        else:
            store.audit(db, workshop_id, audit_actor(), "edited delegate", {"id": delegate_id})
            flash(_("Saved."), "success")
            return redirect(url_for("roster.delegates", workshop_id=workshop_id))
    return render_template(
        "setup/delegate_form.html",
        workshop=store.get_workshop(db, workshop_id),
        person=person,
        attendance=store.ATTENDANCE,
        tables=store.list_items(db, "tables", workshop_id),
    )


@bp.route("/w/<int:workshop_id>/delegates/<int:delegate_id>/delete", methods=["POST"])
@allow("organiser")
def delegate_delete(workshop_id, delegate_id):
    """Remove a delegate from the workshop."""
    db = get_db()
    try:
        store.delete_item(db, "participant", workshop_id, delegate_id)
    except store.NotFound:
        abort(404)
    except store.InputError as error:  # they took part in rounds that have happened
        for message in error.errors.values():
            flash(message, "error")
        return redirect(url_for("roster.delegates", workshop_id=workshop_id))
    store.audit(db, workshop_id, audit_actor(), "deleted delegate", {"id": delegate_id})
    flash(_("Delegate removed."), "success")
    return redirect(url_for("roster.delegates", workshop_id=workshop_id))


@bp.route("/w/<int:workshop_id>/delegates/import", methods=["GET", "POST"])
@allow("organiser")
def delegate_import(workshop_id):
    """Upload a spreadsheet and see every good and bad row before anything is written."""
    db = get_db()
    workshop = store.get_workshop(db, workshop_id)
    encoding = request.form.get("encoding")
    if encoding not in sheets.CODE_PAGES:  # first time: the one of the workshop's language
        encoding = sheets.fallback_encoding(workshop.get("language"))
    choices = {"encodings": sheets.CODE_PAGES, "encoding": encoding}
    if request.method == "GET":
        return render_template("setup/import.html", workshop=workshop, preview=None, **choices)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash(_("Choose a spreadsheet file (xlsx or csv) first."), "error")
        return redirect(url_for("roster.delegate_import", workshop_id=workshop_id))
    preview = sheets.read_delegates(
        upload.filename,
        upload.read(),
        store.list_items(db, "participant", workshop_id),
        encoding=encoding,
    )
    stash_id = None
    if preview.ok:
        stash_id = store.stash_import(
            db, workshop_id, "participant", upload.filename, [row.delegate for row in preview.rows]
        )
    return render_template(
        "setup/import.html",
        workshop=workshop,
        preview=preview,
        stash_id=stash_id,
        filename=upload.filename,
        **choices,
    )


@bp.route("/w/<int:workshop_id>/delegates/import/<int:stash_id>", methods=["POST"])
@allow("organiser")
def delegate_import_confirm(workshop_id, stash_id):
    """Write the previewed good rows, all in one transaction."""
    db = get_db()
    try:
        # Taking the stash and writing the rows succeed or fail together.
        with db.atomic():
            filename, rows = store.take_stashed_import(db, workshop_id, stash_id)
            rows, skipped = store.without_duplicates(db, workshop_id, rows)
            unknown = place_in_groups(db, workshop_id, rows)
            ids = store.add_delegates(db, workshop_id, rows)
    except store.NotFound as error:
        flash(str(error), "error")
        return redirect(url_for("roster.delegates", workshop_id=workshop_id))
    except store.InputError as error:
        flash(_("Nothing was imported: %(error)s", error=str(error)), "error")
        return redirect(url_for("roster.delegates", workshop_id=workshop_id))
    store.audit(
        db, workshop_id, audit_actor(), "imported delegates", {"file": filename, "count": len(ids)}
    )
    flash(
        ngettext(
            "Imported %(num)s delegate from %(file)s.",
            "Imported %(num)s delegates from %(file)s.",
            len(ids),
            file=filename,
        ),
        "success",
    )
    if unknown:
        flash(
            _(
                "This workshop has no group called %(names)s: those delegates were imported "
                "without a group.",
                names=", ".join(f"“{name}”" for name in unknown),
            ),
            "info",
        )
    if skipped:
        flash(
            ngettext(
                "%(num)s row was left out: that delegate was added meanwhile.",
                "%(num)s rows were left out: those delegates were added meanwhile.",
                skipped,
            ),
            "info",
        )
    return redirect(url_for("roster.delegates", workshop_id=workshop_id))


@bp.route("/w/<int:workshop_id>/delegates.<fmt>")
@allow("organiser")
def delegate_export(workshop_id, fmt):
    """Download the delegate list as xlsx or csv (formula-safe, re-importable)."""
    db = get_db()
    people = store.list_items(db, "participant", workshop_id)
    groups = group_names(db, workshop_id)
    if fmt == "csv":
        data, mimetype = sheets.write_delegates_csv(people, groups), "text/csv"
    elif fmt == "xlsx":
        data = sheets.write_delegates_xlsx(people, groups)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        abort(404)
    return Response(
        data,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="delegates-{workshop_id}.{fmt}"'},
    )
