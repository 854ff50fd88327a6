"""Help analysts code notes: theme suggestions drawn from the notes' words, and keyword rules.

Theme suggestions (`suggest_themes`) cluster the notes with TF-IDF and non-negative matrix
factorisation, offline and deterministic for a given seed. They are only suggestions: the analyst
names, accepts or dismisses them, and a dismissed suggestion is remembered by its `key`.

A rule (`parse_rule`) codes every note it matches with a theme. How to write one:

- `fund, grant` or `fund OR grant`: notes with either word (alternatives);
- `data consent`: notes with both words, in any order;
- `"data protection"`: these words in this order, with only spaces or punctuation between them;
- `fund*`, `*finanz*`: a `*` at the start or end of a word stands for any letters, so `fund*`
  finds "funding" and "funders" and `*finanz*` finds "Forschungsfinanzierung";
- `fund -refund`: notes containing "refund" are left out (each alternative needs a word to find);
- capitals do not matter and only whole words match: `fund` does not find "refund", `*fund` does.

A rule is at most 200 characters. Its words are escaped and compiled into patterns whose only
wildcards are runs of letters, so matching takes time in proportion to the note, whatever the
rule says.
"""

from __future__ import annotations

import math
import re
import unicodedata
import warnings
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from sklearn.decomposition import NMF
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer

from kt_workshop.i18n import _

MIN_NOTES = 10  # fewer notes with words in them and there is nothing to cluster
MIN_VOCABULARY = 4  # fewer words shared by two notes (and not by half of them): nothing to say
KEYWORDS = 6
KEY_WORDS = 3  # a suggestion's key: its top keywords, few enough to survive a note or two more
EXAMPLES = 3
MAX_ITER = 50  # bounds the time: near convergence already, and 5,000 notes take under 1 s
MAX_RULE_LENGTH = 200

_POLISH = """
    a aby ach albo ale ani aż bardziej bardzo bez bo bowiem by być był była byli było były będzie
    będą chociaż choć ci cię ciebie co coś czy czyli często dla dlaczego dlatego do dość dużo gdy
    gdyż gdzie go i ich im inna inne inny innych iż ja jak jaka jaki jakie jako je jeden jedna jedno
    jednak jego jej jemu jest jestem jesteśmy jeszcze jeśli jeżeli już każda każde każdy kiedy kto
    która które którego której który których którym którzy ku lub ma mają mam mamy mi mnie mną mogą
    może można mój moja moje my na nad nam nami nas nasz nasza nasze naszych nawet nic nich nie
    niech niego niej niemu nim nią niż no o od ok oni one ono oraz po pod podczas ponieważ poza
    przed przez przy również sam sama samo się skąd są ta tak taka taki takie także tam te tego tej
    ten teraz też to tobą tobie trzeba tu tutaj ty tych tylko tym u w we wiele więc wszyscy
    wszystkie wszystko wtedy wy z za zawsze ze że żeby
"""
_GERMAN = """
    aber alle allem allen aller alles als also am an andere anderen anderer anderes auch auf aus
    bei beim bin bis bist bzw da damit dann das dass daß dein deine dem den denn der des dessen
    deshalb dich die dies diese diesem diesen dieser dieses dir doch dort du durch ein eine einem
    einen einer eines er es etwas euch euer für gegen gewesen gibt habe haben hat hatte hatten hier
    hin hinter ich ihm ihn ihnen ihr ihre ihrem ihren ihrer im immer in indem ins ist ja jede jedem
    jeden jeder jedes jetzt kann kein keine keinem keinen können könnte man manche mehr mein meine
    mich mir mit muss müssen nach nein nicht nichts noch nun nur ob oder ohne schon sehr sein seine
    seinem seinen seiner selbst sich sie sind so solche soll sollte sondern sonst sowie über um und
    uns unser unsere unter viel viele vom von vor wann war waren warum was weil weiter welche
    welchem welchen welcher wenn wer werde werden wie wieder will wir wird wo wollen wurde wurden
    würde wäre zu zum zur zwar zwischen
"""
POLISH_STOP_WORDS = frozenset(_POLISH.split())
GERMAN_STOP_WORDS = frozenset(_GERMAN.split())
STOP_WORDS = ENGLISH_STOP_WORDS | POLISH_STOP_WORDS | GERMAN_STOP_WORDS

_WORD = re.compile(r"[^\W_]+")
_QUOTES = '"“”„'
_RULE_TOKEN = re.compile(
    rf"(?P<space>\s+)|(?P<comma>,)|(?P<phrase>-?[{_QUOTES}][^{_QUOTES}]*[{_QUOTES}])"
    rf"|(?P<quote>-?[{_QUOTES}])|(?P<word>[^\s,{_QUOTES}]+)"
)
_PIECE = re.compile(r"\*?\w+\*?")


# --- theme suggestions -----------------------------------------------------------------------


@dataclass(frozen=True)
class Suggestion:
    """A candidate theme: a cluster of notes that share words."""

    key: str  # stable identity: the top keywords sorted and joined with " "
    keywords: list[str]  # best first
    note_ids: list  # notes that belong mainly to this cluster, strongest first
    examples: list  # the most typical notes
    label: str  # a suggested name: the top two or three keywords joined with " / "


def _terms(text: str) -> list[str]:
    """The content words of a text, lowercased: no stop words, numbers or words under 3 letters."""
    words = _WORD.findall(unicodedata.normalize("NFC", text).lower())
    return [w for w in words if len(w) >= 3 and not w.isdigit() and w not in STOP_WORDS]


def _default_count(note_count: int) -> int:
    """How many themes to suggest for this many notes: about sqrt(n / 10), from 3 to 12."""
    return min(12, max(3, round(math.sqrt(note_count / 10))))


def suggest_themes(
    notes: Sequence[Mapping],
    count: int | None = None,
    dismissed: Collection[str] = (),
    seed: int = 0,
) -> list[Suggestion]:
    """Candidate themes for the notes, biggest first, without the dismissed ones."""
    tokenised = [(note["id"], _terms(note.get("text") or "")) for note in notes]
    usable = [(note_id, terms) for note_id, terms in tokenised if terms]
    if len(usable) < MIN_NOTES:
        return []
    vectorizer = TfidfVectorizer(analyzer=list, sublinear_tf=True, min_df=2, max_df=0.5)
    try:
        matrix = vectorizer.fit_transform([terms for _note_id, terms in usable])
    except ValueError:  # no word is in two notes and at most half of them
        return []
    vocabulary = vectorizer.get_feature_names_out()
    wanted = _default_count(len(usable)) if count is None else count
    clusters = min(wanted, len(vocabulary) // 2, len(usable) // 2)
    if len(vocabulary) < MIN_VOCABULARY or clusters < 1:
        return []
    model = NMF(n_components=clusters, init="nndsvda", random_state=seed, max_iter=MAX_ITER)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        weights = model.fit_transform(matrix)
    best, strength = weights.argmax(axis=1), weights.max(axis=1)
    suggestions = []
    for cluster, profile in enumerate(model.components_):
        members = [i for i in np.flatnonzero((best == cluster) & (strength > 0))]
        if len(members) < 2:
            continue
        members.sort(key=lambda i: (-weights[i, cluster], i))
        typicality = matrix[members] @ profile
        typical = sorted(range(len(members)), key=lambda j: (-typicality[j], j))[:EXAMPLES]
        ranked = [t for t in np.argsort(-profile, kind="stable")[:KEYWORDS] if profile[t] > 0]
        keywords = [str(vocabulary[t]) for t in ranked]
        strong = [t for t in ranked[:3] if profile[t] >= profile[ranked[0]] / 2]
        suggestions.append(
            Suggestion(
                key=" ".join(sorted(keywords[:KEY_WORDS])),
                keywords=keywords,
                note_ids=[usable[i][0] for i in members],
                examples=[usable[members[j]][0] for j in typical],
                label=" / ".join(keywords[: max(2, len(strong))]),
            )
        )
    suggestions.sort(key=lambda s: (-len(s.note_ids), s.key))
    return [s for s in suggestions if s.key not in dismissed]


# --- rules -----------------------------------------------------------------------------------


class RuleError(ValueError):
    """A rule the analyst has to correct; the message says how."""


def _fold(text: str) -> str:
    """The text as rules compare it: compatibility-normalised and casefolded."""
    return unicodedata.normalize("NFKC", text).casefold()


@dataclass(frozen=True)
class Rule:
    """A parsed rule: it matches when, in any alternative, all words appear and no excluded one."""

    text: str  # as written, stripped
    # One (wanted, excluded) pair of compiled patterns per alternative.
    alternatives: tuple[tuple[tuple[_Term, ...], tuple[_Term, ...]], ...] = field(
        default=(), compare=False, repr=False
    )

    def matches(self, text: str) -> bool:
        """Whether a note's text matches the rule."""
        folded = _fold(text)
        return any(
            all(p.search(folded) for p in wanted) and not any(p.search(folded) for p in excluded)
            for wanted, excluded in self.alternatives
        )


@dataclass(frozen=True)
class _Term:
    """One word or phrase of a rule: a plain substring every match must contain (a quick test
    that lets most notes go at once) and the pattern that decides."""

    literal: str
    pattern: re.Pattern

    def search(self, folded: str) -> bool:
        return self.literal in folded and self.pattern.search(folded) is not None


def _term_pattern(token: str, phrase: bool) -> _Term:
    """The pattern for one word or quoted phrase of a rule, built from escaped words only."""
    body = token[1:-1] if phrase else token
    parts, literals = [], []
    for piece in (p for p in re.split(r"[^\w*]+", body) if p):
        if not piece.strip("*"):
            raise RuleError(_("A * must be part of a word, as in fund* or *finanz*."))
        if not _PIECE.fullmatch(piece):
            raise RuleError(
                _("Put a single * at the start or end of a word, not inside: %(word)s", word=piece)
            )
        start = r"\w*" if piece.startswith("*") else ""
        end = r"\w*" if piece.endswith("*") else ""
        parts.append(start + re.escape(piece.strip("*")) + end)
        literals.append(piece.strip("*"))
    if not parts:
        raise RuleError(_("%(term)s has no letters or digits to look for.", term=token))
    pattern = re.compile(r"(?<!\w)" + r"\W+".join(parts) + r"(?!\w)")
    return _Term(max(literals, key=len), pattern)


def parse_rule(text: str) -> Rule:
    """Read a rule as the analyst wrote it; RuleError says what to correct."""
    stripped = text.strip()
    if not stripped:
        raise RuleError(_("Write at least one word for the rule to look for."))
    if len(stripped) > MAX_RULE_LENGTH:
        raise RuleError(
            _(
                "A rule can be at most %(limit)s characters; this one has %(length)s.",
                limit=MAX_RULE_LENGTH,
                length=len(stripped),
            )
        )
    alternatives: list[list[tuple[str, bool, _Term]]] = [[]]
    for match in _RULE_TOKEN.finditer(_fold(stripped)):
        kind, part = match.lastgroup, match.group()
        if kind == "space":
            continue
        if kind == "comma" or (kind == "word" and part == "or"):
            alternatives.append([])
        elif kind == "quote":
            raise RuleError(_("A quotation mark is not closed: add the closing one."))
        else:
            excluded = part.startswith("-")
            pattern = _term_pattern(part[1:] if excluded else part, kind == "phrase")
            alternatives[-1].append((part, excluded, pattern))
    compiled = []
    for terms in alternatives:
        if not terms:
            raise RuleError(_("The rule has an empty alternative: remove the extra comma or OR."))
        wanted = tuple(pattern for _token, excluded, pattern in terms if not excluded)
        if not wanted:
            words = " ".join(token for token, _excluded, _pattern in terms)
            raise RuleError(
                _("%(words)s only excludes notes: add a word to look for.", words=words)
            )
        excluded = tuple(pattern for _token, excluded, pattern in terms if excluded)
        compiled.append((wanted, excluded))
    return Rule(stripped, tuple(compiled))


def highlight(rule: Rule, text: str) -> list[tuple[str, bool]]:
    """A note's text in pieces, each True where a word or phrase the rule looks for matched,
    so the preview can mark every match."""
    folded, origin = [], []
    for i, char in enumerate(text):
        piece = _fold(char)  # one character can fold to several ("ß" to "ss")
        folded.append(piece)
        origin.extend([i] * len(piece))
    folded_text = "".join(folded)
    hit = [False] * len(text)
    for wanted, _excluded in rule.alternatives:
        for term in wanted:
            for match in term.pattern.finditer(folded_text):
                for k in range(match.start(), match.end()):
                    hit[origin[k]] = True
    pieces: list[tuple[str, bool]] = []
    for char, marked in zip(text, hit, strict=True):
        if pieces and pieces[-1][1] == marked:
            pieces[-1] = (pieces[-1][0] + char, marked)
        else:
            pieces.append((char, marked))
    return pieces


def matching_notes(rule: Rule, notes: Sequence[Mapping]) -> list:
    """The ids of the notes the rule matches, in the order given."""
    return [note["id"] for note in notes if rule.matches(note.get("text") or "")]
