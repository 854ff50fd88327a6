"""The report's charts, made from its dataset: the same figures go into the Word report, the
chart files of the export and the report page."""

import math
from collections import Counter

from kt_workshop.i18n import _, in_language
from kt_workshop.reports import charts
from kt_workshop.reports.charts import Chart
from kt_workshop.reports.dataset import Dataset


def participation(data: Dataset, field: str, name: str, subject: str) -> Chart:
    """Delegates who attended, counted by country or sector, most first."""
    counted = Counter(getattr(d, field) or _("not given") for d in data.delegates if d.attended)
    # Most first, ties by name: the order a reader can check, and the same everywhere.
    counts = sorted(counted.items(), key=lambda item: (-item[1], item[0].casefold()))
    return charts.bar_chart(
        name,
        counts,
        value_label=_("Delegates"),
        alt_subject=subject,
        empty_text=_("No delegates yet"),
    )


def notes_per_question(data: Dataset) -> Chart:
    """Notes per question, stacked by table or group."""
    tables = list(dict.fromkeys([*data.tables, *(n.table for n in data.notes)]))
    per = Counter((n.question_id, n.table) for n in data.notes)
    series = [(table, [per[(q.id, table)] for q in data.questions]) for table in tables]
    return charts.grouped_bar_chart(
        "notes-per-question",
        [f"{q.label} {q.text}" for q in data.questions],
        series,
        value_label=_("Notes"),
        alt_subject=_("notes per question and group"),
        stacked=True,
        empty_text=_("No notes yet"),
    )


def theme_frequencies(data: Dataset) -> Chart:
    """Notes per theme (sub-themes counted with their parents), indented by level; themes with
    no notes are left out, as in the rest of the report."""
    items = [("– " * t.depth + t.name, data.theme_totals.get(t.id, 0)) for t in data.used_themes()]
    return charts.bar_chart(
        "theme-frequencies",
        items,
        value_label=_("Notes"),
        alt_subject=_("notes per theme, sub-themes counted with their themes"),
        empty_text=_("No coded notes yet"),
    )


def theme_question_heatmap(data: Dataset) -> Chart:
    """The theme x question matrix of the themes with notes. A theme with themes below it
    counts their notes too, so those roll-up rows have a colour scale of their own."""
    index = {t.id: i for i, t in enumerate(data.themes)}
    used = data.used_themes()
    has_children = {t.parent_id for t in data.themes if t.parent_id is not None}
    return charts.heatmap(
        "theme-question-heatmap",
        ["– " * t.depth + t.name for t in used],
        [q.label for q in data.questions],
        [data.matrix[index[t.id]] for t in used] if used and data.questions else [],
        rollup=[t.id in has_children for t in used],
        alt_subject=_("notes per theme and question"),
        value_label=_("Notes"),
        col_key=[q.text for q in data.questions],
        empty_text=_("No coded notes yet"),
    )


def strong_links(links) -> tuple[int, list]:
    """The links worth drawing and the fewest shared themes they need: the strongest quarter
    of the pairs of questions (ties at the threshold kept), every link when there are few. Every
    pair of questions shares some theme in a well-coded workshop, and 45 lines are a hairball."""
    weights = sorted((link[2] for link in links), reverse=True)
    if not weights:
        return 0, []
    if len(weights) <= 8:
        threshold = weights[-1]
    else:
        threshold = weights[max(1, math.ceil(len(weights) / 4)) - 1]
    return threshold, [link for link in links if link[2] >= threshold]


def question_network(data: Dataset) -> Chart:
    """Questions linked by the themes their notes share (the strong links only, see
    `strong_links`), coloured by block."""
    block_of = {b.id: index for index, b in enumerate(data.blocks)}
    _threshold, shown = strong_links(data.links)
    return charts.network_chart(
        "question-network",
        [(str(q.id), f"{q.label} {q.text}") for q in data.questions],
        [(str(a), str(b), weight) for a, b, weight, _themes in shown],
        alt_subject=_("questions linked by the themes they share"),
        groups={str(q.id): block_of.get(q.block_id, len(block_of)) for q in data.questions},
        group_names=[b.title for b in data.blocks],
        empty_text=_("No shared themes yet"),
    )


def feedback_ratings(data: Dataset) -> Chart:
    """The feedback form's ratings."""
    return charts.rating_chart(
        "feedback-ratings",
        [(q.text, q.ratings) for q in data.feedback if q.kind == "rating"],
        empty_text=_("No feedback ratings yet"),
    )


MAKERS = {
    "participation-by-country": lambda data: participation(
        data, "country", "participation-by-country", _("delegates by country")
    ),
    "participation-by-sector": lambda data: participation(
        data, "sector", "participation-by-sector", _("delegates by sector")
    ),
    "notes-per-question": notes_per_question,
    "theme-frequencies": theme_frequencies,
    "theme-question-heatmap": theme_question_heatmap,
    "question-network": question_network,
    "feedback-ratings": feedback_ratings,
}


def report_chart(data: Dataset, name: str) -> Chart:
    """One chart of the report by its name (KeyError for an unknown name), its titles, axes
    and alt text in the report's language."""
    with in_language(data.language or "en"):
        return MAKERS[name](data)


def report_charts(data: Dataset) -> dict[str, Chart]:
    """Every chart of the report, by name, in the report's language."""
    with in_language(data.language or "en"):
        return {name: make(data) for name, make in MAKERS.items()}


NAMES = tuple(MAKERS)
