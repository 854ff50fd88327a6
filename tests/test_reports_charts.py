"""Charts for the report, the workbook and the web pages: valid images at print size, alt text
built from the data, user labels in any script, and no pyplot."""

import io
import math
import subprocess
import sys
import threading
import warnings
from collections import Counter
from pathlib import Path

import defusedxml.ElementTree as SafeET
import pytest
from matplotlib.text import Text
from PIL import Image

from kt_workshop.reports import charts

ROOT = Path(__file__).parent.parent
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
QUESTIONS = [f"Q{i}" for i in range(1, 4)]


def texts(chart: charts.Chart) -> list[str]:
    """Every string drawn on the figure (tick labels, axis labels, values, legend)."""
    return [t.get_text() for t in chart.figure.findobj(Text) if t.get_text()]


def all_text(chart: charts.Chart) -> str:
    return "\n".join(texts(chart))


def build(kind: str, **overrides) -> charts.Chart:
    """One chart of each kind with a little data."""
    if kind == "bar":
        return charts.bar_chart("bar", [("Poland", 10), ("Greece", 4)], "Delegates", "delegates")
    if kind == "grouped":
        series = [("Table A", [1, 2, 3]), ("Table B", [3, 0, 1])]
        return charts.grouped_bar_chart("grouped", QUESTIONS, series, "Notes", "notes", **overrides)
    if kind == "heatmap":
        values = [[1, 0, 4], [2, 7, 0]]
        return charts.heatmap("heat", ["Funding", "Trust"], QUESTIONS, values, "themes")
    if kind == "network":
        nodes = [("a", "Q1"), ("b", "Q2"), ("c", "Q3")]
        return charts.network_chart("net", nodes, [("a", "b", 2), ("b", "c", 1)], "questions")
    ratings = [("Useful?", {4: 3, 5: 2}), ("Venue?", {1: 1, 3: 1})]
    return charts.rating_chart("rating", ratings, alt_subject="feedback")


KINDS = ["bar", "grouped", "heatmap", "network", "rating"]

EMPTY = {
    "bar": lambda e: charts.bar_chart("x", [], "Notes", "notes", empty_text=e),
    "bar zeros": lambda e: charts.bar_chart("x", [("A", 0), ("B", 0)], "N", "notes", empty_text=e),
    "grouped": lambda e: charts.grouped_bar_chart("x", [], [], "N", "notes", empty_text=e),
    "grouped zeros": lambda e: charts.grouped_bar_chart(
        "x", ["Q1", "Q2"], [("A", [0, 0]), ("B", [0, 0])], "N", "notes", empty_text=e
    ),
    "heatmap": lambda e: charts.heatmap("x", [], [], [], "themes", empty_text=e),
    "heatmap zeros": lambda e: charts.heatmap(
        "x", ["T1", "T2"], ["Q1"], [[0], [0]], "themes", empty_text=e
    ),
    "network": lambda e: charts.network_chart("x", [], [], "questions", empty_text=e),
    "network no links": lambda e: charts.network_chart(
        "x", [("a", "Q1"), ("b", "Q2")], [("a", "b", 0)], "questions", empty_text=e
    ),
    "rating": lambda e: charts.rating_chart("x", [], empty_text=e),
    "rating zeros": lambda e: charts.rating_chart("x", [("Q", {}), ("R", {3: 0})], empty_text=e),
}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("dpi", [200, 100])
def test_png_is_a_print_width_image(kind, dpi):
    """6.3 inches wide at the asked resolution, so it fits an A4 page with margins."""
    data = build(kind).png(dpi=dpi)
    assert data.startswith(PNG_SIGNATURE)
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG"
    assert abs(image.width - 6.3 * dpi) <= 1
    assert image.height > 0.8 * dpi


def test_png_defaults_to_200_dpi():
    assert Image.open(io.BytesIO(build("bar").png())).width == 1260


@pytest.mark.parametrize("kind", KINDS)
def test_svg_is_xml_and_byte_identical_each_time(kind):
    chart = build(kind)
    first = chart.svg()
    assert SafeET.fromstring(first).tag.endswith("svg")
    assert chart.svg() == first
    assert build(kind).svg() == first  # a rebuilt chart too: nothing random, no date
    assert b"<dc:date>" not in first


@pytest.mark.parametrize("case", EMPTY)
def test_empty_data_still_gives_an_image_that_says_so(case):
    chart = EMPTY[case]("No notes yet")
    assert chart.png().startswith(PNG_SIGNATURE)
    assert SafeET.fromstring(chart.svg()).tag.endswith("svg")
    assert "No notes yet" in chart.alt
    assert "No notes yet" in texts(chart)


def test_empty_text_has_a_default():
    chart = charts.bar_chart("x", [], "Notes", "notes")
    assert "Nothing to show yet" in chart.alt
    assert "Nothing to show yet" in texts(chart)


def test_network_without_links_still_shows_its_nodes():
    chart = EMPTY["network no links"]("No links yet")
    assert {"Q1", "Q2"} <= set(texts(chart))
    assert not chart.figure.axes[0].get_lines()


INTERNATIONAL = [
    "Zażółć gęślą jaźń – współpraca",
    "Größenordnung der Förderung",
    "Ελληνική συνεργασία",
    "Team spirit 🤝🎉",
    "中文标签",  # not in DejaVu Sans: drawn as boxes, without a warning
    "Costs $5 a day, \\notacommand $x^$",  # dollar signs are text, not mathtext
]
LONG = "word " * 59 + "lastword"  # 300 characters


@pytest.mark.parametrize("kind", KINDS)
def test_labels_in_any_script_and_very_long_labels_draw(kind):
    labels = [*INTERNATIONAL, LONG]
    n = len(labels)
    charts_by_kind = {
        "bar": lambda: charts.bar_chart("x", [(label, 1) for label in labels], "N", "x"),
        "grouped": lambda: charts.grouped_bar_chart(
            "x", labels, [(labels[0], [1] * n), (LONG, [2] * n)], "N", "x", stacked=True
        ),
        "heatmap": lambda: charts.heatmap(
            "x", labels, ["Q1", LONG], [[1, 2]] * n, "x", col_key=labels[:2]
        ),
        "network": lambda: charts.network_chart(
            "x",
            [(str(i), label) for i, label in enumerate(labels)],
            [("0", "1", 1)],
            "x",
            groups={"0": 1},
            group_names=labels,
        ),  # fmt: skip
        "rating": lambda: charts.rating_chart("x", [(label, {5: 1}) for label in labels]),
    }
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a missing glyph must not warn either
        chart = charts_by_kind[kind]()
        assert chart.png(dpi=50).startswith(PNG_SIGNATURE)
        chart.svg()
    drawn = texts(chart)
    for label in INTERNATIONAL[:4]:
        assert any(label in " ".join(text.split("\n")) for text in drawn), label
    long_texts = [text for text in drawn if text.startswith("word word")]
    assert long_texts
    for text in long_texts:
        assert text.endswith("…")
        assert max(len(line) for line in text.split("\n")) <= 40
        assert text.count("\n") <= 3


def test_dollar_sign_in_a_label_is_shown_as_text():
    chart = charts.bar_chart("x", [("Costs $5 a day, $x^$", 1)], "N", "x")
    chart.png(dpi=50)
    assert any(r"\$5" in text for text in texts(chart))


def test_alt_lists_the_top_values_in_order_then_how_many_more():
    items = [("Spain", 3), ("United Kingdom", 20), ("Poland", 10), ("Greece", 6), ("Czechia", 4)]
    items += [("Malta", 1), ("Estonia", 2), ("Latvia", 1)]
    alt = charts.bar_chart("c", items, "Delegates", "delegates by country").alt
    assert alt.startswith("Bar chart of delegates by country: United Kingdom 20, Poland 10, ")
    positions = [alt.index(name) for name in ["United Kingdom", "Poland", "Greece", "Czechia"]]
    assert positions == sorted(positions)
    assert "Spain 3" in alt and "Estonia" not in alt and "Malta" not in alt
    assert alt.endswith("and 3 more.")


def test_alt_names_everything_when_short():
    alt = charts.bar_chart("c", [("Poland", 2), ("Greece", 5)], "N", "delegates").alt
    assert alt == "Bar chart of delegates: Greece 5, Poland 2."


def test_bar_values_are_written_at_the_bars_and_bars_keep_their_order():
    chart = charts.bar_chart("c", [("Poland", 2), ("Greece", 5), ("Malta", 1.5)], "N", "x")
    ax = chart.figure.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Poland", "Greece", "Malta"]
    assert ax.yaxis_inverted()  # the first item is on top
    assert {"2", "5", "1.5"} <= set(texts(chart))


def test_grouped_bars_have_a_hatch_per_series_and_a_legend():
    chart = build("grouped")
    ax = chart.figure.axes[0]
    hatches = [container.patches[0].get_hatch() for container in ax.containers]
    assert len(set(hatches)) == 2
    legend = chart.figure.legends[0]
    assert [t.get_text() for t in legend.get_texts()] == ["Table A", "Table B"]
    assert "Table A, Table B" in chart.alt
    assert "totals: Q1 4, Q3 4, Q2 2." in chart.alt


def test_twenty_groups_each_get_a_look_of_their_own():
    series = [(f"Group {i}", [i, 1]) for i in range(1, 21)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a legend of 20 must leave the bars room
        chart = charts.grouped_bar_chart("g", ["Q1", "Q2"], series, "Notes", "x", stacked=True)
        chart.png(dpi=50)
    looks = {
        (c.patches[0].get_facecolor(), c.patches[0].get_hatch())
        for c in chart.figure.axes[0].containers
    }
    assert len(looks) == 20  # colour and hatch together tell every group apart


def test_stacked_bars_write_the_total():
    chart = build("grouped", stacked=True)
    assert {"4", "2"} <= set(texts(chart))
    ax = chart.figure.axes[0]
    ends = [patch.get_x() + patch.get_width() for patch in ax.containers[-1].patches]
    assert ends == [4, 2, 4]


def test_grouped_rejects_a_series_of_the_wrong_length():
    with pytest.raises(ValueError):
        charts.grouped_bar_chart("x", ["Q1", "Q2"], [("A", [1])], "N", "x")


def test_heatmap_writes_each_cells_number_and_has_a_colour_bar():
    values = [[1, 0, 4], [2, 7, 0.5]]
    chart = charts.heatmap("h", ["Funding", "Trust"], QUESTIONS, values, "themes by question")
    ax = chart.figure.axes[0]
    assert Counter(t.get_text() for t in ax.texts) == Counter(["1", "0", "4", "2", "7", "0.5"])
    assert len(chart.figure.axes) == 2  # the map and its colour bar
    assert chart.alt.startswith("Heatmap of themes by question (2 × 3), highest first: ")
    assert "Trust × Q2 7, Funding × Q3 4, Trust × Q1 2" in chart.alt


def test_heatmap_text_contrasts_with_the_cell():
    chart = charts.heatmap("h", ["T"], ["Q1", "Q2"], [[1, 100]], "x")
    colour = {t.get_text(): t.get_color() for t in chart.figure.axes[0].texts}
    assert colour == {"1": "black", "100": "white"}


def test_heatmap_key_spells_out_short_column_labels():
    chart = charts.heatmap("h", ["T"], ["Q1"], [[3]], "x", col_key=["How do we share data?"])
    assert "Q1: How do we share data?" in all_text(chart)


def test_network_draws_one_line_per_edge_wider_with_weight():
    nodes = [("a", "Q1"), ("b", "Q2"), ("c", "Q3"), ("d", "Q4"), ("e", "Lonely question")]
    edges = [("a", "b", 1), ("b", "c", 5), ("c", "d", 3), ("a", "zzz", 9), ("d", "d", 4)]
    chart = charts.network_chart("n", nodes, edges, "questions", groups={"c": 1, "d": 2})
    ax = chart.figure.axes[0]
    width = {line.get_gid(): line.get_linewidth() for line in ax.get_lines()}
    assert set(width) == {"a--b", "b--c", "c--d"}  # unknown nodes and loops are left out
    assert width["a--b"] < width["c--d"] < width["b--c"]
    alpha = {line.get_gid(): line.get_alpha() for line in ax.get_lines()}
    assert alpha["a--b"] < alpha["b--c"]
    assert sum(len(c.get_offsets()) for c in ax.collections) == 5  # the isolated node too
    markers = {tuple(map(tuple, c.get_paths()[0].vertices)) for c in ax.collections}
    assert len(markers) == 3  # one marker shape per group
    assert "Lonely question" in texts(chart)
    assert "with 5 nodes and 3 links, strongest first: Q2 – Q3 5, Q3 – Q4 3, Q1 – Q2 1." in (
        chart.alt
    )


def test_network_legend_names_the_groups():
    nodes = [("a", "Q1"), ("b", "Q2")]
    chart = charts.network_chart(
        "n", nodes, [("a", "b", 1)], "x", groups={"a": 0, "b": 1}, group_names=["Block 1", "B2"]
    )
    assert [t.get_text() for t in chart.figure.legends[0].get_texts()] == ["Block 1", "B2"]


def test_rating_bars_fill_100_percent_and_show_n():
    chart = build("rating")
    ax = chart.figure.axes[0]
    ends = [max(p.get_x() + p.get_width() for p in ax.patches if p.get_y() < y < p.get_y() + 1)
            for y in (0, 1)]  # fmt: skip
    assert ends == pytest.approx([1.0, 1.0])
    assert {"n = 5", "n = 2", "60%", "40%", "50%"} <= set(texts(chart))
    assert len({c.patches[0].get_hatch() for c in ax.containers}) == 5
    assert chart.alt == (
        "Bar chart of feedback: Useful?: mean 4.4 (n = 5), Venue?: mean 2.0 (n = 2)."
    )


def test_rating_ignores_answers_off_the_scale():
    chart = charts.rating_chart("r", [("Q", {1: 1, 9: 100})], scale=(1, 2, 3))
    assert "n = 1" in texts(chart)


def test_house_style():
    chart = build("bar")
    ax = chart.figure.axes[0]
    assert chart.figure.get_figwidth() == pytest.approx(6.3)
    assert ax.get_title() == "" and not chart.figure._suptitle
    assert not ax.spines["top"].get_visible() and not ax.spines["right"].get_visible()
    assert ax.xaxis.get_gridlines()[0].get_visible()  # a grid on the value axis only
    assert not ax.yaxis.get_gridlines()[0].get_visible()
    assert ax.get_xlabel() == "Delegates"
    for text in chart.figure.findobj(Text):
        if text.get_text():
            assert text.get_fontname() == "DejaVu Sans"
            assert 8 <= text.get_fontsize() <= 10


def test_many_bars_make_a_taller_figure():
    few = charts.bar_chart("x", [(f"Theme {i}", i) for i in range(1, 6)], "N", "x")
    many = charts.bar_chart("x", [(f"Theme {i}", i) for i in range(1, 41)], "N", "x")
    assert many.figure.get_figheight() > 2 * few.figure.get_figheight()
    rows = 20
    long_labels = [
        (f"Question {i}: " + "how might we share knowledge " * 3, i) for i in range(rows)
    ]
    tall = charts.bar_chart("x", long_labels, "N", "x")
    short = charts.bar_chart("x", [(f"Q{i}", i) for i in range(rows)], "N", "x")
    assert tall.figure.get_figheight() > short.figure.get_figheight()


def test_charts_render_the_same_from_several_threads():
    expected = build("heatmap").svg()
    results: list[bytes] = []

    def render():
        results.append(build("heatmap").svg())

    threads = [threading.Thread(target=render) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [expected] * 4


def test_nothing_imports_pyplot():
    code = (
        "import sys\n"
        "from kt_workshop.reports import charts\n"
        "c = charts.network_chart('n', [('a', 'A'), ('b', 'B')], [('a', 'b', 1)], 'x')\n"
        "c.png(); c.svg()\n"
        "charts.heatmap('h', ['T'], ['Q1'], [[1]], 'x').png(dpi=50)\n"
        "assert 'matplotlib.pyplot' not in sys.modules, 'pyplot was imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, timeout=120)


def overlapping(labels: list[Text]) -> list[tuple[str, str]]:
    """Pairs of drawn labels whose boxes on the page overlap."""
    boxes = [(t.get_text(), t.get_window_extent()) for t in labels if t.get_text()]
    return [
        (a, b)
        for i, (a, box_a) in enumerate(boxes)
        for b, box_b in boxes[i + 1 :]
        if box_a.overlaps(box_b)
    ]


QUESTION = "Question {i}: how might universities and small firms share what they know? "


def test_many_long_labels_do_not_overlap():
    labels = [QUESTION.format(i=i) * 2 for i in range(1, 21)]
    bar = charts.bar_chart("b", [(label, i) for i, label in enumerate(labels)], "N", "x")
    assert not overlapping(bar.figure.axes[0].get_yticklabels())
    series = [("A", [1] * 20), ("B", [2] * 20), ("C", [3] * 20)]
    grouped = charts.grouped_bar_chart("g", labels, series, "N", "x")
    assert not overlapping(grouped.figure.axes[0].get_yticklabels())
    heat = charts.heatmap("h", labels * 2, [f"Q{i}" for i in range(1, 21)], [[1] * 20] * 40, "x")
    assert not overlapping(heat.figure.axes[0].get_yticklabels())
    assert not overlapping(heat.figure.axes[0].get_xticklabels())
    nodes = [(str(i), label) for i, label in enumerate(labels)]
    network = charts.network_chart("n", nodes, [("1", "2", 1)], "x")
    ax = network.figure.axes[0]
    # many nodes: one-line labels along the radius, so neighbours only need a line's height apart
    assert all(
        t.get_text().count("\n") == 0 and t.get_rotation_mode() == "anchor" for t in ax.texts
    )
    anchors = [ax.transData.transform(t.get_position()) for t in ax.texts]
    line_height = 8 / 72 * network.figure.dpi
    gaps = [math.dist(a, b) for a, b in zip(anchors, anchors[1:] + anchors[:1], strict=True)]
    assert min(gaps) > 1.5 * line_height
    few = charts.network_chart("n", nodes[:8], [("1", "2", 1)], "x")
    assert not overlapping(few.figure.axes[0].texts)


def test_labels_break_between_words_only():
    from kt_workshop.reports.charts import _clip, _wrap

    label = "Q1 Identifying need and justifying resource/implementation"
    words = set(label.split())
    for width, lines in ((22, 3), (12, 2), (34, 3)):
        for line in _wrap(label, width, lines).split("\n"):
            assert all(word in words or word == "…" for word in line.split()), line
    assert _clip("Engaging the service user, professionals and the public", 30) == (
        "Engaging the service user…"
    )


def test_the_network_draws_only_strong_links_with_ties_kept():
    from kt_workshop.reports.figures import strong_links

    links = [(a, b, (a * b) % 7, []) for a in range(10) for b in range(a + 1, 10)]
    threshold, shown = strong_links(links)
    # The strongest quarter: 12 of 45 pairs reach 4 shared themes with the 12th; the two more
    # at 4 stay too, so no tie is cut at random.
    assert len(links) == 45 and threshold == 4
    assert {link[2] for link in shown} == {4, 5, 6} and len(shown) == 14
    few = links[:6]
    assert strong_links(few)[1] == few  # a handful of links are all drawn
