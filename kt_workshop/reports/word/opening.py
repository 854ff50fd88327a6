"""The report's opening sections: title page, contents, summary, participation, format and plan."""

from __future__ import annotations

from collections import Counter

from docx.enum.text import WD_BREAK
from docx.shared import Cm, Emu, Pt

from kt_workshop.i18n import _, ngettext
from kt_workshop.plan import printouts
from kt_workshop.reports.dataset import (
    Block,
)
from kt_workshop.reports.word.document import (
    SMALL_SIZE,
    TEXT_WIDTH,
    TOC,
    _field,
)


class Opening:
    """The opening sections: title page, contents, summary, participation, format and plan."""

    def title_page(self) -> None:
        data = self.data
        top = self.para(_("Workshop report"), "Subtitle")
        top.paragraph_format.space_before = Cm(5)
        self.para(data.title or _("Workshop report"), "Title")
        when = " · ".join(p for p in (self.day(data.date) if data.date else "", data.venue) if p)
        if when:
            self.para(when, size=Pt(13))
        if data.chatham_house:
            self.para(_("Held under the Chatham House Rule."), italic=True)
        made = self.para(
            _("Prepared with kt-workshop on %(day)s.", day=self.day(data.generated_at)),
            muted=True,
            size=SMALL_SIZE,
        )
        made.paragraph_format.space_before = Cm(8)
        made.add_run().add_break(WD_BREAK.PAGE)

    def contents(self) -> None:
        self.para(_("Contents"), "TOC Heading")
        paragraph = self.add_paragraph()
        _field(paragraph, TOC, _("Right-click to update the table of contents."), dirty=True)

    # Sections --------------------------------------------------------------------------------

    def section_summary(self) -> None:
        data = self.data
        self.heading(_("Summary"), 1)
        if data.description:
            self.para(data.description)
        if self.data.questions or self.data.delegates:
            self.para(self.summary_facts())
        if not data.notes:
            self.muted(_("No notes have been taken yet."))
        overarching = data.overarching()
        if overarching and data.theme_totals:
            self.para(
                ngettext(
                    "The themes that emerged crossed and interwove through the discussions and "
                    "produced %(num)d overarching theme:",
                    "The themes that emerged crossed and interwove through the discussions and "
                    "produced %(num)d overarching themes:",
                    len(overarching),
                )
            )
            self.bullets(theme.name for theme in overarching)
        if len(data.questions) > 1 and data.links:
            self.para(self.isolation_sentence())
        if data.points:
            self.para(
                ngettext(
                    "The workshop identified %(num)d point for further discussion.",
                    "The workshop identified %(num)d points for further discussion.",
                    len(data.points),
                )
            )

    def summary_facts(self) -> str:
        data, people = self.data, self.attended()
        countries = len({d.country for d in people if d.country})
        facts = {
            "delegates": ngettext("%(num)d delegate", "%(num)d delegates", len(people)),
            "countries": ngettext("%(num)d country", "%(num)d countries", countries),
            "questions": ngettext("%(num)d question", "%(num)d questions", len(data.questions)),
            "blocks": ngettext("%(num)d session", "%(num)d sessions", len(data.blocks)),
            "notes": ngettext("%(num)d note", "%(num)d notes", len(data.notes)),
        }
        if people:
            text = _(
                "%(delegates)s from %(countries)s took part. They discussed %(questions)s in "
                "%(blocks)s, and the moderators took %(notes)s.",
                **facts,
            )
        else:
            text = _(
                "The programme has %(questions)s in %(blocks)s; %(notes)s were taken.", **facts
            )
        if data.analysts and data.notes:
            text += " " + ngettext(
                "One analyst coded the notes against a codebook of %(themes)s.",
                "%(num)d analysts coded the notes against a codebook of %(themes)s.",
                data.analysts,
                themes=ngettext("%(num)d theme", "%(num)d themes", len(data.themes)),
            )
        return text

    def section_participation(self) -> None:
        people = self.attended()
        self.heading(_("Participation"), 1)
        if not self.data.delegates:
            self.muted(_("No delegates have been registered."))
            return
        countries = Counter(d.country or _("Not given") for d in people)
        sectors = Counter(d.sector or _("Not given") for d in people)
        text = _(
            "%(delegates)s took part, from %(countries)s and %(sectors)s.",
            delegates=ngettext("%(num)d delegate", "%(num)d delegates", len(people)),
            countries=ngettext("%(num)d country", "%(num)d countries", len(countries)),
            sectors=ngettext("%(num)d sector", "%(num)d sectors", len(sectors)),
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
                rounds=", ".join(dict.fromkeys(d.left_after for d in leavers)),
            )
        ideas = self.data.ideas or {}
        if ideas.get("sent"):
            text += " " + ngettext(
                "Participants sent %(num)d idea from their phones: %(accepted)s became notes, "
                "%(dismissed)s were set aside and %(pending)s were not decided.",
                "Participants sent %(num)d ideas from their phones: %(accepted)s became notes, "
                "%(dismissed)s were set aside and %(pending)s were not decided.",
                ideas["sent"],
                accepted=ideas.get("accepted", 0),
                dismissed=ideas.get("dismissed", 0),
                pending=ideas.get("pending", 0),
            )
        self.para(text)
        self.heading(_("Countries"), 2)
        self.counts(countries, _("Country"), _("Delegates by country"))
        self.figure("participation-by-country", _("Delegates by country"))
        self.heading(_("Sectors"), 2)
        self.counts(sectors, _("Sector"), _("Delegates by sector"))
        self.figure("participation-by-sector", _("Delegates by sector"))
        self.participation_by_block(people)

    def counts(self, counter: Counter, what: str, caption: str) -> None:
        rows = sorted(counter.items(), key=lambda item: (-item[1], item[0].casefold()))
        self.table(
            (what, _("Delegates")),
            [(name, str(n)) for name, n in rows],
            (Cm(12), Cm(4)),
            numeric=(1,),
            caption=caption,
        )

    def participation_by_block(self, people) -> None:
        if not self.data.blocks:
            return
        self.heading(_("Sessions"), 2)
        rows = [
            (block.title, block.starts_at, str(sum(block.id in d.blocks for d in people)))
            for block in self.data.blocks
        ]
        headers = (_("Session"), _("Starts"), _("Delegates"))
        widths = (Cm(10.5), Cm(2.5), Cm(3))
        self.table(headers, rows, widths, numeric=(2,), caption=_("Delegates per session"))

    def section_plan(self) -> None:
        data = self.data
        self.heading(_("Format and plan"), 1)
        self.para(self.format_text())
        if not data.blocks:
            self.muted(_("No sessions have been planned yet."))
        else:
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
        moderators = ngettext("%(num)d moderator", "%(num)d moderators", self.data.moderators)
        tables = len(self.data.tables)
        if not tables or (self.data.format == "fixed_groups" and not self.data.moderators):
            names = {
                "fixed_groups": _("fixed groups, travelling moderators"),
                "travelling": _("travelling participants, table hosts stay"),
                "mixed": _("mixed: some move, some stay"),
            }
            format_ = names.get(self.data.format, self.data.format)
            return _("The workshop is a world café: %(format)s.", format=format_)
        texts = {
            "fixed_groups": _(
                "The workshop was run as a world café with fixed groups: delegates were split "
                "into %(tables)s, which they stayed in for the whole day, and %(moderators)s "
                "went from group to group, each leading the discussion of one question. Every "
                "group met every question of a session, the moderators deepened their knowledge "
                "of their question round by round, and the groups had time to bond and talk "
                "frankly.",
                tables=self.table_word(tables),
                moderators=moderators,
            ),
            "travelling": _(
                "The workshop was run as a world café with travelling participants: a host "
                "stayed at each of the %(tables)s with its question, and delegates moved "
                "between the tables from round to round, so that conversations cross-pollinated "
                "and each host could build on what earlier rounds had said.",
                tables=ngettext("%(num)d table", "%(num)d tables", tables),
            ),
        }
        mixed = _(
            "The workshop was run as a world café in a mixed format: some delegates moved "
            "between the %(tables)s from round to round while others stayed, with "
            "%(moderators)s leading the discussions.",
            tables=ngettext("%(num)d table", "%(num)d tables", tables),
            moderators=moderators,
        )
        return texts.get(self.data.format, mixed)

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
