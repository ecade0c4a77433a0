"""Rendering a chart's SVG once (app/figures/svg.py): two threads asking for the same
chart while it is being rendered, as the warm-up and the first reader of a report do,
render it once; a failed render leaves the next one to render it."""

import threading

import pytest

from app.figures import svg

SPEC = {"mark": "point", "data": {"values": [{"x": 1}]}, "encoding": {"x": {"field": "x"}}}


def test_two_readers_of_a_chart_being_rendered_render_it_once(env, monkeypatch):
    started, release = threading.Event(), threading.Event()
    calls = []

    def slow(spec: dict) -> str:
        calls.append(spec)
        started.set()
        release.wait(10)
        return "<svg>one</svg>"

    monkeypatch.setattr(svg, "render", slow)
    answers = []
    first = threading.Thread(target=lambda: answers.append(svg.chart_svg(SPEC)))
    first.start()
    assert started.wait(10)
    second = threading.Thread(target=lambda: answers.append(svg.chart_svg(SPEC)))
    second.start()
    second.join(0.3)
    assert second.is_alive()  # waiting for the first, not rendering beside it
    release.set()
    first.join(10)
    second.join(10)
    assert answers == ["<svg>one</svg>", "<svg>one</svg>"]
    assert len(calls) == 1


def test_after_a_failed_render_the_waiting_reader_renders_it(env, monkeypatch):
    started, release = threading.Event(), threading.Event()
    calls = []

    def failing_once(spec: dict) -> str:
        calls.append(spec)
        if len(calls) == 1:
            started.set()
            release.wait(10)
            raise RuntimeError("renderer crashed")
        return "<svg>two</svg>"

    monkeypatch.setattr(svg, "render", failing_once)
    errors, answers = [], []

    def first_reader() -> None:
        try:
            svg.chart_svg(SPEC)
        except RuntimeError as error:
            errors.append(error)

    first = threading.Thread(target=first_reader)
    first.start()
    assert started.wait(10)
    second = threading.Thread(target=lambda: answers.append(svg.chart_svg(SPEC)))
    second.start()
    release.set()
    first.join(10)
    second.join(10)
    assert len(errors) == 1 and answers == ["<svg>two</svg>"]
    assert len(calls) == 2
    with pytest.raises(KeyError):
        svg._rendering[svg.spec_key(SPEC)]  # nothing left marked as being rendered
