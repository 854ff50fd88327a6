"""The closing sections: feedback, method (capture, coding, agreement), data protection, the
appendix of every note and the codebook."""

from __future__ import annotations

from itertools import groupby

from babel.numbers import format_percent
from docx.enum.text import WD_BREAK
from docx.shared import Cm

from kt_workshop.i18n import _, ngettext
from kt_workshop.reports.dataset import HELD, kind_label
from kt_workshop.reports.word.document import (
    _MUTED_XML,
    _SMALL_MUTED_XML,
    GROUP_HEADING,
    _paragraphs_from_xml,
    _run_xml,
    _safe,
)


class Closing:
    """The closing sections: feedback, method (capture, coding, agreement), data protection, the
    appendix of every note and the codebook."""

    def section_feedback(self) -> None:
        feedback = self.data.feedback
        if not feedback or not self.data.respondents:
            return
        self.heading(_("Feedback"), 1)
        self.para(self.response_rate())
        ratings = [item for item in feedback if item.kind == "rating"]
        if ratings:
            self.para(
                _(
                    "Each rating question was answered on a scale from 1 (lowest) to 5 "
                    "(highest), as the form showed it; the mean is the average of the answers "
                    "given."
                )
            )
            self.figure("feedback-ratings", _("Delegates' ratings of the workshop"))
            rows = []
            for item in ratings:
                answers = sum(item.ratings.values())
                mean = sum(r * n for r, n in item.ratings.items()) / answers if answers else None
                # A no-break space: never "5:" at a line's end and "28" on the next.
                spread = " · ".join(f"{r}:\u00a0{n}" for r, n in sorted(item.ratings.items()))
                rows.append((item.text, str(answers), self.number(mean, 1), spread or "–"))
            headers = (_("Question"), _("Answers"), _("Mean"), _("Ratings"))
            widths = (Cm(7.5), Cm(2), Cm(1.7), Cm(4.8))
            self.table(headers, rows, widths, numeric=(1, 2), caption=_("Feedback ratings"))
        for item in feedback:
            if item.kind != "rating" and item.answers:
                self.heading(item.text, 2)
                self.bullets(item.answers)

    def response_rate(self) -> str:
        """ "41 of the 65 registered delegates (63 %) sent the feedback form." """
        answered, registered = self.data.respondents, len(self.data.delegates)
        if not registered:
            return ngettext(
                "%(num)d person sent the feedback form.",
                "%(num)d people sent the feedback form.",
                answered,
            )
        return ngettext(
            "%(num)d of the %(registered)d registered delegate (%(share)s) sent the feedback form.",
            "%(num)d of the %(registered)d registered delegates (%(share)s) sent the feedback "
            "form.",
            answered,
            registered=registered,
            share=format_percent(answered / registered, locale=self.locale),
        )

    def section_method(self) -> None:
        self.heading(_("Method and data protection"), 1)
        self.method_capture()
        self.method_coding()
        self.method_agreement()
        self.limitations()
        self.heading(_("Data protection"), 2)
        text = _(
            "Notes record what was said at a table in a round, not who said it, and delegates "
            "appear only as counts by country, sector and session. Quotes are identified by the "
            "number of their note (for example N12), which refers to the appendix, not to a "
            "person. The organiser reviewed every key quote before publication."
        )
        edited = sum(note.edited for note in self.data.notes)
        if edited:
            text += " " + ngettext(
                "%(num)d note was edited for publication, for instance to take out who said "
                "it; the notes as written are kept with the workshop's records.",
                "%(num)d notes were edited for publication, for instance to take out who said "
                "it; the notes as written are kept with the workshop's records.",
                edited,
            )
        self.para(text)
        if self.data.data_protection:  # from the workshop's privacy settings, as they are
            self.para(" ".join(self.data.data_protection))
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
                "The report draws on %(num)d note; notes deleted by their writers are not counted.",
                "The report draws on %(num)d notes; notes deleted by their writers are not "
                "counted.",
                len(self.data.notes),
            )
        self.para(text)
        left_out = self.data.left_out
        if left_out:
            reasons = "; ".join(
                f"{_('held back from the projector on the day') if why == HELD else why}: {n}"
                for why, n in sorted(left_out.items(), key=lambda item: -item[1])
            )
            self.para(
                ngettext(
                    "The organiser left %(num)d note out of the report (%(reasons)s).",
                    "The organiser left %(num)d notes out of the report (%(reasons)s).",
                    sum(left_out.values()),
                    reasons=reasons,
                )
            )
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
        if not data.analysts or not data.used_themes():
            return
        self.heading(_("Coding and analysis"), 2)
        # One message per count, so each noun is declined with its own number.
        text = " ".join(
            (
                ngettext(
                    "One analyst coded the notes against a shared codebook (listed in the "
                    "appendix).",
                    "%(num)d analysts coded the notes against a shared codebook (listed in "
                    "the appendix).",
                    data.analysts,
                ),
                ngettext(
                    "The codebook has %(num)d theme.",
                    "The codebook has %(num)d themes.",
                    len(data.used_themes()),
                ),
                ngettext(
                    "They come under %(num)d overarching theme.",
                    "They come under %(num)d overarching themes.",
                    len(data.overarching()),
                ),
            )
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
                "Themes are counted with the themes below them: a note coded with a sub-theme "
                "also counts under its theme and overarching theme. This one rule holds for "
                "every count, chart, table and agreement figure in this report and the workbook."
            )
            + " "
            + _(
                "The report counts the consensus coding: a note carries a theme when every "
                "analyst who went through the note gave it (or a theme below it), or when the "
                "analysts resolved a disagreement by keeping it. A note an analyst did not go "
                "through is not a disagreement: its themes are those of the analysts who did. "
                "Disagreements that are still open are left out of all counts."
            )
        )
        self.method_coverage()

    def method_coverage(self) -> None:
        """How complete the coding was when the report was made (issue 14: partial coding is
        stated, never hidden)."""
        figures = self.data.agreement
        if figures is None:
            return
        if figures.by_all == figures.notes:  # the usual case, said without a row of zeros
            text = ngettext(
                "Every analyst went through the note.",
                "Every analyst went through all %(num)d notes.",
                figures.notes,
            )
        else:
            text = _(
                "Of the %(notes)d notes, %(all)d were gone through by every analyst, %(some)d by "
                "some of them (%(one)d by one analyst alone) and %(none)d by nobody.",
                notes=figures.notes,
                all=figures.by_all,
                some=figures.by_some,
                one=figures.by_one,
                none=figures.by_none,
            )
        text += " " + ngettext(
            "%(num)d disagreement was resolved (%(reasons)d with a written reason);",
            "%(num)d disagreements were resolved (%(reasons)d with a written reason);",
            figures.decided,
            reasons=figures.with_reason,
        )
        text += " " + ngettext(
            "%(num)d is still open.", "%(num)d are still open.", figures.open_disagreements
        )
        self.para(text)

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
        self.para(
            _(
                "Each note is a unit and each theme present or absent on it. For every pair of "
                "analysts, on the notes both went through: the share of note-and-theme "
                "decisions they made alike; Cohen's kappa pooled over the themes (De Vries et "
                "al. 2008: the mean observed and the mean chance agreement over the themes, then "
                "one ratio, not the mean of the themes' kappas); and Krippendorff's alpha over "
                "every note-and-theme decision. Kappa and alpha run from 0, chance, to 1, full "
                "agreement. They are undefined for a theme nobody used (or everyone used) on "
                "the compared notes; such themes are marked so and left out of the pooled "
                "figures."
            )
        )
        analysts = "; ".join(
            _("%(name)s went through %(seen)d notes and coded %(coded)d", name=a.name,
              seen=a.seen, coded=a.coded)
            for a in figures.analysts
        )  # fmt: skip
        self.para(analysts + ".")
        for pair in figures.pairs:
            self.para(
                _(
                    "%(a)s and %(b)s both went through %(units)d notes and agreed in %(percent)s "
                    "%% of their decisions over %(themes)d themes (pooled Cohen's kappa "
                    "%(kappa)s, Krippendorff's alpha %(alpha)s).",
                    a=pair.analyst_a,
                    b=pair.analyst_b,
                    units=pair.units,
                    percent=self.number(pair.percent, 1),
                    themes=pair.themes_pooled,
                    kappa=self.number(pair.kappa),
                    alpha=self.number(pair.alpha),
                )
                + " "
                + ngettext(
                    "The two differ on %(num)d note-and-theme decision; %(open)d of the "
                    "disagreements between them are still open.",
                    "The two differ on %(num)d note-and-theme decisions; %(open)d of the "
                    "disagreements between them are still open.",
                    pair.disagreements,
                    open=pair.open_disagreements,
                )
            )
        if len(figures.analysts) > 2:
            self.para(
                _(
                    "All %(n)d analysts together: Krippendorff's alpha %(alpha)s over %(themes)d "
                    "themes; everyone who went through a note made the same decision in "
                    "%(percent)s %% of cases.",
                    n=len(figures.analysts),
                    alpha=self.number(figures.all_alpha),
                    themes=figures.all_themes_pooled,
                    percent=self.number(figures.all_percent, 1),
                )
            )
        undefined = _("undefined")
        for pair in figures.pairs:
            rows, levels = [], []
            for theme in self.data.themes:
                if theme.id in pair.per_theme:
                    share, kappa, alpha = pair.per_theme[theme.id]
                    gap = theme.id in pair.undefined
                    rows.append(
                        (
                            theme.name,
                            self.number(share, 1),
                            undefined if gap else self.number(kappa),
                            undefined if gap else self.number(alpha),
                        )
                    )
                    levels.append(theme.depth)
            if rows:
                headers = (_("Theme"), _("Agreement %"), _("Kappa"), _("Alpha"))
                widths = (Cm(8.8), Cm(3), Cm(2.1), Cm(2.1))
                caption = _(
                    "Agreement between %(a)s and %(b)s per theme (undefined: nobody, or "
                    "everyone, used the theme on the notes both went through)",
                    a=pair.analyst_a,
                    b=pair.analyst_b,
                )
                self.table(headers, rows, widths, levels=levels, numeric=(1, 2, 3), caption=caption)

    def limitations(self) -> None:
        """What the reader should keep in mind: notes are paraphrases, coverage is uneven,
        several languages; and what the organiser added."""
        data = self.data
        if not data.notes:
            return
        self.heading(_("Limitations"), 2)
        self.para(
            _(
                "The notes are the moderators' summaries of the discussion, written as it went "
                "on; they are not transcripts. Only notes of the kind quote give a delegate's "
                "own words; other key notes are printed as paraphrase."
            )
        )
        per_question = [len(data.notes_for(q.id)) for q in data.questions]
        if len(per_question) > 1 and max(per_question) > min(per_question):
            fewest = min(data.questions, key=lambda q: len(data.notes_for(q.id)))
            most = max(data.questions, key=lambda q: len(data.notes_for(q.id)))
            self.para(
                _(
                    "Coverage is uneven: the questions drew from %(fewest)d notes (%(a)s) to "
                    "%(most)d (%(b)s), so a count shows how often a theme came up in the notes, "
                    "not how many people hold a view.",
                    fewest=min(per_question),
                    most=max(per_question),
                    a=fewest.label,
                    b=most.label,
                )
            )
        if data.other_languages:
            names = self.locale.languages
            languages = ", ".join(
                names.get(code, code)
                for code in sorted(data.other_languages, key=lambda c: -data.other_languages[c])
            )
            self.para(
                ngettext(
                    "%(num)d note was written in another language than the report's "
                    "(%(languages)s); it is printed as written, not translated.",
                    "%(num)d notes were written in other languages than the report's "
                    "(%(languages)s); they are printed as written, not translated.",
                    sum(data.other_languages.values()),
                    languages=languages,
                )
            )
        if data.front.limitations:
            for part in data.front.limitations.split("\n\n"):
                self.para(part)

    def section_appendix(self) -> None:
        if not self.data.notes and not self.data.used_themes():
            return
        self.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        self.heading(_("Appendix A: All notes"), 1)
        self.para(
            _(
                "Every note in the report, by question and table. Each starts with its number "
                "(as quoted in the report), its kind, a star if it was starred, and its round; "
                "the themes it was coded with (the consensus) follow in small print. Notes "
                "edited for publication are marked so."
            )
        )
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
            self.para(table or _("No table"), GROUP_HEADING)  # level 3, not in the contents
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
        if note.edited:
            about += " · " + self.round_label("edited")
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

    def round_label(self, number) -> str:
        """ "round 3" (or, for "edited", the mark of a note edited for publication), translated
        once per report."""
        key = ("round", number)
        if key not in self._labels:
            if number == "edited":
                self._labels[key] = _("edited for publication")
            else:
                self._labels[key] = _("round %(n)d", n=number)
        return self._labels[key]

    def codebook(self) -> None:
        themes = self.data.used_themes()
        if not themes:
            return
        self.heading(_("Appendix B: Codebook"), 1)
        self.para(
            _(
                "The themes the notes were coded with, overarching themes in bold. Notes counts "
                "the notes coded with the theme or a theme below it. Themes no note was coded "
                "with are not listed; the workbook has the whole codebook."
            )
        )
        rows = [
            (t.name, t.description, t.usage, str(self.data.theme_totals.get(t.id, 0)))
            for t in themes
        ]
        headers = (_("Theme"), _("Description"), _("When to use"), _("Notes"))
        widths = (Cm(4.2), Cm(6.1), Cm(4.1), Cm(1.6))
        levels = [t.depth for t in themes]
        self.table(headers, rows, widths, levels=levels, numeric=(3,), caption=_("The codebook"))
