"""Every bokmål text of the pages that stands for an engine value: statuses, settings, units, roles, measuring
points, and the translation of each engine error code and refused-field code. Dates and shares as read in
Norway."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from engine.access.principals import ADMIN, COORDINATOR, MANAGER, MODELLER
from engine.catalogue.forms import OCCURRED_ON
from engine.clock import OSLO
from engine.deadlines.indicators import PATIENT_DEFERRED
from engine.errors import ErrorCode, FieldCode, FieldProblem, PathwayError
from engine.statuses import DeadlineStatus, DeferralReason, IncidentKind, IncidentStatus, InstanceStatus, TaskStatus

STATUS_LABELS = {DeadlineStatus.PENDING: "venter", DeadlineStatus.OVERDUE: "forfalt", DeadlineStatus.MET: "innfridd",
                 DeadlineStatus.BREACHED: "brutt", DeadlineStatus.DEFERRED: "pasientutsatt",
                 DeadlineStatus.CANCELLED: "avbrutt"}
INSTANCE_STATUS_LABELS = {InstanceStatus.ACTIVE: "aktivt", InstanceStatus.COMPLETED: "fullført"}
TASK_STATUS_LABELS = {TaskStatus.OPEN: "åpen", TaskStatus.COMPLETED: "registrert", TaskStatus.CANCELLED: "avbrutt"}
SETTING_LABELS = {"outpatient": "poliklinikk", "inpatient": "døgn"}
#: the variants the pathway files declare (`severity=` on their indicators); an undeclared one shows its key
SEVERITY_LABELS = {"serious": "alvorlig tilstand", "less_serious": "mindre alvorlig tilstand"}
DAY_UNIT_LABELS = {"calendar_days": "dager", "working_days": "virkedager", "calendar_months": "måneder"}
ROLE_LABELS = {COORDINATOR: "Forløpskoordinator", MANAGER: "Leder", MODELLER: "Modellerer", ADMIN: "Administrator"}
INCIDENT_KIND_LABELS = {IncidentKind.TIMER: "Tidsfrist (timer)", IncidentKind.MESSAGE: "Meldingslevering",
                        IncidentKind.SWEEP: "Forfallskjøring"}
INCIDENT_STATUS_LABELS = {IncidentStatus.OPEN: "åpen", IncidentStatus.RESOLVED: "løst"}
DEFERRAL_REASON_LABELS = {DeferralReason.CANCELLED_APPOINTMENT: "Avlyste timen",
                          DeferralReason.DID_NOT_ATTEND: "Møtte ikke",
                          DeferralReason.ASKED_TO_POSTPONE: "Ba om å utsette", DeferralReason.OTHER: "Annet"}
PERIOD_LABELS = {"tertial": "Tertial", "month": "Måned"}
#: The data-quality checks (engine.reading.data_quality.Check): a short name, and what it finds ({days}: the
#: check's threshold).
DATA_QUALITY_LABELS = {
    "missing_clinical_decision": ("Mangler klinisk beslutning",
                                  "Første fremmøte er registrert, men klinisk beslutning mangler mer enn {days} dager "
                                  "etter fristen for utredning."),
    "evaluation_overdue": ("Evaluering forfalt",
                           "Evalueringen er ikke registrert mer enn {days} dager etter fristen."),
    "no_closure": ("Mangler avslutning",
                   "Forløpet er aktivt, men ingen målepunkt er registrert på mer enn {days} dager."),
    "type_code_missing": ("Mangler typekode",
                          "Forløpstypen har ingen bekreftet typekode (pathwayType), så hendelsene kan ikke "
                          "plasseres i registeret. Rettes i forløpsfilen."),
}
MONTH_NAMES = ("januar", "februar", "mars", "april", "mai", "juni", "juli", "august", "september", "oktober",
               "november", "desember")
#: Short names of the common measuring points; others are named after the BPMN element that registers them.
POINT_LABELS = {
    "referral_received": "Henvisning mottatt", "referral_assessed": "Henvisning vurdert",
    "first_attendance": "Første fremmøte", "clinical_decision": "Klinisk beslutning",
    "somatic_health_assessed": "Somatisk helse kartlagt", "treatment_plan": "Behandlingsplan",
    "treatment_started": "Behandling startet", "detoxification_completed": "Avrusning fullført",
    "evaluation": "Evaluering", "closure": "Avslutning", PATIENT_DEFERRED: "Pasientutsatt (L)",
}

ERROR_TEXTS: dict[ErrorCode, str] = {
    ErrorCode.PATHWAY_NOT_FOUND: "Forløpstypen finnes ikke.",
    ErrorCode.PATHWAY_VERSION_NOT_FOUND: "Versjonen av forløpstypen finnes ikke.",
    ErrorCode.INSTANCE_NOT_FOUND: "Forløpet finnes ikke, eller du har ikke tilgang til det.",
    ErrorCode.TASK_NOT_FOUND: "Oppgaven finnes ikke, eller du har ikke tilgang til den.",
    ErrorCode.INCIDENT_NOT_FOUND: "Hendelsen finnes ikke, eller du har ikke tilgang til den.",
    ErrorCode.EVENT_NOT_FOUND: "Registreringen finnes ikke i dette forløpet.",
    ErrorCode.ELEMENT_NOT_FOUND: "Steget finnes ikke i denne versjonen av forløpstypen.",
    ErrorCode.PATHWAY_ALREADY_ACTIVE: "Pasienten har allerede et aktivt forløp av denne typen.",
    ErrorCode.INSTANCE_NOT_ACTIVE: "Forløpet er ikke lenger aktivt.",
    ErrorCode.TASK_ALREADY_COMPLETED: "Oppgaven er allerede registrert.",
    ErrorCode.TASK_ALREADY_CANCELLED: "Oppgaven er avbrutt.",
    ErrorCode.TASK_NOT_READY: "Oppgaven kunne ikke endres fordi den er endret i mellomtiden. Last siden på nytt.",
    ErrorCode.TASK_CLAIMED_BY_OTHER: "Oppgaven er allerede tatt av en annen.",
    ErrorCode.CHANGED_CONCURRENTLY: "Oppgaven ble endret av noen andre samtidig. Last siden på nytt og prøv igjen.",
    ErrorCode.INSTANCE_BUSY: "Forløpet oppdateres av noen andre akkurat nå. Prøv igjen om litt.",
    ErrorCode.MESSAGE_NOT_AWAITED: "Forløpet venter ikke på denne meldingen nå.",
    ErrorCode.DATABASE_NOT_EMPTY: "Databasen har allerede forløp; demodata lastes bare inn i en tom database.",
    ErrorCode.INCIDENT_RESOLVED: "Hendelsen er allerede løst.",
    ErrorCode.DATABASE_FAILED: "Databasen svarte ikke som den skulle ({cause}). Ingenting ble lagret. Prøv igjen "
                               "om litt, og si fra til driftsansvarlig hvis det gjentar seg.",
    ErrorCode.SCHEMA_OUTDATED: "Databasen har ikke fått oppdateringene denne versjonen trenger (har {current}, "
                               "trenger {head}). Kontakt driftsansvarlig.",
    ErrorCode.SAVED_STATE_UNREADABLE: "Forløpets lagrede tilstand er skrevet i et format denne versjonen ikke kan "
                                      "lese ({format}). Kontakt driftsansvarlig.",
    ErrorCode.NO_DEFERRABLE_DEADLINE: "Forløpet har ingen løpende forløpstid som pasienten kan utsette. "
                                      "Henvisningsvurderingen kan for eksempel ikke pasientutsettes.",
    ErrorCode.EVENT_ALREADY_UNDONE: "Registreringen er allerede angret.",
    ErrorCode.EVENT_NOT_CORRECTABLE: "Denne registreringen kan ikke korrigeres her.",
    ErrorCode.LATER_REGISTRATIONS_DEPEND: "Senere registreringer bygger på denne. Angre dem først, nyeste først: "
                                          "{later}.",
    ErrorCode.CLOSURE_NOT_DEFINED: "Forløpet har ingen avslutningsoppgave og kan ikke avsluttes her.",
    ErrorCode.CLOSURE_TASK_OPEN: "Oppgaven «Avslutte» er åpen: registrer avslutningen i oppgaven.",
    ErrorCode.REQUEST_INVALID: "Forespørselen inneholder ugyldige verdier.",
    ErrorCode.REQUEST_TOO_LARGE: "Forespørselen er for stor (høyst 2 MB).",
    ErrorCode.FORM_INVALID: "Et obligatorisk felt mangler eller har en ugyldig verdi.",
    ErrorCode.OCCURRED_ON_IN_FUTURE: "Datoen kan ikke være fram i tid.",
    ErrorCode.OCCURRED_ON_BEFORE_PREVIOUS_POINT: "Datoen kan ikke være før forrige registrerte målepunkt.",
    ErrorCode.OCCURRED_ON_AFTER_NEXT_POINT: "Datoen kan ikke være etter neste registrerte målepunkt ({next}).",
    ErrorCode.CORRECTION_UNCHANGED: "Den nye datoen er den samme som den registrerte.",
    ErrorCode.REASON_REQUIRED: "Oppgi en begrunnelse for korrigeringen.",
    ErrorCode.NOTE_REQUIRED: "Skriv et notat om hvorfor hendelsen er løst.",
    ErrorCode.DEFERRAL_TOO_SHORT: "Pasientutsettelse gjelder bare når pasienten har forsinket forløpet med mer enn "
                                  "7 virkedager (perioden er {working_days} virkedager).",
    ErrorCode.DEFERRAL_PERIOD_INVALID: "Til-datoen må være etter fra-datoen.",
    ErrorCode.DEFERRAL_REASON_INVALID: "Velg en årsak til utsettelsen.",
    ErrorCode.CLOSURE_OUTCOME_INVALID: "Velg en årsak til avslutningen.",
    ErrorCode.TRANSFER_NOT_DEFINED: "Dette forløpet kan ikke avsluttes som overført til annet helseforetak.",
    ErrorCode.RECEIVING_TRUST_INVALID: "Oppgi hvilket helseforetak pasienten overføres til (høyst 200 tegn).",
    ErrorCode.VERSION_INCOMPATIBLE: "Gjeldende versjon mangler steg dette forløpet har nådd; forløpet må migreres.",
    ErrorCode.REFERRAL_RECEIVED_IN_FUTURE: "Henvisningsdatoen kan ikke være fram i tid.",
    ErrorCode.REFERRAL_RECEIVED_BEFORE_IN_USE: "Henvisningsdatoen er før forløpet ble tatt i bruk ({in_use_from}).",
    ErrorCode.SETTING_INVALID: "Velg poliklinikk eller døgn.",
    ErrorCode.START_ROUTE_INVALID: "Velg om pasienten kom med henvisning eller etter øyeblikkelig hjelp-innleggelse.",
    ErrorCode.MUNICIPAL_CONTACT_INVALID: "Kommunen og kommunens koordinator kan ha høyst 100 tegn hver.",
    ErrorCode.MESSAGE_START_INVALID: "Meldingen sier ikke hvilken enhet, behandlingsform eller dato forløpet skal "
                                     "startes med.",
    ErrorCode.SEVERITY_INVALID: "Forløpet har ikke denne alvorlighetsgraden. Gyldige verdier: {allowed}.",
    ErrorCode.UNIT_REQUIRED: "Oppgi enheten.",
    ErrorCode.ASSIGNEE_REQUIRED: "Oppgi hvem som tar oppgaven.",
    ErrorCode.PATIENT_KEY_INVALID: "Pasientnøkkelen er ikke et gyldig fødselsnummer, D-nummer eller pseudonym.",
    ErrorCode.PATIENT_SEARCH_TOO_SHORT: "Skriv minst 3 tegn av pasientnøkkelen for å søke.",
    ErrorCode.MESSAGE_DATA_INVALID: "Meldingens innhold er ugyldig.",
    ErrorCode.ENGINE_ERROR: "Forløpsmotoren kunne ikke fortsette forløpet{where}. Ingenting ble lagret. "
                            "Forløpsfilen må rettes – kontakt en modellerer.",
    ErrorCode.PATHWAY_FILE_INVALID: "Forløpsfilen har feil og ble ikke tatt i bruk.",
    ErrorCode.PATHWAY_FILE_EMPTY: "Velg en BPMN-fil.",
    ErrorCode.ROLE_INVALID: "Ukjent rolle.",
    ErrorCode.USER_UNITS_REQUIRED: "En forløpskoordinator må ha minst én enhet.",
    ErrorCode.USER_ID_INVALID: "Brukernavnet må ha 1–100 tegn.",
    ErrorCode.USER_EXISTS: "Brukeren finnes allerede.",
    ErrorCode.PERIOD_INVALID: "Ukjent periode.",
    ErrorCode.DATE_INVALID: "Ugyldig dato.",
    ErrorCode.CURSOR_INVALID: "Ugyldig sideposisjon i listen.",
    ErrorCode.LIMIT_INVALID: "Ugyldig antall rader per side.",
    ErrorCode.RANGE_REVERSED: "Fra-datoen er etter til-datoen.",
    ErrorCode.RANGE_TOO_LONG: "Perioden er for lang: høyst {max_days} dager.",
    ErrorCode.UNITS_INVALID: "Ugyldig utvalg av enheter.",
    ErrorCode.SIMULATION_NOT_FOUND: "Simuleringen finnes ikke (lenger) på denne serveren; start den på nytt.",
    ErrorCode.SIMULATION_RUNNING: "En simulering kjører allerede. Vent til den er ferdig.",
    ErrorCode.SCENARIO_INVALID: "Scenarioet har feil; se feltene under.",
    ErrorCode.SIMULATION_TOO_LARGE: "Simuleringen er for stor; færre replikasjoner, forløp eller år.",
    ErrorCode.NOT_AUTHENTICATED: "Logg inn for å fortsette.",
    ErrorCode.ROLE_FORBIDDEN: "Din rolle har ikke tilgang til denne siden.",
    ErrorCode.NO_PATIENT_ACCESS: "Din rolle har ikke tilgang til pasientopplysninger.",
    ErrorCode.UNIT_FORBIDDEN: "Du kan bare starte forløp i dine egne enheter.",
    ErrorCode.MIGRATION_SAME_VERSION: "Forløpet er allerede på denne versjonen.",
    ErrorCode.MIGRATION_OTHER_PATHWAY: "Versjonen hører til en annen forløpstype; et forløp flyttes bare mellom "
                                       "versjoner av sin egen forløpstype.",
    ErrorCode.CURRENT_TASK_REMOVED: "Steget forløpet står på nå, finnes ikke i den nye versjonen.",
    ErrorCode.REACHED_ELEMENT_REMOVED: "Et steg forløpet allerede har vært gjennom, finnes ikke i den nye versjonen.",
    ErrorCode.NO_MIGRATION_TO_REVERT: "Forløpet er ikke flyttet til versjonen det står på, så det er ingen flytting "
                                      "å angre.",
    ErrorCode.MIGRATION_SELECTION_TOO_LARGE: "Utvalget har for mange forløp; velg etter enhet eller steg.",
}
#: what a version diff (engine.modelling.version_diff) compares, and how each entry changed
CHANGE_KIND_LABELS = {"element": "Steg", "flow": "Flyt", "form": "Skjemafelt", "indicator": "Forløpstid"}
CHANGE_LABELS = {"added": "lagt til", "removed": "fjernet", "changed": "endret"}
CSRF_REFUSED = "Skjemaet mangler gyldig sikkerhetsnøkkel (CSRF). Last siden på nytt og prøv igjen."

FIELD_TEXTS: dict[FieldCode, str] = {
    FieldCode.REQUIRED: "Feltet må fylles ut.",
    FieldCode.UNKNOWN: "Feltet hører ikke til skjemaet.",
    FieldCode.NOT_TRUE_OR_FALSE: "Velg ja eller nei.",
    FieldCode.NOT_A_WHOLE_NUMBER: "Skriv et helt tall.",
    FieldCode.NUMBER_OUT_OF_RANGE: "Skriv et helt tall fra {min} til {max}.",
    FieldCode.NOT_A_DATE: "Ugyldig dato. Bruk formatet åååå-mm-dd.",
    FieldCode.NOT_AN_OPTION: "Velg et av alternativene i listen.",
    FieldCode.NOT_TEXT: "Skriv en tekst.",
    FieldCode.TEXT_TOO_LONG: "Teksten er for lang (høyst {max} tegn).",
    FieldCode.IN_FUTURE: "Datoen kan ikke være fram i tid (i dag er {today}).",
    FieldCode.VALUE_INVALID: "Verdien er ugyldig.",
    FieldCode.BEFORE_PREVIOUS_POINT: "Datoen kan ikke være før forrige registrerte målepunkt ({previous}).",
}
#: Where a field's type or role asks for other words than FIELD_TEXTS
_FIELD_TEXTS_FOR = {
    (FieldCode.REQUIRED, "enum"): "Velg et alternativ.",
    (FieldCode.REQUIRED, OCCURRED_ON): "Oppgi datoen da det skjedde.",
}
#: A number refused by a field bounded at one end only: the words for the bound that is open (None)
_OPEN_RANGE_TEXTS = {"min": "Skriv et helt tall som ikke er større enn {max}.",
                     "max": "Skriv et helt tall som ikke er mindre enn {min}."}


def norwegian_date(value: Any) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value[:10])
        except ValueError:
            return value
    return value.strftime("%d.%m.%Y")


def norwegian_time(value: datetime | None) -> str:
    """An instant as read in Norway: 02.12.2026 14:05."""
    return value.astimezone(OSLO).strftime("%d.%m.%Y %H:%M") if value else "–"


def percent(value: float | None, digits: int = 0) -> str:
    if value is None:
        return "–"
    text = f"{value * 100:.{digits}f}".replace(".", ",")
    return f"{text} %"


def error_text(exc: PathwayError) -> str:
    """An engine error in bokmål, by its code, with the values it names (dates as read in Norway)."""
    params = dict(exc.params)
    if exc.code == ErrorCode.ENGINE_ERROR:
        label = params.get("element_label")
        params["where"] = f" ved «{label}»" if label else ""
    return fill(ERROR_TEXTS.get(exc.code, "Noe gikk galt. Prøv igjen."), params)


class _Named(dict):
    def __missing__(self, key: str) -> str:
        return "–"


def fill(text: str, params: dict[str, Any] | None) -> str:
    """`text` with its {name} places filled from `params`; a value that is missing reads as a dash."""
    values = _Named({name: (norwegian_date(value) if isinstance(value, date) else
                            (", ".join(map(str, value)) or "–") if isinstance(value, list | tuple) else
                            "–" if value is None else value)
                     for name, value in (params or {}).items()})
    return text.format_map(values)


def field_text(problem: FieldProblem, field_type: str | None) -> str:
    """A refused field in bokmål, by its code (and the field's type: an unchosen list asks to choose)."""
    kind = OCCURRED_ON if problem.field == OCCURRED_ON else field_type
    text = _FIELD_TEXTS_FOR.get((problem.code, kind), FIELD_TEXTS[problem.code])
    params = {name: norwegian_date(value) if isinstance(value, date) else value
              for name, value in (problem.params or {}).items()}
    if problem.code == FieldCode.NUMBER_OUT_OF_RANGE:
        text = next((_OPEN_RANGE_TEXTS[bound] for bound in ("min", "max") if params.get(bound) is None), text)
    return text.format(**params) if params else text


# ---- the audit trail (/revisjonslogg) -------------------------------------------------------------------------

#: What an audit row's action code means; a code not listed is shown as its code alone.
AUDIT_ACTION_LABELS = {
    "start_pathway": "Startet forløp", "start_refused_active_elsewhere": "Start avvist: aktivt forløp i annen enhet",
    "complete_task": "Registrerte oppgave", "claim_task": "Tok oppgave", "unclaim_task": "Frigjorde oppgave",
    "send_message": "Sendte melding", "register_patient_deferred": "Registrerte pasientutsettelse",
    "correct_event_date": "Korrigerte dato", "undo_event": "Angret registrering",
    "fire_timer": "Tidsfrist utløst (planleggeren)", "retry_incident": "Prøvde driftsfeil på nytt",
    "resolve_incident": "Løste driftsfeil", "rebind_version": "Flyttet forløp til ny versjon",
    "read_instance": "Så forløp", "read_patient": "Så pasientens forløp", "read_task": "Så oppgave",
    "list_tasks": "Så arbeidslisten", "list_incidents": "Så driftsfeil", "read_incident": "Så én driftsfeil",
    "read_audit": "Så revisjonsloggen", "close_pathway": "Avsluttet forløp", "deploy_pathway": "Tok i bruk forløpsfil",
    "search_patients": "Søkte etter pasient", "take_over_task": "Overtok oppgave",
    "read_element_patients": "Så pasienter ved et steg", "migrate_instance": "Flyttet forløp (migrering)",
    "revert_migration": "Angret migrering",
}


def norwegian_clock_time(value: datetime | None) -> str:
    """An instant as read in Norway, with the clock word: 02.12.2026 kl. 15:04."""
    return value.astimezone(OSLO).strftime("%d.%m.%Y kl. %H:%M") if value else "–"
