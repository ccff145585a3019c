"""Shared step definitions for the pathway features.

A step lives here when more than one pathway's feature uses it; steps that only one pathway needs live in that
feature's test module (`features/test_<pathway>.py`) and are built on `Pathway.start` and `Pathway.register_task`,
which name a pathway by its key, type code or Norwegian title and a task by its Norwegian label, as a clinician
reads them. A module whose steps need parse types of its own makes its `step` with `step_with()`, usually from
`phrases()`, which turns a fixed set of a feature's phrases into the engine's values. A module's step
with the same text as one here replaces it for that module's scenarios.

The steps speak the coordinator's language: "the referral was assessed on Friday 2026-01-09 with right to care".
Every dated step first moves the test clock forward to that day (never backwards), because the engine refuses
measuring points dated in the future. A weekday written before a date is checked against the date, so a
scenario cannot silently say "Friday" about a Thursday.

A deadline is named by its indicator key with spaces for underscores ("first evaluation"); a qualifier in
brackets is appended to the key ("first attendance (serious)" -> `first_attendance_serious`). When the plain key
is not an indicator of the pathway, the pathway's setting is appended, so "assessment" means
`assessment_outpatient` in an outpatient pathway. For TSB (D01) that gives:

    referral assessment          referral_assessment
    assessment                   assessment_<setting>
    detoxification to treatment  detoxification_to_treatment_<setting>
    first evaluation             first_evaluation_<setting>
    evaluation interval          evaluation_interval_<setting>
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import parse
import pytest
from pytest_bdd import given, parsers, then, when
from sqlalchemy import select

from engine.catalogue.definition import PathwayDefinition
from engine.catalogue.parser import load_definition, pathway_files
from engine.db.models import PathwayMessage
from engine.errors import InvalidInput, PathwayError
from engine.reading.tasks import TaskFilter, list_tasks
from engine.statuses import DeadlineStatus
from tests.support import PATHWAYS_DIR, complete, detail, start_tsb

# ---- parse types ---------------------------------------------------------------------------------------------

_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@parse.with_pattern(r"(?:(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday) )?\d{4}-\d{2}-\d{2}")
def _day(text: str) -> date:
    weekday, _, iso = text.rpartition(" ")
    day = date.fromisoformat(iso)
    if weekday and _WEEKDAYS[day.weekday()] != weekday:
        # Not a ValueError: pytest-bdd would swallow that as "step not found".
        raise AssertionError(f"the feature says {text!r}, but {iso} is a {_WEEKDAYS[day.weekday()]}")
    return day


def phrases(meaning: Mapping[str, Any] | Iterable[str]) -> Callable[[str], Any]:
    """A parse type for a fixed set of phrases: a mapping from how a feature says a thing to the engine's value for
    it (`phrases({"less serious": "less_serious", ...})`), or words that are the values themselves."""
    mapping = dict(meaning) if isinstance(meaning, Mapping) else {word: word for word in meaning}

    @parse.with_pattern("|".join(re.escape(phrase) for phrase in sorted(mapping, key=len, reverse=True)))
    def convert(text: str) -> Any:
        return mapping[text]

    return convert


@parse.with_pattern(r"[^\"]+")
def _quoted(text: str) -> str:
    return text


TYPES = {"Day": _day, "Setting": phrases(("outpatient", "inpatient")), "Status": phrases(DeadlineStatus), "Q": _quoted}


def step(text: str) -> parsers.parse:
    return parsers.parse(text, extra_types=TYPES)


def step_with(**types: Any) -> Callable[[str], parsers.parse]:
    """A `step()` for a module whose steps need parse types of their own besides those above."""
    return lambda text: parsers.parse(text, extra_types={**TYPES, **types})


# ---- scenario state ------------------------------------------------------------------------------------------

@functools.cache
def _definitions() -> list[PathwayDefinition]:
    return [load_definition(path.read_bytes(), path.name) for path in pathway_files(PATHWAYS_DIR)]


def find_definition(name: str) -> PathwayDefinition:
    """A pathway by its key (`tsb_d01`), type code (`D01`) or Norwegian title, as a feature names it."""
    found = [d for d in _definitions() if name in (d.key, d.type_code, d.name)]
    assert len(found) == 1, f"{name!r} names {len(found)} pathways; known: {[d.key for d in _definitions()]}"
    return found[0]



@dataclass
class Pathway:
    """What a scenario has done so far: the runtime, the clock and the pathway instance it follows."""

    runtime: Any
    clock: Any
    instance_id: str | None = None
    setting: str | None = None
    definition: PathwayDefinition | None = None
    patient_key: str = "P-0001"

    def today(self) -> date:
        return self.runtime.today()

    def move_to(self, day: date) -> None:
        """Let time pass until `day` (a scenario never goes back in time)."""
        if self.today() < day:
            self.clock.set(day)

    def start(self, pathway: str, setting: str, day: date, *, severity: str | None = None,
              rule_set: str | None = None, unit: str = "DPS Test") -> str:
        """A referral to `pathway` (key, type code or title) was received on `day`: start its instance."""
        self.move_to(day)
        self.definition = find_definition(pathway)
        self.setting = setting
        self.instance_id = self.runtime.start_pathway(
            patient_key=self.patient_key, pathway_key=self.definition.key, unit=unit, setting=setting,
            referral_received_on=day, severity=severity, rule_set=rule_set)
        return self.instance_id

    def register(self, element: str, day: date, **form: Any) -> None:
        self.move_to(day)
        complete(self.runtime, self.instance_id, element, day, **form)

    def element_of(self, label: str) -> str:
        """The element id of the open task with this Norwegian label (or element id)."""
        tasks = self.open_tasks()
        found = [t["element_id"] for t in tasks if label in (t["label"], t["element_id"])]
        assert found, f"no open task {label!r}; open: {[t['label'] for t in tasks]}"
        return found[0]

    def register_task(self, label: str, day: date, **form: Any) -> None:
        """The coordinator completes the open task with this label (or element id) on `day`."""
        self.move_to(day)
        self.register(self.element_of(label), day, **form)

    def detail(self) -> dict[str, Any]:
        return detail(self.runtime, self.instance_id)

    def indicator_key(self, name: str) -> str:
        match = re.fullmatch(r"(.+?)(?: \(([^)]+)\))?", name)
        base, qualifier = match.group(1).replace(" ", "_"), match.group(2)
        known = {i.key for i in self.pathway_definition().indicators}
        if qualifier:
            candidates = [f"{base}_{qualifier.replace(' ', '_')}"]
        else:
            candidates = [base, f"{base}_{self.setting}"]
        found = [key for key in candidates if key in known]
        assert found, f"the deadline {name!r} is none of this pathway's indicators: {sorted(known)}"
        return found[0]

    def pathway_definition(self) -> PathwayDefinition:
        if self.definition is None:
            self.definition = find_definition(self.detail()["pathway"])
        return self.definition

    def measurements(self, name: str) -> list[dict[str, Any]]:
        key = self.indicator_key(name)
        return sorted((m for m in self.detail()["indicators"] if m["indicator"] == key), key=lambda m: m["sequence"])

    def measurement(self, name: str, number: int = 1) -> dict[str, Any]:
        rows = self.measurements(name)
        for row in rows:
            if row["sequence"] == number:
                return row
        raise AssertionError(f"no measurement number {number} of {self.indicator_key(name)!r}; "
                             f"there are {len(rows)}")

    def open_tasks(self) -> list[dict[str, Any]]:
        return self.detail()["open_tasks"]

    def task_list(self, **flt: Any) -> list[dict[str, Any]]:
        page = list_tasks(self.runtime.db, self.today(), TaskFilter(**flt), limit=500)
        return [t for t in page["items"] if t["instance_id"] == self.instance_id]


@pytest.fixture(autouse=True)
def pathway(runtime, clock) -> Pathway:
    # autouse: pytest-bdd asks for step fixtures only while a scenario runs, too late for the sqlite/postgresql
    # parametrisation of `db`; requesting it up front puts `db` in every scenario's fixture closure.
    return Pathway(runtime=runtime, clock=clock)


@pytest.fixture
def refusal() -> dict[str, Any]:
    """The error of a command the scenario expects the engine to refuse."""
    return {}


@pytest.fixture
def municipal_contact() -> str:
    """Who in the municipality a written follow-up plan names when the step does not say; a module may override it."""
    return "Kari Nordmann, koordinerende enhet"


@pytest.fixture
def where_to_turn() -> str:
    """Where a written follow-up plan tells the patient to turn (as D11's and D12's plans say it); a module
    overrides it with its own pathway's wording."""
    return "Fastlegen og kriseplanen; kommunens psykiske helsetjeneste"


# ---- events: Given (it happened) and When (it happens) ----------------------------------------------------------

@given(step("an {setting:Setting} TSB referral was received on {day:Day}"))
def referral_received(pathway: Pathway, setting: str, day: date) -> None:
    pathway.move_to(day)
    pathway.setting = setting
    pathway.instance_id = start_tsb(pathway.runtime, received=day, setting=setting)


@given(step('an {setting:Setting} referral to "{name:Q}" was received on {day:Day}'))
def referral_to_pathway_received(pathway: Pathway, setting: str, name: str, day: date) -> None:
    pathway.start(name, setting, day)


@given(step('an {setting:Setting} referral to "{name:Q}" was received on {day:Day} under the {rule_set:d} rules'))
def referral_to_pathway_received_under_rules(pathway: Pathway, setting: str, name: str, day: date,
                                             rule_set: int) -> None:
    pathway.start(name, setting, day, rule_set=str(rule_set))


@given(step('the coordinator registered "{label:Q}" on {day:Day}'))
@when(step('the coordinator registered "{label:Q}" on {day:Day}'))
def register_task(pathway: Pathway, label: str, day: date) -> None:
    pathway.register_task(label, day)


@given(step('the coordinator registered "{label:Q}" on {day:Day} with outcome "{outcome:Q}"'))
@when(step('the coordinator registered "{label:Q}" on {day:Day} with outcome "{outcome:Q}"'))
def register_task_with_outcome(pathway: Pathway, label: str, day: date, outcome: str) -> None:
    pathway.register_task(label, day, outcome=outcome)


@given(step('the coordinator registered "{label:Q}" on {day:Day} with:'))
@when(step('the coordinator registered "{label:Q}" on {day:Day} with:'))
def register_task_with_form(pathway: Pathway, label: str, day: date, datatable) -> None:
    """The form as a two-column table: | field | value | (a header row first)."""
    header, *rows = datatable
    assert [h.strip() for h in header] == ["field", "value"], f"expected | field | value |, got {header}"
    pathway.register_task(label, day, **{f.strip(): v.strip() for f, v in rows})


@given(step("the referral was assessed on {day:Day} with right to care"))
@when(step("the referral was assessed on {day:Day} with right to care"))
def referral_assessed_right_to_care(pathway: Pathway, day: date) -> None:
    pathway.register("assess_referral", day, outcome="right_to_care")


@given(step("the referral was assessed on {day:Day} with no right to care"))
@when(step("the referral was assessed on {day:Day} with no right to care"))
def referral_rejected(pathway: Pathway, day: date) -> None:
    pathway.register("assess_referral", day, outcome="no_right_to_care")


@given(step("the patient attended for the first time on {day:Day}"))
@when(step("the patient attended for the first time on {day:Day}"))
def first_attendance(pathway: Pathway, day: date) -> None:
    pathway.register("first_attendance", day)


@given(step("somatic health and lifestyle were checked on {day:Day}"))
@when(step("somatic health and lifestyle were checked on {day:Day}"))
def somatic_health_check(pathway: Pathway, day: date) -> None:
    pathway.register("somatic_health_check", day, somatic_follow_up_needed=False)


@given(step('the clinical decision after basic assessment was "{outcome}" on {day:Day}'))
@when(step('the clinical decision after basic assessment was "{outcome}" on {day:Day}'))
def clinical_decision_basic(pathway: Pathway, outcome: str, day: date) -> None:
    pathway.register("clinical_decision_basic", day, outcome=outcome)


@given(step('the clinical decision after extended assessment was "{outcome}" on {day:Day}'))
@when(step('the clinical decision after extended assessment was "{outcome}" on {day:Day}'))
def clinical_decision_extended(pathway: Pathway, outcome: str, day: date) -> None:
    pathway.register("clinical_decision_extended", day, outcome=outcome)


@given(step("the treatment plan was made with the patient on {day:Day}, starting with detoxification"))
@when(step("the treatment plan was made with the patient on {day:Day}, starting with detoxification"))
def plan_with_detoxification(pathway: Pathway, day: date) -> None:
    pathway.register("plan_treatment", day, detoxification=True)


@given(step("the treatment plan was made with the patient on {day:Day}, without detoxification"))
@when(step("the treatment plan was made with the patient on {day:Day}, without detoxification"))
def plan_without_detoxification(pathway: Pathway, day: date) -> None:
    pathway.register("plan_treatment", day, detoxification=False)


@given(step("detoxification was completed on {day:Day}"))
@when(step("detoxification was completed on {day:Day}"))
def detoxification_completed(pathway: Pathway, day: date) -> None:
    pathway.register("detoxification_completed", day)


@given(step("treatment started on {day:Day}"))
@when(step("treatment started on {day:Day}"))
def treatment_started(pathway: Pathway, day: date) -> None:
    pathway.register("treatment_started", day)


@given(step("the treatment was evaluated with the patient on {day:Day}, continuing treatment"))
@when(step("the treatment was evaluated with the patient on {day:Day}, continuing treatment"))
def evaluated_continue(pathway: Pathway, day: date) -> None:
    pathway.register("evaluate_treatment", day, outcome="continue")


@given(step("the treatment was evaluated with the patient on {day:Day}, deciding to close the pathway"))
@when(step("the treatment was evaluated with the patient on {day:Day}, deciding to close the pathway"))
def evaluated_close(pathway: Pathway, day: date) -> None:
    pathway.register("evaluate_treatment", day, outcome="close")


@given(step("the pathway was closed on {day:Day} with follow-up in the municipality"))
@when(step("the pathway was closed on {day:Day} with follow-up in the municipality"))
def pathway_closed(pathway: Pathway, day: date) -> None:
    pathway.register("close_pathway", day, outcome="municipal_follow_up", follow_up_plan_sent=True,
                     municipal_contact="Kari Nordmann, koordinerende enhet", risk_information_shared=True,
                     where_to_turn="Legevakt og kommunens psykisk helse-team")


@given(step("the treatment plan was made together with the patient on {day:Day}"))
@when(step("the treatment plan was made together with the patient on {day:Day}"))
def plan_made_with_patient(pathway: Pathway, day: date) -> None:
    pathway.register("plan_treatment", day, patient_involved=True)


@given(step("the pathway was closed on {day:Day} with a written follow-up plan to the municipality"))
@when(step("the pathway was closed on {day:Day} with a written follow-up plan to the municipality"))
def closed_with_follow_up_plan(pathway: Pathway, day: date, municipal_contact: str, where_to_turn: str) -> None:
    """The plan names the `municipal_contact` and says `where_to_turn`: fixtures a pathway's module may override."""
    pathway.register("close_pathway", day, outcome="municipal_follow_up", follow_up_plan_sent=True,
                     municipal_contact=municipal_contact, risk_information_shared=True, where_to_turn=where_to_turn)


@given(step('the pathway was closed on {day:Day} with a written follow-up plan to "{contact:Q}" in the municipality'))
@when(step('the pathway was closed on {day:Day} with a written follow-up plan to "{contact:Q}" in the municipality'))
def closed_with_follow_up_plan_to(pathway: Pathway, day: date, contact: str, where_to_turn: str) -> None:
    closed_with_follow_up_plan(pathway, day, contact, where_to_turn)


@given(step('the patient deferred ("pasientutsatt") was registered on {day:Day}'))
@when(step('the patient deferred ("pasientutsatt") was registered on {day:Day}'))
def patient_deferred(pathway: Pathway, day: date) -> None:
    """The patient asked to postpone by two weeks (10 working days: more than the rule's 7)."""
    pathway.move_to(day)
    pathway.runtime.register_patient_deferred(pathway.instance_id, deferred_from=day, working_days=10,
                                              reason="asked_to_postpone",
                                              note="Pasienten utsatte timen med mer enn 7 virkedager")


@given(step("the patient cancelled on {day:Day} and could not come for {days:d} working days"))
@when(step("the patient cancelled on {day:Day} and could not come for {days:d} working days"))
def patient_cancelled(pathway: Pathway, day: date, days: int) -> None:
    pathway.move_to(day)
    pathway.runtime.register_patient_deferred(pathway.instance_id, deferred_from=day, working_days=days,
                                              reason="cancelled_appointment")


@then(step('registering patient-deferred on {day:Day} for {days:d} working days is refused with "{code}"'))
def patient_deferred_refused(pathway: Pathway, day: date, days: int, code: str) -> None:
    pathway.move_to(day)
    with pytest.raises(PathwayError) as refused:
        pathway.runtime.register_patient_deferred(pathway.instance_id, deferred_from=day, working_days=days,
                                                  reason="cancelled_appointment")
    assert refused.value.code == code, refused.value


@given(step("it is {day:Day}"))
@when(step("it is {day:Day}"))
def it_is(pathway: Pathway, day: date) -> None:
    assert pathway.today() <= day, f"a scenario cannot go back in time from {pathway.today()} to {day}"
    pathway.clock.set(day)


@when(step("the scheduler runs on {day:Day}"))
def scheduler_runs(pathway: Pathway, day: date) -> None:
    it_is(pathway, day)
    pathway.runtime.tick()


# ---- outcomes ------------------------------------------------------------------------------------------------

@then(step('the "{name:Q}" deadline is due on {day:Day}'))
def deadline_due(pathway: Pathway, name: str, day: date) -> None:
    deadline_number_due(pathway, name, 1, day)


@then(step('the "{name:Q}" deadline number {number:d} is due on {day:Day}'))
def deadline_number_due(pathway: Pathway, name: str, number: int, day: date) -> None:
    assert pathway.measurement(name, number)["due_on"] == day


@then(step('the "{name:Q}" deadline started on {day:Day}'))
def deadline_started(pathway: Pathway, name: str, day: date) -> None:
    deadline_number_started(pathway, name, 1, day)


@then(step('the "{name:Q}" deadline number {number:d} started on {day:Day}'))
def deadline_number_started(pathway: Pathway, name: str, number: int, day: date) -> None:
    assert pathway.measurement(name, number)["start_on"] == day


@then(step('the "{name:Q}" deadline ended on {day:Day}'))
def deadline_ended(pathway: Pathway, name: str, day: date) -> None:
    assert pathway.measurement(name)["end_on"] == day


@then(step('the "{name:Q}" deadline has not ended'))
def deadline_not_ended(pathway: Pathway, name: str) -> None:
    assert pathway.measurement(name)["end_on"] is None


@then(step('the "{name:Q}" deadline is {status:Status}'))
def deadline_status(pathway: Pathway, name: str, status: str) -> None:
    deadline_number_status(pathway, name, 1, status)


@then(step('the "{name:Q}" deadline number {number:d} is {status:Status}'))
def deadline_number_status(pathway: Pathway, name: str, number: int, status: str) -> None:
    row = pathway.measurement(name, number)
    assert row["status"] == status, (f"{row['indicator']} #{number}: expected {status}, got {row['status']} "
                                     f"(start {row['start_on']}, due {row['due_on']}, end {row['end_on']}, "
                                     f"today {pathway.today()})")


@then(step('the "{name:Q}" deadline has been measured {count:d} times'))
def deadline_count(pathway: Pathway, name: str, count: int) -> None:
    rows = pathway.measurements(name)
    assert len(rows) == count, [(r["sequence"], r["start_on"], r["status"]) for r in rows]


@then(step('the "{name:Q}" deadline has been measured once'))
def deadline_measured_once(pathway: Pathway, name: str) -> None:
    deadline_count(pathway, name, 1)


@then(step('there is no "{name:Q}" deadline'))
def no_deadline(pathway: Pathway, name: str) -> None:
    assert pathway.measurements(name) == []


@then(step("the pathway is {status}"))
def pathway_status(pathway: Pathway, status: str) -> None:
    assert pathway.detail()["status"] == status


@then(step("the pathway was closed on {day:Day}"))
def pathway_closed_on(pathway: Pathway, day: date) -> None:
    assert pathway.detail()["closed_on"] == day


@then(step('the task "{element:Q}" is open'))
def task_open(pathway: Pathway, element: str) -> None:
    open_elements = [t["element_id"] for t in pathway.open_tasks()]
    assert element in open_elements, f"{element!r} is not open; open: {open_elements}"


@then(step('the task "{element:Q}" is open in the lane "{lane:Q}"'))
def task_open_in_lane(pathway: Pathway, element: str, lane: str) -> None:
    in_lane = [t["element_id"] for t in pathway.task_list(lane=lane)]
    assert element in in_lane, f"{element!r} is not in the task list of lane {lane!r}; there: {in_lane}"


@then(step('the task "{element:Q}" is not open'))
def task_not_open(pathway: Pathway, element: str) -> None:
    open_elements = [t["element_id"] for t in pathway.open_tasks()]
    assert element not in open_elements, f"{element!r} is open; open: {open_elements}"


@then("no task is open")
def no_task_open(pathway: Pathway) -> None:
    assert pathway.open_tasks() == []
    assert pathway.task_list() == []


@then(step('the task list shows "{element:Q}" due on {day:Day}, not overdue'))
def task_listed_not_overdue(pathway: Pathway, element: str, day: date) -> None:
    [task] = [t for t in pathway.task_list() if t["element_id"] == element]
    assert (task["due_on"], task["overdue"]) == (day, False)
    assert element not in [t["element_id"] for t in pathway.task_list(overdue=True)]


@then(step('the task list shows "{element:Q}" as overdue, due on {day:Day}'))
def task_listed_overdue(pathway: Pathway, element: str, day: date) -> None:
    [task] = [t for t in pathway.task_list(overdue=True) if t["element_id"] == element]
    assert (task["due_on"], task["overdue"]) == (day, True)


@then(step('the clinical decision after extended assessment cannot be "{outcome:Q}"'))
def extended_decision_refused(pathway: Pathway, outcome: str) -> None:
    with pytest.raises(InvalidInput, match="is not one of"):
        pathway.register("clinical_decision_extended", pathway.today(), outcome=outcome)


@then(step("the pathway start date is {day:Day}"))
@then(step("the pathway started on {day:Day}"))
def pathway_started_on(pathway: Pathway, day: date) -> None:
    detail = pathway.detail()
    assert detail["started_on"] == day, (f"the pathway started on {detail['started_on']} "
                                         f"under the {detail['rule_set']} rules")


@then("the pathway has no start date")
@then("the pathway has not started yet")
def pathway_not_started(pathway: Pathway) -> None:
    assert pathway.detail()["started_on"] is None


@then(step("the pathway runs under the {rule_set:d} rules"))
def pathway_rule_set(pathway: Pathway, rule_set: int) -> None:
    assert pathway.detail()["rule_set"] == str(rule_set)


@then(step('the "{code:Q}" measuring point was registered on {day:Day}'))
def measuring_point_on(pathway: Pathway, code: str, day: date) -> None:
    dates = [e["occurred_on"] for e in pathway.detail()["measuring_points"] if e["code"] == code]
    assert day in dates, f"{code!r} registered on {dates}"


@then(step('the "{code:Q}" measuring point was registered {count:d} times'))
def measuring_point_count(pathway: Pathway, code: str, count: int) -> None:
    dates = [e["occurred_on"] for e in pathway.detail()["measuring_points"] if e["code"] == code]
    assert len(dates) == count, dates


# ---- the pathway catalogue: unconfirmed deadlines ---------------------------------------------------------------

@then(step('the "{name:Q}" deadline is flagged as unconfirmed'))
def deadline_flagged(pathway: Pathway, name: str) -> None:
    assert pathway.measurement(name)["unconfirmed"] is True


@then(step('the "{name:Q}" deadline is not flagged as unconfirmed'))
@then(step('the "{name:Q}" deadline is not flagged'))
def deadline_not_flagged(pathway: Pathway, name: str) -> None:
    assert pathway.measurement(name)["unconfirmed"] is False


@then("the pathway has no type code")
def no_type_code(pathway: Pathway) -> None:
    assert pathway.pathway_definition().type_code is None


@then(step('the pathway catalogue flags "{topic:Q}" as unconfirmed'))
def catalogue_flag(pathway: Pathway, topic: str) -> None:
    flags = {flag.topic: flag.note for flag in pathway.pathway_definition().flags}
    assert flags.get(topic), f"no unconfirmed flag {topic!r}; flags: {sorted(flags)}"


@then("the pathway catalogue lists these deadlines:")
def catalogue_deadlines(pathway: Pathway, datatable) -> None:
    header, *rows = datatable
    listed = [(i.key, i.from_point, i.to_point, str(i.limit), i.unit, "yes" if i.unconfirmed else "no")
              for i in pathway.pathway_definition().indicators]
    assert listed == [tuple(cell.strip() for cell in row) for row in rows], listed
    for indicator in pathway.pathway_definition().indicators:
        assert indicator.unconfirmed or indicator.source, indicator.key
        assert indicator.label and indicator.label != indicator.key, indicator.key


# ---- the follow-up plan the pathway sent to the municipality ----------------------------------------------------

def _sent_messages(pathway: Pathway) -> list:
    message = PathwayMessage.__table__
    with pathway.runtime.db.engine.connect() as conn:
        return conn.execute(select(message).where(message.c.sender_instance_id == pathway.instance_id)).all()


def _table_value(text: str):
    """A cell of an expected-values table: true/false, '-' for no value, otherwise text."""
    text = text.strip()
    return {"true": True, "false": False, "-": None}.get(text, text)


@then(step("the municipality was sent the follow-up plan:"))
def follow_up_plan_sent(pathway: Pathway, datatable) -> None:
    header, *rows = datatable
    assert [h.strip() for h in header] == ["field", "value"], header
    [row] = _sent_messages(pathway)
    assert (row.name, row.result_variable) == ("follow_up_plan", "follow_up_plan")
    assert json.loads(row.payload) == {f.strip(): _table_value(v) for f, v in rows}


@then(step('the municipality was sent the follow-up plan naming "{contact:Q}"'))
def follow_up_plan_naming(pathway: Pathway, contact: str) -> None:
    [row] = _sent_messages(pathway)
    payload = json.loads(row.payload)
    assert (row.name, row.result_variable) == ("follow_up_plan", "follow_up_plan")
    assert payload == {"municipal_contact": contact, "follow_up_plan_sent": True, "risk_information_shared": True,
                       "where_to_turn": payload["where_to_turn"]} and payload["where_to_turn"], payload


@then("no follow-up plan was sent to the municipality")
def no_follow_up_plan(pathway: Pathway) -> None:
    assert _sent_messages(pathway) == []
