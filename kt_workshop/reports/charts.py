"""Charts for the Word report, the Excel workbook and the web pages, drawn with matplotlib's
object API: plain data in, a `Chart` out (the figure, its file stem and an alt text built from
the data).

There is no pyplot, so no global figure state. Matplotlib itself is not thread-safe, so building
and saving a figure hold one module lock, inside which the house style `STYLE` applies through
`rc_context`. Labels are user text in any script: long ones wrap, and what is still too long ends
in "…"; glyphs DejaVu Sans lacks are drawn as boxes without a warning. Figures are `WIDTH` inches
wide (an A4 page with margins) and grow in height with the number of rows they show.
"""

import functools
import io
import math
import textwrap
import threading
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

import matplotlib as mpl
from babel.numbers import format_decimal, format_percent
from flask_babel import get_locale
from matplotlib import colormaps
from matplotlib.colors import Normalize, to_rgb
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator, PercentFormatter

from kt_workshop.i18n import _, ngettext

WIDTH = 6.3  # inches
DPI = 200
PALETTE = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000")
HATCHES = ("", "//", "..", "xx", "\\\\", "oo", "++", "--")
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "h")
BAR_COLOUR = "#0072B2"
HEAT_MAP = "YlGnBu"
ROLLUP_MAP = "Greys"  # rows that add up the rows below them
RATING_MAP = "YlGnBu"
EDGE_COLOUR = "#333333"
LEGEND_LINE = 6  # series a legend puts on one line
TOP = 5  # values an alt text names before "and N more"
STYLE = {
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans"],
    "font.size": 9,
    "axes.labelsize": 9.5,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "legend.fontsize": 9,
    "legend.title_fontsize": 9,
    "legend.frameon": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": "#444444",
    "axes.linewidth": 0.7,
    "axes.axisbelow": True,
    "axes.grid": False,
    "grid.color": "#dddddd",
    "grid.linewidth": 0.6,
    "xtick.color": "#444444",
    "ytick.color": "#444444",
    "hatch.linewidth": 0.6,
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
    "svg.fonttype": "path",
    "svg.hashsalt": "kt-workshop",
}
_LOCK = threading.RLock()
# What a letter the font lacks does: matplotlib draws a box and warns. Notes may be in any
# script (a note in Chinese or an emoji draws a box, not a failed report), so the report ignores
# it; the tests make it an error, to prove the fixed text and European letters all draw.
MISSING_GLYPH = "ignore"


@contextmanager
def _styled() -> Iterator[None]:
    """Hold the matplotlib lock with the house style on and missing-glyph warnings off."""
    with _LOCK, mpl.rc_context(STYLE), warnings.catch_warnings():
        warnings.filterwarnings(
            MISSING_GLYPH, message=r"Glyph \d+ .*missing from", category=UserWarning
        )
        yield


def _drawn(function: Callable[..., "Chart"]) -> Callable[..., "Chart"]:
    """Build in the house style, then lay the figure out once and keep that layout: constrained
    layout moves a colour bar a little on every draw, which would make each SVG differ."""

    @functools.wraps(function)
    def styled(*args, **kwargs) -> Chart:
        with _styled():
            chart = function(*args, **kwargs)
            chart.figure.draw_without_rendering()
            chart.figure.set_layout_engine("none")
            return chart

    return styled


@dataclass(frozen=True)
class Chart:
    name: str  # file stem, e.g. "participation-by-country"
    alt: str  # what the chart shows, with its top values, for screen readers and Word
    figure: Figure
    # Rendered files by format and resolution: the pack writes the PNG and the report embeds it.
    _files: dict = field(default_factory=dict, compare=False, repr=False)

    def png(self, dpi: int = DPI) -> bytes:
        if ("png", dpi) not in self._files:
            self._files["png", dpi] = self._save("png", dpi=dpi)
        return self._files["png", dpi]

    def svg(self) -> bytes:
        """The figure as SVG, byte-identical each time (fixed hash salt, no date)."""
        return self._save("svg", metadata={"Date": None})

    def _save(self, fmt: str, **options) -> bytes:
        buffer = io.BytesIO()
        with _styled():
            self.figure.savefig(buffer, format=fmt, **options)
        return buffer.getvalue()


def _number(value: float) -> float:
    number = float(value)
    return number if math.isfinite(number) else 0.0


def _fmt(value: float) -> str:
    """A count as it is, a fraction to one place with the report language's decimal sign
    ("4,6" in a Polish or German report)."""
    if float(value).is_integer():
        return str(int(value))
    return _one_place(value)


def _one_place(value: float) -> str:
    """A number to one decimal place as the report's language writes it ("4.6", "4,6")."""
    return format_decimal(value, format="0.0", locale=str(get_locale() or "en"))


def _wrap(text: str, width: int = 32, lines: int = 3) -> str:
    """User text as at most `lines` lines of about `width` characters, broken between words
    only (a word longer than a line stays whole), ending in "…" if cut."""
    if lines == 1:
        wrapped = _clip(text, width)
    else:
        wrapped = "\n".join(
            textwrap.wrap(
                str(text),
                width,
                max_lines=lines,
                placeholder=" …",
                break_long_words=False,
                break_on_hyphens=False,
            )
        )
    return wrapped.replace("$", r"\$")  # a dollar sign in user text is not mathtext


def _clip(text: str, length: int = 60) -> str:
    """Text on one line of at most `length` characters, cut after a whole word with "…"."""
    text = " ".join(str(text).split())
    if len(text) <= length:
        return text
    cut = text[: length - 1]
    if " " in cut and text[length - 1] != " ":
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:–-") + "…"


def _listing(parts: Sequence[str]) -> str:
    shown = ", ".join(parts[:TOP])
    if len(parts) > TOP:
        more = len(parts) - TOP
        shown += ", " + ngettext("and %(num)d more", "and %(num)d more", more)
    return shown


def _ranked(items: Sequence[tuple[str, float]]) -> list[str]:
    """The non-zero items as "label value", largest first (ties keep their order)."""
    ranked = sorted((item for item in items if item[1]), key=lambda item: -item[1])
    return [f"{_clip(label)} {_fmt(value)}" for label, value in ranked]


def _ink(colour) -> str:
    """Black or white, whichever reads better on `colour` (WCAG relative luminance)."""
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in to_rgb(colour)]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return "black" if luminance > 0.179 else "white"


def _series_style(index: int, colour, edge: str = EDGE_COLOUR) -> dict:
    """Fill, hatch (in the colour that shows on the fill) and edge of the `index`-th series.
    Past the palette's eight colours the hatches shift by one each round, so no two of the
    first 64 series look alike."""
    hatch = HATCHES[(index + index // len(PALETTE)) % len(HATCHES)]
    return {"color": colour, "hatch": hatch, "hatchcolor": _ink(colour), "edgecolor": edge}


def _lines(text: str) -> int:
    return text.count("\n") + 1


def _figure(height: float) -> Figure:
    return Figure(figsize=(WIDTH, max(height, 1.6)), layout="constrained")


def _integer_ticks(axis, values: Sequence[float]) -> None:
    if all(float(value).is_integer() for value in values):
        axis.set_major_locator(MaxNLocator(integer=True))


def _empty(name: str, alt_subject: str, empty_text: str | None) -> Chart:
    """A small image that says there is nothing to show, so every page still has its chart."""
    text = empty_text or _("Nothing to show yet")
    figure = _figure(1.6)
    ax = figure.add_subplot()
    ax.set_axis_off()
    ax.text(0.5, 0.5, _wrap(text, 70), ha="center", va="center", fontsize=10, color="#555555")
    alt = _("Chart of %(subject)s: %(empty)s", subject=alt_subject, empty=text)
    return Chart(name, alt, figure)


def _bar_axes(labels: Sequence[str], slots: int, horizontal: bool, value_label: str, axis_label):
    """Axes with one category per label; each row is tall enough for `slots` bars and its label."""
    count = len(labels)
    if horizontal:
        texts = [_wrap(label) for label in labels]
        rows = sum(max(0.13 * slots + 0.09, 0.15 * _lines(text) + 0.07) for text in texts)
        figure = _figure(0.9 + rows)
    else:
        texts = [_wrap(label, max(8, min(28, 110 // max(count, 1))), 4) for label in labels]
        figure = _figure(3.0 + 0.15 * max(_lines(text) for text in texts))
    ax = figure.add_subplot()
    values, categories = (ax.xaxis, ax.yaxis) if horizontal else (ax.yaxis, ax.xaxis)
    categories.set_ticks(range(count), texts)
    categories.set_tick_params(length=0)
    values.grid(True)
    values.set_label_text(value_label)
    if axis_label:
        categories.set_label_text(axis_label)
    if horizontal:
        ax.set_ylim(count - 0.5, -0.5)  # first item on top
        ax.margins(x=0.1)
    else:
        ax.set_xlim(-0.5, count - 0.5)
        ax.margins(y=0.1)
    return ax


@_drawn
def bar_chart(
    name: str,
    items: Sequence[tuple[str, float]],
    value_label: str | None = None,
    alt_subject: str = "",
    empty_text: str | None = None,
    horizontal: bool = True,
    category_label: str | None = None,
) -> Chart:
    """One series of bars in the order given, each with its value written at its end."""
    items = [(str(label), _number(value)) for label, value in items]
    if not any(value for _label, value in items):
        return _empty(name, alt_subject, empty_text)
    labels, values = [label for label, _v in items], [value for _label, value in items]
    ax = _bar_axes(labels, 1, horizontal, value_label or _("Count"), category_label)
    draw = ax.barh if horizontal else ax.bar
    bars = draw(range(len(items)), values, 0.7, color=BAR_COLOUR)
    ax.bar_label(bars, labels=[_fmt(value) for value in values], padding=3, fontsize=8.5)
    _integer_ticks(ax.xaxis if horizontal else ax.yaxis, values)
    top = _listing(_ranked(items))
    alt = _("Bar chart of %(subject)s: %(values)s.", subject=alt_subject, values=top)
    return Chart(name, alt, ax.figure)


@_drawn
def grouped_bar_chart(
    name: str,
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    value_label: str | None = None,
    alt_subject: str = "",
    stacked: bool = False,
    empty_text: str | None = None,
    horizontal: bool = True,
    category_label: str | None = None,
) -> Chart:
    """Several series per category, side by side or stacked (with the total at the end), each
    series with its own colour and hatch, and a legend above."""
    categories = [str(category) for category in categories]
    series = [(str(label), [_number(value) for value in values]) for label, values in series]
    if any(len(values) != len(categories) for _label, values in series):
        raise ValueError("every series needs one value per category")
    if not any(value for _label, values in series for value in values):
        return _empty(name, alt_subject, empty_text)
    slots = 1 if stacked else len(series)
    ax = _bar_axes(categories, slots, horizontal, value_label or _("Count"), category_label)
    draw = ax.barh if horizontal else ax.bar
    thickness, base = (0.7 if stacked else 0.8 / slots), [0.0] * len(categories)
    for index, (label, values) in enumerate(series):
        offset = index * thickness - 0.4 + thickness / 2
        where = range(len(categories)) if stacked else [p + offset for p in range(len(categories))]
        start = {("left" if horizontal else "bottom"): base} if stacked else {}
        style = _series_style(index, PALETTE[index % len(PALETTE)])
        draw(where, values, thickness, label=_wrap(label, 28, 2), linewidth=0.4, **style, **start)
        base = [b + v for b, v in zip(base, values, strict=True)]
    if stacked:
        ax.bar_label(ax.containers[-1], labels=[_fmt(t) for t in base], padding=3, fontsize=8.5)
    _integer_ticks(ax.xaxis if horizontal else ax.yaxis, [v for _s, vs in series for v in vs])
    # One line of up to six (read left to right: matplotlib fills a legend column by column,
    # so five groups in four columns read "Group 1, Group 3, Group 4, Group 5" with Group 2
    # under Group 1).
    columns = len(series) if len(series) <= LEGEND_LINE else 4
    ax.figure.legend(loc="outside upper center", ncols=columns)
    rows = -(-len(series) // columns)  # the legend's lines, above the axes
    ax.figure.set_figheight(ax.figure.get_figheight() + 0.3 * rows)
    names = ", ".join(_clip(label, 40) for label, _values in series)
    top = _listing(_ranked(list(zip(categories, base, strict=True))))
    alt = _(
        "Bar chart of %(subject)s (%(series)s), totals: %(values)s.",
        subject=alt_subject,
        series=names,
        values=top,
    )
    return Chart(name, alt, ax.figure)


@_drawn
def heatmap(
    name: str,
    row_labels: Sequence[str],
    col_labels: Sequence[str],
    values: Sequence[Sequence[float]],
    alt_subject: str = "",
    value_label: str | None = None,
    row_title: str | None = None,
    col_title: str | None = None,
    col_key: Sequence[str] | None = None,
    empty_text: str | None = None,
    rollup: Sequence[bool] | None = None,
) -> Chart:
    """Counts by row and column with the number in each cell and a colour bar. Column labels are
    short ("Q1"); `col_key`, one full text per column, is written as a key below the map.
    Rows marked in `rollup` add up the rows below them: they get a grey scale of their own and
    bold labels, so they do not wash out the others' colours."""
    rows, cols = [str(label) for label in row_labels], [str(label) for label in col_labels]
    grid = [[_number(value) for value in row] for row in values]
    if len(grid) != len(rows) or any(len(row) != len(cols) for row in grid):
        raise ValueError("values need one row per row label and one value per column label")
    if not any(value for row in grid for value in row):
        return _empty(name, alt_subject, empty_text)
    texts = [_wrap(label, 34, 3) for label in rows]
    totals = list(rollup or [False] * len(rows))
    upright = len(cols) > 10  # too narrow for level labels: turn them, one line each
    heads = [_wrap(label, 16, 1) if upright else _wrap(label, 12, 3) for label in cols]
    key = [_clip(f"{c}: {text}", 100) for c, text in zip(cols, col_key or [], strict=False)]
    height = 1.1 + sum(max(0.22, 0.15 * _lines(t) + 0.08) for t in texts) + 0.15 * len(key)
    longest = max(len(head) for head in heads) * 0.07 if upright else 0.0
    figure = _figure(height + longest + 0.15 * max(_lines(head) for head in heads))
    ax = figure.add_subplot()
    leaf = [[v if not totals[r] else math.nan for v in row] for r, row in enumerate(grid)]
    summed = [[v if totals[r] else math.nan for v in row] for r, row in enumerate(grid)]
    top = max((v for r, row in enumerate(grid) for v in row if not totals[r]), default=0)
    image = ax.imshow(
        leaf, cmap=HEAT_MAP, norm=Normalize(0, max(top, 1)), aspect="auto", interpolation="nearest"
    )
    images = [image] * len(rows)
    if any(totals):
        most = max(v for r, row in enumerate(grid) for v in row if totals[r])
        grey = ax.imshow(
            summed, cmap=ROLLUP_MAP, norm=Normalize(0, max(most, 1) * 1.6), aspect="auto",
            interpolation="nearest",
        )  # fmt: skip
        images = [grey if totals[r] else image for r in range(len(rows))]
    ax.set_xticks(range(len(cols)), heads, rotation=90 if upright else 0)
    ax.set_yticks(range(len(rows)), texts)
    for label, total in zip(ax.get_yticklabels(), totals, strict=True):
        if total:
            label.set_fontweight("bold")
    ax.set_xticks([c - 0.5 for c in range(1, len(cols))], minor=True)
    ax.set_yticks([r - 0.5 for r in range(1, len(rows))], minor=True)
    ax.grid(which="minor", color="white", linewidth=1.2)
    ax.tick_params(which="both", length=0, top=True, bottom=False, labeltop=True, labelbottom=False)
    ax.xaxis.set_label_position("top")
    ax.spines[:].set_visible(False)
    ax.set_xlabel(col_title or _("Question"))
    ax.set_ylabel(row_title or _("Theme"))
    _heat_cells(ax, images, grid, value_label or _("Notes"), shrink=min(1.0, 3.5 / height))
    if key:
        figure.supxlabel("\n".join(key).replace("$", r"\$"), x=0.01, ha="left", fontsize=8)
    cells = [
        (f"{_clip(rows[r], 40)} × {_clip(cols[c], 20)}", grid[r][c])
        for r in range(len(rows))
        for c in range(len(cols))
    ]
    alt = _(
        "Heatmap of %(subject)s (%(rows)d × %(cols)d), highest first: %(values)s.",
        subject=alt_subject,
        rows=len(rows),
        cols=len(cols),
        values=_listing(_ranked(cells)),
    )
    return Chart(name, alt, figure)


def _heat_cells(ax, images, grid: list[list[float]], value_label: str, shrink: float) -> None:
    """Each cell's number in black or white for contrast (zeros grey), and the colour bar of
    the ordinary rows (roll-up rows are grey; their numbers say the rest)."""
    size = 8 if len(grid[0]) <= 12 else 6.5
    image = images[0] if images else None
    for r, row in enumerate(grid):
        for c, value in enumerate(row):
            ink = _ink(images[r].to_rgba(value)) if value else "#999999"
            number = ax.text(c, r, _fmt(value), ha="center", va="center", fontsize=size, color=ink)
            number.set_in_layout(False)  # inside its cell: the layout need not measure it
    image = next((i for i in images if i.cmap.name == HEAT_MAP), image)
    bar = ax.figure.colorbar(image, ax=ax, label=value_label, pad=0.02, shrink=shrink, aspect=20)
    bar.outline.set_visible(False)
    _integer_ticks(bar.ax.yaxis, [value for row in grid for value in row])
    bar.ax.yaxis.set_major_locator(MaxNLocator(integer=True))


def _draw_edges(ax, points: dict, links: list[tuple[str, str, float]]) -> None:
    """One line per link, wider and darker as its weight nears the strongest; strongest on top."""
    for a, b, weight in reversed(links):
        (x1, y1), (x2, y2), share = points[a], points[b], weight / links[0][2]
        width, alpha = 0.6 + 4.4 * share, 0.25 + 0.6 * share
        line = {"solid_capstyle": "round", "zorder": 1, "gid": f"{a}--{b}"}
        ax.plot([x1, x2], [y1, y2], color=EDGE_COLOUR, linewidth=width, alpha=alpha, **line)


def _draw_nodes(ax, points: dict, groups: Mapping[str, int], names: Sequence[str]) -> None:
    """The nodes of each group in its own colour and marker, labelled for the legend if named."""
    members: dict[int, list[str]] = {}
    for node_id in points:
        members.setdefault(int(groups.get(node_id, 0)), []).append(node_id)
    for group, ids in sorted(members.items()):
        style = {"marker": MARKERS[group % len(MARKERS)], "color": PALETTE[group % len(PALETTE)]}
        if 0 <= group < len(names):
            style["label"] = _wrap(names[group], 28, 2)
        xs, ys = [points[i][0] for i in ids], [points[i][1] for i in ids]
        ax.scatter(xs, ys, s=70, zorder=3, edgecolor="#222222", linewidth=0.6, **style)


def _label_place(x: float, y: float, radial: bool) -> dict:
    """Alignment that puts a label outside a circle at the point (x, y): level beside the node,
    or (for many nodes, whose labels would collide) along the radius, reading outwards."""
    if radial:
        angle = math.degrees(math.atan2(y, x))
        rotation, ha = (angle, "left") if x >= 0 else (angle + 180, "right")
        return {"ha": ha, "va": "center", "rotation": rotation, "rotation_mode": "anchor"}
    ha = "left" if x > 0.2 else "right" if x < -0.2 else "center"
    va = "bottom" if y > 0.2 else "top" if y < -0.2 else "center"
    return {"ha": ha, "va": va}


@_drawn
def network_chart(
    name: str,
    nodes: Sequence[tuple[str, str]],
    edges: Sequence[tuple[str, str, float]],
    alt_subject: str = "",
    groups: Mapping[str, int] | None = None,
    group_names: Sequence[str] | None = None,
    empty_text: str | None = None,
) -> Chart:
    """Nodes on a circle (the first on top, then clockwise) linked by lines whose width and
    opacity grow with weight; a node's group sets its colour and marker (legend if named).
    Links to unknown nodes, loops and weights of zero or less are left out."""
    label_of = {str(node_id): str(label) for node_id, label in nodes}
    if not label_of:
        return _empty(name, alt_subject, empty_text)
    turns = [math.pi / 2 - 2 * math.pi * k / len(label_of) for k in range(len(label_of))]
    points = {i: (math.cos(t), math.sin(t)) for i, t in zip(label_of, turns, strict=True)}
    links = [(str(a), str(b), _number(w)) for a, b, w in edges]
    links = [(a, b, w) for a, b, w in links if a in points and b in points and a != b and w > 0]
    links.sort(key=lambda link: -link[2])
    radial = len(points) > 12
    figure = _figure(6.3 if radial else 4.8)
    reach = (2.0, 2.0) if radial else (2.05, 1.4)
    ax = figure.add_subplot(xlim=(-reach[0], reach[0]), ylim=(-reach[1], reach[1]), aspect="equal")
    ax.set_axis_off()
    if links:
        _draw_edges(ax, points, links)
    _draw_nodes(ax, points, groups or {}, group_names or [])
    width, lines = (26, 1) if radial else (22, 3)
    for node_id, (x, y) in points.items():
        text = _wrap(label_of[node_id], width, lines)
        ax.text(1.1 * x, 1.1 * y, text, fontsize=8, **_label_place(x, y, radial))
    if ax.get_legend_handles_labels()[0]:
        figure.legend(loc="outside lower center", ncols=min(len(group_names or []), 4))
    subject = {"subject": alt_subject, "nodes": len(points)}
    if not links:
        text = empty_text or _("Nothing to show yet")
        ax.text(0, 0, _wrap(text, 24), ha="center", va="center", fontsize=9, color="#555555")
        alt = _("Network of %(subject)s with %(nodes)d nodes: %(empty)s", **subject, empty=text)
        return Chart(name, alt, figure)
    parts = [f"{_clip(label_of[a], 40)} – {_clip(label_of[b], 40)} {_fmt(w)}" for a, b, w in links]
    alt = _(
        "Network of %(subject)s with %(nodes)d nodes and %(links)d links, strongest first: "
        "%(values)s.",
        **subject,
        links=len(links),
        values=_listing(parts),
    )
    return Chart(name, alt, figure)


@_drawn
def rating_chart(
    name: str,
    questions: Sequence[tuple[str, Mapping[int, int]]],
    scale: Sequence[int] = (1, 2, 3, 4, 5),
    alt_subject: str | None = None,
    value_label: str | None = None,
    rating_label: str | None = None,
    scale_labels: Sequence[str] | None = None,
    empty_text: str | None = None,
) -> Chart:
    """Per question a 100 % bar split by rating (light to dark, each rating hatched), with the
    share written in wide segments and the number of answers after the bar."""
    alt_subject = alt_subject or _("feedback ratings")
    scale = list(scale)
    rows = [
        (str(q), [max(0, int(_number(counts.get(s, 0)))) for s in scale]) for q, counts in questions
    ]
    if not any(sum(counts) for _q, counts in rows):
        return _empty(name, alt_subject, empty_text)
    texts = [_wrap(question) for question, _counts in rows]
    figure = _figure(1.3 + sum(max(0.32, 0.15 * _lines(text) + 0.12) for text in texts))
    ax = figure.add_subplot()
    ax.set_yticks(range(len(rows)), texts)
    ax.tick_params(axis="y", length=0)
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(PercentFormatter(xmax=1, decimals=0))
    ax.set_xlabel(value_label or _("Share of answers"))
    totals = [sum(counts) for _q, counts in rows]
    left = [0.0] * len(rows)
    steps = max(len(scale) - 1, 1)
    for i, point in enumerate(scale):
        colour = colormaps[RATING_MAP](0.1 + 0.8 * i / steps)
        shares = [c[i] / n if n else 0.0 for (_q, c), n in zip(rows, totals, strict=True)]
        label = scale_labels[i] if scale_labels and i < len(scale_labels) else str(point)
        style = _series_style(i, colour, edge="white")
        bars = ax.barh(range(len(rows)), shares, 0.7, left=left, label=label, **style)
        box = {"boxstyle": "round,pad=0.15", "facecolor": colour, "linewidth": 0}
        locale = str(get_locale() or "en")
        shown = [format_percent(share, locale=locale) if share >= 0.08 else "" for share in shares]
        ax.bar_label(bars, shown, label_type="center", fontsize=8, color=_ink(colour), bbox=box)
        left = [a + b for a, b in zip(left, shares, strict=True)]
    for y, n in enumerate(totals):
        ax.text(1.01, y, f"n = {n}", transform=ax.get_yaxis_transform(), va="center", fontsize=8)
    figure.legend(
        loc="outside upper center", ncols=min(len(scale), 7), title=rating_label or _("Rating")
    )
    parts = [
        _(
            "%(question)s: mean %(mean)s (n = %(n)d)",
            question=_clip(q),
            mean=_one_place(sum(s * c for s, c in zip(scale, counts, strict=True)) / n),
            n=n,
        )
        for (q, counts), n in zip(rows, totals, strict=True)
        if n
    ]
    alt = _("Bar chart of %(subject)s: %(values)s.", subject=alt_subject, values=_listing(parts))
    return Chart(name, alt, figure)
