"""Benchmark: strip a list of several hundred stop words from a long text."""
from s04_filter.words import remove_banned

BANNED = ["w%03d" % i for i in range(600)]
WORDS = ["w%03d" % ((i * 37) % 1500) for i in range(6000)]


def run():
    return len(remove_banned(WORDS, BANNED))
