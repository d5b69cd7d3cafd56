"""A leaderboard {name: score}: higher scores first, equal scores in name order."""


def standings(scores):
    """Names in leaderboard order."""
    ordered = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
    return [name for name, _ in ordered]


def top(scores, n):
    """The first n (name, score) pairs in leaderboard order."""
    return sorted(scores.items(), key=lambda item: (-item[1], item[0]))[:n]


def rank_of(scores, name):
    """1-based leaderboard position of name; KeyError for a name not on the board."""
    if name not in scores:
        raise KeyError(name)
    ordered = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
    return [n for n, _ in ordered].index(name) + 1


def points_behind(scores, name):
    """How many points name trails the leader by."""
    return max(scores.values()) - scores[name]
