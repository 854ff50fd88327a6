"""Resolvable designs that no formula in constructions.py gives: nobody meets anyone twice.

Each design is a list of rounds; a round is its tables written as letters, one letter per
person, numbered in alphabetical order (upper case before lower case). All are checked by the
tests (every person once per round, no pair twice), so a typo cannot slip through.

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
        "ABC DEF GHI JKL MNO",
        "AEG BKN CLO DIM FHJ",
        "AHL BEO CFI DJN GKM",
        "AIN BFM CEJ DGL HKO",
        "AFK BDH CGN ELM IJO",
        "AJM BIL CDK EHN FGO",
        "ADO BGJ CHM EIK FLN",
    ],
    # Upper case A-I then lower case a-i: 18 people.
    (18, 3): [
        "ABC DEF GHI afh bdi ceg",
        "Abc Def Ghi aFH BdI CEg",
        "abC deF ghI AfH BDi cEG",
        "aBc dEf gHi AFh bDI CeG",
        "ADG BEH CFI aei bfg cdh",
        "Adg Beh Cfi aEI bFG cDH",
        "adG beH cfI AEi BFg CDh",
        "aDg bEh cFi AeI BfG CdH",
    ],
    (21, 3): [
        "ABF EGM DKR INP CJT HOU LQS",
        "DEJ HIK BNO AQR CLU FMS GPT",
        "AHL JKO EIQ CNR BGS DMT FPU",
        "BCD FHN ELP GOQ AKT IMU JRS",
        "EFK GIL CMO BPR AJU DNS HQT",
        "BIJ KLM FGR AOP CHS ENT DQU",
        "ACE DIO FJQ HMR BLT GNU KPS",
        "DFL GHJ AMN CPQ BKU EOS IRT",
        "CGK JLN DHP BMQ AIS FOT ERU",
        "STU ADG BEH CFI JMP KNQ LOR",
    ],
    # A-N then a-n: 28 people.
    (28, 4): [
        "ABCD EFGH IJKL abMN cdef ghij klmn",
        "AEgk BcFM dhlN eGIm aHiJ bCKn DfjL",
        "AFjn aBeE bfim cHKl GhLM CIkN dDgJ",
        "AciI BJnN EjKM dFLm begl aCfG DhHk",
        "AbdG BgHm EiLN achn fFkK CejJ DIlM",
        "AehK bBkL aFgI EfJl cjmN CdHM DGin",
        "AfHN BGjl bFhJ eikM dEIn cCgL aDKm",
        "aAlL BdiK cGJk fgMn bHIj CEhm DeFN",
        "AJmM BfhI CFil bcDE gGKN eHLn adjk",
    ],
    # A-P then a-p: 32 people.
    (32, 4): [
        "ABCD EFGH IJKL MNOP abcd efgh ijkl mnop",
        "AEIm BcgH DFKp dfkP aeiM bCGh jLNo JlnO",
        "Aflo Bhkm DGiN aFLO bHKM CeJP cEjp dgIn",
        "AciL BdjK bDJk FgoP fGOp aCIl EhMn eHmN",
        "AgKN BElP DHIo dhiO beLp Cfjm cFJM aGkn",
        "AhJp BFin cDmO bfIN eGKl CdMo EgkL aHjP",
        "AdeF BGJo aDEf chlN iKmP CHLn bgjO IkMp",
        "AbnP aBNp DglM ceko fHiJ CEKO FhIj dGLm",
        "AGjM BeIO DhLP agJm cfKn CFkN bEio dHlp",
        "AHkO BfLM Dejn bFlm cGIP Cgip dEJN ahKo",
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
