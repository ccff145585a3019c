import threading
from datetime import date

import pytest
from sqlalchemy import func, select

from engine.catalogue.deployment import deploy
from engine.db.models import CoordinatorTask, DueTimer, IndicatorMeasurement, MeasuringPointEvent, PathwayInstance
from engine.errors import Conflict, InvalidInput, NotFound
from engine.reading.tasks import TaskFilter, list_tasks
from engine.runtime import PathwayRuntime
from tests.support import PATHWAYS_DIR, TSB, complete, detail, indicator, open_task, start_tsb


def count(db, model, **where):
    with db.reading() as session:
        query = select(func.count()).select_from(model)
        for column, value in where.items():
            query = query.where(getattr(model, column) == value)
        return session.scalar(query)


def test_start_registers_referral_and_opens_the_assessment_task(runtime):
    instance_id = start_tsb(runtime, received=date(2026, 1, 5))
    view = detail(runtime, instance_id)
    assert view["status"] == "active" and view["rule_set"] == "2019"
    assert [(m["code"], m["occurred_on"]) for m in view["measuring_points"]] == [("referral_received", date(2026, 1, 5))]
    assessment = indicator(runtime, instance_id, "referral_assessment")
    assert assessment["status"] == "pending" and assessment["due_on"] == date(2026, 1, 19)
    task = open_task(runtime, instance_id, "assess_referral")
    assert task["due_on"] == date(2026, 1, 19) and task["lane"] == "Forløpskoordinator"
    assert task["label"] == "Vurdere henvisning"


def test_one_active_pathway_per_patient_and_type(runtime, clock):
    first = start_tsb(runtime, patient="P-1", received=date(2026, 1, 5))
    with pytest.raises(Conflict, match="already has an active tsb_d01 pathway"):
        start_tsb(runtime, patient="P-1", received=date(2026, 1, 5))
    start_tsb(runtime, patient="P-2", received=date(2026, 1, 5))
    complete(runtime, first, "assess_referral", date(2026, 1, 5), outcome="no_right_to_care")
    assert detail(runtime, first)["status"] == "completed"
    again = start_tsb(runtime, patient="P-1", received=date(2026, 1, 5))
    assert again != first


@pytest.mark.parametrize("kwargs, error, message", [
    ({"referral_received_on": date(2026, 1, 6)}, InvalidInput, "in the future"),
    ({"setting": "home"}, InvalidInput, "setting must be one of"),
    ({"pathway_key": "nope"}, NotFound, "no deployed pathway"),
    ({"unit": "  "}, InvalidInput, "unit must not be empty"),
    ({"unit": "x" * 101}, InvalidInput, "at most 100 characters"),
    ({"start_route": "ambulance"}, InvalidInput, "start_route must be one of referral, emergency"),
    ({"municipal_unit": "x" * 101}, InvalidInput, "at most 100 characters each"),
    ({"municipal_coordinator": "x" * 101}, InvalidInput, "at most 100 characters each"),
])
def test_start_refuses_bad_input(runtime, kwargs, error, message):
    args = dict(patient_key="P-1", pathway_key=TSB, unit="DPS", setting="outpatient",
                referral_received_on=date(2026, 1, 5))
    args.update(kwargs)
    with pytest.raises(error, match=message):
        runtime.start_pathway(**args)
    assert count(runtime.db, PathwayInstance) == 0


def test_occurred_on_may_not_be_in_the_future_nor_before_the_previous_point(runtime, clock):
    instance_id = start_tsb(runtime, received=date(2026, 1, 5))
    task_id = open_task(runtime, instance_id, "assess_referral")["id"]
    with pytest.raises(InvalidInput, match="in the future"):
        runtime.complete_task(task_id, data={"outcome": "right_to_care"}, occurred_on=date(2026, 1, 6))
    with pytest.raises(InvalidInput, match="before the previous measuring point"):
        runtime.complete_task(task_id, data={"outcome": "right_to_care"}, occurred_on=date(2026, 1, 2))
    clock.set(date(2026, 1, 9))
    runtime.complete_task(task_id, data={"outcome": "right_to_care"}, occurred_on=date(2026, 1, 7))
    assert indicator(runtime, instance_id, "referral_assessment")["end_on"] == date(2026, 1, 7)


def test_a_past_date_is_registered_as_the_event_date(runtime, clock):
    instance_id = start_tsb(runtime, received=date(2026, 1, 5))
    clock.set(date(2026, 3, 1))
    complete(runtime, instance_id, "assess_referral", date(2026, 1, 16), outcome="right_to_care")
    assert indicator(runtime, instance_id, "referral_assessment")["status"] == "met"


@pytest.mark.parametrize("data, message", [
    ({}, "'outcome' (Vurdering) is required"),
    ({"outcome": "maybe"}, "'maybe' is not one of right_to_care, right_to_treatment, no_right_to_care"),
    ({"outcome": "right_to_care", "colour": "red"}, "unknown field(s) colour"),
])
def test_form_data_is_validated_and_nothing_is_lost(runtime, data, message):
    instance_id = start_tsb(runtime, received=date(2026, 1, 5))
    task_id = open_task(runtime, instance_id, "assess_referral")["id"]
    with pytest.raises(InvalidInput) as raised:
        runtime.complete_task(task_id, data=data, occurred_on=date(2026, 1, 5))
    assert message in str(raised.value)
    assert open_task(runtime, instance_id, "assess_referral")["id"] == task_id
    assert count(runtime.db, MeasuringPointEvent) == 1
    runtime.complete_task(task_id, data={"outcome": "right_to_care"}, occurred_on=date(2026, 1, 5))
    assert open_task(runtime, instance_id, "first_attendance")


def test_typed_form_fields(runtime, clock):
    instance_id = start_tsb(runtime, received=date(2026, 1, 5))
    complete(runtime, instance_id, "assess_referral", date(2026, 1, 5), outcome="right_to_care")
    complete(runtime, instance_id, "first_attendance", date(2026, 1, 5))
    task_id = open_task(runtime, instance_id, "somatic_health_check")["id"]
    with pytest.raises(InvalidInput, match="expected true or false"):
        runtime.complete_task(task_id, data={"somatic_follow_up_needed": "perhaps"}, occurred_on=date(2026, 1, 5))
    runtime.complete_task(task_id, data={"somatic_follow_up_needed": "ja"}, occurred_on=date(2026, 1, 5))


def test_completing_twice_or_an_unknown_task(runtime):
    instance_id = start_tsb(runtime, received=date(2026, 1, 5))
    task_id = open_task(runtime, instance_id, "assess_referral")["id"]
    runtime.complete_task(task_id, data={"outcome": "right_to_care"}, occurred_on=date(2026, 1, 5))
    with pytest.raises(Conflict, match="already completed"):
        runtime.complete_task(task_id, data={"outcome": "right_to_care"}, occurred_on=date(2026, 1, 5))
    with pytest.raises(NotFound):
        runtime.complete_task("00000000-0000-0000-0000-000000000000", data={}, occurred_on=date(2026, 1, 5))


def test_claim_and_unclaim(runtime):
    instance_id = start_tsb(runtime, received=date(2026, 1, 5))
    task_id = open_task(runtime, instance_id, "assess_referral")["id"]
    runtime.claim_task(task_id, "kari")
    runtime.claim_task(task_id, "kari")  # claiming one's own task again is harmless
    with pytest.raises(Conflict, match="already claimed by kari"):
        runtime.claim_task(task_id, "ola")
    page = list_tasks(runtime.db, runtime.today(), TaskFilter(assignee="kari"))
    assert [t["id"] for t in page["items"]] == [task_id]
    runtime.unclaim_task(task_id)
    runtime.claim_task(task_id, "ola")
    with pytest.raises(NotFound):
        runtime.claim_task("missing", "ola")


@pytest.mark.parametrize("separate_processes", [False, True])
def test_concurrent_completion_exactly_one_wins(runtime, db, clock, separate_processes):
    instance_id = start_tsb(runtime, received=date(2026, 1, 5))
    task_id = open_task(runtime, instance_id, "assess_referral")["id"]
    runtimes = [PathwayRuntime(db, clock) if separate_processes else runtime for _ in range(2)]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def attempt(rt):
        barrier.wait()
        try:
            rt.complete_task(task_id, data={"outcome": "right_to_care"}, occurred_on=date(2026, 1, 5))
            outcomes.append("ok")
        except Conflict:
            outcomes.append("conflict")

    threads = [threading.Thread(target=attempt, args=(rt,)) for rt in runtimes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["conflict", "ok"]
    assert count(db, MeasuringPointEvent, instance_id=instance_id, code="referral_assessed") == 1
    assert count(db, CoordinatorTask, instance_id=instance_id, element_id="first_attendance", status="open") == 1
    complete(runtime, instance_id, "first_attendance", date(2026, 1, 5))  # the instance is still consistent


def test_due_timer_fires_the_escalation_only_when_due(runtime, db, clock):
    instance_id = start_tsb(runtime, received=date(2026, 1, 5))
    with db.reading() as session:
        timer = session.scalars(select(DueTimer).where(DueTimer.instance_id == instance_id)).one()
    assert timer.due_at.date() == date(2026, 1, 19)  # midnight Oslo on the 20th, in UTC
    clock.set(date(2026, 1, 19))
    assert runtime.fire_due_timers() == 0
    clock.set(date(2026, 1, 20))
    assert runtime.fire_due_timers() == 1
    escalation = open_task(runtime, instance_id, "follow_up_late_assessment")
    assert escalation["lane"] == "Enhetsleder"
    assert count(db, DueTimer, instance_id=instance_id) == 0
    assert open_task(runtime, instance_id, "assess_referral")["overdue"] is True
    complete(runtime, instance_id, "assess_referral", date(2026, 1, 20), outcome="no_right_to_care")
    assert detail(runtime, instance_id)["status"] == "completed"
    assert count(db, CoordinatorTask, instance_id=instance_id, status="open") == 0


def test_overdue_is_read_live_and_persisted_by_the_scheduler(runtime, db, clock):
    instance_id = start_tsb(runtime, received=date(2026, 1, 5))
    clock.set(date(2026, 1, 20))
    assert indicator(runtime, instance_id, "referral_assessment")["status"] == "overdue"
    assert count(db, IndicatorMeasurement, status="overdue") == 0
    assert runtime.mark_overdue() == 1
    assert count(db, IndicatorMeasurement, status="overdue") == 1
    complete(runtime, instance_id, "assess_referral", date(2026, 1, 20), outcome="right_to_care")
    assert indicator(runtime, instance_id, "referral_assessment")["status"] == "breached"


def test_patient_deferred_needs_an_active_pathway(runtime, clock):
    instance_id = start_tsb(runtime, received=date(2026, 1, 5))
    complete(runtime, instance_id, "assess_referral", date(2026, 1, 5), outcome="no_right_to_care")
    with pytest.raises(Conflict):
        runtime.register_patient_deferred(instance_id, deferred_from=date(2026, 1, 5), working_days=10,
                                          reason="did_not_attend")
    with pytest.raises(NotFound):
        runtime.register_patient_deferred("missing", deferred_from=date(2026, 1, 5), working_days=10,
                                          reason="did_not_attend")


def test_instances_stay_pinned_to_the_version_they_started_on(runtime, db, clock):
    old = start_tsb(runtime, patient="P-100", received=date(2026, 1, 5))
    source = (PATHWAYS_DIR / "tsb_d01.bpmn").read_bytes()
    changed = source.replace(b'name="Registrere f\xc3\xb8rste fremm\xc3\xb8te"', b'name="Registrere f\xc3\xb8rste time"')
    assert changed != source
    again = deploy(db, clock, source, "tsb_d01.bpmn")
    assert again.created is False
    result = deploy(db, clock, changed, "tsb_d01.bpmn")
    assert result.created is True
    new = start_tsb(runtime, patient="P-200", received=date(2026, 1, 5))
    assert detail(runtime, new)["pathway_version"]["id"] == result.version_id
    assert detail(runtime, old)["pathway_version"]["id"] != result.version_id
    for instance_id, label in ((old, "Registrere første fremmøte"), (new, "Registrere første time")):
        complete(runtime, instance_id, "assess_referral", date(2026, 1, 5), outcome="right_to_care")
        assert open_task(runtime, instance_id, "first_attendance")["label"] == label


def test_deploy_refuses_an_unsafe_file_and_stores_nothing(runtime, db, clock):
    from tests.bpmn_samples import sample_pathway

    with pytest.raises(InvalidInput) as raised:
        deploy(db, clock, sample_pathway(condition='__import__("os")'), "evil.bpmn")
    assert raised.value.problems and raised.value.problems[0].element_id == "flow_no"
    with pytest.raises(NotFound):
        runtime.start_pathway(patient_key="P-1", pathway_key="sample", unit="U", setting="outpatient",
                              referral_received_on=date(2026, 1, 5))


def test_workflow_state_survives_a_cold_start(runtime, db, clock):
    instance_id = start_tsb(runtime, received=date(2026, 1, 5))
    complete(runtime, instance_id, "assess_referral", date(2026, 1, 5), outcome="right_to_care")
    fresh = PathwayRuntime(db, clock)  # a new process: no cached workflows or definitions
    complete(fresh, instance_id, "first_attendance", date(2026, 1, 5))
    complete(fresh, instance_id, "somatic_health_check", date(2026, 1, 5))
    complete(runtime, instance_id, "clinical_decision_basic", date(2026, 1, 5), outcome="CK")
    assert open_task(runtime, instance_id, "close_pathway")


@pytest.mark.parametrize("rule_set, started_before_assessment, started_after", [
    ("2019", date(2026, 1, 5), date(2026, 1, 5)),   # 2019 rules: the day the referral was received
    ("2024", None, date(2026, 1, 9)),               # revised rules: the assessment with right to care
])
def test_pathway_start_date_follows_the_rule_set(runtime, clock, rule_set, started_before_assessment, started_after):
    clock.set(date(2026, 1, 12))
    instance_id = runtime.start_pathway(patient_key="P-1", pathway_key=TSB, unit="DPS", setting="outpatient",
                                        referral_received_on=date(2026, 1, 5), rule_set=rule_set)
    view = detail(runtime, instance_id)
    assert view["rule_set"] == rule_set and view["started_on"] == started_before_assessment
    complete(runtime, instance_id, "assess_referral", date(2026, 1, 9), outcome="right_to_care")
    assert detail(runtime, instance_id)["started_on"] == started_after


def test_a_rejected_referral_never_starts_a_2024_pathway(runtime, clock):
    instance_id = runtime.start_pathway(patient_key="P-1", pathway_key=TSB, unit="DPS", setting="outpatient",
                                        referral_received_on=date(2026, 1, 5), rule_set="2024")
    complete(runtime, instance_id, "assess_referral", date(2026, 1, 5), outcome="no_right_to_care")
    view = detail(runtime, instance_id)
    assert view["status"] == "completed" and view["started_on"] is None


def test_a_process_with_an_outdated_copy_still_sees_every_change(runtime, db, clock):
    """Two server processes: the first caches the instance, the second changes it, the first completes a task
    its outdated copy also has. The change must count (here: the deferral) and nothing may be lost."""
    instance_id = start_tsb(runtime, received=date(2026, 1, 5))
    clock.set(date(2026, 1, 6))
    complete(runtime, instance_id, "assess_referral", date(2026, 1, 5), outcome="right_to_care")
    complete(runtime, instance_id, "first_attendance", date(2026, 1, 6))
    complete(runtime, instance_id, "somatic_health_check", date(2026, 1, 6))  # `runtime` caches this state
    other = PathwayRuntime(db, clock)
    clock.set(date(2026, 2, 10))
    other.register_patient_deferred(instance_id, deferred_from=date(2026, 1, 20), deferred_until=date(2026, 2, 9),
                                    reason="asked_to_postpone", note="Utsatt av pasienten")
    complete(runtime, instance_id, "clinical_decision_basic", date(2026, 2, 10), outcome="CT")
    assert indicator(runtime, instance_id, "assessment_outpatient")["status"] == "deferred"
    codes = [m["code"] for m in detail(runtime, instance_id)["measuring_points"]]
    assert codes.count("patient_deferred") == 1 and codes[-1] == "clinical_decision"
    complete(other, instance_id, "plan_treatment", date(2026, 2, 10), detoxification=False)
    complete(runtime, instance_id, "treatment_started", date(2026, 2, 10))
    assert open_task(runtime, instance_id, "evaluate_treatment")


@pytest.mark.parametrize("setting, measured", [("inpatient", 1), ("outpatient", 0)])
def test_a_conditional_deadline_starts_only_when_its_condition_holds(db, clock, setting, measured):
    from tests.bpmn_samples import INDICATOR, sample_pathway

    deploy(db, clock, sample_pathway(indicator=INDICATOR + "; when=setting == 'inpatient'"), "sample.bpmn")
    runtime = PathwayRuntime(db, clock)
    instance_id = runtime.start_pathway(patient_key="P-1", pathway_key="sample", unit="U", setting=setting,
                                        referral_received_on=date(2026, 1, 5))
    assert len(detail(runtime, instance_id)["indicators"]) == measured


def test_a_condition_that_cannot_be_evaluated_is_refused_with_the_deadline_named(db, clock):
    from tests.bpmn_samples import INDICATOR, sample_pathway

    deploy(db, clock, sample_pathway(indicator=INDICATOR + "; when=age_at_referral &lt; 23"), "sample.bpmn")
    runtime = PathwayRuntime(db, clock)
    with pytest.raises(InvalidInput, match="condition of deadline 'referral_assessment'.*age_at_referral"):
        runtime.start_pathway(patient_key="P-1", pathway_key="sample", unit="U", setting="outpatient",
                              referral_received_on=date(2026, 1, 5))
    with db.reading() as session:
        assert session.scalar(select(func.count()).select_from(PathwayInstance)) == 0


@pytest.mark.parametrize("decision_first", [True, False])
def test_the_clinical_decision_counts_whichever_parallel_branch_is_registered_first(runtime, clock, decision_first):
    """The somatic health check runs in parallel with basic assessment; its branch must not bring back the
    referral's older `outcome` at the join and send a CT decision to closure."""
    instance_id = start_tsb(runtime, received=date(2026, 1, 5))
    complete(runtime, instance_id, "assess_referral", date(2026, 1, 5), outcome="right_to_care")
    complete(runtime, instance_id, "first_attendance", date(2026, 1, 5))
    steps = [("clinical_decision_basic", {"outcome": "CT"}), ("somatic_health_check", {"somatic_follow_up_needed": False})]
    for element, data in (steps if decision_first else steps[::-1]):
        complete(runtime, instance_id, element, date(2026, 1, 5), **data)
    assert [t["element_id"] for t in detail(runtime, instance_id)["open_tasks"]] == ["plan_treatment"]


def test_the_lock_and_the_loads_in_one_round_trip_read_what_the_separate_reads_read(runtime, db, clock):
    """PostgreSQL's cold path (nothing cached) pipelines the lock and the three loads; the rows must be the ones
    `lock()` and `load()` give, found by the instance and by one of its open tasks."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the pipelined load is PostgreSQL's")
    from engine.runtime import write_path
    instance_id = start_tsb(runtime, received=date(2026, 1, 5))
    complete(runtime, instance_id, "assess_referral", date(2026, 1, 5), outcome="right_to_care")
    task_id = open_task(runtime, instance_id, "first_attendance")["id"]
    with db.engine.begin() as conn:
        found = write_path.lock(conn, instance_id=instance_id)
        expected = write_path.load(conn, instance_id)
    for key in ({"instance_id": instance_id}, {"task_id": task_id}):
        with db.engine.begin() as conn:
            locked, state, blob = write_path.lock_and_load(conn, **key)
        assert (locked.id, locked.version) == (found.id, found.version)
        assert (state, blob) == expected and state.measurements and state.open_tasks
    with db.engine.begin() as conn:
        assert write_path.lock_and_load(conn, task_id="no-such-task") is None
        assert write_path.lock_and_load(conn, instance_id="no-such-instance") is None
