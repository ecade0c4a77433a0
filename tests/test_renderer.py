"""vl-convert's child process (app/figures/renderer.py): it starts on the first drawing,
draws SVG and PNG, says what failed in a spec it cannot draw, is replaced when it died,
and leaves when it has been idle."""

import os
import signal
import time

import pytest

from app.figures import renderer

SPEC = {"mark": "point", "data": {"values": [{"x": 1}]}, "encoding": {"x": {"field": "x"}}}


@pytest.fixture(autouse=True)
def fresh_child():
    renderer.stop()
    yield
    renderer.stop()


def test_the_child_starts_on_the_first_drawing_and_draws_svg_and_png():
    assert not renderer.running()
    drawn = renderer.svg(SPEC)
    assert drawn.startswith("<svg") and "</svg>" in drawn
    assert renderer.running()
    assert renderer.png(drawn).startswith(b"\x89PNG\r\n\x1a\n")


def test_a_spec_it_cannot_draw_says_why_and_the_child_goes_on():
    with pytest.raises(RuntimeError, match="could not draw"):
        renderer.svg({"mark": "no-such-mark"})
    assert renderer.svg(SPEC).startswith("<svg")


def test_a_child_that_died_is_replaced_on_the_next_drawing():
    renderer.svg(SPEC)
    first = renderer._child
    assert first is not None
    os.kill(first.pid, signal.SIGKILL)
    first.wait(10)
    assert renderer.svg(SPEC).startswith("<svg")
    assert renderer._child is not None and renderer._child.pid != first.pid


def test_the_child_leaves_when_it_has_been_idle(monkeypatch):
    monkeypatch.setattr(renderer, "IDLE_SECONDS", 0.2)
    renderer.svg(SPEC)
    child = renderer._child
    assert child is not None
    child.wait(10)  # ended by the idle timer, not by this test
    deadline = time.monotonic() + 10
    while renderer.running() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not renderer.running()


def test_an_idle_timer_a_later_drawing_replaced_leaves_the_child_be(monkeypatch):
    monkeypatch.setattr(renderer, "IDLE_SECONDS", 60)
    renderer.svg(SPEC)
    first = renderer._idle
    renderer.svg(SPEC)
    assert first is not None and renderer._idle is not first
    renderer._end_if_idle(first)  # as if it fired while the second drawing held the lock
    assert renderer.running()
    renderer._end_if_idle(renderer._idle)  # the latest one does end it
    assert not renderer.running()
