"""The closing sections: feedback, method (capture, coding, agreement), data protection, the
appendix of every note and the codebook."""

from __future__ import annotations

from itertools import groupby

from docx.shared import Cm

from kt_workshop.i18n import _, ngettext
from kt_workshop.reports.dataset import (
    kind_label,
)
from kt_workshop.reports.word.document import (
    _MUTED_XML,
    _SMALL_MUTED_XML,
    _paragraphs_from_xml,
    _run_xml,
    _safe,
)


class Closing:
    """The closing sections: feedback, method (capture, coding, agreement), data protection, the
    appendix of every note and the codebook."""

    def section_feedback(self) -> None:
        feedback = self.data.feedback
        self.heading(_("Feedback"), 1)
        if not feedback:
            self.muted(_("No feedback was collected."))
            return
        ratings = [item for item in feedback if item.kind == "rating"]
        if ratings:
            self.figure("feedback-ratings", _("Delegates' ratings of the workshop"))
            rows = []
            for item in ratings:
                answers = sum(item.ratings.values())
                mean = sum(r * n for r, n in item.ratings.items()) / answers if answers else None
                spread = " · ".join(f"{r}: {n}" for r, n in sorted(item.ratings.items()))
                rows.append((item.text, str(answers), self.number(mean, 1), spread or "–"))
            headers = (_("Question"), _("Answers"), _("Mean"), _("Ratings"))
            widths = (Cm(7.5), Cm(2), Cm(1.7), Cm(4.8))
            self.table(headers, rows, widths, numeric=(1, 2), caption=_("Feedback ratings"))
        for item in feedback:
            if item.kind != "rating":
                self.heading(item.text, 3)
                if item.answers:
                    self.bullets(item.answers)
                else:
                    self.muted(_("No answers."))

    def section_method(self) -> None:
        self.heading(_("Method and data protection"), 1)
        self.method_capture()
        self.method_coding()
        self.method_agreement()
        self.heading(_("Data protection"), 2)
        self.para(
            _(
                "No speaker is named in this report. Notes record what was said at a table in a "
                "round, not who said it, and delegates appear only as counts by country, sector "
                "and session. Quotes are identified by the number of their note (for example "
                "N12), which refers to the appendix, not to a person."
            )
        )
        if self.data.chatham_house:
            self.para(
                _(
                    "The workshop was held under the Chatham House Rule: participants are free to "
                    "use the information received, but neither the identity nor the affiliation "
                    "of the speakers, nor that of any other participant, may be revealed."
                )
            )

    def method_capture(self) -> None:
        self.heading(_("Capturing the notes"), 2)
        text = _(
            "In each round the moderator or table host wrote down the discussion as short notes "
            "on a tablet. Each note belongs to its table, round and question, has a kind "
            "(insight, challenge, good practice, idea or recommendation, question or quote) and "
            "may be starred as notable. The tablets kept notes in an offline outbox and sent them "
            "once a connection was available, so notes were not lost when the network dropped."
        )
        if self.data.notes:
            text += " " + ngettext(
                "%(num)d note was kept; notes deleted by their writers are not counted.",
                "%(num)d notes were kept; notes deleted by their writers are not counted.",
                len(self.data.notes),
            )
        self.para(text)
        removed = self.data.removed_characters
        if removed:
            self.para(
                ngettext(
                    "%(num)d character that a Word document cannot hold (a control character) "
                    "was removed from the text; everything else is shown as written.",
                    "%(num)d characters that a Word document cannot hold (control characters) "
                    "were removed from the text; everything else is shown as written.",
                    removed,
                )
            )

    def method_coding(self) -> None:
        data = self.data
        self.heading(_("Coding and analysis"), 2)
        if not data.analysts:
            self.para(_("The notes have not been coded yet."))
            return
        themes = ngettext("%(num)d theme", "%(num)d themes", len(data.themes))
        overarching = ngettext(
            "%(num)d overarching theme", "%(num)d overarching themes", len(data.overarching())
        )
        text = ngettext(
            "One analyst coded the notes against a shared codebook of %(themes)s under "
            "%(overarching)s (listed in the appendix).",
            "%(num)d analysts coded the notes against a shared codebook of %(themes)s under "
            "%(overarching)s (listed in the appendix).",
            data.analysts,
            themes=themes,
            overarching=overarching,
        )
        if data.analysts > 1 and data.blind_coding:
            text += " " + _(
                "Each analyst first coded the notes on their own, without seeing the others' "
                "codes (blind coding)."
            )
        elif data.analysts > 1:
            text += " " + _("The analysts could see each other's codes while they coded.")
        self.para(text)
        self.para(
            _(
                "The report counts the consensus coding: a theme stays on a note when every "
                "analyst who went through the note gave it, or when the analysts resolved a "
                "disagreement by keeping it. Disagreements that are still open are left out of "
                "all counts."
            )
        )

    def method_agreement(self) -> None:
        figures = self.data.agreement
        if figures is None:
            if self.data.analysts:
                self.para(
                    _(
                        "Agreement between analysts could not be measured: that needs two "
                        "analysts who went through the same notes."
                    )
                )
            return
        self.heading(_("Agreement between analysts"), 2)
        percent = self.number(figures.percent, 1)
        self.para(
            _(
                "%(a)s and %(b)s both went through %(units)d notes. For each note and theme they "
                "agreed in %(percent)s %% of their decisions (Cohen's kappa %(kappa)s, "
                "Krippendorff's alpha %(alpha)s; both run from 0, chance, to 1, full "
                "agreement).",
                a=figures.analyst_a,
                b=figures.analyst_b,
                units=figures.units,
                percent=percent,
                kappa=self.number(figures.kappa),
                alpha=self.number(figures.alpha),
            )
            + " "
            + ngettext(
                "They disagreed on %(num)d note and theme; %(open)d of these are still open.",
                "They disagreed on %(num)d notes and themes; %(open)d of these are still open.",
                figures.disagreements,
                open=figures.open_disagreements,
            )
        )
        rows, levels = [], []
        for theme in self.data.themes:
            if theme.id in figures.per_theme:
                share, kappa, alpha = figures.per_theme[theme.id]
                rows.append(
                    (theme.name, self.number(share, 1), self.number(kappa), self.number(alpha))
                )
                levels.append(theme.depth)
        if rows:
            headers = (_("Theme"), _("Agreement %"), _("Kappa"), _("Alpha"))
            widths = (Cm(8.8), Cm(3), Cm(2.1), Cm(2.1))
            caption = _(
                "Agreement between %(a)s and %(b)s per theme",
                a=figures.analyst_a,
                b=figures.analyst_b,
            )
            self.table(headers, rows, widths, levels=levels, numeric=(1, 2, 3), caption=caption)

    def section_appendix(self) -> None:
        self.heading(_("Appendix A: All notes"), 1)
        self.para(
            _(
                "Every note by question and table, as written. Each starts with its number (as "
                "quoted in the report), its kind, a star if it was starred, and its round; the "
                "themes it was coded with (the consensus) follow in small print."
            )
        )
        if not self.data.notes:
            self.muted(_("No notes have been taken yet."))
        known = {q.id for q in self.data.questions}
        for question in self.data.questions:
            notes = self.data.notes_for(question.id)
            if notes:
                self.heading(f"{question.label}: {question.text}", 2)
                self.appendix_notes(notes)
        loose = [note for note in self.data.notes if note.question_id not in known]
        if loose:
            self.heading(_("Notes without a question"), 2)
            self.appendix_notes(loose)
        self.codebook()

    def appendix_notes(self, notes) -> None:
        for table, group in groupby(notes, key=lambda note: note.table):
            self.heading(table or _("No table"), 3)
            mark = self.section_mark()
            for element in _paragraphs_from_xml([self.appendix_note(note) for note in group]):
                mark.addprevious(element)

    def appendix_note(self, note) -> str:
        """One note of the appendix as a paragraph's XML: its id in bold inside the bookmark the
        quotes link to, its kind, star and round muted, the text as written, then its themes."""
        self.bookmarks += 1
        about = " · " + self.kind_label(note.kind) + (" ★" if note.starred else "")
        if note.round:
            about += " · " + self.round_label(note.round)
        parts = [
            '<w:p><w:pPr><w:spacing w:after="80"/></w:pPr>',
            f'<w:bookmarkStart w:id="{self.bookmarks}" w:name="note_{note.id}"/>',
            _run_xml(f"N{note.id}", "<w:b/>"),
            f'<w:bookmarkEnd w:id="{self.bookmarks}"/>',
            _run_xml(_safe(about) + " — ", _MUTED_XML),
            _run_xml(_safe(note.text)),
        ]
        if note.theme_ids:
            names = "; ".join(self.theme_names.get(t, "?") for t in note.theme_ids)
            parts.append("<w:r><w:br/></w:r>")
            parts.append(_run_xml(_safe(self.themes_label % {"names": names}), _SMALL_MUTED_XML))
        parts.append("</w:p>")
        return "".join(parts)

    def kind_label(self, kind: str) -> str:
        """A note kind's label, translated once per report (gettext is slow per call)."""
        if kind not in self._labels:
            self._labels[kind] = kind_label(kind)
        return self._labels[kind]

    def round_label(self, number: int) -> str:
        key = ("round", number)
        if key not in self._labels:
            self._labels[key] = _("round %(n)d", n=number)
        return self._labels[key]

    def codebook(self) -> None:
        themes = self.data.themes
        self.heading(_("Appendix B: Codebook"), 1)
        if not themes:
            self.muted(_("There is no codebook yet."))
            return
        self.para(
            _(
                "The themes the notes were coded with, overarching themes in bold. Notes counts "
                "the notes coded with the theme or a theme below it."
            )
        )
        rows = [
            (t.name, t.description, t.usage, str(self.data.theme_totals.get(t.id, 0)))
            for t in themes
        ]
        headers = (_("Theme"), _("Description"), _("When to use"), _("Notes"))
        unused = [t.name for t in themes if not self.data.theme_totals.get(t.id)]
        if unused and self.data.notes:
            self.para(
                ngettext(
                    "%(num)d theme was not used on any note: %(names)s.",
                    "%(num)d themes were not used on any note: %(names)s.",
                    len(unused),
                    names="; ".join(unused),
                )
            )
        widths = (Cm(4.2), Cm(6.1), Cm(4.1), Cm(1.6))
        levels = [t.depth for t in themes]
        self.table(headers, rows, widths, levels=levels, numeric=(3,), caption=_("The codebook"))
