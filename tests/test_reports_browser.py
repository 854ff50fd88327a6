"""In a real Chromium: the project team generates the workshop report and downloads it."""

import io
import re
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
    preview.scroll_into_view_if_needed()  # lazy pictures load as they come into view
    expect(preview).to_have_js_property("complete", True, timeout=30_000)  # drawn once, kept
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

    # Generate again, and open the page in a second tab while it is written: that tab follows
    # the pack and lists its files when done, without a reload; a second Generate says a pack
    # is being written and shows its progress.
    page.get_by_role("button", name="Generate the report").click()
    started = page.locator(".progress-text")
    expect(started).to_have_text(re.compile(r"\S"), timeout=30_000)  # the job has started
    other = page.context.new_page()
    other.goto(f"{demo_server.url}/w/1/report")
    expect(other.locator(".report-progress")).to_be_visible()
    other.get_by_role("button", name="Generate the report").click()
    expect(other.get_by_text("is being written already")).to_be_visible()
    expect(other.locator(".progress-text")).to_have_text("Done.", timeout=120_000)
    expect(other.locator(".file-list a", has_text=".zip")).to_be_visible()
    other.close()
