"""The compliance reports: `GET /reports/compliance` (JSON), `/reports/compliance.csv` and the dashboard page
`/rapporter` give the same numbers, suppress small groups, follow the roles and never show a patient key.
Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from html import unescape

import pytest

from api import schemas
from api.routes.reports import MAX_PAGE_ROWS, PAGE_ROWS
from tests.support import TSB, complete, start_tsb, to_clinical_decision

MANAGER = {"Authorization": "Bearer dev-leder"}
ADMIN = {"Authorization": "Bearer dev-admin"}
NORD = {"Authorization": "Bearer dev-koordinator-nord"}
MODELLER = {"Authorization": "Bearer dev-modellerer"}
RANGE = {"from": "2025-09-01", "to": "2026-01-05"}
REFERRAL = "referral_assessment"
ASSESSMENT = "assessment_outpatient"


@pytest.fixture
def measured(client):
    """Eleven TSB pathways with known outcomes (today is 2026-01-05).

    Referral assessment (10 working days, no target), tertial 2025-T3:
      DPS Nord: 5 met (November), 2 breached (December), 1 still overdue (due 15 December);
      DPS Sør:  3 met (November) -> fewer than 5 pathways: suppressed;
      DPS Vest: 6 met (November) -> the smallest unit beside DPS Sør: suppressed too (complementary).
    Assessment, outpatient (21 days, target 80 %), DPS Nord: 5 met, 1 breached, 1 late but patient-deferred.
    """
    runtime = client.app.state.runtime
    ids = {}
    for n in range(1, 18):
        unit = "DPS Sør" if n in (8, 9, 10) else "DPS Vest" if n > 11 else "DPS Nord"
        received = date(2025, 12, 1) if n == 7 else date(2025, 11, 3)
        ids[n] = start_tsb(runtime, patient=f"RPT-{n:04d}", received=received, unit=unit)
    for n in (1, 2, 3, 4):
        to_clinical_decision(runtime, ids[n], assessed=date(2025, 11, 10), attended=date(2025, 11, 12),
                             decided=date(2025, 11, 20))
    to_clinical_decision(runtime, ids[5], assessed=date(2025, 12, 1), attended=date(2025, 12, 2),
                         decided=date(2025, 12, 10))
    to_clinical_decision(runtime, ids[6], assessed=date(2025, 12, 1), attended=date(2025, 12, 2),
                         decided=date(2025, 12, 29))
    for n in (8, 9, 10, *range(12, 18)):
        complete(runtime, ids[n], "assess_referral", date(2025, 11, 7), outcome="right_to_care")
    complete(runtime, ids[11], "assess_referral", date(2025, 11, 7), outcome="right_to_care")
    complete(runtime, ids[11], "first_attendance", date(2025, 11, 10))
    runtime.register_patient_deferred(ids[11], deferred_from=date(2025, 11, 12), working_days=10,
                                      reason="asked_to_postpone", note="pasienten utsatte")
    complete(runtime, ids[11], "somatic_health_check", date(2025, 11, 12), somatic_follow_up_needed=False)
    complete(runtime, ids[11], "clinical_decision_basic", date(2025, 12, 15), outcome="CT")  # due 1 December
    return ids


def report(client, headers=MANAGER, **params):
    response = client.get("/reports/compliance", params={**RANGE, **params}, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def rows_of(body, **match):
    return [r for r in body["rows"] if all(r[k] == v for k, v in match.items())]


def test_the_json_report_counts_and_suppresses(client, measured):
    body = report(client, pathway=TSB, indicator=REFERRAL)
    assert body["period"] == "tertial" and body["from"] == "2025-09-01" and body["suppress_below"] == 5
    [nord] = rows_of(body, unit="DPS Nord")
    assert nord == {"pathway": TSB, "unit": "DPS Nord", "indicator": REFERRAL,
                    "label": "Henvisning vurdert innen 10 virkedager", "period": "2025-T3", "numerator": 5,
                    "denominator": 8, "share": pytest.approx(5 / 8), "target": None, "deferred": 0, "overdue": 1,
                    "pathways": 8, "suppressed": False, "unconfirmed": False,
                    "suppression": None}
    [sor] = rows_of(body, unit="DPS Sør")
    assert sor["suppressed"] is True and sor["period"] == "2025-T3"
    assert [sor[k] for k in ("numerator", "denominator", "share", "deferred", "overdue", "pathways")] == [None] * 6
    assert sor["suppression"] == "primary" and nord["suppression"] is None
    [vest] = rows_of(body, unit="DPS Vest")
    assert vest["suppressed"] is True and vest["suppression"] == "complementary" and vest["numerator"] is None
    # all units together: 14 met of 17, and nothing suppressed
    [total] = report(client, pathway=TSB, indicator=REFERRAL, by_unit="false")["rows"]
    assert (total["unit"], total["numerator"], total["denominator"], total["pathways"], total["suppressed"]) == (
        None, 14, 17, 17, False)
    # per month: in November DPS Nord has five pathways, the smallest beside DPS Sør's three (complementary);
    # in December three (primary), and alone in the month's total, which is suppressed as well
    months = report(client, pathway=TSB, indicator=REFERRAL, period="month", unit="DPS Nord")["rows"]
    assert [(r["period"], r["suppression"]) for r in months] == [("2025-11", "complementary"),
                                                                ("2025-12", "primary")]
    [assessment] = report(client, pathway=TSB, indicator=ASSESSMENT)["rows"]
    assert (assessment["numerator"], assessment["denominator"], assessment["target"]) == (5, 6, 0.8)
    assert assessment["deferred"] == 1  # the late clinical decision the patient deferred is apart


def test_the_json_report_is_what_its_response_model_says(client, measured):
    """The route answers plain JSON without FastAPI's response check, so the check is here: every field of the
    model, in its type, and nothing else."""
    for params in ({}, {"period": "month", "by_unit": "false"}, {"from": "2025-09-01", "to": "2025-12-31"}):
        body = report(client, **params)
        assert body["rows"]
        model = schemas.ComplianceOut.model_validate(body)
        assert model.model_dump(mode="json", by_alias=True) == body
        assert all(set(row) == set(schemas.ComplianceRowOut.model_fields) for row in body["rows"])


def test_csv_has_the_same_numbers_as_json(client, measured):
    body = report(client)
    response = client.get("/reports/compliance.csv", params=RANGE, headers=MANAGER)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"].startswith('attachment; filename="etterlevelse-tertial-')
    table = list(csv.DictReader(io.StringIO(response.text)))
    assert len(table) == len(body["rows"]) > 3

    def cell(value):
        if value is None:
            return ""
        if isinstance(value, bool):
            return "ja" if value else "nei"
        if isinstance(value, float):
            return f"{value:.4f}"
        return str(value)

    names = {"pakkeforlop": "pathway", "enhet": "unit", "indikator": "indicator", "indikator_navn": "label",
             "periode": "period", "teller": "numerator", "nevner": "denominator", "andel": "share",
             "maal_andel": "target", "pasientutsatt": "deferred", "forfalt": "overdue", "antall_forlop": "pathways",
             "prikket": "suppressed", "ubekreftet": "unconfirmed"}
    for line, row in zip(table, body["rows"]):
        assert {column: line[column] for column in names} == {column: cell(row[key]) for column, key in names.items()}
    semicolons = client.get("/reports/compliance.csv", params={**RANGE, "delimiter": ";"}, headers=MANAGER)
    assert semicolons.text.splitlines()[0].startswith("pakkeforlop;enhet;indikator")


def _section(html: str, pathway: str, indicator: str) -> str:
    match = re.search(rf'<section class="kort rapport" id="{pathway}-{indicator}".*?</section>', html, flags=re.S)
    assert match, f"no section for {pathway} {indicator}"
    return match.group(0)


def _table(section: str) -> dict[tuple[str, str], dict[str, str]]:
    """(period, unit or "") -> column -> shown text, from the section's table."""
    table = {}
    for attrs, body in re.findall(r'<tr data-period="([^"]*" data-unit="[^"]*)"[^>]*>(.*?)</tr>', section, flags=re.S):
        period, unit = attrs.split('" data-unit="')
        cells = dict(re.findall(r'data-col="([a-z]+)">([^<]*)<', body))
        table[(period, unescape(unit))] = {k: unescape(v) for k, v in cells.items()}
    return table


def _shown(row: dict) -> dict[str, str]:
    """What the page must show for a JSON row."""
    def percent(value, digits):
        return "–" if value is None else f"{value * 100:.{digits}f}".replace(".", ",") + " %"

    if row["suppressed"]:
        return {"teller": "skjult", "nevner": "skjult", "andel": "skjult", "mal": percent(row["target"], 0),
                "pasientutsatt": "skjult", "forfalt": "skjult",
                "forlop": "skjult*" if row["suppression"] == "complementary" else "<5"}
    return {"teller": str(row["numerator"]), "nevner": str(row["denominator"]), "andel": percent(row["share"], 1),
            "mal": percent(row["target"], 0), "pasientutsatt": str(row["deferred"]), "forfalt": str(row["overdue"]),
            "forlop": str(row["pathways"])}


@pytest.mark.parametrize("period", ["tertial", "month"])
def test_the_dashboard_shows_the_same_numbers_as_the_api(client, measured, period):
    params = {**RANGE, "period": period, "pathway": TSB}
    page = client.get("/rapporter", params=params, headers=MANAGER)
    assert page.status_code == 200
    by_unit = report(client, pathway=TSB, period=period)["rows"]
    totals = report(client, pathway=TSB, period=period, by_unit="false")["rows"]
    assert by_unit and totals
    for indicator in {r["indicator"] for r in by_unit}:
        section = _section(page.text, TSB, indicator)
        table = _table(section)
        expected = {(r["period"], r["unit"]): _shown(r) for r in by_unit if r["indicator"] == indicator}
        expected |= {(r["period"], ""): _shown(r) for r in totals if r["indicator"] == indicator}
        assert table == expected, indicator
        # the trend chart draws the totals' shares
        drawn = dict(re.findall(r'data-period="([^"]+)" data-share="([0-9.]+)"', section))
        assert drawn == {r["period"]: f"{r['share']:.4f}" for r in totals
                         if r["indicator"] == indicator and r["share"] is not None}
    # the CSV and JSON links on the page ask for the same report
    assert f'href="/reports/compliance.csv?period={period}&amp;from=2025-09-01&amp;to=2026-01-05&amp;pathway=tsb_d01' \
           f'&amp;by_unit=true"' in page.text


def test_the_dashboard_charts(client, measured):
    page = client.get("/rapporter", params={**RANGE, "pathway": TSB, "indicator": ASSESSMENT}, headers=MANAGER)
    section = _section(page.text, TSB, ASSESSMENT)
    trend, units = re.findall(r"<svg.*?</svg>", section, flags=re.S)
    assert 'class="trend"' in trend and 'class="mallinje"' in trend and "Mål 80 %" in trend
    assert re.search(r'data-period="2025-T3" data-share="0.8333"', trend)
    assert "2025-T3: 83,3 % (5 av 6)" in trend
    assert all(label in trend for label in ("2025-T3", "2026-T1"))  # every period of the range on the axis
    assert 'class="enheter"' in units and 'data-unit="DPS Nord"' in units and 'class="mallinje"' in units
    assert "83 % (5/6)" in units
    assert "<script" not in page.text
    # suppressed units are drawn as such, not as a bar of 0
    page = client.get("/rapporter", params={**RANGE, "pathway": TSB, "indicator": REFERRAL}, headers=MANAGER)
    units = re.findall(r"<svg.*?</svg>", _section(page.text, TSB, REFERRAL), flags=re.S)[1]
    assert re.search(r'data-unit="DPS Sør">\s*<title>DPS Sør: skjult', units) and "skjult (&lt;5)" in units
    assert "62 % (5/8)" in units


def test_the_dashboard_filters_and_bad_input(client, measured):
    first = client.get("/rapporter", headers=MANAGER)  # defaults: two years back to today, the biggest pathway
    assert first.status_code == 200 and 'id="tsb_d01-referral_assessment"' in first.text
    assert '<option value="tsb_d01" selected>' in first.text
    only_sor = client.get("/rapporter", params={**RANGE, "pathway": TSB, "unit": "DPS Sør"}, headers=MANAGER)
    table = _table(_section(only_sor.text, TSB, REFERRAL))
    assert set(table) == {("2025-T3", "DPS Sør"), ("2025-T3", "")}
    # the unit's rows are taken from the whole report: the same counts and suppression as the API's filtered rows
    asked = report(client, pathway=TSB, unit="DPS Sør", indicator=REFERRAL)["rows"]
    assert table[("2025-T3", "DPS Sør")] == _shown(rows_of({"rows": asked}, period="2025-T3")[0])
    together = client.get("/rapporter", params={**RANGE, "pathway": TSB, "by_unit": "false"}, headers=MANAGER)
    assert set(_table(_section(together.text, TSB, REFERRAL))) == {("2025-T3", "")}
    assert 'class="enheter"' not in together.text
    bad = client.get("/rapporter", params={"from": "i fjor", "to": "2026-01-05", "period": "uke"}, headers=MANAGER)
    assert bad.status_code == 200 and "Ugyldig fra-dato «i fjor»" in bad.text and "Ukjent periode" in bad.text
    empty = client.get("/rapporter", params={"from": "2020-01-01", "to": "2020-02-01", "pathway": TSB},
                       headers=MANAGER)
    assert "Ingen målinger i den valgte perioden" in empty.text


def test_bad_api_parameters_are_422(client, measured):
    for params, message in (({"period": "week"}, "period"), ({"from": "2026-02-01", "to": "2026-01-01"}, "after"),
                            ({"from": "yesterday"}, "from")):
        response = client.get("/reports/compliance", params=params, headers=MANAGER)
        assert response.status_code == 422 and message in response.json()["detail"], params


def test_roles(client, measured):
    assert client.get("/reports/compliance", headers={"Authorization": ""}).status_code == 401
    assert client.get("/reports/compliance.csv", headers={"Authorization": "Bearer nope"}).status_code == 401
    for path in ("/reports/compliance", "/reports/compliance.csv"):
        refused = client.get(path, headers=MODELLER)
        assert refused.status_code == 403 and "needs" in refused.json()["detail"]
    assert client.get("/rapporter", headers=MODELLER).status_code == 403
    everything = report(client, headers=ADMIN)
    assert {r["unit"] for r in everything["rows"]} == {"DPS Nord", "DPS Sør", "DPS Vest"}
    assert report(client, headers=MANAGER) == everything
    # a coordinator: own units only, whatever the filter asks
    own = report(client, headers=NORD)
    assert own["rows"] and {r["unit"] for r in own["rows"]} == {"DPS Nord"}
    assert report(client, headers=NORD, unit="DPS Sør")["rows"] == []
    [total] = report(client, headers=NORD, pathway=TSB, indicator=REFERRAL, by_unit="false")["rows"]
    assert total["denominator"] == 8  # only DPS Nord's pathways are added up
    page = client.get("/rapporter", params={**RANGE, "pathway": TSB}, headers=NORD)
    assert page.status_code == 200 and "DPS Sør" not in page.text


def _xlsx_text(content: bytes) -> str:
    import openpyxl

    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    return "\n".join(str(cell.value) for line in sheet.iter_rows() for cell in line)


def test_no_patient_key_in_any_report(client, measured):
    keys = [f"RPT-{n:04d}" for n in range(1, 18)]
    instance_ids = list(measured.values())
    for headers in (MANAGER, ADMIN, NORD):
        shown = [client.get("/reports/compliance", params=RANGE, headers=headers).text,
                 client.get("/reports/compliance.csv", params=RANGE, headers=headers).text,
                 client.get("/reports/compliance.csv", params={**RANGE, "layout": "excel"}, headers=headers).text,
                 _xlsx_text(client.get("/reports/compliance.xlsx", params=RANGE, headers=headers).content),
                 client.get("/rapporter", params={**RANGE, "pathway": TSB}, headers=headers).text,
                 client.get("/rapporter", params={**RANGE, "period": "month", "pathway": "alle"}, headers=headers).text]
        for text in shown:
            assert not any(key in text for key in keys)
            assert not any(instance_id in text for instance_id in instance_ids)
            # The navigation's "/forlop/ny" starts a pathway; no link may lead to a patient's own.
            assert not re.search(r'/forlop/(?!ny")|/oppgaver/', text)


def test_exports_for_norwegian_excel_have_the_json_numbers(client, measured):
    """The Excel CSV (BOM, semicolons, percent with a decimal comma) and the .xlsx (percent formats, a frozen
    header, names beside keys, suppressed counts as text), read back, have the JSON report's numbers."""
    import openpyxl

    rows = report(client, pathway=TSB)["rows"]
    response = client.get("/reports/compliance.csv", params={**RANGE, "pathway": TSB, "layout": "excel"},
                          headers=MANAGER)
    assert response.status_code == 200 and response.content.startswith(b"\xef\xbb\xbf")
    table = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert len(table) == len(rows) > 3
    for line, row in zip(table, rows):
        assert (line["Forløp (nøkkel)"], line["Forløpstid (nøkkel)"], line["Forløpstid"]) == (
            row["pathway"], row["indicator"], row["label"])
        assert line["Forløp"] and line["Forløp"] != row["pathway"]  # the name beside the key
        if row["suppressed"]:
            why = "skjult (komplementær)" if row["suppression"] == "complementary" else "skjult (<5)"
            assert line["Teller"] == line["Andel (%)"] == line["Skjult"] == why
        else:
            assert line["Teller"] == str(row["numerator"]) and line["Skjult"] == "nei"
            assert line["Andel (%)"] == f"{row['share'] * 100:.1f}".replace(".", ",")
    assert any("Sør" in line["Enhet"] for line in table)
    # the plain CSV is unchanged by all this
    plain = client.get("/reports/compliance.csv", params={**RANGE, "pathway": TSB}, headers=MANAGER)
    assert plain.text.startswith("pakkeforlop,enhet,indikator,")

    xlsx = client.get("/reports/compliance.xlsx", params={**RANGE, "pathway": TSB}, headers=MANAGER)
    assert xlsx.status_code == 200 and xlsx.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert xlsx.headers["content-disposition"].endswith('.xlsx"')
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    header = [c.value for c in sheet[1]]
    assert header[:6] == ["Forløp (nøkkel)", "Forløp", "Enhet", "Forløpstid (nøkkel)", "Forløpstid", "Periode"]
    assert sheet.freeze_panes == "A2" and sheet.column_dimensions["E"].width > 30 and sheet["A1"].font.bold
    read = [dict(zip(header, (c for c in line))) for line in sheet.iter_rows(min_row=2)]
    assert len(read) == len(rows)
    for line, row in zip(read, rows):
        if row["suppressed"]:
            assert line["Teller"].value == line["Andel"].value == line["Skjult"].value
            assert line["Teller"].value.startswith("skjult")
        else:
            assert line["Teller"].value == row["numerator"] and line["Nevner"].value == row["denominator"]
            assert line["Andel"].value == pytest.approx(row["share"]) and line["Andel"].number_format == "0.0%"
        if row["target"] is not None:
            assert line["Mål"].value == pytest.approx(row["target"]) and line["Mål"].number_format == "0.0%"
    assert client.get("/reports/compliance.xlsx", headers=MODELLER).status_code == 403
    page = client.get("/rapporter", params={**RANGE, "pathway": TSB}, headers=MANAGER).text
    assert 'id="xlsx-lenke"' in page and "layout=excel" in page


def test_an_empty_report_downloads_as_its_header_alone(client):
    """No measurements in the period: the .xlsx is the header row, with its formats, and no empty data row."""
    import openpyxl

    xlsx = client.get("/reports/compliance.xlsx", params={"from": "2020-01-01", "to": "2020-02-01"},
                      headers=MANAGER)
    assert xlsx.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet.max_row == 1 and sheet["A1"].value == "Forløp (nøkkel)" and sheet["A1"].font.bold
    assert sheet.title == "Etterlevelse tertial" and sheet.freeze_panes == "A2"


def test_the_overview_matrix_and_its_drill_down(client, measured, clock):
    """Indicators × units for the current tertial (by the clock), each cell in words as well as colour, n shown,
    suppressed cells saying why; a cell links to a drill-down with counts only."""
    clock.set(date(2025, 12, 31))  # the tertial 2025-T3 is the current one
    page = client.get("/rapporter", headers=MANAGER).text
    matrix = re.search(r'<table class="tall-tabell matrise">.*?</table>', page, flags=re.S).group(0)
    assert "<caption>Oversikt 2025-T3" in matrix and '<th scope="col">DPS Nord</th>' in matrix
    line = re.search(rf'<tr data-pathway="{TSB}" data-indicator="{REFERRAL}">.*?</tr>', matrix, flags=re.S).group(0)
    cells = dict(re.findall(r'data-unit="([^"]*)"><a href="([^"]+)"', line))
    text = {u: " ".join(re.sub(r"<[^>]+>", " ", unescape(c)).split())
            for u, c in re.findall(r'data-unit="([^"]*)">(.*?)</td>', line, flags=re.S)}
    # no target of its own: measured against 80 %; 5 of 8 is under, 14 of 17 reaches it
    assert text == {"DPS Nord": "62 % – under målet n = 8", "DPS Sør": "skjult – færre enn 5 forløp",
                    "DPS Vest": "skjult – hindrer tilbakeregning", "": "82 % – nådd målet n = 17"}
    assert 'class="celle under"' in line and 'class="celle over"' in line and "<svg" in line
    # by tertial the matrix is taken from the page's own rows; by month it is asked for on its own: the same
    by_month = client.get("/rapporter", params={"period": "month"}, headers=MANAGER).text
    assert re.search(r'<table class="tall-tabell matrise">.*?</table>', by_month, flags=re.S).group(0) == matrix
    drill = client.get(unescape(cells["DPS Nord"]), headers=MANAGER)
    assert drill.status_code == 200
    table = re.search(r'<table class="tall-tabell" id="brudd">.*?</table>', drill.text, flags=re.S).group(0)
    assert "<caption>" in table and '<th scope="row">2025-T3</th>' in table
    counts = dict(re.findall(r'data-period="2025-T3">.*?</tr>', table, flags=re.S) and
                  re.findall(r'data-col="([a-z]+)">([^<]*)<', table))
    assert counts == {"innenfor": "5", "brudd": "2", "forfalt": "1", "pasientutsatt": "0", "andel": "62,5 %"}
    assert 'class="trend"' in drill.text and "Mål 80 %" in drill.text
    hidden = client.get(unescape(cells["DPS Vest"]), headers=MANAGER).text
    assert "skjult – hindrer tilbakeregning" in hidden and 'data-col="innenfor"' not in hidden
    for text in (page, drill.text, hidden):
        assert not re.search(r"RPT-\d{4}|/forlop/(?!ny\")|/oppgaver/", text)
    assert client.get(unescape(cells["DPS Nord"]), headers=MODELLER).status_code == 403


def test_the_json_report_comes_in_pages_that_add_up_to_the_whole(client, measured):
    whole = report(client, period="month")
    assert len(whole["rows"]) > 2 and whole["next_cursor"] is None
    assert whole["limit"] == PAGE_ROWS
    rows, cursor = [], None
    while True:
        page = report(client, period="month", limit=2, **({"cursor": cursor} if cursor else {}))
        assert len(page["rows"]) == min(2, len(whole["rows"]) - len(rows)) and page["limit"] == 2
        rows += page["rows"]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert rows == whole["rows"]


@pytest.mark.parametrize("params, field", [
    ({"limit": 0}, "limit"), ({"limit": MAX_PAGE_ROWS + 1}, "limit"), ({"limit": "many"}, "limit"),
    ({"cursor": "x" * 2001}, "cursor")])
def test_a_bad_page_size_or_cursor_is_422(client, measured, params, field):
    response = client.get("/reports/compliance", params=params, headers=MANAGER)
    assert response.status_code == 422 and field in response.text, response.text


def test_a_cursor_that_is_no_report_position_is_422_with_its_code(client, measured):
    response = client.get("/reports/compliance", params={"cursor": "aGVsbG8"}, headers=MANAGER)
    assert response.status_code == 422 and response.json()["code"] == "cursor_invalid", response.text
