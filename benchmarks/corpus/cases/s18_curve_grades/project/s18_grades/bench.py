"""Benchmark: grade a large cohort."""
from s18_grades.grading import report

SCORES = [40 + (i * 7919) % 55 for i in range(1500)]


def run():
    return report(SCORES).count("A")
