"""What changed since the previous frozen report: revised figures, signals that turned,
stories new to the report, actions closed, questions that moved, rewritten introductions.

Both reports are the same data (app/reports/content.py), so the comparison is pure.
"""

from app.figures.periods import parse_period
from app.figures.signals import SIGNAL_LABELS
from app.figures.summary import period_words
from app.i18n import N_, gettext
from app.reports.content import Change, Report, ThemePart


def _indicator_changes(theme: ThemePart, before: ThemePart) -> list[Change]:
    changes = []
    previous = {part.slug: part for part in before.indicators}
    for part in theme.indicators:
        old = previous.get(part.slug)
        if old is None:
            continue
        old_values = {point.period: point for point in old.points}
        for point in part.points:
            was = old_values.get(point.period)
            if was is not None and was.value != point.value:
                changes.append(
                    Change(
                        kind="revised",
                        theme=theme.name,
                        subject=part.name,
                        period=point.period,
                        before=f"{was.value:g}",
                        after=f"{point.value:g}",
                    )
                )
        if part.latest and old.latest and part.latest.signal != old.latest.signal:
            changes.append(
                Change(
                    kind="signal",
                    theme=theme.name,
                    subject=part.name,
                    period=part.latest.period,
                    before=old.latest.signal,
                    after=part.latest.signal,
                )
            )
    return changes


def _other_changes(theme: ThemePart, before: ThemePart) -> list[Change]:
    changes = []
    known = {story.id for story in before.stories}
    changes += [
        Change(
            kind="story",
            theme=theme.name,
            subject=s.title,
            consent_reach=s.consent_reach,
            story_id=s.id,
        )
        for s in theme.stories
        if s.id not in known
    ]
    was_open = {action.id for action in before.actions_open}
    changes += [
        Change(kind="action", theme=theme.name, subject=action.description)
        for action in theme.actions_done
        if action.id in was_open
    ]
    last_status = {q.id: q.steps[-1].status for q in before.questions if q.steps}
    changes += [
        Change(
            kind="question",
            theme=theme.name,
            subject=q.text,
            before=last_status.get(q.id, ""),
            after=q.steps[-1].status,
        )
        for q in theme.questions
        if q.steps and last_status.get(q.id) != q.steps[-1].status
    ]
    if theme.intro.strip() != before.intro.strip() and theme.intro.strip():
        changes.append(Change(kind="intro", theme=theme.name, subject=theme.name))
    return changes


def changes_since(previous: Report, current: Report) -> list[Change]:
    """Every difference that matters to a reader of ``current`` who read ``previous``."""
    before = {theme.slug: theme for theme in previous.themes}
    changes: list[Change] = []
    for theme in current.themes:
        old = before.get(theme.slug, ThemePart(slug=theme.slug, name=theme.name))
        changes += _indicator_changes(theme, old) + _other_changes(theme, old)
    return changes


STATUS_NAMES = {
    "open": N_("open"),
    "supported": N_("supported"),
    "contradicted": N_("contradicted"),
    "adjusted": N_("adjusted"),
    "closed": N_("closed"),
}
#: What stands in a frozen report where a story was withdrawn after it was frozen.
STORY_WITHDRAWN = N_("story withdrawn")
SENTENCES = {
    "revised": N_("%(subject)s, %(period)s: revised from %(before)s to %(after)s"),
    "signal": N_("%(subject)s, %(period)s: now %(after)s (was %(before)s)"),
    "story": N_("new story: %(subject)s"),
    "action": N_("action done: %(subject)s"),
    "question": N_("learning question now %(after)s: %(subject)s"),
    "intro": N_("the introduction was rewritten"),
}


def describe(change: Change, lang: str) -> str:
    """One change as a sentence in ``lang``, prefixed with its theme."""
    names = SIGNAL_LABELS if change.kind == "signal" else STATUS_NAMES

    def name(value: str) -> str:
        return gettext(lang, names[value]) if value in names else value

    sentence = gettext(
        lang,
        SENTENCES[change.kind],
        subject=gettext(lang, STORY_WITHDRAWN) if change.withdrawn else change.subject,
        period=period_words(parse_period(change.period), lang) if change.period else "",
        before=name(change.before),
        after=name(change.after),
    )
    return f"{change.theme}: {sentence}"
