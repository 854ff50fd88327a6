"""In a real Chromium: the project team generates the workshop report and downloads it."""

import io
import zipfile
from pathlib import Path

import pytest
from docx import Document
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_the_report_is_generated_with_progress_and_downloaded(demo_server, page):
    page.goto(demo_server.signin_url)
    page.goto(f"{demo_server.url}/w/1/report")
    expect(page.get_by_text("Nothing generated yet.")).to_be_visible()
    # The chart previews are real pictures the browser could draw.
    preview = page.locator(".chart-preview img").first
    preview.scroll_into_view_if_needed()  # lazy: the coverage warning may push it off screen
    expect(preview).to_have_js_property("complete", True)
    assert preview.evaluate("img => img.naturalWidth") > 100

    page.get_by_label("Appendix: all notes and the codebook").uncheck()
    page.get_by_role("button", name="Generate the report").click()
    expect(page.locator(".report-progress")).to_be_visible()
    zip_link = page.locator(".file-list a", has_text=".zip")
    expect(zip_link).to_be_visible(timeout=120_000)
    expect(page.locator(".progress-text")).to_have_text("Done.")

    with page.expect_download() as report:
        page.locator(".file-list a", has_text="report.docx").click()
    document = Document(report.value.path())
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert any("Findings" in h for h in headings)
    assert not any("Appendix" in h for h in headings)

    with page.expect_download() as everything:
        zip_link.click()
    with zipfile.ZipFile(io.BytesIO(open(everything.value.path(), "rb").read())) as pack:
        names = pack.namelist()
    assert any(n.endswith("data.xlsx") for n in names)
    charts = [n for n in names if n.startswith("charts/")]
    assert len(charts) == 7 and all(n.endswith(".png") for n in charts)

    # Each chart can also be taken as SVG from its preview.
    with page.expect_download() as vector:
        page.locator(".chart-preview figcaption a", has_text="SVG").first.click()
    assert vector.value.suggested_filename.endswith(".svg")
    assert b"<svg" in Path(vector.value.path()).read_bytes()

    # The files stay listed for a later visit.
    page.reload()
    expect(page.locator(".file-list a", has_text="report.docx")).to_be_visible()
