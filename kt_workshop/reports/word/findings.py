"""The findings: per block and question, the cross-cutting themes with their charts, and the
points for further discussion."""

from __future__ import annotations

from itertools import groupby

from docx.shared import Cm

from kt_workshop.i18n import _, list_of, ngettext
from kt_workshop.reports import figures
from kt_workshop.reports.dataset import (
    Block,
    Question,
    Quote,
    Theme,
)
from kt_workshop.reports.word.document import (
    QUOTES,
    SMALL_SIZE,
    STRONGEST,
    _safe,
)


class Findings:
    """The findings: per block and question, the cross-cutting themes with their charts, and the
    points for further discussion."""

    def attended(self):
        return [delegate for delegate in self.data.delegates if delegate.attended]

    def subtree(self, theme_id: int) -> set[int]:
        ids, todo = set(), [theme_id]
        while todo:
            current = todo.pop()
            if current not in ids:
                ids.add(current)
                todo += [child.id for child in self.children.get(current, [])]
        return ids

    def count(self, theme_index: int, question_index: int) -> int:
        matrix = self.data.matrix
        if theme_index < len(matrix) and question_index < len(matrix[theme_index]):
            return matrix[theme_index][question_index]
        return 0

    def question_quotes(self, question: Question) -> list[Quote]:
        """Up to QUOTES key quotes of the question, its own key quotes before theme quotes."""
        found = [
            quote
            for quote in self.data.quotes
            if (quote.question_id or getattr(self.notes.get(quote.note_id), "question_id", None))
            == question.id
        ]
        found.sort(key=lambda quote: quote.theme_id is not None)
        return _distinct(found)[:QUOTES]

    def theme_quotes(self, theme: Theme, used: set[int]) -> list[Quote]:
        """Up to QUOTES quotes for an overarching theme: quotes chosen for it or a theme below
        it, then key quotes of notes coded with them; quotes not shown for another theme first."""
        ids = self.subtree(theme.id)
        chosen = [quote for quote in self.data.quotes if quote.theme_id in ids]
        coded = [
            quote
            for quote in self.data.quotes
            if quote.theme_id not in ids
            and ids & set(getattr(self.notes.get(quote.note_id), "theme_ids", []))
        ]
        found = _distinct(chosen + coded)
        found.sort(key=lambda quote: quote.note_id in used)
        return found[:QUOTES]

    def programme(self) -> list[tuple[Block | None, list[Question]]]:
        """The blocks with their questions in programme order; questions without a block last."""
        known = {block.id for block in self.data.blocks}
        parts = [
            (block, [q for q in self.data.questions if q.block_id == block.id])
            for block in self.data.blocks
        ]
        loose = [q for q in self.data.questions if q.block_id not in known]
        return parts + ([(None, loose)] if loose else [])

    # Title page and contents -----------------------------------------------------------------

    def section_findings(self) -> None:
        if not self.data.questions:
            return
        self.heading(_("Findings by question"), 1)
        self.para(
            _(
                "This section follows the programme. For each question it gives the analysts' "
                "summary, the themes raised in its notes and key quotes. Counts are numbers of "
                "notes; a theme's count includes the notes coded with the themes below it, and "
                "one note can count towards several themes."
            )
        )
        self.figure("notes-per-question", _("Notes per question"))
        columns = {question.id: index for index, question in enumerate(self.data.questions)}
        for block, questions in self.programme():
            self.heading(block.title if block else _("Other questions"), 2)
            for question in questions:
                self.question_findings(question, columns[question.id])

    def question_findings(self, question: Question, column: int) -> None:
        self.heading(f"{question.label}: {question.text}", 3)
        if question.prompt:
            self.muted(question.prompt)
        if question.summary:
            for part in question.summary.split("\n\n"):
                self.para(part)
        notes = self.data.notes_for(question.id)
        if not notes:
            self.muted(_("No notes were taken on this question."))
            return
        places, starred = len({n.table for n in notes}), sum(n.starred for n in notes)
        if self.groups:  # one message per count, so the noun is declined with its number
            facts = ngettext(
                "Notes: %(notes)d · from %(num)d group · starred: %(starred)d",
                "Notes: %(notes)d · from %(num)d groups · starred: %(starred)d",
                places,
                notes=len(notes),
                starred=starred,
            )
        else:
            facts = ngettext(
                "Notes: %(notes)d · from %(num)d table · starred: %(starred)d",
                "Notes: %(notes)d · from %(num)d tables · starred: %(starred)d",
                places,
                notes=len(notes),
                starred=starred,
            )
        self.para(
            facts,
            muted=True,
            size=SMALL_SIZE,
        )
        self.question_themes(column)
        quotes = self.question_quotes(question)
        if quotes:
            self.label(_("Key quotes"))
            for quote in quotes:
                self.quote(quote.note_id, quote.text, quote.quotation)

    def question_themes(self, column: int) -> None:
        """Per overarching theme raised, a bullet with its count and the themes within it."""
        index = {theme.id: number for number, theme in enumerate(self.data.themes)}

        def count(theme: Theme) -> int:
            return self.count(index[theme.id], column)

        raised = [theme for theme in self.data.overarching() if count(theme)]
        if not raised:
            return
        self.label(_("Themes raised (notes)"))
        for theme in raised:
            paragraph = self.para(style="List Bullet")
            paragraph.add_run(_safe(f"{theme.name} ({count(theme)})")).bold = True
            within = self.within(theme, count)
            if within:
                paragraph.add_run(_safe(f": {within}"))

    def within(self, theme: Theme, count) -> str:
        """ "Funding 12 (Short cycles 2); Evidence 9": the themes below, most notes first."""
        below = sorted(
            (child for child in self.children.get(theme.id, []) if count(child)),
            key=lambda child: -count(child),
        )
        parts = []
        for child in below:
            deeper = self.within(child, count)
            parts.append(f"{child.name} {count(child)}" + (f" ({deeper})" if deeper else ""))
        return "; ".join(parts)

    def section_themes(self) -> None:
        data = self.data
        overarching = data.overarching()
        if not overarching:
            return  # nothing coded: the section would only say so
        self.heading(_("Cross-cutting themes"), 1)
        self.para(
            ngettext(
                "The main questions covered distinct areas, but the themes that emerged crossed "
                "and interwove through the discussions. The analysts grouped them under "
                "%(num)d overarching theme.",
                "The main questions covered distinct areas, but the themes that emerged crossed "
                "and interwove through the discussions. The analysts grouped them under "
                "%(num)d overarching themes.",
                len(overarching),
            )
        )
        used: set[int] = set()
        for theme in overarching:
            self.overarching_theme(theme, used)
        self.theme_figures()

    def overarching_theme(self, theme: Theme, used: set[int]) -> None:
        self.heading(theme.name, 2)
        if theme.description:
            self.para(theme.description, italic=True)
        if theme.summary:
            for part in theme.summary.split("\n\n"):
                self.para(part)
        total = self.data.theme_totals.get(theme.id, 0)
        self.para(
            ngettext(
                "%(num)d note was coded with this theme or a theme within it.",
                "%(num)d notes were coded with this theme or a theme within it.",
                total,
            ),
            muted=True,
            size=SMALL_SIZE,
        )
        below = [
            t
            for t in self.data.used_themes()
            if t.id in self.subtree(theme.id) and t.id != theme.id
        ]
        if below:
            self.label(_("Themes within it"))
            rows = [(t.name, str(self.data.theme_totals.get(t.id, 0))) for t in below]
            levels = [max(t.depth - 1, 0) + 1 for t in below]
            widths = (Cm(13.5), Cm(2.5))
            self.table((_("Theme"), _("Notes")), rows, widths, levels=levels, numeric=(1,))
        quotes = self.theme_quotes(theme, used)
        if quotes:
            self.label(_("Key quotes"))
            for quote in quotes:
                used.add(quote.note_id)
                self.quote(quote.note_id, quote.text, quote.quotation)

    def theme_figures(self) -> None:
        data = self.data
        self.heading(_("How the themes connect the questions"), 2)
        self.figure(
            "theme-frequencies",
            _("How often each theme was coded (notes; a theme includes the themes below it)"),
        )
        self.figure(
            "theme-question-heatmap",
            _(
                "Notes per theme and question (the questions are listed below the map). Rows "
                "in bold add up the themes below them and are shaded in grey on a scale of "
                "their own, so they do not wash out the others"
            ),
        )
        threshold, shown = figures.strong_links(data.links)
        self.figure(
            "question-network",
            ngettext(
                "How the questions connect through shared themes. A line joins two questions "
                "whose notes share at least %(num)d theme (%(shown)d of %(pairs)d pairs of "
                "questions); the wider and darker the line, the more themes they share",
                "How the questions connect through shared themes. A line joins two questions "
                "whose notes share at least %(num)d themes (%(shown)d of %(pairs)d pairs of "
                "questions); the wider and darker the line, the more themes they share",
                threshold,
                shown=len(shown),
                pairs=len(data.links),
            ),
        )
        if len(data.questions) > 1:
            self.para(self.isolation_sentence())
        strongest = self.strongest_sentence()
        if strongest:
            self.para(strongest)

    def strongest_sentence(self) -> str:
        """ "The strongest links: Q1 – Q3 share 9 themes; Q2 – Q5 and Q4 – Q6 share 8 themes
        each." Links of equal weight are named together (listed as the language lists, a pair
        written as the network chart writes it), so no tie is cut at random."""
        label = {q.id: q.label for q in self.data.questions}
        parts, named = [], 0
        ranked = sorted(self.data.links, key=lambda link: -link[2])
        for weight, group in groupby(ranked, key=lambda link: link[2]):
            if named >= STRONGEST:
                break
            pairs = [f"{label.get(a, '?')} – {label.get(b, '?')}" for a, b, _w, _t in group]
            named += len(pairs)
            joined = list_of(pairs)
            if len(pairs) == 1:
                parts.append(
                    ngettext(
                        "%(pairs)s share %(num)d theme",
                        "%(pairs)s share %(num)d themes",
                        weight,
                        pairs=joined,
                    )
                )
            else:
                parts.append(
                    ngettext(
                        "%(pairs)s share %(num)d theme each",
                        "%(pairs)s share %(num)d themes each",
                        weight,
                        pairs=joined,
                    )
                )
        if not parts:
            return ""
        return _("The strongest links: %(pairs)s.", pairs="; ".join(parts))

    def isolation_sentence(self) -> str:
        isolated = [q for q in self.data.questions if q.id in self.data.isolated]
        if not isolated:
            return _(
                "No question could be addressed in isolation: every question shares themes "
                "with others."
            )
        return ngettext(
            "One question shares no theme with any other: %(questions)s.",
            "%(num)d questions share no theme with any other: %(questions)s.",
            len(isolated),
            questions="; ".join(f"{q.label} ({q.text})" for q in isolated),
        )

    def section_discussion(self) -> None:
        if not self.data.points:
            return
        self.heading(_("Points for further discussion"), 1)
        self.para(_("As a result of the workshop, the following points need further discussion:"))
        self.bullets(self.data.points)


def _distinct(quotes: list[Quote]) -> list[Quote]:
    seen, out = set(), []
    for quote in quotes:
        if quote.note_id not in seen:
            seen.add(quote.note_id)
            out.append(quote)
    return out
