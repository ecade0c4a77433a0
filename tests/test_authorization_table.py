"""One authorisation table (DESIGN.md, "Who may do what"), tried on every GET route.

Each GET route's path pattern maps to the least it takes to open it. The test signs in
as anonymous, partner invite link, council member, viewer, editor and admin, opens every route and
compares the outcome with the table. A GET route missing from the table fails the
test, so a new page cannot go out without a decision about who may see it.
"""

import re
from datetime import date
from enum import StrEnum

from fastapi.testclient import TestClient
from starlette.routing import Route

from app.models import (
    AuthorRole,
    ConsentReach,
    ContextEvent,
    Experiment,
    ExperimentIndicator,
    Idea,
    LearningQuestion,
    NarrativeStatus,
    Partner,
    ReflectionSession,
    ReportQuestion,
    SessionIndicator,
    StoryRequest,
)
from app.narratives.invites import create_invite, invite_token
from tests.factories import (
    bearer,
    login,
    make_area,
    make_indicator,
    make_narrative,
    make_theme,
    make_user,
)


class Need(StrEnum):
    """The least it takes to open a route."""

    public = "public"  # anyone
    story_form = "story_form"  # invite link or staff; anyone if DUIDING_PUBLIC_STORIES
    partner_page = "partner_page"  # the invite link; editors choose a partner (?partner=)
    reader = "reader"  # staff and council members; anyone if DUIDING_PUBLIC_READ
    viewer = "viewer"
    editor = "editor"
    admin = "admin"


MINIMUM = {
    # the site itself
    "/healthz": Need.public,
    "/favicon.ico": Need.public,
    "/login": Need.public,
    "/openapi.json": Need.public,
    "/api/docs": Need.public,
    "/docs/oauth2-redirect": Need.public,
    "/static/vendor/vega-bundle.js": Need.public,
    # story form
    "/stories/new": Need.story_form,
    "/stories/sent": Need.public,
    # figures, timeline, published stories, reports
    "/": Need.reader,
    "/indicators": Need.reader,
    "/indicators/{slug}": Need.reader,
    "/indicators/{slug}/values": Need.reader,
    "/indicators/{slug}/chart.svg": Need.reader,
    "/indicators/{slug}/districts": Need.reader,
    "/indicators/{slug}/export.csv": Need.reader,
    "/indicators/{slug}/export.xlsx": Need.reader,
    "/timeline": Need.reader,
    "/stories/{narrative_id}": Need.reader,
    "/api/v1/themes": Need.reader,
    "/api/v1/areas": Need.reader,
    "/api/v1/indicators": Need.reader,
    "/api/v1/indicators/{slug}": Need.reader,
    "/api/v1/indicators/{slug}/observations": Need.reader,
    "/api/v1/indicators/{slug}/observations.csv": Need.reader,
    "/api/v1/indicators/{slug}/signals": Need.reader,
    "/api/v1/narratives/{narrative_id}": Need.reader,
    "/api/v1/timeline": Need.reader,
    "/ideas/new": Need.story_form,
    "/ideas/mine": Need.story_form,
    "/ideas/{idea_id}": Need.viewer,
    "/api/v1/ideas": Need.viewer,
    "/api/v1/ideas/{idea_id}": Need.viewer,
    "/experiments": Need.viewer,
    "/experiments/new": Need.editor,
    "/experiments/settings": Need.admin,
    "/experiments/{experiment_id}": Need.viewer,
    "/experiments/{experiment_id}/chart.svg": Need.viewer,
    "/api/v1/experiments": Need.viewer,
    "/api/v1/experiments/{experiment_id}": Need.viewer,
    "/context": Need.reader,
    "/context/{event_id}": Need.reader,
    "/context/new": Need.editor,
    "/context/{event_id}/edit": Need.editor,
    "/api/v1/context-events": Need.reader,
    "/api/v1/context-events/{event_id}": Need.reader,
    "/themes/{slug}": Need.reader,
    "/themes/{slug}/edit": Need.editor,
    "/api/v1/themes/{slug}": Need.reader,
    "/reports": Need.reader,
    "/reports/{period}": Need.reader,
    "/reports/{period}.md": Need.reader,
    "/reports/{period}.pdf": Need.reader,
    "/reports/{period}.docx": Need.reader,
    # council questions to a report: read with the report, asked by council members
    "/api/v1/report-questions": Need.reader,
    "/api/v1/report-questions/{question_id}": Need.reader,
    "/api/v1/narratives": Need.reader,
    # sessions, learning agenda, search
    "/sessions": Need.viewer,
    "/sessions/{session_id}": Need.viewer,
    "/sessions/{session_id}/figures/{figure_id}/chart.svg": Need.viewer,
    "/sessions/new": Need.editor,
    "/sessions/{session_id}/edit": Need.editor,
    "/learning": Need.viewer,
    "/learning/{question_id}": Need.viewer,
    "/api/v1/learning-questions": Need.viewer,
    "/api/v1/learning-questions/{question_id}": Need.viewer,
    "/search": Need.viewer,
    "/api/v1/sessions": Need.viewer,
    "/api/v1/sessions/{session_id}": Need.viewer,
    # moderation, indicators, imports, partners, invites
    "/moderation": Need.editor,
    "/moderation/{narrative_id}": Need.editor,
    "/api/v1/partners": Need.editor,
    # story requests: editors write them, staff read them with their answers; invite
    # links and the public form see theirs on the story form only
    "/requests": Need.viewer,
    "/requests/new": Need.editor,
    "/requests/{request_id}": Need.viewer,
    "/api/v1/story-requests": Need.viewer,
    "/api/v1/story-requests/{request_id}": Need.viewer,
    # users, tokens, audit log, settings
    "/admin/users": Need.admin,
    "/admin/users/{user_id}": Need.admin,
    "/admin/audit": Need.admin,
    "/admin/export": Need.admin,
    "/partners": Need.editor,
    "/partner": Need.partner_page,
    "/themes/{slug}/domains": Need.editor,
    "/api/v1/themes/{slug}/domains": Need.reader,
    "/sessions/{session_id}/significant": Need.editor,
    "/api/v1/sessions/{session_id}/significant": Need.viewer,
    "/partners/{partner_id}/invites/{invite_id}/qr.svg": Need.editor,
    "/indicators/new": Need.editor,
    "/indicators/{slug}/edit": Need.editor,
    "/indicators/import": Need.editor,
    "/indicators/import/cbs": Need.editor,
    "/themes-and-areas": Need.reader,
    "/themes-and-areas/themes/{slug}": Need.editor,
    "/themes-and-areas/areas/{code}": Need.editor,
}

ACTORS = ("anonymous", "invite", "council", "viewer", "editor", "admin")
RANK = {"viewer": 1, "editor": 2, "admin": 3}
#: Signed in, but no staff: a council member (raadslid) reads what the council reads.
SIGNED_IN = (*RANK, "council")


def get_routes(app) -> list[str]:
    """Return the path pattern of every GET route, routers included, in match order."""
    paths: list[str] = []
    for route in app.routes:
        if hasattr(route, "effective_route_contexts"):  # an included APIRouter
            candidates = [
                (context.path, getattr(context.original_route, "methods", None))
                for context in route.effective_route_contexts()
            ]
        elif isinstance(route, Route):
            candidates = [(route.path, route.methods)]
        else:  # the /static mount
            continue
        paths += [path for path, methods in candidates if methods and "GET" in methods]
    return list(dict.fromkeys(paths))


def sample_values(session) -> dict[str, dict[str, str]]:
    """Return a real value for each path parameter, so every page has something to show.

    Under "*" the values for any route; under a route's pattern, its own (moderation
    opens only pending stories).
    """
    theme = make_theme(session)
    indicator = make_indicator(session, themes=[theme])
    narrative = make_narrative(session, consent_reach=ConsentReach.public)
    pending = make_narrative(session, status=NarrativeStatus.pending)
    reflection = ReflectionSession(held_on=date(2024, 5, 1), title="Sessie")
    session.add(reflection)
    question = StoryRequest(question="Wat merkt u?", indicator_id=indicator.id)
    session.add(question)
    session.flush()
    seen = {"period": "2024-01", "value": 10.0, "signal": "common"}
    limits = {"mean": 10.0, "lpl": 10.0, "upl": 10.0}
    frozen = SessionIndicator(
        session_id=reflection.id, indicator_id=indicator.id, snapshot=[seen | limits]
    )
    session.add(frozen)
    event = ContextEvent(title="Pandemie", starts_on=date(2020, 3, 1))
    session.add(event)
    hypothesis = LearningQuestion(text="Als we X doen, verwachten we Y.")
    session.add(hypothesis)
    idea = Idea(title="Taalcafé", description="Oefenen", proposer_role=AuthorRole.partner)
    experiment = Experiment(
        title="Pilot",
        hypothesis="Als ..., dan ...",
        starts_on=date(2024, 1, 1),
        review_on=date(2024, 7, 1),
    )
    council_question = ReportQuestion(period="2024-H1", question="Wat betekent dit?")
    session.add_all([idea, experiment, council_question])
    session.flush()
    session.add(
        ExperimentIndicator(
            experiment_id=experiment.id, indicator_id=indicator.id, direction="down"
        )
    )
    session.commit()
    return {
        "*": {
            "slug": indicator.slug,
            "narrative_id": str(narrative.id),
            "session_id": str(reflection.id),
            "user_id": str(make_user(session).id),
            "request_id": str(question.id),
            "period": "2024-H1",
            "figure_id": str(frozen.id),
            "event_id": str(event.id),
            "question_id": str(hypothesis.id),
            "idea_id": str(idea.id),
            "experiment_id": str(experiment.id),
        },
        "/moderation/{narrative_id}": {"narrative_id": str(pending.id)},
        "/api/v1/report-questions/{question_id}": {"question_id": str(council_question.id)},
        "/themes-and-areas/themes/{slug}": {"slug": theme.slug},
        "/themes/{slug}": {"slug": theme.slug},
        "/themes/{slug}/edit": {"slug": theme.slug},
        "/api/v1/themes/{slug}": {"slug": theme.slug},
        "/themes/{slug}/domains": {"slug": theme.slug},
        "/api/v1/themes/{slug}/domains": {"slug": theme.slug},
        "/themes-and-areas/areas/{code}": {"code": make_area(session).code},
    }


def concrete(pattern: str, samples: dict[str, dict[str, str]]) -> str:
    values = samples["*"] | samples.get(pattern, {})

    def fill(match: re.Match) -> str:
        name = match.group(1)
        assert name in values, f"add a sample value for {{{name}}} in sample_values()"
        return values[name]

    return re.sub(r"\{(\w+)(?::\w+)?\}", fill, pattern)


def expected(need: Need, actor: str, path: str, public_read: bool = False) -> int | str:
    """Return the status (or "login" for a redirect to the login page) ``actor`` gets."""
    denied = 401 if path.startswith("/api/") else "login"
    staff = actor in RANK
    if need == Need.public:
        return 200
    if actor == "council":  # signed in: refused (403), never sent to the login page
        return 200 if need == Need.reader else 403
    if need == Need.story_form:
        return 200 if actor == "invite" or staff else denied
    if need == Need.partner_page:
        if actor == "invite":
            return 200
        if not staff:
            return denied
        return 303 if RANK[actor] >= RANK["editor"] else 403
    if need == Need.reader:
        return 200 if staff or public_read else denied
    if not staff:
        return denied
    return 200 if RANK[actor] >= RANK[need.value] else 403


def outcome(response) -> int | str:
    if response.status_code == 303 and response.headers["location"].startswith("/login?next="):
        return "login"
    return response.status_code


def clients(app, session) -> dict[str, tuple[TestClient, dict]]:
    """Return per actor a client (signed in through the form) and API headers."""
    result = {}
    for actor in ACTORS:
        client = TestClient(app, raise_server_exceptions=False)
        headers = {}
        if actor in SIGNED_IN:
            session.rollback()  # the app's writes make this session's snapshot stale
            login(client, session, actor)
            session.rollback()
            headers = bearer(session, actor)
        result[actor] = (client, headers)
    return result


def check_table(app, session, public_read: bool = False) -> list[str]:
    values = sample_values(session)
    partner = Partner(name="Buurtteam")
    session.add(partner)
    session.flush()
    invite = create_invite(session=session, partner=partner, expires_at=None)
    session.commit()
    invite_query = f"invite={invite_token(invite)}"
    values["*"] |= {"partner_id": str(partner.id), "invite_id": str(invite.id)}
    actors = clients(app, session)
    mismatches = []
    for pattern in get_routes(app):
        url = concrete(pattern, values)
        for actor, (client, headers) in actors.items():
            target = f"{url}?{invite_query}" if actor == "invite" else url
            api_headers = headers if url.startswith("/api/") else {}
            got = outcome(client.get(target, headers=api_headers, follow_redirects=False))
            want = expected(MINIMUM[pattern], actor, url, public_read)
            if got != want:
                mismatches.append(f"{actor:9} GET {pattern}: expected {want}, got {got}")
    return mismatches


def test_every_get_route_is_in_the_table(app):
    missing = [path for path in get_routes(app) if path not in MINIMUM]
    assert missing == [], f"decide who may open {missing} and add them to MINIMUM"


def test_every_route_as_every_actor(app, session):
    mismatches = check_table(app, session)
    assert not mismatches, "\n".join(mismatches)


def test_every_route_as_every_actor_when_figures_are_public(settings, session):
    settings(public_read=True)
    from app.main import create_app

    mismatches = check_table(create_app(), session, public_read=True)
    assert not mismatches, "\n".join(mismatches)
