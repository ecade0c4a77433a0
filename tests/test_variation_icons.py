"""The Making Data Count variation icons: which icon a figure's latest point gets, and
that the pages showing a figure's latest state draw it with a text label."""

from datetime import date

from app.figures.icons import variation_icon, variation_of
from app.figures.signals import SignalPoint, compute_signals
from app.models import Direction
from tests.factories import login, make_theme
from tests.test_story_requests import make_signal


def test_the_icon_follows_the_signal_and_its_side():
    flat = [(date(2024, m, 1), 10.0 + (m % 2)) for m in range(1, 13)]
    jump = [*flat, (date(2025, 1, 1), 40.0)]
    up = compute_signals(jump, direction=Direction.up)
    down = compute_signals(jump, direction=Direction.down)
    neutral = compute_signals(jump, direction=Direction.neutral)
    steady = compute_signals(flat, direction=Direction.up)
    assert variation_of(steady[-1], Direction.up) == "common"
    # the twelve usual months all lie below the mean the jump pulls up: a shift, low
    assert variation_of(up[0], Direction.up) == "concern_low"
    assert variation_of(up[-1], Direction.up) == "improvement_high"
    assert variation_of(down[-1], Direction.down) == "concern_high"
    assert variation_of(neutral[-1], Direction.neutral) == "neither_high"
    drop = compute_signals([*flat, (date(2025, 1, 1), -20.0)], direction=Direction.down)
    assert variation_of(drop[-1], Direction.down) == "improvement_low"
    # a point restored from an old snapshot has no side: the direction tells it
    old = SignalPoint(date(2025, 1, 1), 1.0, 5.0, 2.0, 8.0, "improvement")
    assert variation_of(old, Direction.down) == "improvement_low"
    assert variation_of(old, Direction.up) == "improvement_high"


def test_the_icon_is_decoration_beside_a_translated_label():
    html = variation_icon("concern_low", "nl")
    assert 'aria-hidden="true"' in html
    assert '<span class="variation-label">Zorgwekkend: bijzondere variatie, laag</span>' in html
    assert "Concern" in variation_icon("concern_low", "en")
    assert 'class="visually-hidden"' in variation_icon("common", "nl", label=False)


def test_the_indicator_list_and_dashboard_show_the_latest_state(client, session):
    theme = make_theme(session)
    indicator = make_signal(session, themes=[theme])
    login(client, session, "viewer")
    listing = client.get("/indicators").text
    assert "Laatste stand" in listing
    assert "variation-concern_high" in listing
    assert "Zorgwekkend: bijzondere variatie, hoog" in listing
    dashboard = client.get("/").text
    assert f'href="/indicators/{indicator.slug}"' in dashboard
    assert "variation-concern_high" in dashboard
