"""The full demo set (1,000 pathways over two years in three units), loaded the way `pathways-server --demo` loads
it, on SQLite and on PostgreSQL: the reports recounted independently from the measurement rows, the same numbers
through API, CSV and dashboard, each coordinator's worklist, and no patient key in a manager's view.

Slow by design (the seed takes 20–60 s per database): one load per database for the whole module.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from engine.clock import ManualClock
from engine.db.models import IndicatorMeasurement, PathwayInstance
from engine.demo.loader import DEMO_PATHWAYS
from engine.demo.seed import MUNICIPAL_UNITS, UNITS
from engine.reading.compliance import SUPPRESS_BELOW
from engine.reading.periods import period_of
from engine.statuses import DeadlineStatus
from tests.databases import postgres_schema
from tests.support import PATHWAYS_DIR
from tests.test_reports_api import _section, _shown, _table
from tests.test_web import login, rows

TODAY = date(2026, 11, 23)
RANGE = {"from": "2024-11-23", "to": TODAY.isoformat()}
MANAGER = {"Authorization": "Bearer dev-leder"}
COORDINATORS = {"DPS Nord": "dev-koordinator-nord", "DPS Sør": "dev-koordinator-sor", "BUP Vest": "dev-koordinator-bup"}
DEMO_KEY = re.compile(r"DEMO-\d+")


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def demo(request, tmp_path_factory):
    """A service started with `--demo` on a fresh database whose clock says TODAY; yields its test client."""
    from fastapi.testclient import TestClient

    from api.app import create_app
    from engine.settings import Settings

    def serve(url: str):
        settings = Settings(database_url=url, pathways_dir=PATHWAYS_DIR, demo_data=True, auth_mode="dev")
        return TestClient(create_app(settings, ManualClock(TODAY), run_scheduler=False))

    if request.param == "sqlite":
        with serve(f"sqlite:///{tmp_path_factory.mktemp('demo')}/demo.db") as client:
            yield client
    else:
        with postgres_schema("pytest_demo") as url, serve(url) as client:
            yield client


def _measurements(client) -> list[IndicatorMeasurement]:
    with client.app.state.db.reading() as session:
        return list(session.scalars(select(IndicatorMeasurement)))


def test_the_demo_set_is_a_thousand_pathways_over_two_years_in_three_units(demo):
    with demo.app.state.db.reading() as session:
        per_unit = dict(session.execute(select(PathwayInstance.unit, func.count())
                                        .group_by(PathwayInstance.unit)).all())
        referrals = session.scalars(select(PathwayInstance.referral_received_on)).all()
    specialist = {unit: n for unit, n in per_unit.items() if unit in UNITS}
    assert sum(specialist.values()) == DEMO_PATHWAYS >= 1000
    assert set(specialist) == set(UNITS) and min(specialist.values()) >= 200, per_unit
    # the municipal coordination the specialist coordinators' contacts started, in both municipalities
    assert set(per_unit) - set(UNITS) == set(MUNICIPAL_UNITS) and min(
        per_unit[unit] for unit in MUNICIPAL_UNITS) >= 50, per_unit
    assert min(referrals) <= TODAY - timedelta(days=700) and max(referrals) >= TODAY - timedelta(days=30)
    for year_back in (0, 1):  # each of the two years has its share of the referrals
        window = (TODAY - timedelta(days=365 * (year_back + 1)), TODAY - timedelta(days=365 * year_back))
        assert sum(window[0] < day <= window[1] for day in referrals) >= 300, window
    statuses = {m.status for m in _measurements(demo)}
    assert {DeadlineStatus.MET, DeadlineStatus.BREACHED, DeadlineStatus.DEFERRED, DeadlineStatus.PENDING} <= statuses, statuses


def _recount(measurements: list[IndicatorMeasurement], period: str, by_unit: bool) -> dict[tuple, dict]:
    """The documented counting rule (engine/reading/compliance.py), done again in plain Python over the rows."""
    groups: dict[tuple, dict] = defaultdict(lambda: {"met": 0, "breached": 0, "overdue": 0, "deferred": 0,
                                                     "pathways": set()})
    for m in measurements:
        open_ = m.status in (DeadlineStatus.PENDING, DeadlineStatus.OVERDUE)
        if m.status in (DeadlineStatus.MET, DeadlineStatus.BREACHED, DeadlineStatus.DEFERRED):
            day = m.end_on
        elif open_ and m.due_on < TODAY:
            day = m.due_on
        else:
            continue  # cancelled, or open and not yet due
        key = (m.pathway_key, m.unit if by_unit else None, m.indicator_key, period_of(day, period))
        group = groups[key]
        if m.status == DeadlineStatus.DEFERRED or (open_ and m.deferral_registered):
            group["deferred"] += 1
            continue
        group["met" if m.status == DeadlineStatus.MET else "breached" if m.status == DeadlineStatus.BREACHED else "overdue"] += 1
        group["pathways"].add(m.instance_id)
    result = {}
    for key, g in groups.items():
        pathways = len(g["pathways"])
        if pathways < SUPPRESS_BELOW:
            result[key] = {"suppressed": True}
        else:
            result[key] = {"suppressed": False, "numerator": g["met"], "overdue": g["overdue"], "pathways": pathways,
                           "denominator": g["met"] + g["breached"] + g["overdue"], "deferred": g["deferred"]}
    if by_unit:  # complementary suppression: a lone suppressed unit of a total hides the smallest other one too
        totals: dict[tuple, list[tuple]] = defaultdict(list)
        for key in result:
            totals[(key[0], key[2], key[3])].append(key)
        for keys in totals.values():
            shown = [k for k in keys if not result[k]["suppressed"]]
            if len(keys) - len(shown) == 1 and shown:
                result[min(shown, key=lambda k: (result[k]["pathways"], k[1]))] = {"suppressed": True}
    return result


def _reported(body: dict) -> dict[tuple, dict]:
    reported = {}
    for r in body["rows"]:
        key = (r["pathway"], r["unit"], r["indicator"], r["period"])
        if r["suppressed"]:
            reported[key] = {"suppressed": True}
        else:
            reported[key] = {k: r[k] for k in ("numerator", "denominator", "overdue", "deferred", "pathways")}
            reported[key]["suppressed"] = False
            assert r["share"] == (pytest.approx(r["numerator"] / r["denominator"]) if r["denominator"] else None)
    return reported


@pytest.mark.parametrize("period", ["tertial", "month"])
@pytest.mark.parametrize("by_unit", [True, False])
def test_the_report_is_the_counting_rule_applied_to_every_measurement(demo, period, by_unit):
    body = demo.get("/reports/compliance", params={"period": period, "by_unit": str(by_unit).lower()},
                    headers=MANAGER).json()
    # every group, suppressed ones too (a group with only deferred overruns has no pathway in its denominator)
    assert _reported(body) == _recount(_measurements(demo), period, by_unit)
    assert sum(not r["suppressed"] for r in body["rows"]) >= (100 if by_unit else 50)


def test_every_unit_has_figures_in_every_tertial_of_the_two_years(demo):
    body = demo.get("/reports/compliance", params={**RANGE, "period": "tertial"}, headers=MANAGER).json()
    shown = defaultdict(set)
    for r in body["rows"]:
        if not r["suppressed"] and r["denominator"]:
            shown[r["unit"]].add(r["period"])
    tertials = {period_of(TODAY - timedelta(days=30 * n), "tertial") for n in range(0, 22)}
    for unit in UNITS:
        assert tertials <= shown[unit], (unit, sorted(tertials - shown[unit]))
    # the national target is reachable and missed now and then: the charts have something to show
    shares = [r["share"] for r in body["rows"] if r["target"] and r["share"] is not None]
    assert any(s >= 0.8 for s in shares) and any(s < 0.8 for s in shares)


def test_api_csv_and_dashboard_give_the_same_numbers(demo):
    body = demo.get("/reports/compliance", params=RANGE, headers=MANAGER).json()
    table = list(csv.DictReader(io.StringIO(demo.get("/reports/compliance.csv", params=RANGE, headers=MANAGER).text)))
    assert len(table) == len(body["rows"]) > 100
    for line, row in zip(table, body["rows"]):
        assert (line["pakkeforlop"], line["enhet"], line["indikator"], line["periode"]) == (
            row["pathway"], row["unit"], row["indicator"], row["period"])
        assert (line["teller"], line["nevner"], line["antall_forlop"]) == tuple(
            "" if row[k] is None else str(row[k]) for k in ("numerator", "denominator", "pathways"))
    for pathway in ("tsb_d01", "mental_health_adults_d11", "mental_health_children_d12"):
        page = demo.get("/rapporter", params={**RANGE, "pathway": pathway}, headers=MANAGER)
        assert page.status_code == 200
        by_unit = [r for r in body["rows"] if r["pathway"] == pathway]
        totals = demo.get("/reports/compliance", params={**RANGE, "pathway": pathway, "by_unit": "false"},
                          headers=MANAGER).json()["rows"]
        for indicator in {r["indicator"] for r in by_unit}:
            shown = _table(_section(page.text, pathway, indicator))
            expected = {(r["period"], r["unit"]): _shown(r) for r in by_unit if r["indicator"] == indicator}
            expected |= {(r["period"], ""): _shown(r) for r in totals if r["indicator"] == indicator}
            assert shown == expected, (pathway, indicator)


def test_a_manager_sees_figures_and_never_a_patient_key(demo):
    views = [demo.get("/reports/compliance", params=RANGE, headers=MANAGER).text,
             demo.get("/reports/compliance.csv", params=RANGE, headers=MANAGER).text,
             demo.get("/reports/compliance", params={**RANGE, "period": "month"}, headers=MANAGER).text]
    views += [demo.get("/rapporter", params={**RANGE, "pathway": p, "period": period}, headers=MANAGER).text
              for p in ("alle", "tsb_d01") for period in ("tertial", "month")]
    for text in views:
        assert not DEMO_KEY.search(text) and "/forlop/" not in text and "/oppgaver/" not in text
    assert demo.get("/tasks", headers=MANAGER).status_code == 403


@pytest.mark.parametrize("unit", UNITS)
def test_each_coordinator_works_the_own_units_list(demo, unit):
    headers = {"Authorization": f"Bearer {COORDINATORS[unit]}"}
    page = demo.get("/tasks", params={"limit": 500}, headers=headers).json()
    assert page["total"] > 20 and {t["unit"] for t in page["items"]} == {unit}
    assert any(t["overdue"] for t in page["items"])
    urgent = [t["urgent_on"] for t in page["items"] if t["urgent_on"]]
    assert urgent == sorted(urgent)  # the nearest running deadline of the pathway first, else the task's own
    other = next(u for u in UNITS if u != unit)
    foreign = demo.get("/tasks", params={"limit": 1}, headers={"Authorization": f"Bearer {COORDINATORS[other]}"})
    foreign_task = foreign.json()["items"][0]
    assert demo.get(f"/tasks/{foreign_task['id']}", headers=headers).status_code == 404
    assert demo.get(f"/instances/{foreign_task['instance_id']}", headers=headers).status_code == 404

    login(demo, COORDINATORS[unit], neste="/arbeidsliste")
    try:
        html = demo.get("/arbeidsliste").text
        listed = rows(html)
        assert listed and f"{page['total']} oppgaver" in html
        assert 'class="forfalt"' in listed[0]  # the oldest due date first, marked overdue
        first = page["items"][0]
        timeline = demo.get(f"/forlop/{first['instance_id']}")
        assert timeline.status_code == 200 and first["patient_key"] in timeline.text and "Forløpstider" in timeline.text
    finally:
        demo.cookies.clear()


@pytest.mark.parametrize("unit", MUNICIPAL_UNITS)
def test_municipal_coordinators_see_their_pathways_and_messages_both_ways(demo, unit):
    token = {"Porsgrunn kommune": "dev-koordinator-porsgrunn", "Kragerø kommune": "dev-koordinator-kragero"}[unit]
    headers = {"Authorization": f"Bearer {token}"}
    page = demo.get("/tasks", params={"limit": 500}, headers=headers).json()
    assert page["total"] > 0 and {t["unit"] for t in page["items"]} == {unit}
    with demo.app.state.db.reading() as session:
        started = session.scalars(select(PathwayInstance.id).where(PathwayInstance.unit == unit)).all()
    views = [demo.get(f"/instances/{instance_id}", headers=headers).json() for instance_id in started]
    kinds = {(m["name"], m["direction"]) for view in views for m in view["messages"]}
    assert ("coordination_contact", "received") in kinds  # specialist care → municipality
    assert {("changed_needs", "sent"), ("responsibility_group_requested", "sent")} & kinds  # and back
    assert all(view["linked_pathways"] for view in views)  # each started by a specialist pathway's contact
