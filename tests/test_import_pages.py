"""The import pages for editors: a spreadsheet's mapping step, and a CBS table, both previewed."""

import re

from sqlmodel import func, select

from app.models import Area, Frequency, ImportMapping, Observation
from tests.factories import csrf, csrf_from, login, make_area, make_indicator
from tests.spreadsheets import xlsx
from tests.test_observations_cbs import cbs_responses  # noqa: F401 (fixture)


def upload(client, name: str, content: bytes):
    return client.post(
        "/indicators/import",
        data={"csrf_token": csrf(client, "/indicators/import")},
        files={"file": (name, content, "application/octet-stream")},
    )


def form_of(html: str) -> dict:
    """The mapping form as the browser would post it: hidden fields and selected options."""
    form = html[html.index('action="/indicators/import/check"') :]
    form = form[: form.index("</form>")]
    fields: dict[str, list[str]] = {}
    for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form):
        fields.setdefault(name, []).append(value)
    for name, body in re.findall(r'<select id="[^"]+" name="([^"]+)">(.*?)</select>', form, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected>', body)
        fields.setdefault(name, []).append(chosen.group(1) if chosen else "")
    period = re.search(r'name="period"[^>]*value="([^"]*)"', form)
    fields["period"] = [period.group(1) if period else ""]
    return fields


def stored(session):
    session.rollback()
    return sorted((o.period_start.year, o.value) for o in session.exec(select(Observation)))


WIDE = xlsx({"Wmo": [["Wijk", "Totaal", "2023", "2024"], ["Zwolle", 9, 1, 2]]})


def test_mapping_is_shown_corrected_and_saved_for_the_next_file(client, session):
    make_indicator(session, slug="wmo", frequency=Frequency.year)
    make_area(session, code="GM0193", name="Zwolle", kind="municipality")
    login(client, session, "editor")
    first = upload(client, "wmo-2024.xlsx", WIDE)
    # "Totaal" is not a period, so the layout is not guessed: the editor is asked.
    assert first.status_code == 422
    assert "Workbook, sheet Wmo." not in first.text  # Dutch by default
    assert "Werkmap, blad Wmo." in first.text
    assert 'formaction="/indicators/import/commit"' not in first.text
    fields = form_of(first.text)
    assert fields["column"] == ["", "", "Wijk", ""]  # figure, period, area, value
    fields.update(
        layout=["wide-periods"],
        column=["", "", "Wijk", ""],
        indicator=["wmo"],
        csrf_token=[csrf_from(first.text)],
    )
    # The "Totaal" column is no period: the check says so, and nothing is stored.
    checked = client.post("/indicators/import/check", data=fields)
    assert checked.status_code == 422
    assert "&#39;Totaal&#39; is geen periode" in checked.text
    assert stored(session) == []
    fields["column"] = ["", "", "Wijk", ""]
    good = xlsx({"Wmo": [["Wijk", "2023", "2024"], ["Zwolle", 1, 2]]})
    retry = upload(client, "wmo-2024.xlsx", good)
    fields = form_of(retry.text)
    fields.update(layout=["wide-periods"], indicator=["wmo"], csrf_token=[csrf_from(retry.text)])
    preview = client.post("/indicators/import/check", data=fields)
    assert preview.status_code == 200, preview.text
    assert "Importeren slaat 2 nieuwe waarden op" in preview.text
    done = client.post("/indicators/import/commit", data=fields)
    assert "wmo-2024.xlsx is geïmporteerd: 2 nieuw" in done.text
    assert stored(session) == [(2023, 1.0), (2024, 2.0)]
    assert session.exec(select(func.count()).select_from(ImportMapping)).one() == 1
    # The next quarter's file, another name but the same header, is read the same way.
    later = xlsx({"Wmo": [["Wijk", "2023", "2024"], ["Zwolle", 1, 3]]})
    again = upload(client, "wmo-2025.xlsx", later)
    assert again.status_code == 200
    assert "Importeren slaat 0 nieuwe waarden op en wijzigt er 1" in again.text
    assert 'formaction="/indicators/import/commit"' in again.text


def test_unknown_area_names_are_mapped_in_the_preview(client, session):
    make_indicator(session, slug="wmo", frequency=Frequency.year)
    make_area(session, code="WK019301", name="Binnenstad")
    login(client, session, "editor")
    content = b"indicator;period;area;value\nwmo;2024;Centrum;5\nwmo;2023;Centrum;4\n"
    first = upload(client, "wijken.csv", content)
    assert first.status_code == 422
    assert "onbekend gebied &#39;Centrum&#39; (rijen: 2)" in first.text
    assert "Centrum (rijen: 2)" in first.text
    fields = form_of(first.text)
    assert fields["area_name"] == ["Centrum"]
    fields.update(area_code=["WK019301"], csrf_token=[csrf_from(first.text)])
    done = client.post("/indicators/import/commit", data=fields)
    assert done.status_code == 200, done.text
    session.rollback()
    codes = session.exec(select(Area.code).join(Observation, Observation.area_id == Area.id))
    assert set(codes) == {"WK019301"}


def cbs_form(**overrides):
    form = {
        "table": "85039NED",
        "measure": "Bijstandsuitkeringen_1",
        "indicator": "bijstand",
        "api": "v3",
        "source": "statline",
        "period": "",
        "dimensions": "",
        "region_prefix": "",
    }
    return {**form, **overrides}


def test_cbs_table_is_previewed_then_imported(client, session, cbs_responses):  # noqa: F811
    make_indicator(session, slug="bijstand", frequency=Frequency.quarter)
    login(client, session, "editor")
    token = csrf(client, "/indicators/import/cbs")
    preview = client.post("/indicators/import/cbs", data={**cbs_form(), "csrf_token": token})
    assert preview.status_code == 200, preview.text
    assert "Importeren slaat 3 nieuwe waarden op" in preview.text
    assert "Nieuwe gebieden, met hun CBS-naam: Zwolle, Wijk 01 Binnenstad" in preview.text
    assert counts(session) == (0, 0)
    confirm = {**cbs_form(), "confirm": "yes", "csrf_token": csrf_from(preview.text)}
    done = client.post("/indicators/import/cbs", data=confirm)
    assert "CBS-tabel 85039NED is geïmporteerd: 3 nieuw, 0 gewijzigd, 0 ongewijzigd" in done.text
    assert counts(session) == (3, 2)


def counts(session):
    session.rollback()
    return (
        session.exec(select(func.count()).select_from(Observation)).one(),
        session.exec(select(func.count()).select_from(Area)).one(),
    )


def test_cbs_refusals_are_said_in_dutch_and_change_nothing(client, session, cbs_responses):  # noqa: F811
    make_indicator(session, slug="bevolking", frequency=Frequency.year)
    login(client, session, "editor")
    token = csrf(client, "/indicators/import/cbs")
    wrong = cbs_form(
        table="03759ned",
        measure="BevolkingOp1Januari_1",
        indicator="bevolking",
        dimensions="Geslacht=5000",
    )
    refused = client.post("/indicators/import/cbs", data={**wrong, "csrf_token": token})
    assert refused.status_code == 422
    assert (
        "Geslacht heeft geen categorie &#39;5000&#39;; de categorieën zijn T001038 (Totaal "
        "mannen en vrouwen); 3000 (Mannen); 4000 (Vrouwen)" in refused.text
    )
    unknown = client.post(
        "/indicators/import/cbs",
        data={**cbs_form(table="00000NED", indicator="bevolking"), "csrf_token": token},
    )
    assert unknown.status_code == 422
    assert "CBS kent tabel 00000NED niet" in unknown.text
    assert counts(session) == (0, 0)
    english = client.post(
        "/indicators/import/cbs?lang=en",
        data={**cbs_form(table="00000NED", indicator="bevolking"), "csrf_token": token},
    )
    assert "CBS does not know table 00000NED" in english.text


def test_an_unknown_area_name_can_be_created_with_the_import(client, session):
    make_indicator(session, slug="wmo", frequency=Frequency.year)
    login(client, session, "editor")
    first = upload(
        client, "nieuw.csv", b"indicator;period;area;value\nwmo;2024;Stadshagen-Noord;5\n"
    )
    assert first.status_code == 422
    fields = form_of(first.text)
    fields.update(area_code=["+new"], csrf_token=[csrf_from(first.text)])
    preview = client.post("/indicators/import/check", data=fields)
    assert preview.status_code == 200, preview.text
    assert "Nieuwe gebieden: Stadshagen-Noord" in preview.text
    assert counts(session) == (0, 0)  # the preview stores nothing, not even the area
    done = client.post(
        "/indicators/import/commit",
        data=form_of(preview.text) | {"csrf_token": [csrf_from(preview.text)]},
    )
    assert done.status_code == 200, done.text
    session.rollback()
    assert session.exec(select(Area.code, Area.name)).all() == [
        ("Stadshagen-Noord", "Stadshagen-Noord")
    ]
    assert counts(session) == (1, 1)
