"""Blind coding: the one rule for what a person may see of the others' coding.

While the organiser keeps coding blind (the default), an analyst sees only their own codes,
memos, key-quote marks, rule runs and counts; nothing derived from the others' work: not the
consensus, not the comparison or agreement figures, not the report, its charts or its files,
not another analyst's notes through a filter, not the others' codings in a .qdpx. The organiser
sees everything. Every coding page, API route and export asks `sight_of` and goes by its answer;
tests/test_coding_blind.py walks every route and export as a blind analyst.
"""

from dataclasses import dataclass

from sqlite_utils import Database

from kt_workshop import store
from kt_workshop.coding.codes import analyst_for
from kt_workshop.i18n import _


@dataclass(frozen=True)
class Sight:
    """What one person may see of the workshop's coding right now."""

    analyst_id: int | None  # their own analyst row (None until their first change)
    blind: bool  # True: their own work only

    def sees(self, analyst_id) -> bool:
        """Whether this analyst's codes, memos and marks may be shown."""
        return not self.blind or (analyst_id is not None and analyst_id == self.analyst_id)

    def only(self) -> list[int] | None:
        """The analysts whose work may be read, for a query; None means everyone's."""
        if not self.blind:
            return None
        return [self.analyst_id] if self.analyst_id is not None else []

    @property
    def shared(self) -> bool:
        """Whether what comes from everyone's coding (consensus, agreement, the comparison,
        the report and its files) may be shown."""
        return not self.blind

    def refusal(self) -> str:
        """What a blind analyst is told where shared figures would be."""
        return _(
            "Blind coding is on: you see only your own coding. The consensus, the comparison "
            "and the report wait until the organiser ends blind coding."
        )


def sight(db: Database, workshop_id: int, role: str, analyst_id=None) -> Sight:
    """The rule: while the workshop's coding is blind, everyone but the organiser sees only
    their own work."""
    workshop = store.get_workshop(db, workshop_id)
    return Sight(analyst_id, bool(workshop["coding_blind"]) and role != "organiser")


def sight_of(db: Database, workshop_id: int, actor) -> Sight:
    """The rule for a signed-in actor (anything with role, grant_id and label)."""
    analyst_id = None
    if actor.role in ("organiser", "analyst"):
        row = analyst_for(db, workshop_id, actor.role, actor.grant_id, actor.label, create=False)
        analyst_id = row["id"]
    return sight(db, workshop_id, actor.role, analyst_id)
