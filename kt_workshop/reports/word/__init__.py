"""The workshop report as a Word document: a pure function of the report's `Dataset` and charts.

It reads like the report a project team publishes after a stakeholder workshop: title page,
contents, summary, participation, format and plan, findings per block and question, cross-cutting
themes, points for further discussion, feedback, method and data protection, and an appendix of
every note and the codebook. The sections follow `Options.sections`.

Word's own styles carry the structure (Title, Heading 1-3, Caption, Quote, List Bullet, Table
Grid), so the navigation pane, the table of contents and screen readers see it; the contents is a
TOC field written out with its entries and, once a PDF has shown the pages, their page numbers
(`contents`), the footer says "Page N of M" with PAGE and NUMPAGES fields, figures and tables are
numbered by SEQ fields, and every chart has alt text. User text only ever goes into plain runs: a
note that looks like a formula or a link stays text. Every quoted note carries its id ("N12"),
which the appendix lists at the start of the note (with a bookmark the reference links to).
"""

from collections.abc import Mapping

from kt_workshop.i18n import in_language
from kt_workshop.reports.charts import Chart
from kt_workshop.reports.dataset import Dataset
from kt_workshop.reports.word.closing import Closing
from kt_workshop.reports.word.document import Writer
from kt_workshop.reports.word.findings import Findings
from kt_workshop.reports.word.opening import Opening


class _Report(Opening, Findings, Closing, Writer):
    """One report being written: each section from its part, on the shared building blocks."""


def write_report(data: Dataset, charts: Mapping[str, Chart], pages=None) -> bytes:
    """The workshop report as the bytes of a .docx file; a chart that is missing is left out.
    `pages` gives the contents' entries their page numbers, in order (see `contents`)."""
    with in_language(data.language or "en"):
        return _Report(data, charts, pages).write()


def write_report_and_contents(
    data: Dataset, charts: Mapping[str, Chart], pages=None
) -> tuple[bytes, list[str]]:
    """The report's bytes and the headings its contents list, in order: the titles a PDF's
    outline is matched against to learn their pages."""
    with in_language(data.language or "en"):
        report = _Report(data, charts, pages)
        return report.write(), report.headings
