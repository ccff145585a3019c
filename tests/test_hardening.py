"""Hardening: start-up of several processes at once, no cross-unit existence leak, undeclared variants refused,
and concurrent sweeps that share the work without doing it twice."""

from __future__ import annotations

import tempfile
import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from engine.catalogue.deployment import deploy, deploy_directory
from engine.clock import ManualClock
from engine.db.database import Database
from engine.db.migrate import upgrade
from engine.db.models import AuditEvent, PathwayVersion
from engine.errors import ErrorCode, InvalidInput
from engine.runtime import PathwayRuntime
from tests.bpmn_samples import timer_then_script
from tests.databases import postgres_schema
from tests.support import PATHWAYS_DIR, complete

NORD = {"Authorization": "Bearer dev-koordinator-nord"}
SOR = {"Authorization": "Bearer dev-koordinator-sor"}
START = {"patient_key": "P-0001", "pathway": "tsb_d01", "setting": "outpatient", "referral_received_on": "2026-01-05"}


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_url(request):
    if request.param == "sqlite":
        yield f"sqlite:///{tempfile.mkdtemp(prefix='pathways-start-')}/start.db"
    else:
        with postgres_schema("startup") as url:
            yield url


def test_two_processes_starting_at_once_on_an_empty_database_both_come_up(empty_url):
    """Each "process" has its own Database (pool); both migrate and deploy every file at the same moment."""
    errors: list[BaseException] = []
    barrier = threading.Barrier(3)

    def start_up() -> None:
        db = Database(empty_url)
        try:
            barrier.wait()
            with db.exclusive("pathways:startup"):
                upgrade(db)
                deploy_directory(db, ManualClock(date(2026, 1, 5)), PATHWAYS_DIR)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            db.dispose()

    threads = [threading.Thread(target=start_up) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    db = Database(empty_url)
    try:
        with db.reading() as session:
            versions = session.scalar(select(func.count()).select_from(PathwayVersion))
        assert versions == len(list(PATHWAYS_DIR.glob("*.bpmn")))
    finally:
        db.dispose()



def test_the_start_up_lock_holds_back_its_own_schema_and_no_other():
    """Advisory locks are per database: a start-up in one schema must not wait for another schema's (two
    deployments in one database, or the test suite's schemas)."""
    with postgres_schema("lock_a") as url_a, postgres_schema("lock_b") as url_b:
        holder, same, other = Database(url_a), Database(url_a), Database(url_b)
        try:
            entered = {name: threading.Event() for name in ("same", "other")}

            def start_up(db: Database, name: str) -> None:
                with db.exclusive("pathways:startup"):
                    entered[name].set()

            with holder.exclusive("pathways:startup"):
                threads = [threading.Thread(target=start_up, args=(db, name), daemon=True)
                           for db, name in ((same, "same"), (other, "other"))]
                for thread in threads:
                    thread.start()
                assert entered["other"].wait(10)
                assert not entered["same"].wait(0.5)  # the same schema waits for the holder
            assert entered["same"].wait(10)
            for thread in threads:
                thread.join(10)
        finally:
            for db in (holder, same, other):
                db.dispose()

def test_concurrent_deploys_of_one_file_make_one_version(db, clock):
    results, errors = [], []
    source = timer_then_script("x = 1")

    def deploy_it() -> None:
        try:
            results.append(deploy(db, clock, source, "reminder.bpmn"))
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=deploy_it) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == [] and len({r.version_id for r in results}) == 1
    assert sum(r.created for r in results) == 1


def test_a_pathway_active_in_another_unit_is_refused_without_its_id_or_unit(client):
    theirs = client.post("/instances", json={**START, "unit": "DPS Sør"}, headers=SOR).json()
    refused = client.post("/instances", json={**START, "unit": "DPS Nord"}, headers=NORD)
    assert (refused.status_code, refused.json()["code"]) == (409, "pathway_already_active")
    assert theirs["id"] not in refused.text and "Sør" not in refused.text and refused.json()["params"] == {}
    with client.app.state.db.reading() as session:
        attempt = session.execute(select(AuditEvent.actor, AuditEvent.patient_key, AuditEvent.detail)
                                  .where(AuditEvent.action == "start_refused_active_elsewhere")).all()
    assert attempt == [("koordinator-nord", "P-0001", "tsb_d01")]
    own = client.post("/instances", json={**START, "unit": "DPS Sør"}, headers=SOR)
    assert own.status_code == 409 and theirs["id"] in own.json()["detail"]  # the unit's own pathway: named


def test_a_severity_the_pathway_does_not_declare_is_refused(client):
    refused = client.post("/instances", json={**START, "pathway": "eating_disorders_children", "unit": "DPS Nord",
                                              "severity": "severe"})
    body = refused.json()
    assert (refused.status_code, body["code"]) == (422, "severity_invalid")
    assert body["params"]["allowed"] == ["less_serious", "serious"]
    assert client.post("/instances", json={**START, "unit": "DPS Nord", "severity": "serious"}).json()["code"] == \
        "severity_invalid"  # TSB declares no severity
    ok = client.post("/instances", json={**START, "pathway": "eating_disorders_children", "unit": "DPS Nord",
                                         "severity": "serious"})
    assert ok.status_code == 201


def test_concurrent_ticks_share_the_timers_and_count_each_once(db):
    clock = ManualClock(date(2026, 1, 5))
    deploy(db, clock, timer_then_script("follow_up_weeks = 2"), "reminder.bpmn")
    runtime = PathwayRuntime(db, clock)
    instances = []
    for n in range(40):
        instance_id = runtime.start_pathway(patient_key=f"P-{n:04d}", pathway_key="reminder", unit="DPS Test",
                                            setting="outpatient", referral_received_on=date(2026, 1, 5))
        complete(runtime, instance_id, "assess", date(2026, 1, 5))
        instances.append(instance_id)
    clock.set(clock.now() + timedelta(days=2))
    workers = [PathwayRuntime(db, clock) for _ in range(2)]  # two processes: their own caches
    fired: list[int] = []
    barrier = threading.Barrier(2)

    def tick(worker: PathwayRuntime) -> None:
        barrier.wait()
        fired.append(worker.fire_due_timers())

    threads = [threading.Thread(target=tick, args=(w,)) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sum(fired) == 40
    with db.reading() as session:
        audited = session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "fire_timer"))
    assert audited == 40  # no instance saved twice


def test_severity_is_checked_by_the_engine_too(runtime):
    with pytest.raises(InvalidInput) as refused:
        runtime.start_pathway(patient_key="P-0001", pathway_key="tsb_d01", unit="DPS", setting="outpatient",
                              referral_received_on=date(2026, 1, 5), severity="serious")
    assert refused.value.code == ErrorCode.SEVERITY_INVALID and refused.value.params == {"allowed": []}


# ---- input bounds at the edge ---------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [
    "/tasks?offset=99999999999999999999", "/audit?offset=9223372036854775808", "/incidents?offset=1000001",
    "/audit?patient_key=" + "P" * 65, "/tasks?unit=" + "x" * 101, "/tasks?assignee=a%00b", "/audit?actor=%00",
    "/reports/compliance?from=9999-01-01&to=9999-12-31", "/reports/compliance?from=0001-01-01",
    "/reports/registrations?from=9999-01-01&to=9999-12-31", "/reports/registrations.csv?from=1767600000&to=2026-01-01",
])
def test_out_of_bounds_queries_are_refused_not_500(client, path):
    response = client.get(path)
    assert response.status_code == 422, (path, response.status_code, response.text)
    assert response.json()["code"] in ("request_invalid", "date_invalid")


def test_nul_in_a_body_and_dates_that_are_not_iso_strings_are_refused(client):
    nul = client.post("/instances", json={**START, "unit": "DPS\u0000Nord"})
    assert (nul.status_code, nul.json()["code"]) == (422, "request_invalid")
    for not_a_date in (0, 1767600000, "2026-01-05T10:00:00", "05.01.2026"):
        response = client.post("/instances", json={**START, "unit": "DPS Nord", "referral_received_on": not_a_date})
        assert response.status_code == 422 and response.json()["code"] == "request_invalid", not_a_date
    assert client.post("/instances", json={**START, "unit": "DPS Nord"}).status_code == 201


def test_a_body_larger_than_the_bound_is_refused_with_413(client):
    response = client.post("/pathways?filename=big.bpmn", content=b"<x>" + b" " * (3 * 1024 * 1024) + b"</x>",
                           headers={"content-type": "application/xml"})
    assert (response.status_code, response.json()["code"]) == (413, "request_too_large")


def test_a_referral_before_the_pathway_came_into_use_is_refused(client):
    early = client.post("/instances", json={**START, "unit": "DPS Nord", "pathway": "ocd",
                                            "referral_received_on": "2019-02-14"})
    assert (early.status_code, early.json()["code"]) == (422, "referral_received_before_in_use")
    assert early.json()["params"]["in_use_from"] == "2019-02-15"
    first_day = client.post("/instances", json={**START, "unit": "DPS Nord", "pathway": "ocd",
                                                "referral_received_on": "2019-02-15"})
    assert first_day.status_code == 201
    referral = first_day.json()["measuring_points"][0]
    moved = client.post(f"/instances/{first_day.json()['id']}/events/{referral['id']}/correction",
                        json={"occurred_on": "2018-12-31", "reason": "feil år"})
    assert moved.json()["code"] == "referral_received_before_in_use"


# ---- bounded models ---------------------------------------------------------------------------------------------


def _errors(source: bytes) -> list[str]:
    from engine.catalogue.parser import parse_pathway
    definition, problems = parse_pathway(source, "model.bpmn")
    errors = [p.message for p in problems if p.severity == "error"]
    assert definition is None or not errors
    return errors


def test_models_too_large_to_run_are_refused_naming_the_limit():
    from tests.bpmn_samples import chain_of_tasks
    assert _errors(chain_of_tasks(200)) == []
    assert any("at most 300" in e for e in _errors(chain_of_tasks(320)))
    assert any("at most 50000" in e for e in _errors(chain_of_tasks(3, comments=60_000)))
    looping = ('<bpmn:userTask id="many" name="Mange"><bpmn:multiInstanceLoopCharacteristics>'
               '<bpmn:loopCardinality>{}</bpmn:loopCardinality></bpmn:multiInstanceLoopCharacteristics>'
               '</bpmn:userTask>')
    assert any("up to 50, not '100000'" in e for e in _errors(chain_of_tasks(3, extra=looping.format(100000))))
    assert any("up to 50, not 'n'" in e for e in _errors(chain_of_tasks(3, extra=looping.format("n"))))
    from engine.catalogue.parser import parse_pathway
    _, problems = parse_pathway(b" " * (3 * 1024 * 1024), "big.bpmn")
    assert any("at most 2097152" in p.message for p in problems)
