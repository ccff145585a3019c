"""Messages between pathways of one patient: kept until a pathway waits for them, delivered once, with payload;
and messages from outside (a crisis reported to the municipality) delivered to a waiting pathway."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from engine.catalogue.deployment import deploy
from engine.catalogue.parser import parse_pathway
from engine.db.models import Incident, PathwayInstance, PathwayMessage
from engine.errors import Conflict
from engine.runtime import PathwayRuntime
from engine.runtime import tasks as tasks_module
from engine.runtime.spiff import waiting_messages
from tests.bpmn_samples import HEADER
from tests.support import complete, detail, saved_workflow

SENDER = HEADER.format(doctype="") + """
  <bpmn:message id="message_plan" name="follow_up_plan" />
  <bpmn:process id="sender" name="Spesialisthelsetjenesten" isExecutable="true">
    <bpmn:laneSet id="lanes"><bpmn:lane id="lane_c" name="Forløpskoordinator">
      <bpmn:flowNodeRef>close</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="close" />
    <bpmn:userTask id="close" name="Avslutte">
      <bpmn:extensionElements><camunda:formData>
        <camunda:formField id="municipal_contact" label="Ansvarlig i kommunen" type="string" />
        <camunda:formField id="diagnosis_note" label="Intern merknad" type="string" />
      </camunda:formData></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="close" targetRef="send" />
    <bpmn:intermediateThrowEvent id="send" name="Oppfølgingsplan sendt">
      <bpmn:messageEventDefinition messageRef="message_plan"
        camunda:expression="{'municipal_contact': municipal_contact}" camunda:resultVariable="follow_up_plan" />
    </bpmn:intermediateThrowEvent>
    <bpmn:sequenceFlow id="f3" sourceRef="send" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>
"""

RECEIVER = HEADER.format(doctype="") + """
  <bpmn:message id="message_plan" name="follow_up_plan" />
  <bpmn:message id="message_crisis" name="crisis_reported" />
  <bpmn:process id="receiver" name="Kommunen" isExecutable="true">
    <bpmn:laneSet id="lanes"><bpmn:lane id="lane_c" name="Forløpskoordinator">
      <bpmn:flowNodeRef>follow_up</bpmn:flowNodeRef><bpmn:flowNodeRef>crisis</bpmn:flowNodeRef>
    </bpmn:lane></bpmn:laneSet>
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="split" />
    <bpmn:parallelGateway id="split" />
    <bpmn:sequenceFlow id="f2" sourceRef="split" targetRef="wait_plan" />
    <bpmn:sequenceFlow id="f3" sourceRef="split" targetRef="wait_crisis" />
    <bpmn:intermediateCatchEvent id="wait_plan" name="Oppfølgingsplan mottatt">
      <bpmn:extensionElements><camunda:properties>
        <camunda:property name="measuringPoint" value="follow_up_plan_received" />
      </camunda:properties></bpmn:extensionElements>
      <bpmn:messageEventDefinition messageRef="message_plan" />
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f4" sourceRef="wait_plan" targetRef="follow_up" />
    <bpmn:userTask id="follow_up" name="Følge opp planen" />
    <bpmn:sequenceFlow id="f5" sourceRef="follow_up" targetRef="end" />
    <bpmn:intermediateCatchEvent id="wait_crisis" name="Krise meldt">
      <bpmn:messageEventDefinition messageRef="message_crisis" />
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f6" sourceRef="wait_crisis" targetRef="crisis" />
    <bpmn:userTask id="crisis" name="Koordinere krisehjelp" />
    <bpmn:sequenceFlow id="f7" sourceRef="crisis" targetRef="end_crisis" />
    <bpmn:endEvent id="end_crisis" />
    <bpmn:endEvent id="end"><bpmn:terminateEventDefinition /></bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>
"""

DAY = date(2026, 1, 5)


@pytest.fixture
def pair(db, clock) -> PathwayRuntime:
    deploy(db, clock, SENDER.encode(), "sender.bpmn")
    deploy(db, clock, RECEIVER.encode(), "receiver.bpmn")
    return PathwayRuntime(db, clock)


def _start(runtime: PathwayRuntime, key: str, patient: str = "P-1") -> str:
    return runtime.start_pathway(patient_key=patient, pathway_key=key, unit="Kommune", setting="outpatient",
                                 referral_received_on=DAY)


def _messages(runtime: PathwayRuntime) -> list[PathwayMessage]:
    with runtime.db.reading() as session:
        return list(session.scalars(select(PathwayMessage).order_by(PathwayMessage.id)))


def test_the_catalogue_knows_what_a_pathway_sends_and_waits_for():
    sender, _ = parse_pathway(SENDER.encode(), "sender.bpmn")
    receiver, _ = parse_pathway(RECEIVER.encode(), "receiver.bpmn")
    assert sender.messages_sent == ("follow_up_plan",) and sender.messages_received == ()
    assert receiver.messages_received == ("follow_up_plan", "crisis_reported")


def test_a_throw_without_payload_expression_is_a_lint_error():
    source = SENDER.replace(" camunda:expression=\"{'municipal_contact': municipal_contact}\"", "")
    definition, problems = parse_pathway(source.encode(), "sender.bpmn")
    assert definition is None
    assert any(p.element_id == "send" and "camunda:expression" in p.message for p in problems)


def test_a_refused_payload_expression_is_a_lint_error():
    source = SENDER.replace("{'municipal_contact': municipal_contact}", "__import__('os')")
    definition, problems = parse_pathway(source.encode(), "sender.bpmn")
    assert definition is None
    assert any(p.element_id == "send" and "message payload expression refused" in p.message for p in problems)


def test_a_message_reaches_the_waiting_pathway_with_only_its_payload(pair, clock):
    receiver = _start(pair, "receiver")
    sender = _start(pair, "sender")
    clock.set(date(2026, 1, 20))
    complete(pair, sender, "close", date(2026, 1, 19), municipal_contact="Kari Nordmann", diagnosis_note="intern")
    [message] = _messages(pair)
    assert (message.name, message.sender_instance_id, message.receiver_instance_id) == (
        "follow_up_plan", sender, receiver)
    assert message.delivered_at is not None and message.sent_on == date(2026, 1, 19)
    view = detail(pair, receiver)
    assert [t["element_id"] for t in view["open_tasks"]] == ["follow_up"]
    assert [(m["code"], m["occurred_on"]) for m in view["measuring_points"]] == [
        ("follow_up_plan_received", date(2026, 1, 19))]
    workflow_data = saved_workflow(pair, receiver).get_next_task(spec_name="follow_up").data
    assert workflow_data["follow_up_plan"] == {"municipal_contact": "Kari Nordmann"}
    assert "diagnosis_note" not in workflow_data


def test_a_message_is_kept_until_a_pathway_of_the_patient_waits_for_it(pair, clock):
    sender = _start(pair, "sender")
    complete(pair, sender, "close", DAY, municipal_contact="Ola")
    [message] = _messages(pair)
    assert message.delivered_at is None
    _start(pair, "receiver", patient="P-3")  # another patient's pathway never gets it
    assert _messages(pair)[0].delivered_at is None
    receiver = _start(pair, "receiver")
    [message] = _messages(pair)
    assert message.receiver_instance_id == receiver
    assert [t["element_id"] for t in detail(pair, receiver)["open_tasks"]] == ["follow_up"]


def test_an_outside_message_reaches_a_waiting_pathway_and_is_refused_otherwise(pair, clock):
    receiver = _start(pair, "receiver")
    pair.send_message(receiver, "crisis_reported", data={"reported_by": "fastlege"})
    assert [t["element_id"] for t in detail(pair, receiver)["open_tasks"]] == ["crisis"]
    with pytest.raises(Conflict, match="not waiting for the message 'crisis_reported'.*follow_up_plan"):
        pair.send_message(receiver, "crisis_reported")
    with pytest.raises(Conflict, match="not waiting for the message 'unknown'"):
        pair.send_message(receiver, "unknown")



# ---- an event sub-process started by a message: received at any time, again and again ------------------------

REPEATED = HEADER.format(doctype="") + """
  <bpmn:message id="message_needs" name="changed_needs" />
  <bpmn:process id="repeated" name="Spesialisthelsetjenesten" isExecutable="true">
    <bpmn:laneSet id="lanes"><bpmn:lane id="lane_c" name="Forløpskoordinator">
      <bpmn:flowNodeRef>course</bpmn:flowNodeRef><bpmn:flowNodeRef>review_needs</bpmn:flowNodeRef>
    </bpmn:lane></bpmn:laneSet>
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="course" />
    <bpmn:userTask id="course" name="Behandling" />
    <bpmn:sequenceFlow id="f2" sourceRef="course" targetRef="end" />
    <bpmn:endEvent id="end"><bpmn:terminateEventDefinition /></bpmn:endEvent>
    <bpmn:subProcess id="on_changed_needs" name="Endret behov meldt" triggeredByEvent="true">
      <bpmn:startEvent id="receive_needs" name="Endret behov meldt fra kommunen" isInterrupting="false">
        <bpmn:messageEventDefinition messageRef="message_needs" />
      </bpmn:startEvent>
      <bpmn:sequenceFlow id="g1" sourceRef="receive_needs" targetRef="review_needs" />
      <bpmn:userTask id="review_needs" name="Vurdere melding fra kommunen: endret behov" />
      <bpmn:sequenceFlow id="g2" sourceRef="review_needs" targetRef="needs_done" />
      <bpmn:endEvent id="needs_done" />
    </bpmn:subProcess>
  </bpmn:process>
</bpmn:definitions>
"""


def test_a_message_start_of_an_event_subprocess_is_awaited_and_received_each_time(db, clock):
    deploy(db, clock, REPEATED.encode(), "repeated.bpmn")
    runtime = PathwayRuntime(db, clock)
    definition, _ = parse_pathway(REPEATED.encode(), "repeated.bpmn")
    assert definition.messages_received == ("changed_needs",)
    assert definition.message_labels == {"changed_needs": "Endret behov meldt fra kommunen"}
    instance = _start(runtime, "repeated")
    for number in (1, 2):
        runtime.send_message(instance, "changed_needs", data={"description": f"melding {number}"})
    open_tasks = detail(runtime, instance)["open_tasks"]
    assert sorted(t["element_id"] for t in open_tasks) == ["course", "review_needs", "review_needs"]
    workflow = saved_workflow(runtime, instance)  # the saved state holds both runs of the sub-process
    received = sorted(task.data["changed_needs"]["description"] for task in workflow.get_tasks()
                      if task.task_spec.name == "review_needs")
    assert received == ["melding 1", "melding 2"]
    first = next(t for t in open_tasks if t["element_id"] == "review_needs")
    runtime.complete_task(first["id"], data={}, occurred_on=DAY)
    runtime.send_message(instance, "changed_needs", data={"description": "melding 3"})  # still awaited
    assert sorted(t["element_id"] for t in detail(runtime, instance)["open_tasks"]) == [
        "course", "review_needs", "review_needs"]
    complete(runtime, instance, "course", DAY)
    assert detail(runtime, instance)["status"] == "completed"
    assert detail(runtime, instance)["open_tasks"] == []


def test_a_kept_message_reaches_a_pathway_whose_event_subprocess_starts_with_it(db, clock):
    deploy(db, clock, REPEATED.encode(), "repeated.bpmn")
    deploy(db, clock, SENDER.replace('name="follow_up_plan"', 'name="changed_needs"').encode(), "sender.bpmn")
    runtime = PathwayRuntime(db, clock)
    sender = _start(runtime, "sender")
    complete(runtime, sender, "close", DAY, municipal_contact="Ola")
    receiver = _start(runtime, "repeated")
    [message] = _messages(runtime)
    assert message.receiver_instance_id == receiver
    assert [t["element_id"] for t in detail(runtime, receiver)["open_tasks"]].count("review_needs") == 1


# ---- a pathway started by another's message (`startedByMessage`), and linked to it ---------------------------

CONTACT_SENDER = SENDER.replace('name="follow_up_plan"', 'name="coordination_contact"').replace(
    "{'municipal_contact': municipal_contact}", "{'unit': municipal_contact, 'municipal_coordinator': 'Kari'}")

STARTED = HEADER.format(doctype="") + """
  <bpmn:process id="started" name="Kommunal koordinering" isExecutable="true">
    <bpmn:extensionElements><camunda:properties>
      <camunda:property name="startedByMessage" value="coordination_contact" />
    </camunda:properties></bpmn:extensionElements>
    <bpmn:laneSet id="lanes"><bpmn:lane id="lane_c" name="Forløpskoordinator">
      <bpmn:flowNodeRef>contact</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>
    <bpmn:startEvent id="start">
      <bpmn:extensionElements><camunda:properties>
        <camunda:property name="measuringPoint" value="coordination_requested" />
      </camunda:properties></bpmn:extensionElements>
    </bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="contact" />
    <bpmn:userTask id="contact" name="Kontakte spesialisthelsetjenesten" />
    <bpmn:sequenceFlow id="f2" sourceRef="contact" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>
"""


@pytest.fixture
def contact(db, clock) -> PathwayRuntime:
    deploy(db, clock, CONTACT_SENDER.encode(), "sender.bpmn")
    deploy(db, clock, STARTED.encode(), "started.bpmn")
    return PathwayRuntime(db, clock)


def _instances(runtime: PathwayRuntime, key: str) -> list[str]:
    with runtime.db.reading() as session:
        return list(session.scalars(select(PathwayInstance.id).where(PathwayInstance.pathway_key == key)))


def test_started_by_message_is_read_and_checked():
    definition, _ = parse_pathway(STARTED.encode(), "started.bpmn")
    assert definition.started_by_messages == ("coordination_contact",)
    bad = STARTED.replace('value="coordination_contact"', 'value="Koordinering, "')
    definition, problems = parse_pathway(bad.encode(), "started.bpmn")
    assert definition is None and any("startedByMessage" in p.message for p in problems)


def test_a_message_no_pathway_waits_for_starts_the_pathway_it_starts_linked_to_the_sender(contact, clock):
    clock.set(date(2026, 1, 9))
    sender = _start(contact, "sender")
    complete(contact, sender, "close", date(2026, 1, 8), municipal_contact="Porsgrunn kommune")
    [started] = _instances(contact, "started")
    view = detail(contact, started)
    assert (view["unit"], view["setting"], view["referral_received_on"], view["started_on"]) == (
        "Porsgrunn kommune", "outpatient", date(2026, 1, 8), date(2026, 1, 8))
    assert [t["element_id"] for t in view["open_tasks"]] == ["contact"]
    data = saved_workflow(contact, started).get_next_task(spec_name="contact").data
    assert data["follow_up_plan"] == {"unit": "Porsgrunn kommune", "municipal_coordinator": "Kari"}
    [message] = _messages(contact)
    assert (message.receiver_instance_id, message.delivered_at is not None) == (started, True)
    [link] = view["linked_pathways"]
    assert (link["kind"], link["direction"], link["instance_id"], link["pathway"]) == (
        "started_by_message", "from", sender, "sender")
    [received] = view["messages"]
    assert (received["direction"], received["status"], received["other"]["instance_id"]) == (
        "received", "delivered", sender)
    [sent] = detail(contact, sender)["messages"]
    assert (sent["direction"], sent["status"], sent["other"]["unit"]) == ("sent", "delivered", "Porsgrunn kommune")
    assert detail(contact, sender)["linked_pathways"][0]["direction"] == "to"


def test_a_message_whose_pathway_already_runs_and_does_not_wait_is_kept_visibly(contact, clock):
    running = contact.start_pathway(patient_key="P-1", pathway_key="started", unit="Skien kommune",
                                    setting="outpatient", referral_received_on=DAY)
    sender = _start(contact, "sender")
    complete(contact, sender, "close", DAY, municipal_contact="Porsgrunn kommune")
    assert _instances(contact, "started") == [running]
    [sent] = detail(contact, sender)["messages"]
    assert (sent["status"], sent["other"]) == ("kept", None)
    assert detail(contact, running)["messages"] == []


def test_a_starting_message_that_names_no_unit_stops_with_an_incident_on_the_sender(contact, clock):
    bad = CONTACT_SENDER.replace("'unit': municipal_contact", "'municipality': municipal_contact")
    deploy(contact.db, clock, bad.encode(), "sender.bpmn")
    sender = _start(contact, "sender")
    complete(contact, sender, "close", DAY, municipal_contact="Porsgrunn kommune")
    assert _instances(contact, "started") == []
    [sent] = detail(contact, sender)["messages"]
    assert sent["status"] == "failed" and "names no unit" in sent["error"]
    with contact.db.reading() as session:
        [incident] = session.scalars(select(Incident)).all()
    assert (incident.kind, incident.instance_id) == ("message", sender)


def test_a_starting_message_that_finds_the_pathway_running_links_the_two(contact, clock):
    waiting = STARTED.replace('<bpmn:process id="started"', '<bpmn:message id="m_contact" name="coordination_contact" />\n'
                              '  <bpmn:process id="started"').replace("</bpmn:process>", """
    <bpmn:subProcess id="on_contact" name="Kontakt fra spesialisthelsetjenesten" triggeredByEvent="true">
      <bpmn:startEvent id="receive_contact" name="Kontakt mottatt" isInterrupting="false">
        <bpmn:messageEventDefinition messageRef="m_contact" />
      </bpmn:startEvent>
      <bpmn:sequenceFlow id="c1" sourceRef="receive_contact" targetRef="contact_received" />
      <bpmn:userTask id="contact_received" name="Følge opp kontakten" />
      <bpmn:sequenceFlow id="c2" sourceRef="contact_received" targetRef="contact_done" />
      <bpmn:endEvent id="contact_done" />
    </bpmn:subProcess>
  </bpmn:process>""").replace("<bpmn:flowNodeRef>contact</bpmn:flowNodeRef>",
                             "<bpmn:flowNodeRef>contact</bpmn:flowNodeRef><bpmn:flowNodeRef>contact_received"
                             "</bpmn:flowNodeRef>")
    deploy(contact.db, clock, waiting.encode(), "started.bpmn")
    running = contact.start_pathway(patient_key="P-1", pathway_key="started", unit="Porsgrunn kommune",
                                    setting="outpatient", referral_received_on=DAY)
    sender = _start(contact, "sender")
    complete(contact, sender, "close", DAY, municipal_contact="Porsgrunn kommune")
    assert _instances(contact, "started") == [running]
    view = detail(contact, running)
    assert sorted(t["element_id"] for t in view["open_tasks"]) == ["contact", "contact_received"]
    [link] = view["linked_pathways"]
    assert (link["kind"], link["direction"], link["instance_id"]) == ("linked_by_message", "from", sender)
    assert detail(contact, sender)["messages"][0]["status"] == "delivered"


# ---- a completion that makes a pathway wait: the kept message is asked for in the command's transaction ------

LATE_RECEIVER = RECEIVER.replace(
    '<bpmn:flowNodeRef>follow_up</bpmn:flowNodeRef>',
    '<bpmn:flowNodeRef>prepare</bpmn:flowNodeRef><bpmn:flowNodeRef>follow_up</bpmn:flowNodeRef>').replace(
    '<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="split" />',
    '<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="prepare" />'
    '<bpmn:userTask id="prepare" name="Forberede" />'
    '<bpmn:sequenceFlow id="f0" sourceRef="prepare" targetRef="split" />')


@pytest.fixture
def late(db, clock, monkeypatch) -> tuple[PathwayRuntime, list[str | None]]:
    deploy(db, clock, SENDER.encode(), "sender.bpmn")
    deploy(db, clock, LATE_RECEIVER.encode(), "receiver.bpmn")
    attempts: list[str | None] = []
    deliver = tasks_module.deliver_messages

    def counted(ctx, patient_key=None, limit=200):
        attempts.append(patient_key)
        return deliver(ctx, patient_key, limit)
    monkeypatch.setattr(tasks_module, "deliver_messages", counted)
    return PathwayRuntime(db, clock), attempts


@pytest.mark.parametrize("cached", [True, False], ids=["cached", "loaded"])
def test_a_completion_that_makes_the_pathway_wait_receives_the_kept_message(late, cached):
    runtime, attempts = late
    receiver = _start(runtime, "receiver")
    sender = _start(runtime, "sender")
    complete(runtime, sender, "close", DAY, municipal_contact="Ola")
    assert _messages(runtime)[0].delivered_at is None  # the receiver does not wait yet
    attempts.clear()
    if not cached:
        runtime._ctx.live.clear()
    complete(runtime, receiver, "prepare", DAY)
    [message] = _messages(runtime)
    assert message.receiver_instance_id == receiver and attempts == ["P-1"]
    assert sorted(t["element_id"] for t in detail(runtime, receiver)["open_tasks"]) == ["follow_up"]


@pytest.mark.parametrize("cached", [True, False], ids=["cached", "loaded"])
def test_a_completion_on_a_waiting_pathway_tries_no_delivery_when_nothing_is_kept(late, cached):
    runtime, attempts = late
    receiver = _start(runtime, "receiver")
    _start(runtime, "receiver", patient="P-2")
    other = _start(runtime, "sender", patient="P-2")
    complete(runtime, other, "close", DAY, municipal_contact="Ola")  # kept for another patient: not this one's
    attempts.clear()
    if not cached:
        runtime._ctx.live.clear()
    complete(runtime, receiver, "prepare", DAY)
    assert attempts == []
    assert "follow_up_plan" in waiting_messages(saved_workflow(runtime, receiver))  # nothing kept for P-1
