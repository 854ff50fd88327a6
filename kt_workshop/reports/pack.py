"""The export pack: the Word report, the workbook, the charts, the REFI-QDA project and codebook
(with the codebook as CSV for Taguette), the JSON archive, a PDF of the report where
LibreOffice is installed, and a zip of everything.

One `gather` feeds every file, so they agree. The report page and `kt-workshop export` both call
`build_pack`, which writes into a folder and reports each step to an optional callback.
"""

import os
import platform
import re
import shutil
import subprocess
import tempfile
import unicodedata
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path, PureWindowsPath

from sqlite_utils import Database

from kt_workshop import archive, store
from kt_workshop.coding import codebook, exchange
from kt_workshop.i18n import _, lazy_
from kt_workshop.reports import excel, figures, word
from kt_workshop.reports.dataset import Options
from kt_workshop.reports.gather import gather
from kt_workshop.reports.word import contents

FORMATS = ("docx", "xlsx", "charts", "qdpx", "qdc", "json", "pdf")
CHOICES = (*FORMATS, "all")
COMPRESSED = {".docx", ".xlsx", ".qdpx", ".png", ".pdf", ".zip"}
PDF_TIMEOUT = 300  # seconds LibreOffice may take to convert the report


class ExportError(RuntimeError):
    """A file of the pack could not be made; the message says which and why."""


def slug(title: str) -> str:
    """A short file-name-safe form of a title: "Łódź café 2026" -> "lodz-cafe-2026"."""
    folded = unicodedata.normalize("NFKD", title.replace("ł", "l").replace("Ł", "L"))
    ascii_text = folded.encode("ascii", "ignore").decode().lower()
    words = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")
    if len(words) > 40:  # cut at a word's end
        words = words[:41].rsplit("-", 1)[0]
    return words or "workshop"


def soffice_places(system: str | None = None, environ=None) -> list[Path]:
    """Where LibreOffice's installers put soffice when it is not on PATH (the usual case on
    Windows and macOS)."""
    system = system or platform.system()
    environ = os.environ if environ is None else environ
    if system == "Windows":
        roots = [
            environ.get(name) for name in ("PROGRAMFILES", "PROGRAMFILES(X86)", "PROGRAMW6432")
        ]
        roots = [root for root in roots if root] or ["C:\\Program Files"]
        return [PureWindowsPath(root, "LibreOffice", "program", "soffice.exe") for root in roots]
    if system == "Darwin":
        app = Path("LibreOffice.app") / "Contents" / "MacOS" / "soffice"
        return [Path("/Applications") / app, Path(environ.get("HOME", "~")) / "Applications" / app]
    return [
        Path("/usr/bin/soffice"),
        Path("/usr/lib/libreoffice/program/soffice"),
        Path("/opt/libreoffice/program/soffice"),
    ]


def soffice() -> str | None:
    """LibreOffice's command, when it is installed: on PATH, else where its installer puts it."""
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found:
        return found
    return next((str(place) for place in soffice_places() if Path(place).is_file()), None)


def to_pdf(source: Path, timeout: int = PDF_TIMEOUT) -> Path:
    """Convert a .docx or .xlsx to PDF beside it with LibreOffice; ExportError when it fails."""
    command = soffice()
    if command is None:
        raise ExportError(_("LibreOffice is not installed, so no PDF was made."))
    with tempfile.TemporaryDirectory() as profile:
        # A profile of its own: a LibreOffice the user has open does not block the conversion.
        args = [
            command,
            # A file URI: file:///C:/Users/... on Windows, where "file://" + path is not one.
            f"-env:UserInstallation={Path(profile).as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(source.parent),
            str(source),
        ]
        try:
            done = subprocess.run(args, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise ExportError(_("LibreOffice took too long to make the PDF.")) from None
    target = source.with_suffix(".pdf")
    if done.returncode != 0 or not target.exists() or target.stat().st_size == 0:
        detail = (done.stderr or done.stdout or "").strip().splitlines()[-1:] or [""]
        raise ExportError(_("LibreOffice could not make the PDF: %(why)s", why=detail[0][:200]))
    return target


def _write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part")
    partial.write_bytes(data)
    partial.replace(path)  # a reader never sees half a file
    return path


def steps_for(formats: Iterable[str]) -> list[str]:
    """The steps a pack of these formats takes, in order (for the progress bar)."""
    wanted = set(formats)
    if "all" in wanted:
        wanted = set(FORMATS)
    steps = ["gather"] if wanted & {"docx", "xlsx", "charts", "pdf"} else []  # the Dataset's users
    if wanted & {"docx", "charts", "pdf"}:
        steps.append("charts")
    steps += [f for f in FORMATS if f in wanted and f not in ("charts", "pdf")]
    if "pdf" in wanted:
        steps.append("pdf")
    if len(wanted) > 1:
        steps.append("zip")
    return steps


STEP_LABELS = {
    "gather": lazy_("Reading the workshop"),
    "charts": lazy_("Drawing the charts"),
    "docx": lazy_("Writing the Word report"),
    "xlsx": lazy_("Writing the workbook"),
    "qdpx": lazy_("Writing the REFI-QDA project"),
    "qdc": lazy_("Writing the codebook for other tools"),
    "json": lazy_("Writing the archive"),
    "pdf": lazy_("Making the PDF with LibreOffice"),
    "zip": lazy_("Packing everything into one zip"),
}


def build_pack(
    db: Database,
    workshop_id: int,
    out_dir: Path,
    formats: Iterable[str] = ("all",),
    options: Options | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> tuple[list[Path], list[str]]:
    """Write the chosen files into out_dir; return their paths and any problems to report."""
    formats = set(formats)
    steps = steps_for(formats)
    out_dir = Path(out_dir)
    stem = f"{slug(store.get_workshop(db, workshop_id)['title'])}-{workshop_id}"
    written: list[Path] = []
    problems: list[str] = []
    data = charts = None
    headings: list[str] = []  # the report's contents, for the PDF to give them pages
    for number, step in enumerate(steps, start=1):
        if progress:
            progress(step, number, len(steps))
        if step == "gather":
            data = gather(db, workshop_id, options)
            if data.removed_characters:
                problems.append(
                    _(
                        "%(n)s characters that documents cannot hold were left out of the text.",
                        n=data.removed_characters,
                    )
                )
        elif step == "charts":
            charts = figures.report_charts(data)
            if {"charts", "all"} & formats:
                # PNG at print resolution, as in the report; the report page serves each as SVG.
                for chart in charts.values():
                    written.append(_write(out_dir / "charts" / f"{chart.name}.png", chart.png()))
        elif step == "docx":
            report, headings = word.write_report_and_contents(data, charts or {})
            written.append(_write(out_dir / f"{stem}-report.docx", report))
        elif step == "xlsx":
            written.append(_write(out_dir / f"{stem}-data.xlsx", excel.write_workbook(data)))
        elif step == "qdpx":
            result = exchange.project_file(db, workshop_id)
            problems += result.problems
            written.append(_write(out_dir / f"{stem}-coding.qdpx", result.data))
        elif step == "qdc":
            # The codebook alone: REFI-QDA for NVivo, ATLAS.ti, MAXQDA and QualCoder, and CSV
            # for Taguette (which reads codebooks from CSV only). An empty codebook has none.
            if codebook.themes(db, workshop_id):
                qdc = exchange.codebook_file(db, workshop_id)
                written.append(_write(out_dir / f"{stem}-codebook.qdc", qdc))
                csv = exchange.codebook_csv_file(db, workshop_id)
                written.append(_write(out_dir / f"{stem}-codebook.csv", csv))
        elif step == "json":
            payload = archive.archive_bytes(archive.export_workshop(db, workshop_id))
            written.append(_write(out_dir / f"{stem}-archive.json", payload))
        elif step == "pdf":
            written += _pdf(out_dir, stem, data, charts, written, problems, headings)
        elif step == "zip":
            written.append(_zip(out_dir / f"{stem}-all.zip", written, out_dir))
    return written, problems


def _pdf(out_dir, stem, data, charts, written, problems, headings) -> list[Path]:
    """The report as PDF, its contents with page numbers (the .docx is made for it when it was
    not asked for). LibreOffice never updates a contents field, so the report is converted
    once, each heading's page read from the PDF's outline, and the report written again with
    them and converted again: the PDF, and the .docx in the pack, list every page number."""
    docx = out_dir / f"{stem}-report.docx"
    if docx not in written or not headings:
        report, headings = word.write_report_and_contents(data, charts or {})
        _write(docx, report)
    try:
        pdf = to_pdf(docx)
        pages = contents.match_pages(headings, contents.outline_pages(pdf))
        if any(page is not None for page in pages):
            _write(docx, word.write_report(data, charts or {}, pages))
            pdf = to_pdf(docx)
        else:
            problems.append(
                _(
                    "The contents have no page numbers: reading them from the PDF needs "
                    "poppler's pdftohtml (on Debian or Ubuntu: sudo apt install poppler-utils)."
                )
            )
        return [pdf]
    except ExportError as error:
        problems.append(str(error))
        return []


def _zip(target: Path, files: list[Path], root: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as pack:
        for path in files:
            # Word, Excel, REFI-QDA and PNG files are compressed already: deflating them again
            # costs seconds for a large workshop and saves nothing.
            how = zipfile.ZIP_STORED if path.suffix in COMPRESSED else zipfile.ZIP_DEFLATED
            pack.write(path, path.relative_to(root).as_posix(), compress_type=how)
    partial.replace(target)
    return target
