"""The what-if page (`/simulering`) for managers and administrators: a bad scenario shows each field by its path,
a good one runs in the background with its progress, and the answer is a chart per indicator with the target
line, a table, CSV and JSON."""

from __future__ import annotations

import re

from engine.simulation.jobs import JOBS
from tests.test_web import field, login, text_of

SMALL = """
name = "Liten test"
start = 2026-01-05
weeks = 6

[[streams]]
pathway = "ocd"
unit = "DPS Nord"
referrals_per_week = 5

[steps.default]
delay = { distribution = "uniform", low = 0, high = 3 }

[[capacity]]
unit = "DPS Nord"
step = "first_attendance"
per_week = 3

[variants.capacity_minus_20]
capacity_factor = 0.8
"""


def test_only_managers_and_administrators_simulate(client):
    login(client, "dev-koordinator-nord")
    assert client.get("/simulering").status_code == 403
    login(client, "dev-leder")
    page = client.get("/simulering")
    assert page.status_code == 200
    assert 'href="/simulering"' in page.text and "Forutsetninger og begrensninger" in page.text
    assert "mental_health_adults_d11" in page.text  # the example scenario to start from


def test_a_bad_scenario_names_its_fields(client):
    login(client, "dev-leder")
    csrf = field(client.get("/simulering").text, "csrf")
    bad = SMALL.replace("referrals_per_week = 5", "referrals_per_week = -5").replace('"ocd"', '"ocdx"')
    answer = client.post("/simulering", data={"csrf": csrf, "scenario": bad, "replikasjoner": "1", "frø": "1"})
    assert answer.status_code == 422
    text = text_of(answer.text)
    assert "streams[0].referrals_per_week : Verdien er ugyldig." in text
    too_many = client.post("/simulering", data={"csrf": csrf, "scenario": SMALL, "replikasjoner": "500", "frø": "1"})
    assert too_many.status_code == 422 and "Simuleringen er for stor" in text_of(too_many.text)
    unknown = client.post("/simulering", data={"csrf": csrf, "scenario": SMALL.replace('"ocd"', '"ocdx"'),
                                               "replikasjoner": "1", "frø": "1"})
    assert unknown.status_code == 422 and "streams[0].pathway" in unknown.text


def test_a_scenario_runs_in_the_background_and_answers_with_chart_table_csv_and_json(client):
    login(client, "dev-leder")
    csrf = field(client.get("/simulering").text, "csrf")
    started = client.post("/simulering", data={"csrf": csrf, "scenario": SMALL, "replikasjoner": "1", "frø": "4"},
                          follow_redirects=False)
    assert started.status_code == 303, started.text
    job_id = started.headers["location"].rsplit("/", 1)[1]
    assert JOBS.get(job_id).finished.wait(120)
    page = client.get(f"/simulering/{job_id}")
    assert page.status_code == 200 and JOBS.get(job_id).failure is None
    assert 'http-equiv="refresh"' not in page.text  # done: the page no longer reloads itself
    assert "Mål 80 %" in page.text and 'data-unit="Grunnlag"' in page.text
    assert 'data-unit="capacity_minus_20"' in page.text
    assert "Kø og ventetid per steg" in page.text
    # each pathway by its name, linked to its current version's diagram, where a manager may follow it
    diagram = re.search(r'href="(/forlopstyper/ocd/versjoner/\d+/diagram)"', page.text).group(1)
    assert client.get(diagram).status_code == 200
    csv_text = client.get(f"/simulering/{job_id}/resultat.csv").text
    assert csv_text.startswith("variant,pathway,indicator") and "capacity_minus_20" in csv_text
    assert client.get(f"/simulering/{job_id}/resultat.json").json()["replications"][0]["variant"] == "baseline"
    assert client.get("/simulering/no-such-job").status_code == 404
