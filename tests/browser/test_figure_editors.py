"""Figure pages in a real browser: themes and areas, CSV import, values as known then."""

from datetime import date

from sqlmodel import func, select

from app.models import AreaKind, Observation
from tests.browser.conftest import axe_violations, sign_in
from tests.factories import make_area, make_indicator, make_theme
from tests.spreadsheets import xlsx
from tests.test_observations_cbs import cbs_responses  # noqa: F401 (fixture)

SHOTS = "/tmp/duiding-shots"


def test_area_in_use_cannot_be_deleted_and_the_pages_are_accessible(page, session):
    municipality = make_area(session, code="GM0193", name="Zwolle", kind=AreaKind.municipality)
    make_area(session, code="WK019301", name="Centrum", parent_id=municipality.id)
    make_theme(session, slug="jeugd", name="Jeugd")
    sign_in(page, session, "editor")
    page.goto("/themes-and-areas")
    assert axe_violations(page) == []
    page.get_by_role("link", name="Bewerken Zwolle").click()
    page.wait_for_url("**/themes-and-areas/areas/GM0193")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Dit gebied verwijderen").click()
    alert = page.get_by_role("alert")
    assert "Zwolle wordt nog gebruikt: gebieden daarbinnen (1)." in alert.inner_text()
    assert axe_violations(page) == []
    page.goto("/themes-and-areas/themes/jeugd")
    page.get_by_label("Naam").fill("Jeugd en gezin")
    page.get_by_role("button", name="Opslaan").click()
    page.wait_for_url("**/themes-and-areas")
    assert "Jeugd en gezin" in page.content()


def test_csv_upload_lists_problems_then_imports(page, session, tmp_path):
    make_indicator(session, slug="wmo")
    sign_in(page, session, "editor")
    bad = tmp_path / "fout.csv"
    bad.write_text("indicator,period,area,value\nwmo,2024-01,,1\nwmo,2024-01,,2\n")
    page.goto("/indicators/import")
    page.get_by_label("Spreadsheetbestand").set_input_files(str(bad))
    page.get_by_role("button", name="Bestand controleren").click()
    assert "staat ook in regel 2" in page.get_by_role("alert").inner_text()
    assert axe_violations(page) == []
    good = tmp_path / "goed.csv"
    good.write_text("indicator;period;area;value\nwmo;mrt 2024;;1.234,5\n")
    page.get_by_label("Spreadsheetbestand").set_input_files(str(good))
    page.get_by_role("button", name="Bestand controleren").click()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Importeren").click()
    assert "goed.csv is geïmporteerd: 1 nieuw" in page.get_by_role("status").inner_text()
    session.rollback()
    assert session.exec(select(func.count()).select_from(Observation)).one() == 1


def test_values_page_as_known_on_a_day_is_accessible(page, session):
    indicator = make_indicator(session, slug="wmo", name="Wmo-cliënten")
    session.add(Observation(indicator_id=indicator.id, period_start=date(2024, 1, 1), value=7.0))
    session.commit()
    sign_in(page, session, "viewer")
    page.goto("/indicators/wmo")
    page.get_by_role("link", name="Alle waarden, ook zoals ze eerder bekend waren").click()
    page.get_by_label("Zoals bekend op").fill("2024-01-31")
    page.get_by_role("button", name="Toon").click()
    assert "Toen waren er nog geen waarden bekend." in page.content()
    assert axe_violations(page) == []


def _shoot(page, name: str) -> None:
    """Screenshots at desktop and phone width, to look at (not compared)."""
    for width in (1280, 360):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=f"{SHOTS}/{name}-{width}.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_workbook_mapping_step_then_import(page, session, tmp_path):
    make_indicator(session, slug="wmo", name="Wmo-cliënten")
    make_area(session, code="WK019301", name="Binnenstad")
    sign_in(page, session, "editor")
    book = tmp_path / "wijken.xlsx"
    book.write_bytes(xlsx({"Blad1": [["Wijk", "2024-01", "2024-02"], ["Centrum", 3, 4]]}))
    page.goto("/indicators/import")
    page.get_by_label("Spreadsheetbestand").set_input_files(str(book))
    page.get_by_role("button", name="Bestand controleren").click()
    assert "noem het cijfer" in page.get_by_role("alert").inner_text()
    assert axe_violations(page) == []
    page.get_by_label("Eén cijfer voor alle rijen").select_option("wmo")
    page.get_by_role("button", name="Opnieuw controleren").click()
    assert "onbekend gebied" in page.get_by_role("alert").inner_text()
    assert axe_violations(page) == []
    _shoot(page, "import-mapping")
    page.get_by_label("Centrum (rijen: 2)").select_option("WK019301")
    page.get_by_role("button", name="Opnieuw controleren").click()
    assert "Importeren slaat 2 nieuwe waarden op" in page.locator("main").inner_text()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Importeren").click()
    assert "wijken.xlsx is geïmporteerd: 2 nieuw" in page.get_by_role("status").inner_text()


def test_cbs_page_previews_then_imports(page, session, cbs_responses):  # noqa: F811
    make_indicator(session, slug="inwoners", name="Inwoners", frequency="year")
    sign_in(page, session, "editor")
    page.goto("/indicators/import/cbs")
    assert axe_violations(page) == []
    page.get_by_role("textbox", name="Tabel (verplicht)").fill("85984NED")
    page.get_by_role("textbox", name="Onderwerp (verplicht)").fill(
        "GemiddeldeWOZWaardeVanWoningen_39"
    )
    page.get_by_label("Cijfer om te vullen").select_option("inwoners")
    page.get_by_role("button", name="Tabel controleren").click()
    text = page.locator("main").inner_text()
    assert "opgeslagen in euro, vermenigvuldigd met 1.000" in text
    assert "Importeren slaat 5 nieuwe waarden op" in text
    assert axe_violations(page) == []
    _shoot(page, "import-cbs")
    page.get_by_role("button", name="Importeren").click()
    assert "CBS-tabel 85984NED is geïmporteerd: 5 nieuw" in page.get_by_role("status").inner_text()
