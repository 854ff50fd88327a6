"""Resolvable designs that no formula in constructions.py gives: nobody meets anyone twice.

Each design is a list of rounds; a round is its tables written as letters, one letter per
person, numbered in alphabetical order (upper case before lower case). All are checked by the
tests (every person once per round, no pair twice), so a typo cannot slip through. The tables
of each round are in the order new_tables.send_to_new_tables gave them (seeded, 1,500
shuffles), so travellers come back to a table only as often as the rounds force (15, 18, 21
and 28 people), or 74 times where 64 would be the least (32 people over 10 rounds).

- 15 people, 5 tables of 3, 7 rounds: Kirkman's schoolgirls, found by this package's own local
  search (seed 0).
- 18 in 6 of 3 over 8 rounds (a nearly Kirkman triple system), 21 in 7 of 3 over 10 rounds
  (a Kirkman triple system), 28 in 7 of 4 over 9 rounds (a resolvable Steiner system
  S(2, 4, 28)) and 32 in 8 of 4 over 10 rounds (the social golfer instance 8-4-10, first solved
  by A. Aguado in 2004): published solutions, from the Social Golfer Problem demonstration of
  the Wolfram Demonstrations Project as listed in the literature notes of
  fpvandoorn/Dagstuhl-tables. These are the tight cases where local search stalls.
"""

from __future__ import annotations

DESIGNS: dict[tuple[int, int], list[str]] = {
    (15, 3): [
        "ABC DEF GHI MNO JKL",
        "AEG CLO BKN FHJ DIM",
        "DJN GKM CFI BEO AHL",
        "HKO AIN CEJ DGL BFM",
        "IJO BDH ELM AFK CGN",
        "AJM CDK EHN BIL FGO",
        "FLN BGJ ADO CHM EIK",
    ],
    # Upper case A-I then lower case a-i: 18 people.
    (18, 3): [
        "ABC ceg GHI DEF bdi afh",
        "aFH BdI Abc Def Ghi CEg",
        "BDi cEG deF ghI abC AfH",
        "CeG AFh gHi aBc dEf bDI",
        "cdh BEH bfg aei CFI ADG",
        "Adg Cfi aEI bFG cDH Beh",
        "cfI beH CDh AEi BFg adG",
        "bEh aDg BfG CdH AeI cFi",
    ],
    (21, 3): [
        "DKR EGM INP HOU ABF LQS CJT",
        "FMS CLU GPT HIK DEJ BNO AQR",
        "AHL JKO DMT FPU CNR EIQ BGS",
        "BCD FHN GOQ JRS ELP AKT IMU",
        "GIL BPR EFK CMO HQT DNS AJU",
        "BIJ DQU CHS ENT KLM AOP FGR",
        "GNU FJQ ACE KPS DIO HMR BLT",
        "CPQ IRT BKU DFL AMN GHJ EOS",
        "FOT AIS JLN BMQ CGK ERU DHP",
        "BEH JMP LOR ADG STU CFI KNQ",
    ],
    # A-N then a-n: 28 people.
    (28, 4): [
        "cdef EFGH ABCD abMN ghij IJKL klmn",
        "AEgk bCKn dhlN eGIm BcFM aHiJ DfjL",
        "GhLM dDgJ bfim AFjn cHKl CIkN aBeE",
        "BJnN begl EjKM DhHk aCfG dFLm AciI",
        "fFkK EiLN DIlM BgHm CejJ achn AbdG",
        "DGin cjmN aFgI EfJl bBkL AehK CdHM",
        "aDKm eikM AfHN cCgL dEIn BGjl bFhJ",
        "bHIj aAlL cGJk BdiK DeFN fgMn CEhm",
        "CFil BfhI eHLn adjk AJmM bcDE gGKN",
    ],
    # A-P then a-p: 32 people.
    (32, 4): [
        "ijkl mnop IJKL EFGH abcd efgh MNOP ABCD",
        "bCGh JlnO BcgH jLNo aeiM AEIm DFKp dfkP",
        "Bhkm bHKM Aflo cEjp DGiN aFLO CeJP dgIn",
        "fGOp BdjK EhMn aCIl FgoP bDJk AciL eHmN",
        "DHIo AgKN beLp dhiO Cfjm BElP aGkn cFJM",
        "aHjP BFin cDmO bfIN AhJp CdMo EgkL eGKl",
        "AdeF aDEf iKmP IkMp CHLn chlN BGJo bgjO",
        "DglM ceko dGLm AbnP CEKO fHiJ FhIj aBNp",
        "cfKn DhLP CFkN agJm BeIO AGjM dHlp bEio",
        "dEJN cGIP ahKo Dejn AHkO Cgip bFlm BfLM",
    ],
}


# Difference arrays over the integers mod g (see constructions.difference_plan): rows are rounds,
# columns colours; any two rows differ by a different amount in every column. Found by this
# package's own search (constructions.find_difference_array, seed 0) and stored because the
# search takes longer than a plan may.
DIFFERENCE_ARRAYS: dict[tuple[int, int, int], list[list[int]]] = {
    # 150 people at 15 tables of 10 (or 165 with a host at each table), 6 rounds.
    (15, 10, 6): [
        [0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
        [0, 1, 2, 3, 11, 9, 6, 10, 8, 5],
        [0, 3, 12, 4, 10, 7, 13, 1, 5, 14],
        [0, 13, 5, 7, 1, 3, 2, 8, 10, 12],
        [0, 12, 8, 11, 14, 10, 4, 2, 3, 9],
        [0, 6, 10, 1, 3, 13, 5, 12, 9, 8],
    ],
    # 150 travellers at 15 tables of 10 with nobody at a table twice: the hosts' column 0 of
    # this 11-column array is left out (found after 86,000 nodes).
    (15, 11, 6): [
        [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
        [0, 5, 11, 13, 10, 14, 3, 2, 12, 4, 8],
        [0, 7, 4, 2, 8, 10, 12, 3, 9, 11, 14],
        [0, 9, 14, 11, 6, 13, 4, 8, 2, 12, 10],
        [0, 3, 10, 4, 12, 11, 6, 13, 1, 9, 2],
        [0, 8, 6, 5, 3, 4, 9, 11, 13, 1, 12],
    ],
}


def decode(rounds: list[str]) -> list[list[list[int]]]:
    """Turn a stored design into per round, per table lists of person numbers."""
    letters = sorted(set(rounds[0].replace(" ", "")))
    index = {letter: i for i, letter in enumerate(letters)}
    return [[sorted(index[c] for c in table) for table in line.split()] for line in rounds]


def lookup(tables: int, people: int, rounds: int) -> list[list[list[int]]] | None:
    """Return a stored design with these sizes and at least these rounds, or None."""
    if people % tables:
        return None
    design = DESIGNS.get((people, people // tables))
    if design is None or len(design) < rounds:
        return None
    return decode(design)
