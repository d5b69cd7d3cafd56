"""Benchmark: render a large generated configuration."""
from s05_render.ini import render

SECTIONS = {
    "service%d" % s: {"option%d" % k: (s * k) % 97 for k in range(40)}
    for s in range(200)
}


def run():
    return len(render(SECTIONS))
