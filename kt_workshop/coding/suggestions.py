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
- capitals do not matter and only whole words match: `fund` does not find "refund", `*fund` does;
- a letter written without an accent also finds it with one (`zrodl*` finds "źródła", `lacz*`
  finds "łączenie"); a letter written with one finds only that letter (`müll` does not find
  "Mull");
- `en: fund*; de: finanz*; pl: finans*`: the forms for each language after its code, parts
  split by `;`. Notes carry no language, so every part is tried on every note; the codes let
  the rule editor say which of the workshop's languages a rule has no forms for (`fund*` alone
  will not find "Finanzierung"). A part without a code is in the workshop's language.

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
STOP_WORDS_BY_LANGUAGE = {
    "en": ENGLISH_STOP_WORDS,
    "pl": POLISH_STOP_WORDS,
    "de": GERMAN_STOP_WORDS,
}
STOP_WORDS = ENGLISH_STOP_WORDS | POLISH_STOP_WORDS | GERMAN_STOP_WORDS


def base_language(code: str | None) -> str:
    """The language of a code, without its country or script: "de-AT" and "de_AT" are "de"."""
    return (code or "").strip().replace("_", "-").split("-")[0].lower()


def stop_words(languages: Collection[str] | None = None) -> frozenset[str]:
    """The stop words of these languages; every list we have when we have none of theirs (a
    language without a list keeps all its words)."""
    known = {base_language(code) for code in languages or ()} & set(STOP_WORDS_BY_LANGUAGE)
    if not known:
        return STOP_WORDS
    return frozenset().union(*(STOP_WORDS_BY_LANGUAGE[code] for code in sorted(known)))


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


def _terms(text: str, stops: Collection[str] = STOP_WORDS) -> list[str]:
    """The content words of a text, lowercased: no stop words, numbers or words under 3 letters."""
    words = _WORD.findall(unicodedata.normalize("NFC", text).lower())
    return [w for w in words if len(w) >= 3 and not w.isdigit() and w not in stops]


def _default_count(note_count: int) -> int:
    """How many themes to suggest for this many notes: about sqrt(n / 10), from 3 to 12."""
    return min(12, max(3, round(math.sqrt(note_count / 10))))


def suggest_themes(
    notes: Sequence[Mapping],
    count: int | None = None,
    dismissed: Collection[str] = (),
    seed: int = 0,
    languages: Collection[str] | None = None,
) -> list[Suggestion]:
    """Candidate themes for the notes, biggest first, without the dismissed ones; the stop
    words are those of the workshop's `languages` (all we have when not given)."""
    stops = stop_words(languages)
    tokenised = [(note["id"], _terms(note.get("text") or "", stops)) for note in notes]
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


# Letters that carry their mark in the letter itself, so Unicode does not take it apart.
_BARE = (("ł", "l"), ("ø", "o"), ("đ", "d"), ("ħ", "h"), ("ı", "i"), ("ŧ", "t"))
_MARKS = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+")


def _unaccented(folded: str) -> str:
    """A folded text without accents ("źródła" to "zrodla", "łódź" to "lodz"); fast, as it
    runs on every note a rule looks at."""
    if folded.isascii():
        return folded
    for letter, plain in _BARE:
        if letter in folded:
            folded = folded.replace(letter, plain)
    return _MARKS.sub("", unicodedata.normalize("NFKD", folded))


def _accented_forms() -> dict[str, str]:
    """For each plain Latin letter, itself and every accented letter that folds to it."""
    forms: dict[str, set[str]] = {}
    for code in (*range(0x00C0, 0x0250), *range(0x1E00, 0x1F00)):
        letter = _fold(chr(code))
        plain = _unaccented(letter)
        if len(letter) == 1 and len(plain) == 1 and plain != letter and plain.isascii():
            forms.setdefault(plain, {plain}).add(letter)
    return {plain: "".join(sorted(found)) for plain, found in forms.items()}


_ACCENTED = _accented_forms()


def _letters_pattern(word: str) -> str:
    """A word of a rule as a pattern: a plain letter also finds its accented forms, an accented
    one only itself, and capitals never matter (both sides are folded)."""
    return "".join(
        f"[{_ACCENTED[char]}]" if char in _ACCENTED else re.escape(char) for char in word
    )


@dataclass(frozen=True)
class Rule:
    """A parsed rule: it matches when, in any alternative, all words appear and no excluded one."""

    text: str  # as written, stripped
    # One (wanted, excluded) pair of compiled patterns per alternative.
    alternatives: tuple[tuple[tuple[_Term, ...], tuple[_Term, ...]], ...] = field(
        default=(), compare=False, repr=False
    )
    # (language code, or "" for the workshop's language; the part as written) per part.
    forms: tuple[tuple[str, str], ...] = field(default=(), compare=False)

    def matches(self, text: str) -> bool:
        """Whether a note's text matches the rule."""
        folded = _fold(text)
        plain = _unaccented(folded)
        return any(
            all(p.search(folded, plain) for p in wanted)
            and not any(p.search(folded, plain) for p in excluded)
            for wanted, excluded in self.alternatives
        )

    def languages(self, workshop_language: str) -> list[str]:
        """The languages the rule has forms for (a part without a code: the workshop's)."""
        found = [base_language(code or workshop_language) for code, _part in self.forms]
        return list(dict.fromkeys(code for code in found if code))


@dataclass(frozen=True)
class _Term:
    """One word or phrase of a rule: a substring, without accents, that every match must
    contain (a quick test that lets most notes go at once), and the pattern that decides. A term
    written without accents is looked for in the note without accents (`on_plain`, a plain
    pattern that is fast); one with an accented letter in the note as it is, that letter exactly
    and its other letters with or without accents."""

    literal: str
    pattern: re.Pattern
    on_plain: bool = True

    def search(self, folded: str, plain: str) -> bool:
        if self.literal not in plain:
            return False
        return self.pattern.search(plain if self.on_plain else folded) is not None


def _term_pattern(token: str, phrase: bool) -> _Term:
    """The pattern for one word or quoted phrase of a rule, built from escaped words only."""
    body = token[1:-1] if phrase else token
    parts, literals, plain_parts = [], [], []
    for piece in (p for p in re.split(r"[^\w*]+", body) if p):
        if not piece.strip("*"):
            raise RuleError(_("A * must be part of a word, as in fund* or *finanz*."))
        if not _PIECE.fullmatch(piece):
            raise RuleError(
                _("Put a single * at the start or end of a word, not inside: %(word)s", word=piece)
            )
        start = r"\w*" if piece.startswith("*") else ""
        end = r"\w*" if piece.endswith("*") else ""
        word = piece.strip("*")
        parts.append(start + _letters_pattern(word) + end)
        plain_parts.append(start + re.escape(word) + end)
        literals.append(_unaccented(word))
    if not parts:
        raise RuleError(_("%(term)s has no letters or digits to look for.", term=token))
    on_plain = literals == [piece.strip("*") for piece in re.split(r"[^\w*]+", body) if piece]
    chosen = plain_parts if on_plain else parts
    pattern = re.compile(r"(?<!\w)" + r"\W+".join(chosen) + r"(?!\w)")
    return _Term(max(literals, key=len), pattern, on_plain)


_LANGUAGE_PART = re.compile(r"\s*(?P<code>[a-z]{2,3}(?:[-_][a-z0-9]{2,8})*)\s*:(?P<rest>.*)", re.S)


def _language_parts(stripped: str) -> list[tuple[str, str]]:
    """The rule's parts split by `;`, each with its language code ("" when it has none)."""
    from babel import Locale, UnknownLocaleError

    parts = []
    for part in stripped.split(";"):
        tagged = _LANGUAGE_PART.fullmatch(part.lower())
        code, words = (
            ("", part) if tagged is None else (tagged["code"], part[tagged.start("rest") :])
        )
        if code:
            try:
                Locale.parse(code.replace("-", "_"))
            except (ValueError, UnknownLocaleError):
                raise RuleError(
                    _(
                        "“%(code)s:” is not a language code: write en:, de: or pl: before a "
                        "language's words, or put words with a colon in quotes.",
                        code=code,
                    )
                ) from None
        if not words.strip():
            raise RuleError(
                _("A part of the rule has no words: remove the extra ; or write its words.")
            )
        parts.append((code.replace("_", "-"), words.strip()))
    return parts


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
    parts = _language_parts(stripped)
    compiled = [alternative for _code, words in parts for alternative in _alternatives(words)]
    return Rule(stripped, tuple(compiled), tuple(parts))


def _alternatives(text: str) -> list:
    """The (wanted, excluded) patterns of each alternative of one part of a rule."""
    alternatives: list[list[tuple[str, bool, _Term]]] = [[]]
    for match in _RULE_TOKEN.finditer(_fold(text)):
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
    return compiled


def missing_languages(rule: Rule, languages: Sequence[str], workshop_language: str) -> list[str]:
    """The workshop's languages the rule has no forms for, in the order given."""
    have = set(rule.languages(workshop_language))
    wanted = dict.fromkeys(base_language(code) for code in languages)
    return [code for code in wanted if code and code not in have]


def highlight(rule: Rule, text: str) -> list[tuple[str, bool]]:
    """A note's text in pieces, each True where a word or phrase the rule looks for matched,
    so the preview can mark every match."""
    folded, origin, plain, plain_origin = [], [], [], []
    for i, char in enumerate(text):
        piece = _fold(char)  # one character can fold to several ("ß" to "ss")
        folded.append(piece)
        origin.extend([i] * len(piece))
        bare = _unaccented(piece)
        plain.append(bare)
        plain_origin.extend([i] * len(bare))
    texts = {False: ("".join(folded), origin), True: ("".join(plain), plain_origin)}
    hit = [False] * len(text)
    for wanted, _excluded in rule.alternatives:
        for term in wanted:
            searched, where = texts[term.on_plain]
            for match in term.pattern.finditer(searched):
                for k in range(match.start(), match.end()):
                    hit[where[k]] = True
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
