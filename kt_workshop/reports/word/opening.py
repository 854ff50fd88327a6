"""The report's opening sections: title page, contents, summary, participation, format and plan."""

from __future__ import annotations

import re
from collections import Counter

from docx.enum.text import WD_BREAK
from docx.shared import Cm, Emu, Pt

from kt_workshop.i18n import _, list_of, ngettext
from kt_workshop.plan import printouts
from kt_workshop.reports.dataset import ABOUT_FIELDS, Block
from kt_workshop.reports.word.document import SMALL_SIZE, TEXT_WIDTH, _page_break, _safe


class Opening:
    """The opening sections: title page, contents, summary, participation, format and plan."""

    def title_page(self) -> None:
        data, front = self.data, self.data.front
        top = self.para(_("Workshop report"), "Subtitle")
        top.paragraph_format.space_before = Cm(4)
        self.para(data.title or _("Workshop report"), "Title")
        when = " · ".join(p for p in (self.day(data.date) if data.date else "", data.venue) if p)
        if when:
            self.para(when, size=Pt(13))
        if front.authors:
            self.para(front.authors, size=Pt(12))
        if front.commissioned_by:
            self.para(_("Commissioned by %(who)s", who=front.commissioned_by))
        if data.chatham_house:
            self.para(_("Held under the Chatham House Rule."), italic=True)
        made = _("Prepared with kt-workshop on %(day)s.", day=self.day(data.generated_at))
        if front.version:
            made = _("Version %(version)s.", version=front.version) + " " + made
        last = self.para(made, muted=True, size=SMALL_SIZE)
        last.paragraph_format.space_before = Cm(6)
        last.add_run().add_break(WD_BREAK.PAGE)

    def about_page(self) -> None:
        """The front matter the organiser wrote (commissioning, funder, acknowledgements, how
        to cite, version, licence, contact), on a page of its own; nothing when none is set."""
        front = self.data.front
        if not front.any():
            return
        labels = {
            "commissioned_by": _("Commissioned by"),
            "funder": _("Funding"),
            "acknowledgements": _("Acknowledgements"),
            "citation": _("How to cite this report"),
            "version": _("Version"),
            "licence": _("Licence"),
            "contact": _("Contact"),
        }
        self.para(_("About this report"), "TOC Heading")
        for name in ABOUT_FIELDS:
            value = getattr(front, name)
            if value:
                self.label(labels[name])
                for part in value.split("\n\n"):
                    self.para(part)
        self.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    def contents(self) -> None:
        """The contents, filled in when every section is written (`fill_contents`)."""
        self.para(_("Contents"), "TOC Heading")
        self.contents_mark = self.add_paragraph()._p
        self.contents_mark.addnext(_page_break())

    # Sections --------------------------------------------------------------------------------

    def section_summary(self) -> None:
        """The executive summary: the organiser's own text, the main findings (each
        overarching theme with its count and the first paragraph of its summary), the points
        for further discussion in full, and the workshop in figures."""
        data = self.data
        overarching = data.overarching()
        if not (data.front.executive_summary or overarching or data.points or data.notes):
            return
        self.heading(_("Executive summary"), 1)
        if data.front.executive_summary:
            for part in data.front.executive_summary.split("\n\n"):
                self.para(part)
        if overarching:
            self.heading(_("Main findings"), 2)
            self.para(
                ngettext(
                    "The analysts grouped what was said under %(num)d overarching theme:",
                    "The analysts grouped what was said under %(num)d overarching themes:",
                    len(overarching),
                )
            )
            for theme in overarching:
                paragraph = self.para(style="List Bullet")
                count = ngettext(
                    "%(num)d note", "%(num)d notes", data.theme_totals.get(theme.id, 0)
                )
                paragraph.add_run(_safe(f"{theme.name} ({count})")).bold = True
                first = _lead(theme.summary)
                if first:
                    paragraph.add_run(_safe(f": {first}"))
            if len(data.questions) > 1 and data.links:
                self.para(self.isolation_sentence())
        if data.points:
            self.heading(_("Recommendations and points for further discussion"), 2)
            for point in data.points:
                self.para(point, "List Number")
        if data.questions or data.delegates:
            self.heading(_("The workshop in figures"), 2)
            if data.description:
                self.para(data.description)
            self.para(self.summary_facts())

    def section_glossary(self) -> None:
        """The workshop's own terms, as the organiser explained them."""
        if not self.data.glossary:
            return
        self.heading(_("Glossary"), 1)
        rows = sorted(self.data.glossary, key=lambda item: item[0].casefold())
        self.table((_("Term"), _("Meaning")), rows, (Cm(3.5), Cm(12.5)))

    def ideas_sentence(self, ideas: dict) -> str:
        """ "Participants sent 3 ideas from their phones. 1 of them was set aside. 2 of them
        were not decided.": each outcome a sentence with its own count (one message per count,
        so every language can decline its words), outcomes nobody had left out."""
        sentences = [
            ngettext(
                "Participants sent %(num)d idea from their phones.",
                "Participants sent %(num)d ideas from their phones.",
                ideas["sent"],
            )
        ]
        accepted, dismissed, pending = (
            ideas.get(k, 0) for k in ("accepted", "dismissed", "pending")
        )
        # Each message written out in full, so the extraction finds it.
        if accepted:
            sentences.append(
                ngettext(
                    "%(num)d of them became a note.", "%(num)d of them became notes.", accepted
                )
            )
        if dismissed:
            sentences.append(
                ngettext(
                    "%(num)d of them was set aside.", "%(num)d of them were set aside.", dismissed
                )
            )
        if pending:
            sentences.append(
                ngettext(
                    "%(num)d of them was not decided.", "%(num)d of them were not decided.", pending
                )
            )
        return " ".join(sentences)

    def people_sentence(self, count: int) -> str:
        """ "65 delegates took part." when attendance was recorded, else "65 delegates
        registered.": nobody is said to have come who was only registered. Each count is
        its own sentence (one message per count), so every language can decline its noun."""
        if self.data.attendance_recorded:
            return ngettext("%(num)d delegate took part.", "%(num)d delegates took part.", count)
        return ngettext("%(num)d delegate registered.", "%(num)d delegates registered.", count)

    def summary_facts(self) -> str:
        data, people = self.data, self.attended()
        countries = len({d.country for d in people if d.country})
        questions, blocks = len(data.questions), len(data.blocks)
        if people:
            facts = [self.people_sentence(len(people))]
            if countries:
                facts.append(
                    ngettext(
                        "They came from %(num)d country.",
                        "They came from %(num)d countries.",
                        countries,
                    )
                )
            facts.append(
                ngettext(
                    "They discussed %(num)d question.",
                    "They discussed %(num)d questions.",
                    questions,
                )
            )
            if blocks:
                facts.append(
                    ngettext(
                        "The day had %(num)d session.", "The day had %(num)d sessions.", blocks
                    )
                )
            facts.append(
                ngettext(
                    "The report draws on the %(num)d note the moderators took.",
                    "The report draws on the %(num)d notes the moderators took.",
                    len(data.notes),
                )
            )
        else:
            facts = [
                ngettext(
                    "The programme has %(num)d question.",
                    "The programme has %(num)d questions.",
                    questions,
                )
            ]
            if blocks:
                facts.append(
                    ngettext(
                        "The day has %(num)d session.", "The day has %(num)d sessions.", blocks
                    )
                )
        coded = sum(1 for note in data.notes if note.theme_ids)
        if data.analysts and coded:
            facts.append(self.analysts_sentence())
            facts.append(self.codebook_sentence())
        return " ".join(facts)

    def analysts_sentence(self) -> str:
        return ngettext(
            "One analyst coded the notes against a codebook.",
            "%(num)d analysts coded the notes against a codebook.",
            self.data.analysts,
        )

    def codebook_sentence(self) -> str:
        return ngettext(
            "The codebook has %(num)d theme.",
            "The codebook has %(num)d themes.",
            len(self.data.used_themes()),
        )

    def section_participation(self) -> None:
        people = self.attended()
        if not self.data.delegates:
            return
        self.heading(_("Participation"), 1)
        countries = Counter(d.country or _("Not given") for d in people)
        sectors = Counter(d.sector or _("Not given") for d in people)
        text = " ".join(
            (
                self.people_sentence(len(people)),
                ngettext(
                    "They came from %(num)d country.",
                    "They came from %(num)d countries.",
                    len(countries),
                ),
                ngettext(
                    "They represented %(num)d sector.",
                    "They represented %(num)d sectors.",
                    len(sectors),
                ),
            )
        )
        absent = len(self.data.delegates) - len(people)
        if absent:
            text += " " + ngettext(
                "%(num)d more delegate registered but did not attend.",
                "%(num)d more delegates registered but did not attend.",
                absent,
            )
        leavers = [d for d in people if d.left_after]
        if leavers:
            text += " " + ngettext(
                "%(num)d of them left during the day (after %(rounds)s).",
                "%(num)d of them left during the day (after %(rounds)s).",
                len(leavers),
                rounds=list_of(dict.fromkeys(d.left_after for d in leavers)),
            )
        ideas = self.data.ideas or {}
        if ideas.get("sent"):
            text += " " + self.ideas_sentence(ideas)
        self.para(text).paragraph_format.keep_with_next = True
        # The charts carry the counts (each bar is labelled), in the same order as a table
        # would: most first, ties by name. A table beside them would only repeat them.
        self.heading(_("Countries"), 2)
        self.figure("participation-by-country", _("Delegates by country"))
        self.heading(_("Sectors"), 2)
        self.figure("participation-by-sector", _("Delegates by sector"))
        self.participation_by_block(people)

    def participation_by_block(self, people) -> None:
        """Delegates per session, when it says something: not when every delegate is counted
        in every session (fixed groups stay all day, so nothing was recorded)."""
        if not self.data.blocks:
            return
        counts = [sum(block.id in d.blocks for d in people) for block in self.data.blocks]
        if all(count == len(people) for count in counts):
            return
        self.heading(_("Sessions"), 2)
        rows = [
            (block.title, block.starts_at, str(count))
            for block, count in zip(self.data.blocks, counts, strict=True)
        ]
        headers = (_("Session"), _("Starts"), _("Delegates"))
        widths = (Cm(10.5), Cm(2.5), Cm(3))
        self.table(headers, rows, widths, numeric=(2,), caption=_("Delegates per session"))

    def section_plan(self) -> None:
        data = self.data
        self.heading(_("Format and plan"), 1)
        self.para(self.format_text())
        if data.blocks:
            rows = [self.block_row(block) for block in data.blocks]
            headers = (_("Session"), _("Starts"), _("Rounds"), _("Questions"))
            widths = (Cm(8), Cm(2), Cm(3.5), Cm(2.5))
            self.table(headers, rows, widths, caption=_("The sessions of the day"))
        for block, questions in self.programme():
            self.heading(block.title if block else _("Other questions"), 2)
            if block and block.starts_at:
                start = self.para(_("From %(time)s.", time=block.starts_at), muted=True)
                start.paragraph_format.keep_with_next = True
            self.bullets(f"{q.label}: {q.text}" for q in questions)
            if not questions:
                self.muted(_("No questions were set for this session."))
            if block:
                self.plan_grid(block)

    def format_text(self) -> str:
        tables, moderators = len(self.data.tables), self.data.moderators
        if not tables or (self.data.format == "fixed_groups" and not moderators):
            names = {
                "fixed_groups": _("fixed groups, travelling moderators"),
                "travelling": _("travelling participants, table hosts stay"),
                "mixed": _("mixed: some move, some stay"),
            }
            format_ = names.get(self.data.format, self.data.format)
            return _("The workshop is a world café: %(format)s.", format=format_)
        # One message per count: a count and its noun are never translated apart.
        if self.data.format == "fixed_groups":
            return " ".join(
                (
                    ngettext(
                        "The workshop was run as a world café with fixed groups: delegates "
                        "were put into %(num)d group, which they stayed in for the whole day.",
                        "The workshop was run as a world café with fixed groups: delegates "
                        "were split into %(num)d groups, which they stayed in for the whole day.",
                        tables,
                    ),
                    ngettext(
                        "%(num)d moderator went from group to group, leading the discussion "
                        "of one question.",
                        "%(num)d moderators went from group to group, each leading the "
                        "discussion of one question.",
                        moderators,
                    ),
                    _(
                        "Every group met every question of a session, the moderators deepened "
                        "their knowledge of their question round by round, and the groups had "
                        "time to bond and talk frankly."
                    ),
                )
            )
        if self.data.format == "travelling":
            return ngettext(
                "The workshop was run as a world café with travelling participants: a host "
                "stayed at the %(num)d table with its question, and delegates came to it "
                "from round to round, so that each host could build on what earlier rounds "
                "had said.",
                "The workshop was run as a world café with travelling participants: a host "
                "stayed at each of the %(num)d tables with its question, and delegates moved "
                "between the tables from round to round, so that conversations cross-pollinated "
                "and each host could build on what earlier rounds had said.",
                tables,
            )
        return " ".join(
            (
                ngettext(
                    "The workshop was run as a world café in a mixed format: at the %(num)d "
                    "table some delegates changed from round to round while others stayed.",
                    "The workshop was run as a world café in a mixed format: some delegates "
                    "moved between the %(num)d tables from round to round while others stayed.",
                    tables,
                ),
                ngettext(
                    "%(num)d moderator led the discussions.",
                    "%(num)d moderators led the discussions.",
                    moderators,
                ),
            )
        )

    def block_row(self, block: Block) -> tuple[str, str, str, str]:
        if block.rounds and len(set(block.rounds)) == 1:
            rounds = _(
                "%(count)d × %(minutes)d min", count=len(block.rounds), minutes=block.rounds[0]
            )
        else:
            rounds = _("%(minutes)s min", minutes=", ".join(str(m) for m in block.rounds))
        labels = [q.label for q in self.data.questions if q.block_id == block.id]
        span = f"{labels[0]}–{labels[-1]}" if len(labels) > 1 else "".join(labels)
        return block.title, block.starts_at, rounds if block.rounds else "–", span

    def plan_grid(self, block: Block) -> None:
        """Rounds x tables -> the question discussed there, from the plan or, where the plan
        does not fix questions to tables (moderators travel), from the notes taken."""
        label = {q.id: q.label for q in self.data.questions}
        planned = [cell for cell in self.data.plan if cell.block_id == block.id]
        cells, from_notes = {}, False
        if any(cell.question_id in label for cell in planned):
            for cell in planned:
                cells[(cell.round, cell.table)] = label.get(cell.question_id, _("self-led"))
        else:
            seen: dict[tuple, Counter] = {}
            for note in self.data.notes:
                if note.block_id == block.id and note.question_id in label and note.round:
                    seen.setdefault((note.round, note.table), Counter())[note.question_id] += 1
            cells = {key: label[c.most_common(1)[0][0]] for key, c in seen.items()}
            from_notes = True
        if not cells:
            return
        used = {table for _round, table in cells}
        tables = [t for t in self.data.tables if t in used] + sorted(used - set(self.data.tables))
        times = printouts.round_times(
            printouts.Block(
                title="",
                starts_at=block.starts_at or "",
                rounds=tuple(printouts.Round(i, m) for i, m in enumerate(block.rounds, 1)),
            )
        )
        count = max([len(block.rounds)] + [r for r, _t in cells])
        rows = [
            [str(n), times[n - 1] if n <= len(times) else ""]
            + [cells.get((n, table), "–") for table in tables]
            for n in range(1, count + 1)
        ]
        first = [Cm(1.8), Cm(2.6)]
        rest = Emu(int((TEXT_WIDTH - sum(first)) / max(len(tables), 1)))
        if self.groups:
            caption = _(
                "Which question each group discussed in each round: %(block)s", block=block.title
            )
        else:
            caption = _(
                "Which question each table discussed in each round: %(block)s", block=block.title
            )
        if from_notes:
            caption += " " + _("(from the notes taken)")
        headers = [_("Round"), _("Time"), *tables]
        self.table(headers, rows, first + [rest] * len(tables), caption=caption)


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9“\"'(])")


def _lead(text: str, sentences: int = 2) -> str:
    """The first sentences of a summary, for the executive summary (the findings have it in
    full)."""
    first = (text or "").split("\n\n")[0].strip()
    parts = _SENTENCE_END.split(first)
    return " ".join(parts[:sentences])
