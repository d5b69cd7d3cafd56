"""Curving exam scores and turning them into letter grades."""

CUTOFFS = [(90, "A"), (80, "B"), (70, "C"), (60, "D")]


def curve(scores, top=100):
    """Scale the scores so that the best one becomes ``top``, rounded to one decimal.

    If the best score is zero or negative the scores come back unchanged.
    """
    if not scores:
        return []
    curved = []
    best = max(scores)
    for score in scores:
        if best <= 0:
            curved.append(score)
        else:
            curved.append(round(score * top / best, 1))
    return curved


def letter(score):
    """The letter for a score out of 100: A from 90, B from 80, C from 70, D from 60, else F."""
    for cutoff, grade in CUTOFFS:
        if score >= cutoff:
            return grade
    return "F"


def report(scores):
    """Letter grades for the curved scores, in the same order."""
    return [letter(score) for score in curve(scores)]
