"""Moderation of pending stories at ``/moderation`` (editors only)."""

from fastapi import APIRouter, Request
from sqlmodel import Session
from starlette.responses import RedirectResponse

from app.deps import EditorUser, SessionDep, WriteSessionDep
from app.figures.page_charts import story_charts
from app.forms import FormDep, check_csrf, refused
from app.i18n import N_
from app.models import Narrative
from app.models.narrative import AuthorRole, LinkRelation, NarrativeStatus
from app.narratives.moderation import (
    CHARTS_LISTED,
    NOTE_LONG,
    NOTE_MAX,
    Decision,
    PendingStory,
    moderate,
    pending_stories,
    pending_story,
)
from app.narratives.rendering import render_markdown
from app.narratives.submission import NO_PENDING_STORY, choices, format_period, validate_story
from app.problems import FieldError, Invalid, NotFound
from app.templating import render, request_language

router = APIRouter(tags=["pages"], include_in_schema=False)

DECISION_BAD = N_("Choose publish or hide.")
RELATION_BAD = N_("Choose how the story relates to the figure.")


def _pending_or_404(session: Session, narrative_id: int) -> PendingStory:
    story = session.get(Narrative, narrative_id)
    if story is None or story.status != NarrativeStatus.pending:
        raise NotFound(NO_PENDING_STORY, id=narrative_id)
    return pending_story(session, story)


def _form(request: Request, session: Session, item: PendingStory, values, errors, status=200):
    context = {
        **choices(session),
        "item": item,
        "charts": story_charts(session=session, story=item.story, lang=request_language(request)),
        "body_html": render_markdown(item.story.body),
        "relations": list(LinkRelation),
        "values": values,
        "errors": errors,
    }
    return render(request, "moderation/story.html", context, status_code=status)


def _done(session: Session, decision: str, story_id: str) -> tuple[str, Narrative] | None:
    """The decision just taken, to confirm at the top of the list (after the redirect)."""
    if decision not in Decision.__members__ or not story_id.isdigit():
        return None
    story = session.get(Narrative, int(story_id))
    status = {"publish": NarrativeStatus.published, "hide": NarrativeStatus.hidden}[decision]
    if story is None or story.status != status:
        return None
    return decision, story


@router.get("/moderation")
def moderation(
    request: Request, session: SessionDep, user: EditorUser, done: str = "", story: str = ""
):
    """List pending stories, oldest first, each with the submitter's own assessment, its
    contact details and the figures it concerns with its period marked; after a decision,
    confirm it."""
    lang = request_language(request)
    items = [
        (
            item,
            render_markdown(item.story.body),
            (
                story_charts(session=session, story=item.story, lang=lang)
                if n < CHARTS_LISTED
                else None
            ),
        )
        for n, item in enumerate(pending_stories(session))
    ]
    context = {"items": items, "done": _done(session, done, story)}
    return render(request, "moderation/index.html", context)


@router.get("/moderation/{narrative_id}")
def review(request: Request, narrative_id: int, session: SessionDep, user: EditorUser):
    """Show the decision form for one pending story, filled with what was sent."""
    item = _pending_or_404(session, narrative_id)
    story = item.story
    values = {
        "title": story.title,
        "body": story.body,
        "occurred": format_period(story.occurred_on, story.occurred_frequency),
        "area": item.area_code,
        "themes": item.theme_slugs,
        "indicators": item.indicator_slugs,
        "relation": item.relation.value,
        "reason": story.moderation_note,
    }
    return _form(request, session, item, values, {})


@router.post("/moderation/{narrative_id}")
def decide(
    request: Request, narrative_id: int, session: WriteSessionDep, user: EditorUser, form: FormDep
):
    """Redact, link and publish or hide one pending story."""
    check_csrf(request, form.get("csrf_token"))
    item = _pending_or_404(session, narrative_id)
    story = item.story
    data = {k: v for k, v in form.items() if isinstance(v, str)}
    problems: list[FieldError] = []
    if data.get("decision") not in Decision.__members__:
        problems.append(FieldError("decision", DECISION_BAD))
    if data.get("relation", "context") not in LinkRelation.__members__:
        problems.append(FieldError("relation", RELATION_BAD))
    if len((data.get("reason") or "").strip()) > NOTE_MAX:
        problems.append(FieldError("reason", NOTE_LONG))
    try:
        edited = validate_story(
            session=session,
            data={**data, "author_role": story.author_role.value},
            themes=[str(v) for v in form.getlist("themes")],
            indicators=[str(v) for v in form.getlist("indicators")],
            require_consent=False,
            roles=list(AuthorRole),
        )
    except Invalid as invalid:
        problems = invalid.errors + problems
    if problems:
        values = {
            **data,
            "themes": form.getlist("themes"),
            "indicators": form.getlist("indicators"),
        }
        errors = refused(request, session, Invalid(*problems))
        return _form(request, session, item, values, errors, status=422)
    moderate(
        session=session,
        story=story,
        decision=Decision(data["decision"]),
        edited=edited,
        relation=LinkRelation(data.get("relation", "context")),
        user=user,
        note=data.get("reason") or "",
    )
    return RedirectResponse(
        f"/moderation?done={data['decision']}&story={story.id}", status_code=303
    )
