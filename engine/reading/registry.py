"""The registration extract: per patient and pathway, each event of a period with its date and the code the
national patient registry (NPR) receives it by — the pathway start with the pathway type (D01, D11, D12, …),
first attendance, the clinical decision as C + outcome (CU; D11CU with the type in front), patient-deferred (L),
treatment plan, evaluation and closure with its outcome.

Which code an event has is the pathway file's configuration (`registrationCode`, engine.catalogue.registration);
a code the domain reference does not confirm is empty or flagged there, and each row says so
(`code_unconfirmed`, `pathway_type_unconfirmed`), so nothing unconfirmed reaches the registry unnoticed.

Read from the projected tables: two queries (the events of the period, the pathway starts of the period), the
codes from each instance's version's definition (the definition cache). Registrations that were undone are left
out; a corrected one has its current date.
"""

from __future__ import annotations

import csv
import io
from dataclasses import astuple, dataclass
from datetime import date

from sqlalchemy import Row, select

from engine.catalogue.definition import PathwayDefinition
from engine.catalogue.registration import PATIENT_DEFERRED_REGISTRATION, START_EVENT, RegistrationCode
from engine.catalogue.versions import DefinitionCache
from engine.db.database import Database
from engine.db.models import MeasuringPointEvent, PathwayInstance
from engine.deadlines.indicators import PATIENT_DEFERRED
from engine.errors import ErrorCode, InvalidInput
from engine.reading.compliance_csv import csv_cell
from engine.reading.periods import check_date, check_range

#: The longest period one extract covers, in days (a leap year): the registry receives a month or a tertial at a
#: time, and a year bounds the rows one request reads.
MAX_EXTRACT_DAYS = 366


@dataclass(frozen=True)
class RegistrationRow:
    patient_key: str
    instance_id: str
    pathway_key: str
    unit: str
    #: the process property `pathwayType`; None when the file leaves it out
    pathway_type: str | None
    pathway_type_unconfirmed: bool
    #: the measuring point (`first_attendance`, `clinical_decision`, …), `pathway_start` or `patient_deferred`
    event: str
    occurred_on: date
    #: the registry code (CU, L); None while the pathway file has no confirmed code for the event
    code: str | None
    #: the code with the pathway type in front (D11CU), for a code that carries the outcome and a known type
    code_with_type: str | None
    outcome: str | None
    code_unconfirmed: bool
    #: patient-deferred only: the last day of the period the patient caused
    deferred_until: date | None = None


def check_extract_period(start: date, end: date) -> None:
    """A real, ordered period of at most MAX_EXTRACT_DAYS days, or `date_invalid` / `range_reversed` /
    `range_too_long` naming the field."""
    for name, value in (("from", start), ("to", end)):
        try:
            check_date(name, value)
        except InvalidInput as exc:
            raise InvalidInput(exc.code, str(exc), params={"field": name}) from None
    check_range(start, end)
    days = (end - start).days + 1
    if days > MAX_EXTRACT_DAYS:
        raise InvalidInput(ErrorCode.RANGE_TOO_LONG, f"the period is {days} days; at most {MAX_EXTRACT_DAYS}",
                           params={"days": days, "max_days": MAX_EXTRACT_DAYS})


def registration_extract(db: Database, definitions: DefinitionCache, start: date, end: date) -> list[RegistrationRow]:
    """Every registry event dated from `start` to `end` (both included), by patient, pathway, date."""
    check_extract_period(start, end)
    instance = PathwayInstance
    event = MeasuringPointEvent
    columns = (instance.id, instance.patient_key, instance.pathway_key, instance.unit, instance.pathway_version_id)
    with db.reading_connection() as conn:
        events = conn.execute(
            select(*columns, event.id.label("event_id"), event.code, event.outcome, event.occurred_on,
                   event.deferred_until)
            .join(event, event.instance_id == instance.id)
            .where(event.occurred_on.between(start, end), event.undone_at.is_(None))).all()
        starts = conn.execute(select(*columns, instance.started_on)
                              .where(instance.started_on.between(start, end))).all()
    found: list[tuple[tuple, RegistrationRow | None]] = [
        ((r.patient_key, r.id, r.started_on, 0), _start_row(r, definitions.get(r.pathway_version_id)))
        for r in starts]
    found += [((r.patient_key, r.id, r.occurred_on, r.event_id), _event_row(r, definitions.get(r.pathway_version_id)))
              for r in events]
    # by patient, pathway and date; the start before the day's registrations, those in the order they were made
    return [row for _, row in sorted((f for f in found if f[1] is not None), key=lambda f: f[0])]


def _row(r: Row, definition: PathwayDefinition, event: str, occurred_on: date, registration: RegistrationCode,
         outcome: str | None, deferred_until: date | None = None) -> RegistrationRow:
    code = registration.code_for(outcome)
    type_code = definition.type_code
    with_type = f"{type_code}{code}" if code and type_code and registration.with_outcome else None
    return RegistrationRow(
        patient_key=r.patient_key, instance_id=r.id, pathway_key=r.pathway_key, unit=r.unit, pathway_type=type_code,
        pathway_type_unconfirmed=definition.type_unconfirmed, event=event, occurred_on=occurred_on, code=code,
        code_with_type=with_type, outcome=outcome, code_unconfirmed=registration.unconfirmed or code is None,
        deferred_until=deferred_until)


def _start_row(r: Row, definition: PathwayDefinition) -> RegistrationRow | None:
    if definition.start_registration is None:
        return None
    return _row(r, definition, START_EVENT, r.started_on, definition.start_registration, None)


def _event_row(r: Row, definition: PathwayDefinition) -> RegistrationRow | None:
    if r.code == PATIENT_DEFERRED and definition.reports_to_registry:
        return _row(r, definition, PATIENT_DEFERRED, r.occurred_on, PATIENT_DEFERRED_REGISTRATION, None,
                    r.deferred_until)
    registration = definition.registration_codes.get(r.code)
    if registration is None:
        return None
    return _row(r, definition, r.code, r.occurred_on, registration, r.outcome)


# ---- CSV -------------------------------------------------------------------------------------------------------

#: The CSV header: Norwegian, ASCII-only and stable, one per RegistrationRow field in order.
CSV_COLUMNS = ("pasient", "forlop_id", "pakkeforlop", "enhet", "forlopstype", "forlopstype_ubekreftet", "hendelse",
               "dato", "kode", "kode_med_type", "utfall", "kode_ubekreftet", "utsatt_til")


def to_csv(rows: list[RegistrationRow]) -> str:
    """The extract as CSV for machines: comma-separated, dates YYYY-MM-DD, ja/nei, empty cells for no value."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerows([csv_cell(value) for value in astuple(row)] for row in rows)
    return out.getvalue()
