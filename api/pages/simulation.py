"""What-if simulation for managers and unit leaders (`/simulering`): edit a scenario, run it in the background with
its progress shown (the page reloads itself; no JavaScript), and read the baseline and its variants side by side
in one chart per indicator with the target line, as a table, CSV or JSON. The engine work is in
`engine.actions.simulation`; this module shapes the answer."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from engine.actions.simulation import check_simulation_role, simulation_job, start_simulation
from engine.errors import ErrorCode, FieldProblem, InvalidInput, NotFound, PathwayError
from engine.reading.pathways import list_pathways
from engine.runtime import PathwayRuntime
from engine.simulation import results
from engine.simulation.jobs import EXAMPLE_SCENARIO, PAGE_MAX_REPLICATIONS, Job

from ..deps import PageUser, Runtime
from .charts import units_trend_chart
from .diagram import diagram_path
from .labels import error_text, field_text
from .rendering import PageRoute, redirect, render
from .session import Form

router = APIRouter(route_class=PageRoute, include_in_schema=False)
#: Charts on the page (one per pathway, indicator and unit); the rest are in the table.
MAX_CHARTS = 12
VARIANT_LABELS = {"baseline": "Grunnlag"}


@dataclass(frozen=True)
class _Point:
    share: float | None


def _sections(rows: list[results.ResultRow]) -> list[dict[str, Any]]:
    """One chart per pathway, indicator and unit: a line per variant (the median share) over the periods."""
    grouped: dict[tuple[str, str, str], list[results.ResultRow]] = defaultdict(list)
    for row in rows:
        grouped[(row.pathway, row.indicator, row.unit)].append(row)
    sections = []
    for i, ((pathway, indicator, unit), group) in enumerate(grouped.items()):
        periods = sorted({r.period for r in group})
        lines: dict[str, dict[str, _Point]] = defaultdict(dict)
        for r in group:
            lines[VARIANT_LABELS.get(r.variant, r.variant)][r.period] = _Point(r.share_median)
        sections.append({"id": f"s{i}", "pathway": pathway, "label": group[0].label, "unit": unit,
                         "unit_trend": units_trend_chart(periods, lines, group[0].target)})
    return sections[:MAX_CHARTS]


def _form(request: Request, values: dict[str, str], errors: list[str], fields: list[FieldProblem],
          status_code: int = 200):
    # each bad field by its path in the file, the rule in bokmål by its code, and the rule's own words beside it
    problems = [(p.field, field_text(p, None), p.message) for p in fields]
    return render(request, "simulation.html", status_code, values=values, errors=errors, fields=problems,
                  job=None, max_replications=PAGE_MAX_REPLICATIONS)


@router.get("/simulering")
def simulation_form(request: Request, user: PageUser):
    check_simulation_role(user)
    return _form(request, {"scenario": EXAMPLE_SCENARIO, "replikasjoner": "5", "frø": "1"}, [], [])


@router.post("/simulering")
def simulation_start(request: Request, runtime: Runtime, user: PageUser, form: Form):
    values = {"scenario": form.get("scenario") or "", "replikasjoner": (form.get("replikasjoner") or "").strip(),
              "frø": (form.get("frø") or "").strip()}
    replications, seed = _whole(values["replikasjoner"]), _whole(values["frø"])
    if replications is None or seed is None:
        return _form(request, values, ["Replikasjoner og frø er hele tall."], [], status_code=422)
    try:
        job = start_simulation(runtime, user, values["scenario"], replications, seed)
    except InvalidInput as exc:
        return _form(request, values, [error_text(exc)], exc.fields, status_code=422)
    except PathwayError as exc:
        return _form(request, values, [error_text(exc)], [], status_code=409)
    return redirect(f"/simulering/{job.id}", flash="Simuleringen er startet.")


def _whole(text: str) -> int | None:
    return int(text) if text.lstrip("-").isdigit() and len(text) < 10 else None


def _pathway_links(runtime: PathwayRuntime) -> dict[str, dict[str, str]]:
    """Each deployed pathway's name and its current version's diagram (where a modeller, a manager or a
    coordinator sees where the patients are), for the result's pathways."""
    return {p["key"]: {"name": p["name"], "diagram": diagram_path(p["key"], p["version_id"])}
            for p in list_pathways(runtime.db, runtime.definitions)}


@router.get("/simulering/{job_id}", response_class=Response)
def simulation_result(request: Request, runtime: Runtime, user: PageUser, job_id: str, periode: str = "tertial"):
    job = simulation_job(user, job_id)
    period = periode if periode in ("tertial", "month") else "tertial"
    context: dict[str, Any] = {"job": job, "period": period, "values": {"scenario": job.scenario_text,
                               "replikasjoner": str(job.replications), "frø": str(job.seed)},
                               "errors": [], "fields": [], "max_replications": PAGE_MAX_REPLICATIONS}
    if job.runs is not None:
        rows = results.deadline_rows(job.runs, period)
        context |= {"rows": rows, "steps": results.step_rows(job.runs), "sections": _sections(rows),
                    "variant_labels": VARIANT_LABELS, "pathways": _pathway_links(runtime)}
    return render(request, "simulation.html", **context)


@router.get("/simulering/{job_id}/resultat.csv", response_class=Response)
def simulation_csv(user: PageUser, job_id: str, periode: str = "tertial"):
    rows = results.deadline_rows(_finished(simulation_job(user, job_id)), _period(periode))
    return Response(results.to_csv(rows), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="simulering.csv"'})


@router.get("/simulering/{job_id}/resultat.json", response_class=Response)
def simulation_json(user: PageUser, job_id: str, periode: str = "tertial"):
    runs = _finished(simulation_job(user, job_id))
    text = results.to_json(results.deadline_rows(runs, _period(periode)), results.step_rows(runs), runs)
    return Response(text, media_type="application/json")


def _period(text: str) -> str:
    return text if text in ("tertial", "month") else "tertial"


def _finished(job: Job) -> list[results.ReplicationCounts]:
    if job.runs is None:
        raise NotFound(ErrorCode.SIMULATION_NOT_FOUND, "the simulation has no answer (yet)")
    return job.runs
