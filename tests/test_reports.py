"""The half-year report through HTTP: content, consent, editing, freezing, downloads."""

import importlib.abc
import io
import re
import sys
from datetime import UTC, date, datetime

import pytest
from docx import Document
from pypdf import PdfReader
from sqlmodel import select

from app.models import (
    Action,
    ActionStatus,
    ConsentReach,
    Direction,
    Frequency,
    Indicator,
    LearningQuestion,
    LearningQuestionTheme,
    NarrativeIndicator,
    NarrativeStatus,
    QuestionStatus,
    QuestionStatusChange,
    ReportStory,
)
from tests.factories import (
    bearer,
    csrf_from,
    login,
    make_indicator,
    make_narrative,
    make_theme,
)

REPORT = "/reports/2024-H1"


@pytest.fixture
def data(client, session):
    """One theme with a figure, stories of every consent reach, a session, two actions
    and a learning question that moved, all in the first half of 2024."""
    theme = make_theme(session, slug="jeugd", name="Jeugd")
    other = make_theme(session, slug="schulden", name="Schulden")
    indicator = make_indicator(
        session,
        themes=[theme],
        slug="verzuim",
        name="Meldingen schoolverzuim",
        unit="meldingen",
        frequency=Frequency.month,
        direction=Direction.down,
    )
    make_indicator(session, themes=[other], slug="schuldhulp", name="Aanvragen schuldhulp")
    values = [{"period": f"2023-{m:02d}", "value": 10 + m % 2} for m in range(1, 13)]
    values += [{"period": f"2024-{m:02d}", "value": 10 + m % 2} for m in range(1, 7)]
    values[14]["value"] = 40  # 2024-03: a concern (more truancy)
    editor = bearer(session, "editor")
    posted = client.post("/api/v1/indicators/verzuim/observations", json=values, headers=editor)
    assert posted.status_code == 200, posted.text
    stories = {}
    for reach, title in [
        (ConsentReach.council, "Raadsverhaal over verzuim"),
        (ConsentReach.public, "Openbaar verhaal over verzuim"),
        (ConsentReach.internal, "Intern verhaal over verzuim"),
    ]:
        story = make_narrative(
            session, title=title, occurred_on=date(2024, 3, 1), consent_reach=reach
        )
        session.add(NarrativeIndicator(narrative_id=story.id, indicator_id=indicator.id))
        stories[reach] = story
    make_narrative(
        session,
        title="Nog te modereren verhaal",
        occurred_on=date(2024, 3, 1),
        consent_reach=ConsentReach.public,
        status=NarrativeStatus.pending,
    )
    session.commit()
    body = {
        "held_on": "2024-04-10",
        "title": "Reflectie verzuim april",
        "mean": "Het verzuim steeg door de griepgolf.",
        "do": "Leerplicht belt scholen na.",
        "indicators": [{"slug": "verzuim"}],
        "actions": [
            {"description": "Scholen bellen over verzuim", "owner": "Leerplicht"},
            {"description": "Ouderavond organiseren"},
        ],
    }
    created = client.post("/api/v1/sessions", json=body, headers=editor)
    assert created.status_code == 201, created.text
    session_id = created.json()["id"]
    done = session.exec(select(Action).where(Action.description.startswith("Scholen"))).one()
    done.status = ActionStatus.done
    done.closed_at = datetime(2024, 5, 2, tzinfo=UTC)
    question = LearningQuestion(text="Als scholen sneller bellen, daalt het verzuim.")
    session.add_all([done, question])
    session.flush()
    session.add(LearningQuestionTheme(question_id=question.id, theme_id=theme.id))
    session.add(
        QuestionStatusChange(
            question_id=question.id,
            status=QuestionStatus.supported,
            reason="Minder meldingen na de belronde.",
            session_id=session_id,
        )
    )
    session.commit()
    return {"stories": stories, "indicator": indicator, "theme": theme, "editor": editor}


def _section(html: str, slug: str) -> str:
    match = re.search(rf'<section class="report-theme" id="theme-{slug}".*?</section>', html, re.S)
    assert match, f"no section for {slug}"
    return match.group(0)


def test_report_per_theme_in_dutch(client, session, data):
    login(client, session, "viewer")
    response = client.get(REPORT)
    assert response.status_code == 200
    html = response.text
    assert "<h1>Halfjaarrapportage 1e helft 2024</h1>" in html
    youth = _section(html, "jeugd")
    assert "Meldingen schoolverzuim" in youth
    assert '<div class="report-svg" role="img"' in youth and "<svg" in youth
    # the signal in words, with what explains it, as on the indicator page
    assert (
        "Meldingen schoolverzuim, maart 2024: boven de bovengrens van de gewone variatie; "
        "zorgwekkend, want lager is beter; verklaard door 1 reflectiesessie." in youth
    )
    assert "Raadsverhaal over verzuim" in youth
    assert "Openbaar verhaal over verzuim" in youth
    assert "Reflectie verzuim april" in youth
    assert "Het verzuim steeg door de griepgolf." in youth
    assert "<strong>Afgerond:</strong> Scholen bellen over verzuim" in youth
    assert "<strong>Open:</strong> Ouderavond organiseren" in youth
    assert "Als scholen sneller bellen, daalt het verzuim." in youth
    assert "Minder meldingen na de belronde." in youth
    debts = _section(html, "schulden")
    assert "Aanvragen schuldhulp" in debts and "Geen waarden in dit halfjaar." in debts
    assert "Raadsverhaal" not in debts


def test_only_stories_allowed_to_reach_the_council(client, session, data):
    login(client, session, "viewer")
    html = client.get(REPORT).text
    assert "Intern verhaal over verzuim" not in html
    assert "Nog te modereren verhaal" not in html
    assert "Intern verhaal" not in client.get(f"{REPORT}.md").text


def test_an_editor_cannot_choose_an_internal_story(client, session, data):
    login(client, session, "editor")
    page = client.get(REPORT).text
    internal = data["stories"][ConsentReach.internal]
    assert f'value="{internal.id}"' not in page  # not offered
    council = data["stories"][ConsentReach.council]
    response = client.post(
        f"{REPORT}/themes/jeugd",
        data={"csrf_token": csrf_from(page), "intro": "", "stories": [internal.id, council.id]},
        follow_redirects=False,
    )
    assert response.status_code == 303
    session.rollback()
    chosen = session.exec(select(ReportStory.narrative_id)).all()
    assert chosen == [council.id]
    youth = _section(client.get(REPORT).text, "jeugd")
    assert "<h4>Raadsverhaal over verzuim</h4>" in youth
    assert "<h4>Openbaar verhaal over verzuim</h4>" not in youth  # only the chosen one now
    assert "Intern verhaal" not in youth


def test_anonymous_readers_see_only_public_stories(client, session, data, settings):
    settings(public_read=True)
    html = client.get(REPORT).text
    assert "Openbaar verhaal over verzuim" in html
    assert "Raadsverhaal over verzuim" not in html
    assert "Deze rapportage bevriezen" not in html
    assert "Raadsverhaal" not in client.get(f"{REPORT}.md").text


def test_anonymous_needs_public_read(client, data):
    response = client.get(REPORT, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=")
    for path in (f"{REPORT}/freeze", f"{REPORT}/themes/jeugd"):
        posted = client.post(path, data={"csrf_token": "x", "intro": "x"}, follow_redirects=False)
        assert posted.status_code == 303, path
        assert posted.headers["location"].startswith("/login?next=")


def test_editor_writes_an_introduction_kept_with_the_report(client, session, data):
    login(client, session, "editor")
    page = client.get(REPORT).text
    response = client.post(
        f"{REPORT}/themes/jeugd",
        data={"csrf_token": csrf_from(page), "intro": "Het **verzuim** vraagt aandacht."},
        follow_redirects=False,
    )
    assert response.status_code == 303
    youth = _section(client.get(REPORT).text, "jeugd")
    assert "Het <strong>verzuim</strong> vraagt aandacht." in youth
    # the introduction belongs to this half year only
    assert "vraagt aandacht" not in client.get("/reports/2024-H2").text


def test_viewer_may_not_edit_or_freeze(client, session, data):
    login(client, session, "viewer")
    page = client.get(REPORT).text
    assert "Deze rapportage bevriezen" not in page
    token = csrf_from(client.get("/sessions").text)
    assert client.post(f"{REPORT}/freeze", data={"csrf_token": token}).status_code == 403
    response = client.post(f"{REPORT}/themes/jeugd", data={"csrf_token": token, "intro": "x"})
    assert response.status_code == 403


def test_freeze_keeps_the_report_and_shows_what_changed(client, session, data):
    login(client, session, "editor")
    page = client.get(REPORT).text
    frozen = client.post(
        f"{REPORT}/freeze", data={"csrf_token": csrf_from(page)}, follow_redirects=False
    )
    assert frozen.status_code == 303
    first = frozen.headers["location"]
    assert re.fullmatch(r"/reports/2024-H1\?version=\d+", first)
    assert "maart 2024: 40," in client.get(first).text
    # a revision of the figure after freezing, through the API
    revised = client.post(
        "/api/v1/indicators/verzuim/observations",
        json=[{"period": "2024-03", "value": 44}],
        headers=data["editor"],
    )
    assert revised.json()["updated"] == 1
    frozen_page = client.get(first).text
    assert "maart 2024: 40," in frozen_page and "maart 2024: 44," not in frozen_page
    assert "Bevroren versie" in frozen_page
    live = client.get(REPORT).text
    assert "maart 2024: 44," in live
    assert "Veranderd sinds de vorige bevroren rapportage" in live
    assert "Meldingen schoolverzuim, maart 2024: herzien van 40 naar 44" in live
    # the next frozen report keeps that list of changes
    second = client.post(
        f"{REPORT}/freeze", data={"csrf_token": csrf_from(live)}, follow_redirects=False
    ).headers["location"]
    assert second != first
    second_page = client.get(second).text
    assert "Meldingen schoolverzuim, maart 2024: herzien van 40 naar 44" in second_page
    assert "herzien van" not in client.get(first).text  # the first had no predecessor
    # the frozen Markdown is frozen too
    version = second.split("version=")[1]
    assert "maart 2024: 44" in client.get(f"{REPORT}.md?version={version}").text


def test_markdown_download(client, session, data):
    login(client, session, "viewer")
    link = re.search(r'href="(/reports/2024-H1\.md[^"]*)"', client.get(REPORT).text).group(1)
    response = client.get(link)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/markdown")
    assert 'filename="rapportage-2024-H1.md"' in response.headers["content-disposition"]
    text = response.text
    assert text.startswith("# Halfjaarrapportage 1e helft 2024\n")
    assert "\n## Jeugd\n" in text
    assert "- maart 2024: 40, zorgwekkend" in text
    # a story keeps its own Markdown, indented under its title
    assert "- **Raadsverhaal over verzuim** (maart 2024)\n\n  Wij zien meer gezinnen" in text
    assert "&amp;" not in text and "<svg" not in text


def test_pdf_download_holds_the_text_and_charts(client, session, data):
    login(client, session, "viewer")
    response = client.get(f"{REPORT}.pdf?theme=jeugd")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert 'filename="rapportage-2024-H1-jeugd.pdf"' in response.headers["content-disposition"]
    reader = PdfReader(io.BytesIO(response.content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Halfjaarrapportage 1e helft 2024" in text
    assert "Meldingen schoolverzuim" in text
    assert "Raadsverhaal over verzuim" in text
    assert "Intern verhaal" not in text
    assert "Schulden" not in text  # one theme only
    images = {image.name for page in reader.pages for image in page.images}
    assert len(images) == 1  # the chart of the one figure with values


def _structure(node, found: list) -> list:
    """(tag, alternative text) of every element in a PDF's structure tree."""
    node = node.get_object()
    if "/S" in node:
        found.append((node["/S"], node.get("/Alt")))
    kids = node.get("/K")
    for kid in kids if isinstance(kids, list) else [kids] if kids is not None else []:
        if hasattr(kid.get_object(), "get"):
            _structure(kid, found)
    return found


@pytest.mark.parametrize(
    ("lang", "title"),
    [("nl", "Halfjaarrapportage 1e helft 2024"), ("en", "Half-year report first half of 2024")],
)
def test_pdf_is_tagged_for_accessibility(client, session, data, lang, title):
    """PDF/UA-1: a structure tree with headings and a chart figure with alternative
    text, the reader's language, the title shown, and the PDF/UA claim in its metadata."""
    login(client, session, "viewer")
    response = client.get(f"{REPORT}.pdf?theme=jeugd&lang={lang}")
    assert response.status_code == 200
    reader = PdfReader(io.BytesIO(response.content))
    root = reader.trailer["/Root"]
    assert root["/Lang"] == lang
    assert bool(root["/MarkInfo"]["/Marked"])
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"])
    assert reader.metadata.title.startswith(title)
    assert b"pdfuaid" in root["/Metadata"].get_object().get_data()
    tags = _structure(root["/StructTreeRoot"], [])
    names = [tag for tag, _ in tags]
    assert names.count("/H1") == 1 and "/H2" in names and "/L" in names
    assert [alt for tag, alt in tags if tag == "/Figure"] == ["Meldingen schoolverzuim"]


class _NoPango(importlib.abc.MetaPathFinder):
    """Import WeasyPrint as on a machine without Pango: cffi's dlopen fails."""

    def find_spec(self, name, path=None, target=None):
        if name == "weasyprint":
            raise OSError("cannot load library 'libpango-1.0-0': not found")
        return None


def test_pdf_without_pango_says_what_to_install(client, session, data, monkeypatch):
    monkeypatch.delitem(sys.modules, "weasyprint", raising=False)
    monkeypatch.setattr(sys, "meta_path", [_NoPango(), *sys.meta_path])
    login(client, session, "viewer")
    response = client.get(f"{REPORT}.pdf")
    assert response.status_code == 503
    assert "text/html" in response.headers["content-type"]
    assert "Pango" in response.text and "apt-get install libpango-1.0-0" in response.text
    assert "De PDF kan op deze server niet gemaakt worden" in response.text
    assert client.get(f"{REPORT}.docx").status_code == 200  # the rest works


def test_docx_download_is_an_editable_document_of_the_same_report(client, session, data):
    login(client, session, "viewer")
    link = re.search(r'href="(/reports/2024-H1\.docx[^"]*)"', client.get(REPORT).text)
    response = client.get(f"{link.group(1)}?theme=jeugd")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert 'filename="rapportage-2024-H1-jeugd.docx"' in response.headers["content-disposition"]
    document = Document(io.BytesIO(response.content))
    paragraphs = [(p.style.name, p.text) for p in document.paragraphs]
    assert ("Title", "Halfjaarrapportage 1e helft 2024: Jeugd") in paragraphs
    assert ("Heading 1", "Jeugd") in paragraphs
    assert ("Heading 3", "Meldingen schoolverzuim (meldingen)") in paragraphs
    assert ("List Bullet", "maart 2024: 40, zorgwekkend") in paragraphs
    # a story: its title bold in a list item, its own text continuing that item
    every = document.paragraphs
    at = next(n for n, p in enumerate(every) if p.text.startswith("Raadsverhaal over verzuim"))
    story, body = every[at], every[at + 1]
    assert story.style.name == "List Bullet" and story.runs[0].bold
    assert body.style.name == "List Continue" and body.text.startswith("Wij zien meer gezinnen")
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Intern verhaal" not in text and "**" not in text
    assert document.core_properties.language == "nl-NL"
    pictures = document.inline_shapes
    assert len(pictures) == 1  # the chart of the one figure with values
    assert pictures[0]._inline.docPr.get("descr") == "Meldingen schoolverzuim"


def test_one_theme_only(client, session, data):
    login(client, session, "viewer")
    html = client.get(f"{REPORT}?theme=schulden").text
    assert 'href="/reports/2024-H1.pdf?theme=schulden"' in html
    assert "<h1>Halfjaarrapportage 1e helft 2024: Schulden</h1>" in html
    assert 'id="theme-jeugd"' not in html and 'id="theme-schulden"' in html


@pytest.mark.parametrize(
    "path",
    [
        "/reports/2024-H3",
        "/reports/2024-h1",
        "/reports/24-H1",
        "/reports/abcd-H1",
        "/reports/1800-H1",
        "/reports/2024-H3.md",
        "/reports/2024-H0.pdf",
    ],
)
def test_a_bad_half_year_is_a_404_that_says_why(client, session, data, path):
    login(client, session, "viewer")
    response = client.get(path)
    assert response.status_code == 404
    if path.endswith(("H3", "h1", "H1")):
        assert (
            "Een rapportage gaat over een halfjaar, geschreven als 2024-H1 of 2024-H2."
            in response.text
        )


def test_unknown_theme_or_version(client, session, data):
    login(client, session, "viewer")
    # the page says it and shows the live report (tests/test_filter_dead_ends.py);
    # a download has no page to say it on
    assert client.get(f"{REPORT}?theme=onbekend").status_code == 422
    missing = client.get(f"{REPORT}?version=999")
    assert missing.status_code == 422
    assert "Er is geen bevroren rapportage met dat nummer" in missing.text
    assert client.get(f"{REPORT}.md?theme=onbekend").status_code == 404
    assert client.get(f"{REPORT}.md?version=999").status_code == 404
    english = client.get("/reports/2024-H3?lang=en")
    assert "A report covers a half year, written as 2024-H1 or 2024-H2." in english.text


def test_too_long_introduction_changes_nothing(client, session, data):
    login(client, session, "editor")
    page = client.get(REPORT).text
    response = client.post(
        f"{REPORT}/themes/jeugd", data={"csrf_token": csrf_from(page), "intro": "x" * 20_001}
    )
    assert response.status_code == 422
    assert "Een inleiding mag hoogstens 20.000 tekens lang zijn." in response.text
    assert "xxxx" not in client.get(REPORT).text


def test_reports_page_lists_half_years_and_frozen_versions(client, session, data):
    login(client, session, "editor")
    page = client.get(REPORT).text
    client.post(f"{REPORT}/freeze", data={"csrf_token": csrf_from(page)})
    listing = client.get("/reports").text
    assert 'href="/reports/2024-H1">1e helft 2024</a>' in listing
    assert "1 bevroren versie" in listing
    # half years after the data, without figures and never frozen, are not offered
    assert 'href="/reports/2025-H1"' not in listing and "2026-H2" not in listing
    english = client.get("/reports?lang=en").text
    assert 'href="/reports/2024-H1">first half of 2024</a>' in english


def test_text_inside_charts_and_stories_is_escaped(client, session, data):
    indicator = data["indicator"]
    indicator.unit = "<script>alert(1)</script>"
    session.add(indicator)
    story = data["stories"][ConsentReach.council]
    story.body = "<img src=x onerror=alert(2)> **vet**"
    session.add(story)
    session.commit()
    login(client, session, "viewer")
    html = client.get(REPORT).text
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html
    assert "<img src=x" not in html and "<strong>vet</strong>" in html


def test_a_story_chosen_for_one_theme_is_not_chosen_for_another(client, session, data):
    debts = session.exec(select(Indicator).where(Indicator.slug == "schuldhulp")).one()
    council, public = data["stories"][ConsentReach.council], data["stories"][ConsentReach.public]
    for story in (council, public):  # both stories are also about the debt figure
        session.add(NarrativeIndicator(narrative_id=story.id, indicator_id=debts.id))
    session.commit()
    login(client, session, "editor")
    page = client.get(REPORT).text
    response = client.post(
        f"{REPORT}/themes/jeugd",
        data={"csrf_token": csrf_from(page), "intro": "", "stories": [council.id]},
        follow_redirects=False,
    )
    assert response.status_code == 303
    html = client.get(REPORT).text
    assert "<h4>Openbaar verhaal over verzuim</h4>" not in _section(html, "jeugd")
    # Nothing was chosen for debts: it shows its most linked stories, both of them.
    assert "<h4>Openbaar verhaal over verzuim</h4>" in _section(html, "schulden")
    assert "<h4>Raadsverhaal over verzuim</h4>" in _section(html, "schulden")


def test_an_introduction_with_line_breaks_up_to_the_limit_is_saved(client, session, data):
    from app.models import ReportIntro
    from app.reports.service import INTRO_MAX

    login(client, session, "editor")
    page = client.get(REPORT).text
    lines = ("regel\r\n" * (INTRO_MAX // 6))[: INTRO_MAX + 200]  # over the limit only in CRLF
    text = lines[: lines.rfind("\r\n")]
    assert len(text) > INTRO_MAX >= len(text.replace("\r\n", "\n"))
    response = client.post(
        f"{REPORT}/themes/jeugd",
        data={"csrf_token": csrf_from(page), "intro": text},
        follow_redirects=False,
    )
    assert response.status_code == 303
    session.rollback()
    assert session.exec(select(ReportIntro.text)).one() == text.replace("\r\n", "\n").strip()
