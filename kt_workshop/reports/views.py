"""Blueprint: the report page: choose what goes in, preview the charts, generate the pack with
progress shown, and download each file or a zip of everything.

Generating runs in a thread with its own database connection; the page polls its progress.
Files land in <instance>/exports/workshop-<id>/ and stay there for later downloads: the folder
always holds exactly the last pack written (a new one is written beside it and swapped in when
done). A pack written with the delegates' names is marked so, and only the organiser may see or
download it: analysts cannot choose names, so they cannot fetch them either.
"""

import shutil
import threading
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)

from kt_workshop import store
from kt_workshop.coding import agreement, blind
from kt_workshop.db import open_db, writing
from kt_workshop.i18n import _, language_name, lazy_, ngettext, shipped_languages
from kt_workshop.reports import figures, pack, publishing
from kt_workshop.reports.dataset import SECTIONS, Dataset, Options
from kt_workshop.reports.gather import data_version, gather
from kt_workshop.web import (
    allow,
    audit_actor,
    current_actor,
    exports_folder,
    flash_errors,
    get_db,
    may_name_delegates,
)

bp = Blueprint("report", __name__)
READERS = ("organiser", "analyst")
SECTION_LABELS = {
    "summary": lazy_("Executive summary"),
    "glossary": lazy_("Glossary"),
    "participation": lazy_("Participation"),
    "plan": lazy_("Format and plan"),
    "findings": lazy_("Findings per block and question"),
    "themes": lazy_("Cross-cutting themes"),
    "discussion": lazy_("Points for further discussion"),
    "feedback": lazy_("Feedback"),
    "method": lazy_("Method and data protection"),
    "appendix": lazy_("Appendix: all notes and the codebook"),
}
# What the page calls each chart (its name is its file's).
CHART_CAPTIONS = {
    "participation-by-country": lazy_("Participation by country"),
    "participation-by-sector": lazy_("Participation by sector"),
    "notes-per-question": lazy_("Notes per question"),
    "theme-frequencies": lazy_("Theme frequencies"),
    "theme-question-heatmap": lazy_("Themes by question"),
    "question-network": lazy_("Question network"),
    "feedback-ratings": lazy_("Feedback ratings"),
}
PACK = ("all",)  # what the page writes
NAMED = ".with-names"  # the marker of a pack that names the delegates (workbook or archive)


@dataclass
class Job:
    """One pack being written: where it is, and what came of it."""

    workshop_id: int
    step: str = ""
    number: int = 0
    steps: int = 1
    done: bool = False
    error: str = ""
    files: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


_jobs: dict[str, Job] = {}
_jobs_lock = threading.Lock()


@dataclass
class Previews:
    """The chart previews of one workshop as its data stood at `version`: the dataset, and
    each chart's SVG once drawn. A change of the data makes a new one."""

    version: str
    data: Dataset
    svgs: dict[str, bytes] = field(default_factory=dict)
    alts: dict[str, str] = field(default_factory=dict)  # each drawn chart's words, for its <img>
    drawing: threading.Lock = field(default_factory=threading.Lock)  # one chart drawn at a time

    def svg(self, name: str) -> bytes:
        """One chart's SVG, drawn the first time it is asked for (by a request or by
        `draw_all`), then kept with its alt text."""
        with self.drawing:
            if name not in self.svgs:
                chart = figures.report_chart(self.data, name)
                self.svgs[name] = chart.svg()
                self.alts[name] = chart.alt
            return self.svgs[name]

    def draw_all(self) -> None:
        """Draw every chart in page order, ahead of the browser asking (run in a thread)."""
        for name in figures.NAMES:
            self.svg(name)


_previews: dict[tuple[str, int], Previews] = {}
_previews_lock = threading.Lock()


def refused_while_blind(workshop_id: int) -> str:
    """Why the person may not have the report now (it is made from everyone's coding, so a
    blind analyst waits for the organiser to end blind coding), or "". Refusals for this are
    409 (the workshop's state), not 403 (the role): the analyst may, once it ends."""
    sight = blind.sight_of(get_db(), workshop_id, current_actor())
    return "" if sight.shared else sight.refusal()


def export_dir(workshop_id: int) -> Path:
    """Where a workshop's exports are written (deleted with the workshop)."""
    return exports_folder(workshop_id)


def options_from(form) -> Options:
    """The report options from the form; names only for the organiser."""
    sections = tuple(s for s in SECTIONS if form.get(f"section_{s}")) or SECTIONS
    names = form.get("names") == "1" and may_name_delegates()
    language = form.get("language", "")
    return Options(
        sections=sections,
        names=names,
        language=language if language in shipped_languages() else "",  # "": the workshop's
    )


def report_languages() -> dict[str, str]:
    """The languages a report can be written in (those with a translation shipped), each
    named in its own language."""
    return {code: language_name(code) for code in shipped_languages()}


def page_formats() -> tuple[str, ...]:
    """What the page writes for the person asking: the whole pack, but the workshop archive
    only for the organiser. It holds every row, delegates' names included, and is the
    organiser's alone, as its API route is."""
    wanted = pack.FORMATS if "all" in PACK else PACK
    return tuple(f for f in wanted if f != "json" or may_name_delegates())


def run_job(app, job_id: str, out_dir: Path, options: Options, formats) -> None:
    """Write the pack (in a thread), recording each step and the outcome on the job."""
    with app.app_context():
        _run_job(_jobs[job_id], app.config["DATABASE"], out_dir, options, formats)


def _run_job(job: Job, database: str, out_dir: Path, options: Options, formats) -> None:

    def progress(step, number, steps):
        job.step, job.number, job.steps = step, number, steps

    db = open_db(database)
    staging = out_dir.with_name(f"{out_dir.name}.new-{uuid.uuid4().hex}")
    try:
        written, problems = pack.build_pack(
            db, job.workshop_id, staging, formats, options, progress
        )
        if options.names or "json" in formats:
            (staging / NAMED).touch()
        replace_pack(staging, out_dir)
        job.files = sorted((p.relative_to(staging).as_posix() for p in written), key=listing_order)
        job.problems = problems
    except Exception as error:  # the page must say what happened, whatever it was
        # ...and the log keeps the traceback, so a bug can be found after the day.
        current_app.logger.exception("report job %s failed at %s", job.workshop_id, job.step)
        current = pack.STEP_LABELS.get(job.step, job.step)
        job.error = _("The export stopped at “%(step)s”: %(why)s", step=current, why=error)
    finally:
        db.close()
        shutil.rmtree(staging, ignore_errors=True)  # what is left of a failed pack
        job.done = True


def replace_pack(staging: Path, out_dir: Path) -> None:
    """Put a finished pack in place of the last one, so no file of an older pack (another
    title, a chart no longer made, delegates' names) stays listed beside the new files."""
    old = out_dir.with_name(f"{out_dir.name}.old-{uuid.uuid4().hex}")
    if out_dir.exists():
        out_dir.rename(old)
    staging.rename(out_dir)
    shutil.rmtree(old, ignore_errors=True)


def names_hidden(workshop_id: int) -> bool:
    """Whether the last pack names the delegates and the person asking is not the organiser."""
    return (export_dir(workshop_id) / NAMED).exists() and not may_name_delegates()


def files_in(workshop_id: int) -> list[str]:
    """The files written earlier, zip first."""
    root = export_dir(workshop_id)
    if not root.exists():
        return []
    found = [
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.is_file() and not p.name.startswith(".")  # not the names marker
    ]
    return sorted(found, key=listing_order)


def listing_order(name: str) -> tuple:
    """The zip of everything first, then the documents, then the chart files."""
    return (not name.endswith(".zip"), "/" in name, name)


def running_job(workshop_id: int) -> tuple[str, Job | None]:
    """The pack being written for the workshop now, if any."""
    with _jobs_lock:
        for job_id, job in _jobs.items():
            if job.workshop_id == workshop_id and not job.done:
                return job_id, job
    return "", None


def missing(workshop_id: int, data: Dataset) -> list[tuple[str, str]]:
    """What the report would go out without, each with where to write it: summaries, key
    quotes to review, front matter, glossary terms; themes left out because no note has them."""
    out = []
    writeup = url_for("review.writeup_page", workshop_id=workshop_id)
    review = url_for("quotes.review_page", workshop_id=workshop_id)
    front = url_for("report.report_page", workshop_id=workshop_id, _anchor="front-matter")
    unsummarised = [q.label for q in data.questions if data.notes_for(q.id) and not q.summary]
    if unsummarised:
        out.append((_("No summary yet for %(list)s.", list=", ".join(unsummarised)), writeup))
    themes = [t.name for t in data.overarching() if not t.summary]
    if themes:
        text = _("No summary yet for the overarching themes %(list)s.", list="; ".join(themes))
        out.append((text, writeup))
    if data.quotes_waiting:
        text = ngettext(
            "%(num)d key quote waits for your review; until then it is not in the report.",
            "%(num)d key quotes wait for your review; until then they are not in the report.",
            data.quotes_waiting,
        )
        out.append((text, review))
    if not data.front.executive_summary:
        out.append((_("No executive summary has been written."), front))
    wanted = ("authors", "funder", "citation", "licence", "contact")
    empty = [str(publishing.FRONT_FIELDS[n][0]) for n in wanted if not getattr(data.front, n)]
    if empty:
        out.append((_("Not set yet: %(list)s.", list=", ".join(empty)), front))
    unused = [t.name for t in data.themes if not data.theme_totals.get(t.id)]
    if unused:
        text = ngettext(
            "%(num)d theme has no notes and is left out: %(list)s.",
            "%(num)d themes have no notes and are left out: %(list)s.",
            len(unused),
            list="; ".join(unused),
        )
        out.append((text, url_for("codebook.codebook_page", workshop_id=workshop_id)))
    return out


@bp.route("/w/<int:workshop_id>/report")
@allow(*READERS)
def report_page(workshop_id):
    """Choose the sections and options, preview the charts, generate and download."""
    db = get_db()
    workshop = store.get_workshop(db, workshop_id)
    refusal = refused_while_blind(workshop_id)
    if refusal:
        return render_template("coding/report_blind.html", workshop=workshop, problem=refusal)
    job_id = request.args.get("job", "")
    job = _jobs.get(job_id)
    if job is not None and job.workshop_id != workshop_id:
        job = None
    if job is None or job.done:
        running_id, running = running_job(workshop_id)
        if running is not None:
            job_id, job = running_id, running
    hidden = names_hidden(workshop_id)
    previews = preview(workshop_id, draw_ahead=True)
    data = previews.data
    terms = publishing.undefined_terms(db, workshop_id)
    return render_template(
        "reports/page.html",
        workshop=workshop,
        sections=[(s, SECTION_LABELS[s]) for s in SECTIONS],
        languages=report_languages(),
        default_language=data.language,
        charts={name: CHART_CAPTIONS.get(name, name) for name in figures.NAMES},
        # Each chart's own words, with its figures, once drawn (else the template names it).
        chart_alts=previews.alts,
        files=[] if hidden else files_in(workshop_id),
        names_hidden=hidden,
        job=job,
        job_id=job_id if job else "",
        status_url=url_for("report.job_status", workshop_id=workshop_id, job_id=job_id)
        if job and not job.done
        else "",
        missing=missing(workshop_id, data),
        undefined_terms=terms,
        front=publishing.front_matter(db, workshop_id),
        front_fields=publishing.FRONT_FIELDS,
        locales=publishing.LOCALES,
        glossary="\n".join(f"{t}: {m}" for t, m in publishing.glossary(db, workshop_id)),
        version=data_version(db, workshop_id),
        step_label=pack.STEP_LABELS.get(job.step, "") if job else "",
        pdf_available=pack.soffice() is not None,
        may_name=may_name_delegates(),
        coverage=agreement.coverage(agreement.coding_data(db, workshop_id)),
        notes=db.execute(
            "SELECT COUNT(*) FROM note WHERE workshop_id = ? AND deleted_at IS NULL",
            [workshop_id],
        ).fetchone()[0],
    )


@bp.route("/w/<int:workshop_id>/report", methods=["POST"])
@allow(*READERS)
def generate(workshop_id):
    """Start writing the pack; answer with the job to follow."""
    store.get_workshop(get_db(), workshop_id)
    wants_json = request.accept_mimetypes.best == "application/json"
    if refused_while_blind(workshop_id):
        abort(409, refused_while_blind(workshop_id))
    with _jobs_lock:
        running = [i for i, j in _jobs.items() if j.workshop_id == workshop_id and not j.done]
        if running:
            message = _(
                "A report for this workshop is being written already: its progress is shown "
                "here, and its files appear when it is done."
            )
            status = url_for("report.job_status", workshop_id=workshop_id, job_id=running[0])
            if wants_json:
                return jsonify({"error": message, "job": running[0], "status": status}), 409
            flash(message, "info")
            return redirect(url_for("report.report_page", workshop_id=workshop_id, job=running[0]))
        job_id = uuid.uuid4().hex
        _jobs[job_id] = Job(workshop_id)
    options = options_from(request.form)
    store.audit(
        get_db(), workshop_id, audit_actor(), "generated the report", {"names": options.names}
    )
    app = current_app._get_current_object()  # the thread needs it for translations
    threading.Thread(
        target=run_job,
        args=(app, job_id, export_dir(workshop_id), options, page_formats()),
        daemon=True,
    ).start()
    if wants_json:
        return jsonify(
            {
                "job": job_id,
                "status": url_for("report.job_status", workshop_id=workshop_id, job_id=job_id),
            }
        ), 202
    return redirect(url_for("report.report_page", workshop_id=workshop_id, job=job_id))


@bp.route("/w/<int:workshop_id>/report/jobs/<job_id>")
@allow(*READERS)
def job_status(workshop_id, job_id):
    """How far the pack has got, and its files when it is done."""
    job = _jobs.get(job_id)
    if job is None or job.workshop_id != workshop_id:
        abort(404)
    if refused_while_blind(workshop_id):
        abort(409, refused_while_blind(workshop_id))
    return jsonify(
        {
            "step": str(pack.STEP_LABELS.get(job.step, job.step)),
            "number": job.number,
            "steps": job.steps,
            "done": job.done,
            "error": job.error,
            "problems": job.problems,
            "files": [
                {
                    "name": name,
                    "url": url_for("report.download", workshop_id=workshop_id, name=name),
                }
                for name in job.files
            ],
        }
    )


@bp.route("/w/<int:workshop_id>/report/files/<path:name>")
@allow(*READERS)
def download(workshop_id, name):
    """One file of the pack (not to analysts when the pack names the delegates)."""
    if name == NAMED:
        abort(404)
    if names_hidden(workshop_id):
        abort(403)
    if refused_while_blind(workshop_id):
        abort(409, refused_while_blind(workshop_id))
    return send_from_directory(export_dir(workshop_id), name, as_attachment=True)


def preview(workshop_id: int, draw_ahead: bool = False) -> Previews:
    """The chart previews of the workshop's data as it stands: gathered once per change of the
    data (`data_version`), not per page view or per chart. With `draw_ahead` (the page view) a
    new version's charts start drawing at once, so the browser's requests find them ready."""
    db = get_db()
    key = (current_app.config["DATABASE"], workshop_id)
    version = data_version(db, workshop_id)
    with _previews_lock:  # the other charts wait for the first and then share its dataset
        found = _previews.get(key)
        fresh = found is None or found.version != version
        if fresh:
            found = _previews[key] = Previews(version, gather(db, workshop_id))
    if fresh and draw_ahead:
        threading.Thread(target=found.draw_all, daemon=True).start()
    return found


def preview_svg(workshop_id: int, name: str) -> tuple[str, bytes]:
    """One chart's SVG and the data version it shows, drawn once for that version."""
    previews = preview(workshop_id)
    return previews.version, previews.svg(name)


@bp.route("/w/<int:workshop_id>/report/charts/<name>.svg")
@allow(*READERS)
def chart_preview(workshop_id, name):
    """One of the report's charts as SVG, from the workshop as it is now (drawn once per change
    of the data; the browser revalidates it with its ETag)."""
    if name not in figures.NAMES:
        abort(404)
    if refused_while_blind(workshop_id):
        abort(409, refused_while_blind(workshop_id))
    version, svg = preview_svg(workshop_id, name)
    response = Response(svg, mimetype="image/svg+xml")
    response.set_etag(f"{version}-{name}")
    response.cache_control.no_cache = True
    response.cache_control.private = True
    return response.make_conditional(request)


@bp.route("/w/<int:workshop_id>/report/front", methods=["POST"])
@allow("organiser")
def save_front(workshop_id):
    """Keep the front matter, the organiser's own texts and the glossary with the workshop."""
    db = get_db()
    store.get_workshop(db, workshop_id)
    try:
        terms = publishing.parse_glossary(request.form.get("glossary", ""))
        with writing(db):
            publishing.save_front_matter(db, workshop_id, request.form, audit_actor())
            publishing.save_glossary(db, workshop_id, terms)
            store.audit(db, workshop_id, audit_actor(), "saved the report's front matter")
    except store.InputError as error:
        flash_errors(error)
    else:
        flash(_("Saved: the next report uses it."), "success")
    return redirect(url_for("report.report_page", workshop_id=workshop_id, _anchor="front-matter"))
