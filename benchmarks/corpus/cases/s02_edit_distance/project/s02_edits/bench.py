"""Benchmark: spelling suggestions for a few misspelt words."""
from s02_edits.distance import closest

WORDS = ["recieve", "adress", "wierd", "seperate"]
DICTIONARY = ["receive", "address", "weird", "believe", "perceive", "dress", "wired", "separate", "desperate"]


def run():
    return [closest(word, DICTIONARY) for word in WORDS]
