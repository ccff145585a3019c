"""The web pages in bokmål: server-rendered HTML (Jinja2 templates in api/templates), plain forms and links, no
JavaScript. One module per page group:

- `login`: `/logg-inn`, `/logg-ut` (token, or a dev user in dev mode) and `/start`, which sends each role to its page;
- `worklist`: `/arbeidsliste`, a coordinator's open tasks of their units, most urgent first, quick filters with
  counts; claim, release and take over;
- `start`: `/forlop/ny`, start a pathway from a referral, with the patient's other pathways shown;
- `tasks`: `/oppgaver/{id}`, one task and its registration form, generated from the BPMN file;
- `timeline`: `/forlop/{id}`, a patient's pathway as a timeline of measuring points and deadlines;
- `patients`: `/pasienter`, find a patient by part of the key, and a patient's pathways in the user's units;
- `incidents`: `/driftsfeil`, pathways the scheduler could not move on; retry or resolve with a note;
- `catalogue`: `/forlopstyper`, the deployed pathways and their deadlines (every role);
- `versions`: `/forlopstyper/{key}/versjoner`, a pathway's versions and what changed between two; deploying a
  file from the page (`/forlopstyper/last-opp`, modellers and administrators), checked before it is taken into use;
- `diagram`: `/forlopstyper/{key}/versjoner/{id}/diagram`, a version's diagram with its live counts per element
  (every role; the one page with a script, the vendored bpmn.io viewer — it works without it as a table);
- `reports`: `/rapporter`, the managers' compliance dashboard (charts in `charts`);
- `simulation`: `/simulering`, what-if simulation of deadline compliance for managers and administrators: edit a
  scenario, run it in the background with progress, baseline and variants in one chart with the target line;
- `data_quality`: `/rapporter/datakvalitet`, pathways missing a registration the registry expects, per unit;
- `audit`: `/revisjonslogg`, the audit trail for administrators, filtered and paged.
- `migration`: `/forlopstyper/{key}/migrering`, move running patients to another version (modellers, admins).

Roles are those of the API (engine/access/): pages with patient data are for coordinators (own units) and
administrators; another unit's task or pathway is "not found" (404), managers and modellers get 403. The pages
call the same engine functions as the API (`engine.actions`), so every page with patient data leaves audit rows.
Engine errors are shown by their code, translated in `labels`; CSRF and the login cookie are in `session`.
"""

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from . import (
    audit,
    catalogue,
    data_quality,
    diagram,
    incidents,
    login,
    migration,
    patients,
    reports,
    simulation,
    start,
    tasks,
    timeline,
    versions,
    worklist,
)
from .rendering import TEMPLATES

STATIC = TEMPLATES.parent / "static"


def install(app: FastAPI) -> None:
    """Add the pages and their static files to the application."""
    for module in (login, worklist, start, tasks, timeline, patients, incidents, versions, catalogue, diagram,
                   migration, data_quality, reports, simulation, audit):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
