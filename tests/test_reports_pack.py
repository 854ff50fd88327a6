"""The export pack as users get it: the report page with its progress and downloads, the
`kt-workshop export` command, every file opened by its reader, and PDFs made by LibreOffice."""

import io
import json
import os
import re
import shutil
import subprocess
import sys
import time
import zipfile

import pytest
from docx import Document
from openpyxl import load_workbook

from kt_workshop import store
from kt_workshop.reports import pack
from kt_workshop.reports import views as report
from kt_workshop.reports.dataset import Options
from kt_workshop.reports.gather import gather

NEED_LIBREOFFICE = os.environ.get("KT_WORKSHOP_REQUIRE_LIBREOFFICE") == "1"


def libreoffice_or_skip():
    if pack.soffice() is None:
        if NEED_LIBREOFFICE:
            pytest.fail("LibreOffice is required here (KT_WORKSHOP_REQUIRE_LIBREOFFICE=1)")
        pytest.skip("LibreOffice is not installed: the PDF conversion cannot be checked")


@pytest.fixture(scope="module")
def demo_pack(tmp_path_factory):
    """The demo's whole pack, written once for the module (without the PDF)."""
    from kt_workshop.db import migrate, open_db
    from kt_workshop.demo import create_demo

    root = tmp_path_factory.mktemp("pack")
    db = open_db(root / "demo.db")
    migrate(db)
    workshop_id = create_demo(db)
    formats = ["docx", "xlsx", "charts", "qdpx", "json"]
    written, problems = pack.build_pack(db, workshop_id, root / "out", formats)
    yield {
        "db": db,
        "id": workshop_id,
        "path": root / "demo.db",
        "root": root / "out",
        "written": written,
        "problems": problems,
    }
    db.close()


def names(demo_pack) -> list[str]:
    return [p.relative_to(demo_pack["root"]).as_posix() for p in demo_pack["written"]]


def test_the_pack_holds_every_file_and_each_opens_in_its_reader(demo_pack):
    written = names(demo_pack)
    stem = f"knowledge-transfer-workshop-prevention-of-{demo_pack['id']}"
    for suffix in ("report.docx", "data.xlsx", "coding.qdpx", "archive.json", "all.zip"):
        assert any(n.endswith(suffix) for n in written), suffix
    assert all(n.startswith(stem[:20]) or n.startswith("charts/") for n in written)
    charts = [n for n in written if n.startswith("charts/")]
    assert len(charts) == 7 and all(n.endswith(".png") for n in charts)  # SVG: the page
    by_suffix = {p.suffix: p for p in demo_pack["written"] if "/charts/" not in p.as_posix()}
    document = Document(by_suffix[".docx"])
    assert any(p.style.name.startswith("Heading 1") for p in document.paragraphs)
    workbook = load_workbook(by_suffix[".xlsx"])
    assert len(workbook.sheetnames) >= 8
    archive = json.loads(by_suffix[".json"].read_bytes())
    assert archive["format"] == "kt-workshop-archive"
    with zipfile.ZipFile(by_suffix[".qdpx"]) as project:
        assert "project.qde" in project.namelist()
    with zipfile.ZipFile(by_suffix[".zip"]) as everything:
        assert sorted(everything.namelist()) == sorted(n for n in written if not n.endswith(".zip"))
        assert everything.testzip() is None  # every member reads back intact
        for member in everything.infolist():
            with everything.open(member) as inside:
                assert inside.read() == (demo_pack["root"] / member.filename).read_bytes()
    assert demo_pack["problems"] == []


def test_the_word_report_and_workbook_agree_on_the_counts(demo_pack):
    data = gather(demo_pack["db"], demo_pack["id"])
    by_suffix = {p.suffix: p for p in demo_pack["written"]}
    text = "\n".join(p.text for p in Document(by_suffix[".docx"]).paragraphs)
    for question in data.questions:
        assert question.text in text
    workbook = load_workbook(by_suffix[".xlsx"], read_only=True)
    notes_sheet = next(ws for ws in workbook.worksheets if "note" in ws.title.lower())
    assert notes_sheet.max_row - 1 == len(data.notes) == 368  # 376 less 8 housekeeping notes


def test_progress_is_reported_step_by_step(db, demo, tmp_path):
    seen = []
    pack.build_pack(db, demo, tmp_path, ["xlsx", "json"], progress=lambda *step: seen.append(step))
    assert seen == [("gather", 1, 4), ("xlsx", 2, 4), ("json", 3, 4), ("zip", 4, 4)]


def test_an_empty_workshop_still_exports_cleanly(db, tmp_path):
    workshop_id = store.create_workshop(db, {"title": "Nothing yet"})
    written, _problems = pack.build_pack(db, workshop_id, tmp_path, ["docx", "xlsx", "charts"])
    assert Document(next(p for p in written if p.suffix == ".docx")).paragraphs
    assert load_workbook(next(p for p in written if p.suffix == ".xlsx")).sheetnames


def test_slugs_are_safe_file_names():
    assert pack.slug("Łódź café: 2026/27") == "lodz-cafe-2026-27"
    assert pack.slug("Ελληνικά 💡") == "workshop"
    assert pack.slug("../../etc/passwd") == "etc-passwd"


# The report page ----------------------------------------------------------------------------


def wait_for(client, status_url: str) -> dict:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        job = client.get(status_url).get_json()
        if job["done"]:
            return job
        time.sleep(0.2)
    raise AssertionError("the report job did not finish")


def test_the_report_page_generates_shows_progress_and_serves_the_files(
    organiser, db, demo, monkeypatch
):
    # The whole pack through the page is the browser test's; here the page's job writes the
    # Word file only.
    monkeypatch.setattr(report, "PACK", ("docx",))
    page = organiser.get(f"/w/{demo}/report").get_data(as_text=True)
    assert "Cross-cutting themes" in page and "Nothing generated yet." in page
    response = organiser.post(
        f"/w/{demo}/report",
        data={"section_summary": "1", "section_appendix": "1", "names": "0"},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 202
    job = wait_for(organiser, response.get_json()["status"])
    assert job["error"] == ""
    files = {f["name"]: f["url"] for f in job["files"]}
    docx = next(url for name, url in files.items() if name.endswith(".docx"))
    document = Document(io.BytesIO(organiser.get(docx).data))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading 1")]
    assert "Executive summary" in headings
    assert not any("Participation" in h for h in headings)  # that section was not chosen
    page = organiser.get(f"/w/{demo}/report").get_data(as_text=True)
    assert next(iter(files)) in page  # listed for later downloads


def test_a_pack_with_names_is_the_organisers_alone_and_each_pack_replaces_the_last(
    app, organiser, db, demo, monkeypatch
):
    from tests.conftest import sign_in_grant

    monkeypatch.setattr(report, "PACK", ("xlsx",))
    analyst = app.test_client()
    sign_in_grant(analyst, app, db, demo, "analyst")

    def generate(client, names: str) -> str:
        response = client.post(
            f"/w/{demo}/report", data={"names": names}, headers={"Accept": "application/json"}
        )
        job = wait_for(client, response.get_json()["status"])
        assert job["error"] == ""
        (url,) = [f["url"] for f in job["files"]]
        return url

    named = generate(organiser, "1")
    assert organiser.get(named).status_code == 200
    assert analyst.get(named).status_code == 403
    page = analyst.get(f"/w/{demo}/report").get_data(as_text=True)
    assert "only the organiser can download them" in page and "-data.xlsx" not in page
    assert "-data.xlsx" in organiser.get(f"/w/{demo}/report").get_data(as_text=True)

    stale = app.instance_path + f"/exports/workshop-{demo}/charts/from-an-older-pack.svg"
    os.makedirs(os.path.dirname(stale))
    open(stale, "w").close()
    plain = generate(analyst, "1")  # an analyst's pack has pseudonyms, whatever the form says
    workbook = load_workbook(io.BytesIO(analyst.get(plain).data))
    first = store.list_items(db, "participant", demo)[0]["name"]
    assert first not in {str(c.value) for row in workbook.worksheets[1].iter_rows() for c in row}
    assert not os.path.exists(stale)  # the folder holds the last pack only
    assert "from-an-older-pack" not in organiser.get(f"/w/{demo}/report").get_data(as_text=True)


def test_the_workshop_archive_in_the_pack_is_the_organisers_alone(
    app, organiser, db, demo, monkeypatch
):
    from tests.conftest import sign_in_grant

    monkeypatch.setattr(report, "PACK", ("xlsx", "json"))
    analyst = app.test_client()
    sign_in_grant(analyst, app, db, demo, "analyst")

    def generate(client) -> list[str]:
        response = client.post(
            f"/w/{demo}/report", data={"names": "0"}, headers={"Accept": "application/json"}
        )
        job = wait_for(client, response.get_json()["status"])
        assert job["error"] == ""
        return [f["url"] for f in job["files"]]

    mine = generate(organiser)  # pseudonyms, but the archive names everyone
    assert any(url.endswith("-archive.json") for url in mine)
    assert all(analyst.get(url).status_code == 403 for url in mine)
    assert "only the organiser can download them" in analyst.get(f"/w/{demo}/report").get_data(
        as_text=True
    )
    assert "The whole workshop as JSON names the delegates" in analyst.get(
        f"/w/{demo}/report"
    ).get_data(as_text=True)
    theirs = generate(analyst)
    assert not any(url.endswith("-archive.json") for url in theirs)
    assert all(analyst.get(url).status_code == 200 for url in theirs)


def test_a_chart_preview_is_svg_and_an_unknown_chart_is_404(organiser, demo):
    response = organiser.get(f"/w/{demo}/report/charts/theme-frequencies.svg")
    assert response.mimetype == "image/svg+xml" and b"<svg" in response.data
    assert organiser.get(f"/w/{demo}/report/charts/nothing.svg").status_code == 404
    page = organiser.get(f"/w/{demo}/report").get_data(as_text=True)
    link = f'href="/w/{demo}/report/charts/theme-frequencies.svg" download="theme-frequencies.svg"'
    assert link in page  # each chart can be taken as SVG from the page


def test_only_the_organiser_may_name_delegates(app, organiser, db, demo):
    from tests.conftest import sign_in_grant

    analyst = app.test_client()
    sign_in_grant(analyst, app, db, demo, "analyst")
    first = store.list_items(db, "participant", demo)[0]["name"]

    def participants(client) -> list[str]:
        data = client.get(f"/api/v1/workshops/{demo}/exports/xlsx?names=1").data
        sheet = load_workbook(io.BytesIO(data)).worksheets[1]
        return [str(cell.value) for row in sheet.iter_rows() for cell in row]

    assert first not in participants(analyst)
    assert first in participants(organiser)


def test_downloads_stay_inside_the_exports_folder(organiser, demo):
    assert organiser.get(f"/w/{demo}/report/files/../../secret_key").status_code == 404
    assert organiser.get(f"/w/{demo}/report/jobs/unknown").status_code == 404


# The command line ---------------------------------------------------------------------------


def run_cli(*args, cwd):
    return subprocess.run(
        [sys.executable, "-m", "kt_workshop", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
    )


def test_export_command_prints_the_paths_it_wrote(demo_pack, tmp_path):
    database = demo_pack["path"]
    done = run_cli(
        "export",
        "1",
        "--format",
        "xlsx",
        "--format",
        "json",
        "--out",
        "out",
        "--db",
        str(database),
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    paths = done.stdout.split()
    assert len(paths) == 3 and all((tmp_path / p).is_file() for p in paths)
    assert {p.rsplit(".", 1)[1] for p in paths} == {"xlsx", "json", "zip"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["export", "99"], "There is no workshop 99"),
        (["export", "1", "--format", "pdfx"], "invalid choice"),
    ],
)
def test_export_command_refuses_bad_arguments_in_one_line(demo_pack, tmp_path, args, message):
    database = demo_pack["path"]
    done = run_cli(*args, "--db", str(database), cwd=tmp_path)
    assert done.returncode == 2
    said = [line for line in done.stderr.splitlines() if line.startswith("kt-workshop")]
    assert len(said) == 1 and message.lower() in said[0].lower(), done.stderr


# LibreOffice ----------------------------------------------------------------------------------


def test_libreoffice_converts_the_demo_report_and_workbook_to_pdf(demo_pack, tmp_path):
    """CI installs LibreOffice and sets KT_WORKSHOP_REQUIRE_LIBREOFFICE=1, so this never skips
    there: a document LibreOffice cannot open fails the build."""
    libreoffice_or_skip()
    for suffix in (".docx", ".xlsx"):
        source = next(p for p in demo_pack["written"] if p.suffix == suffix)
        copy = tmp_path / source.name
        shutil.copy(source, copy)
        pdf = pack.to_pdf(copy)
        assert pdf.read_bytes().startswith(b"%PDF")
        assert pdf.stat().st_size > 20_000


def test_a_failed_conversion_is_a_clear_pdf_error(tmp_path):
    libreoffice_or_skip()
    with pytest.raises(pack.ExportError, match="could not make the PDF"):
        pack.to_pdf(tmp_path / "gone.docx", timeout=120)


def test_without_libreoffice_the_pack_says_how_to_get_a_pdf(db, demo, tmp_path, monkeypatch):
    monkeypatch.setattr(pack, "soffice", lambda: None)
    written, problems = pack.build_pack(db, demo, tmp_path, ["pdf"], Options())
    assert not any(p.suffix == ".pdf" for p in written)
    assert "LibreOffice is not installed" in problems[-1]


def test_libreoffice_is_found_where_its_installers_put_it_on_windows_and_macos():
    windows = pack.soffice_places("Windows", {"PROGRAMFILES": "C:\\Program Files"})
    assert str(windows[0]) == "C:\\Program Files\\LibreOffice\\program\\soffice.exe"
    mac = pack.soffice_places("Darwin", {"HOME": "/Users/ola"})
    assert [str(place) for place in mac] == [
        "/Applications/LibreOffice.app/Contents/MacOS/soffice",
        "/Users/ola/Applications/LibreOffice.app/Contents/MacOS/soffice",
    ]


def test_the_libreoffice_profile_is_a_real_file_uri_on_windows_too():
    from pathlib import Path, PureWindowsPath

    # What to_pdf passes as -env:UserInstallation (a bare "file://" + path is not a URI there).
    assert PureWindowsPath("C:/Users/Ola/AppData/Local/Temp/tmpab").as_uri() == (
        "file:///C:/Users/Ola/AppData/Local/Temp/tmpab"
    )
    source = Path(pack.__file__).read_text("utf-8")
    assert "as_uri()" in source and "file://{" not in source


def test_a_failed_report_job_logs_its_traceback(app, db, demo, tmp_path, monkeypatch, caplog):
    """The page says the export stopped; the log keeps the traceback for finding the bug."""

    def broken(*_args, **_kwargs):
        raise ZeroDivisionError("a bug in a writer")

    monkeypatch.setattr(pack, "build_pack", broken)
    job = report.Job(workshop_id=demo)
    with app.app_context(), caplog.at_level("ERROR"):
        report._run_job(job, app.config["DATABASE"], tmp_path / "out", Options(), ["json"])
    assert job.done and "a bug in a writer" in job.error
    assert "Traceback" in caplog.text and "ZeroDivisionError" in caplog.text


def test_the_pdf_and_the_docx_list_the_contents_with_their_pages(demo_pack, tmp_path):
    """LibreOffice never fills a contents field, so the pack learns each heading's page from a
    first PDF's outline and writes the entries with them: the PDF's contents page, and the
    .docx as first opened, show every heading with the page LibreOffice put it on."""
    libreoffice_or_skip()
    if shutil.which("pdftotext") is None:
        pytest.skip("poppler-utils is not installed: the PDF's text cannot be read")
    from kt_workshop.reports.word import contents

    written, problems = pack.build_pack(
        demo_pack["db"], demo_pack["id"], tmp_path / "pdf", ["docx", "pdf"], Options()
    )
    assert problems == []
    pdf = next(p for p in written if p.suffix == ".pdf")
    outline = contents.outline_pages(pdf)
    assert len(outline) > 40
    text = subprocess.run(
        ["pdftotext", "-layout", "-f", "2", "-l", "5", str(pdf), "-"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert "Right-click" not in text
    listed = re.findall(r"^\s*(\S.*?\S)\s*\.{3,}\s*(\d+)\s*$", text, re.M)
    position, shown = 0, []
    for title, page in listed:  # in order: a question's title is in the findings and appendix
        found = next((i for i in range(position, len(outline)) if outline[i][0] == title), None)
        if found is None:
            continue  # a title that wraps onto two lines is matched by neither half
        assert int(page) == outline[found][1], title
        position = found + 1
        shown.append(title)
    assert {"Executive summary", "Findings by question", "Appendix B: Codebook"} <= set(shown)
    assert len(shown) > 30
    # The .docx in the pack has the same entries and pages, before anyone updates a field.
    document = Document(next(p for p in written if p.suffix == ".docx"))
    entries = [p.text for p in document.paragraphs if p.style.name.startswith("toc ")]
    pages = dict(outline)
    assert "Executive summary\t" + str(pages["Executive summary"]) in entries
    assert all(entry.rsplit("\t", 1)[1].isdigit() for entry in entries)


def test_chart_previews_are_drawn_once_per_change_of_the_data(organiser, db, demo, monkeypatch):
    from kt_workshop.reports import figures, publishing

    drawn = []
    real = figures.report_chart
    monkeypatch.setattr(
        figures, "report_chart", lambda data, name: drawn.append(name) or real(data, name)
    )
    url = f"/w/{demo}/report/charts/theme-frequencies.svg"
    first = organiser.get(url)
    again = organiser.get(url)
    assert drawn == ["theme-frequencies"] and again.data == first.data
    unchanged = organiser.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert unchanged.status_code == 304  # the browser keeps its copy
    note = db.execute("SELECT id FROM note WHERE workshop_id = ? LIMIT 1", [demo]).fetchone()[0]
    publishing.exclude_note(db, demo, note, "Duplicate", "organiser")
    changed = organiser.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200 and changed.headers["ETag"] != first.headers["ETag"]
    assert drawn == ["theme-frequencies"] * 2


def test_a_second_generate_follows_the_pack_being_written(organiser, db, demo, monkeypatch):
    import threading

    release = threading.Event()
    real = pack.build_pack

    def slow(*args, **kwargs):
        release.wait(60)
        return real(*args, **kwargs)

    monkeypatch.setattr(pack, "build_pack", slow)
    monkeypatch.setattr(report, "PACK", ("json",))
    headers = {"Accept": "application/json"}
    first = organiser.post(f"/w/{demo}/report", data={"names": "0"}, headers=headers)
    assert first.status_code == 202
    second = organiser.post(f"/w/{demo}/report", data={"names": "0"}, headers=headers)
    assert second.status_code == 409
    body = second.get_json()
    assert body["status"] == first.get_json()["status"]  # the page follows that one
    assert "being written already" in body["error"]
    page = organiser.get(f"/w/{demo}/report").get_data(as_text=True)
    assert f'data-status-url="{body["status"]}"' in page  # opened again: it is followed
    release.set()
    assert wait_for(organiser, body["status"])["error"] == ""
    page = organiser.get(f"/w/{demo}/report").get_data(as_text=True)
    assert 'data-status-url=""' in page
