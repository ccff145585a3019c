"""Starting a pathway from a referral (`/forlop/ny`), as DIPS starts one from the patient's referral: patient key,
pathway, unit, setting, how the patient came (referral or after an emergency admission), variant and rule set,
referral date. The same engine command and error codes as
`POST /instances`; the patient's other pathways (own units) are shown once the key is entered."""

from __future__ import annotations

from fastapi import APIRouter, Request

from engine.actions import commands
from engine.actions.reads import read_patient_pathways, start_choices
from engine.errors import ErrorCode, InvalidInput, PathwayError

from ..deps import PageUser, Runtime
from .inputs import iso_date
from .labels import SEVERITY_LABELS, error_text
from .rendering import PageRoute, redirect, render
from .session import Form

router = APIRouter(route_class=PageRoute, include_in_schema=False)
FIELDS = ("pasient", "forlop", "enhet", "behandling", "vei", "variant", "regelsett", "mottatt", "kommune",
          "kommunekoordinator")
START_ROUTE_LABELS = (("referral", "Henvisning"), ("emergency", "Etter øyeblikkelig hjelp-innleggelse"))
#: which form field an engine error is about (the rest are shown in the summary only)
FIELD_OF = {
    ErrorCode.PATIENT_KEY_INVALID: "pasient", ErrorCode.PATHWAY_NOT_FOUND: "forlop", ErrorCode.UNIT_FORBIDDEN: "enhet",
    ErrorCode.UNIT_REQUIRED: "enhet", ErrorCode.SETTING_INVALID: "behandling", ErrorCode.SEVERITY_INVALID: "variant",
    ErrorCode.START_ROUTE_INVALID: "vei", ErrorCode.MUNICIPAL_CONTACT_INVALID: "kommune",
    ErrorCode.REFERRAL_RECEIVED_IN_FUTURE: "mottatt", ErrorCode.REFERRAL_RECEIVED_BEFORE_IN_USE: "mottatt",
}
DATE_MISSING = "Oppgi datoen henvisningen ble mottatt."


@router.get("/forlop/ny")
def start_form(request: Request, runtime: Runtime, user: PageUser, pasient: str = "", forlop: str = ""):
    values = {"pasient": pasient.strip()[:64], "forlop": forlop.strip()[:100], "behandling": "outpatient",
              "mottatt": runtime.today().isoformat()}
    return _form(request, runtime, user, values, {})


@router.post("/forlop/ny")
def start(request: Request, runtime: Runtime, user: PageUser, form: Form):
    values = {name: (form.get(name) or "").strip()[:100] for name in FIELDS}
    if form.get("handling") == "finn":  # only show the patient's pathways
        return _form(request, runtime, user, values, {})
    received = iso_date(values["mottatt"])
    if received is None:
        return _form(request, runtime, user, values, {"mottatt": DATE_MISSING}, status_code=422)
    try:
        detail = commands.start_pathway(
            runtime, user, patient_key=values["pasient"], pathway_key=values["forlop"], unit=values["enhet"],
            setting=values["behandling"], referral_received_on=received, severity=values["variant"] or None,
            rule_set=values["regelsett"] or None, start_route=values["vei"] or "referral",
            municipal_unit=values["kommune"] or None, municipal_coordinator=values["kommunekoordinator"] or None)
    except PathwayError as exc:
        field = FIELD_OF.get(exc.code)
        errors = {field: error_text(exc)} if field else {"": error_text(exc)}
        return _form(request, runtime, user, values, errors, status_code=409 if field is None else 422,
                     existing=exc.params.get("instance_id") if user.sees_unit(exc.params.get("unit") or "") else None)
    return redirect(f"/forlop/{detail['id']}", flash=f"Forløpet er startet for {detail['patient_key']}.")


def _form(request: Request, runtime: Runtime, user: PageUser, values: dict[str, str], errors: dict[str, str],
          status_code: int = 200, existing: str | None = None):
    choices = start_choices(runtime, user)
    others = None
    if values.get("pasient"):
        try:
            others = read_patient_pathways(runtime, user, values["pasient"])
        except InvalidInput as exc:
            errors = {"pasient": error_text(exc), **errors}
    return render(request, "start.html", status_code, choices=choices, values=values, errors=errors,
                  others=others, existing=existing, today=runtime.today(), severity_labels=SEVERITY_LABELS,
                  start_routes=START_ROUTE_LABELS)


