"""Plan fixed groups with travelling moderators: each carries one question to every group.

Groups stay at their tables; in every round each moderator leads their question at one group.
A block is a Latin square of order n = max(groups, moderators): rows are rounds, columns are
groups, symbols are moderators, and symbols beyond the last moderator are self-led rounds.
Each block uses the square L(r, c) = k*r + c + t over a field of order n where one exists
(n a prime power), otherwise over the integers mod n with k a unit. Different multipliers k
give mutually orthogonal squares and different shifts t move everything by a constant, so
every group meets the moderators in a different order in each block.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from math import gcd

from kt_workshop.i18n import _, lazy_

# Limits that keep a typo on the command line from building an enormous plan.
MAX_SIZE = 200
MAX_BLOCKS = 20
# Finite fields beyond prime order are built by brute force; above this size the cyclic
# construction is used instead (still valid, just fewer orthogonal blocks).
MAX_FIELD = 32


@dataclass
class FixedGroupsPlan:
    """Per block, per round, the moderator at each group (None for a self-led round)."""

    groups: int
    moderators: int
    rounds: int
    blocks: list[list[list[int | None]]]
    problems: list[str] = field(default_factory=list)

    @property
    def rounds_needed(self) -> int:
        """Rounds it takes for every group to meet every moderator once."""
        return max(self.groups, self.moderators)

    def to_json(self) -> dict:
        """Return the plan and its problems as plain JSON data."""
        return {"blocks": self.blocks, "problems": list(self.problems)}


def _prime_power(n: int) -> tuple[int, int] | None:
    """(p, e) with n = p**e, or None when n is not a prime power."""
    for p in range(2, n + 1):
        if n % p == 0:
            e = 0
            while n % p == 0:
                n //= p
                e += 1
            return (p, e) if n == 1 else None
    return None


def _field_multiply(a: int, b: int, p: int, modulus: tuple[int, ...]) -> int:
    """Multiply two elements of GF(p^e), each stored as its base-p digits (lowest first)."""
    e = len(modulus)
    digits_a = [(a // p**i) % p for i in range(e)]
    digits_b = [(b // p**i) % p for i in range(e)]
    product = [0] * (2 * e - 1)
    for i, x in enumerate(digits_a):
        for j, y in enumerate(digits_b):
            product[i + j] = (product[i + j] + x * y) % p
    # Reduce by the monic modulus x^e + modulus[e-1] x^(e-1) + ... + modulus[0].
    for degree in range(2 * e - 2, e - 1, -1):
        top = product[degree]
        if top:
            for i, coefficient in enumerate(modulus):
                product[degree - e + i] = (product[degree - e + i] - top * coefficient) % p
            product[degree] = 0
    return sum(product[i] * p**i for i in range(e))


@cache
def _ring(n: int) -> tuple[tuple, tuple, tuple[int, ...]]:
    """Addition and multiplication tables of order n and the multipliers k that give squares."""
    power = _prime_power(n) if n > 1 else None
    if power and power[1] > 1 and n <= MAX_FIELD:
        p, e = power
        add = tuple(
            tuple(sum(((a // p**i + b // p**i) % p) * p**i for i in range(e)) for b in range(n))
            for a in range(n)
        )
        # The first monic polynomial without zero divisors is irreducible: that gives GF(n).
        for code in range(p**e):
            modulus = tuple((code // p**i) % p for i in range(e))
            mul = tuple(
                tuple(_field_multiply(a, b, p, modulus) for b in range(n)) for a in range(n)
            )
            if all(all(mul[a][1:]) for a in range(1, n)):
                return add, mul, tuple(range(1, n))
    add = tuple(tuple((a + b) % n for b in range(n)) for a in range(n))
    mul = tuple(tuple((a * b) % n for b in range(n)) for a in range(n))
    # Over the integers mod n only units k keep every column a permutation; for n prime that
    # is every k from 1 to n - 1, the n - 1 mutually orthogonal squares.
    return add, mul, tuple(k for k in range(n) if gcd(k, n) == 1) or (0,)


def _orders(n: int, moderators: int) -> list[tuple[int, int]]:
    """The (k, t) of each distinct block order, orthogonal ones first."""
    _add, _mul, multipliers = _ring(n)
    if moderators == 1:
        # With one moderator a group's order is just when it meets them: only t matters.
        return [(multipliers[0], t) for t in range(n)]
    return [(multipliers[i], (i + j) % n) for j in range(n) for i in range(len(multipliers))]


def _block(n: int, k: int, t: int, groups: int, moderators: int, rounds: int) -> list:
    """One block: rows of the square L(r, c) = k*r + c + t, symbols past the moderators as None."""
    add, mul, _multipliers = _ring(n)
    block = []
    for r in range(rounds):
        if r >= n:
            # Every group has met every moderator: further rounds are self-led everywhere.
            block.append([None] * groups)
            continue
        row = [add[add[mul[k][r]][c]][t] for c in range(groups)]
        block.append([symbol if symbol < moderators else None for symbol in row])
    return block


def _check_sizes(groups: int, moderators: int, rounds: int, blocks: int) -> None:
    """Raise ValueError with a message the organiser can act on."""
    # A whole sentence for each: languages decline "the number of ..." differently.
    for message, value, top in (
        (
            lazy_("The number of groups must be between 1 and %(top)s (got %(value)s)."),
            groups,
            MAX_SIZE,
        ),
        (
            lazy_("The number of moderators must be between 1 and %(top)s (got %(value)s)."),
            moderators,
            MAX_SIZE,
        ),
        (
            lazy_("The number of rounds must be between 1 and %(top)s (got %(value)s)."),
            rounds,
            MAX_SIZE,
        ),
        (
            lazy_("The number of blocks must be between 1 and %(top)s (got %(value)s)."),
            blocks,
            MAX_BLOCKS,
        ),
    ):
        if not 1 <= value <= top:
            raise ValueError(str(message) % {"top": top, "value": value})


def plan_fixed_groups(
    groups: int, moderators: int, rounds: int | None = None, blocks: int = 1
) -> FixedGroupsPlan:
    """Plan which moderator visits which group in each round, so every group meets every one."""
    needed = max(groups, moderators)
    rounds = needed if rounds is None else rounds
    _check_sizes(groups, moderators, rounds, blocks)
    orders = _orders(needed, moderators)
    plan = [
        _block(needed, *orders[b % len(orders)], groups, moderators, rounds) for b in range(blocks)
    ]
    problems = []
    if rounds < needed:
        problems.append(
            _(
                "With %(rounds)s rounds not every group can meet every moderator: that takes "
                "%(needed)s rounds. No group meets a moderator twice.",
                rounds=rounds,
                needed=needed,
            )
        )
    elif rounds > needed:
        problems.append(
            _(
                "Every group has met every moderator after %(needed)s rounds; the last "
                "%(extra)s rounds are self-led in every group.",
                needed=needed,
                extra=rounds - needed,
            )
        )
    if blocks > len(orders):
        problems.append(
            _(
                "There are only %(count)s different orders for this plan, so some blocks "
                "repeat an earlier block's order.",
                count=len(orders),
            )
        )
    return FixedGroupsPlan(groups, moderators, rounds, plan, problems)


def _names(numbers) -> str:
    """1-based, comma-separated numbers for a message."""
    return ", ".join(str(number + 1) for number in sorted(numbers))


def check_fixed_groups(plan, groups: int, moderators: int) -> list[str]:
    """List everything wrong with a fixed-groups plan (a plan object or its blocks)."""
    blocks = getattr(plan, "blocks", plan)
    problems = []
    for b, block in enumerate(blocks):
        met = [[] for _group in range(groups)]
        for r, row in enumerate(block):
            where = {"block": b + 1, "round": r + 1}
            if len(row) != groups:
                problems.append(
                    _(
                        "Block %(block)s, round %(round)s has %(count)s groups, not %(groups)s.",
                        count=len(row),
                        groups=groups,
                        **where,
                    )
                )
            seen = {}
            for g, moderator in enumerate(row[:groups]):
                if moderator is None:
                    continue
                if not isinstance(moderator, int) or not 0 <= moderator < moderators:
                    problems.append(
                        _(
                            "Block %(block)s, round %(round)s: group %(group)s has an unknown "
                            "moderator (%(moderator)s).",
                            group=g + 1,
                            moderator=moderator,
                            **where,
                        )
                    )
                    continue
                if moderator in seen:
                    problems.append(
                        _(
                            "Block %(block)s, round %(round)s: moderator %(moderator)s is at "
                            "groups %(first)s and %(second)s.",
                            moderator=moderator + 1,
                            first=seen[moderator] + 1,
                            second=g + 1,
                            **where,
                        )
                    )
                seen[moderator] = g
                met[g].append(moderator)
        for g, moderators_met in enumerate(met):
            twice = {m for m in moderators_met if moderators_met.count(m) > 1}
            missing = set(range(moderators)) - set(moderators_met)
            if twice:
                problems.append(
                    _(
                        "Block %(block)s: group %(group)s meets moderator(s) %(names)s twice.",
                        block=b + 1,
                        group=g + 1,
                        names=_names(twice),
                    )
                )
            if missing:
                problems.append(
                    _(
                        "Block %(block)s: group %(group)s does not meet moderator(s) %(names)s.",
                        block=b + 1,
                        group=g + 1,
                        names=_names(missing),
                    )
                )
    # With a single group, moderator and round there is only one possible order.
    if max(groups, moderators) > 1:
        for first in range(len(blocks)):
            for second in range(first + 1, len(blocks)):
                if blocks[first] == blocks[second]:
                    problems.append(
                        _(
                            "Blocks %(first)s and %(second)s are in the same order.",
                            first=first + 1,
                            second=second + 1,
                        )
                    )
    return problems
