"""Small BPMN documents for catalogue and deployment tests."""

from __future__ import annotations

HEADER = """<?xml version="1.0" encoding="UTF-8"?>
{doctype}<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  id="defs" targetNamespace="https://example.org/test">
"""

INDICATOR = ("label=Henvisning vurdert; from=referral_received; to=referral_assessed; limit=10; "
             "unit=working_days; source=https://lovdata.no/lov/1999-07-02-63/§2-2")


def sample_pathway(*, key: str = "sample", name: str = "Testforløp", indicator: str | None = INDICATOR,
                   condition: str = 'outcome == "no"', extra_elements: str = "", doctype: str = "",
                   task_name: str = "Vurdere henvisning", properties: str = "") -> bytes:
    indicator_xml = (f'<camunda:property name="deadlineIndicator:referral_assessment" value="{indicator}" />'
                     if indicator is not None else "")
    return (HEADER.format(doctype=doctype) + f"""
  <bpmn:process id="{key}" name="{name}" isExecutable="true">
    <bpmn:extensionElements>
      <camunda:properties>
        <camunda:property name="pathwayType" value="D99" />
        {indicator_xml}
        {properties}
      </camunda:properties>
    </bpmn:extensionElements>
    <bpmn:laneSet id="lanes">
      <bpmn:lane id="lane_coordinator" name="Forløpskoordinator">
        <bpmn:flowNodeRef>start</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>assess</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="start" name="Henvisning mottatt">
      <bpmn:extensionElements><camunda:properties>
        <camunda:property name="measuringPoint" value="referral_received" />
      </camunda:properties></bpmn:extensionElements>
    </bpmn:startEvent>
    <bpmn:sequenceFlow id="flow_1" sourceRef="start" targetRef="assess" />
    <bpmn:userTask id="assess" name="{task_name}">
      <bpmn:extensionElements>
        <camunda:formData>
          <camunda:formField id="outcome" label="Utfall" type="enum">
            <camunda:value id="yes" name="Ja" />
            <camunda:value id="no" name="Nei" />
          </camunda:formField>
        </camunda:formData>
        <camunda:properties>
          <camunda:property name="measuringPoint" value="referral_assessed" />
        </camunda:properties>
      </bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="flow_2" sourceRef="assess" targetRef="gateway" />
    <bpmn:exclusiveGateway id="gateway" default="flow_yes" />
    <bpmn:sequenceFlow id="flow_no" sourceRef="gateway" targetRef="end">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">{condition}</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="flow_yes" sourceRef="gateway" targetRef="end" />
    <bpmn:endEvent id="end" />
    {extra_elements}
  </bpmn:process>
</bpmn:definitions>
""").encode("utf-8")


def timer_then_script(script: str, *, key: str = "reminder", days: int = 1) -> bytes:
    """Assess the referral; `days` calendar days later a timer fires and a script task runs `script`; then a
    follow-up task. With a failing script this is the broken pathway file of the incident tests."""
    return (HEADER.format(doctype="") + f"""
  <bpmn:process id="{key}" name="Påminnelsesforløp" isExecutable="true">
    <bpmn:extensionElements>
      <camunda:properties>
        <camunda:property name="pathwayType" value="D99" />
        <camunda:property name="deadlineIndicator:referral_assessment" value="{INDICATOR}" />
      </camunda:properties>
    </bpmn:extensionElements>
    <bpmn:startEvent id="start" name="Henvisning mottatt">
      <bpmn:extensionElements><camunda:properties>
        <camunda:property name="measuringPoint" value="referral_received" />
      </camunda:properties></bpmn:extensionElements>
    </bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="assess" />
    <bpmn:userTask id="assess" name="Vurdere henvisning">
      <bpmn:extensionElements><camunda:properties>
        <camunda:property name="measuringPoint" value="referral_assessed" />
      </camunda:properties></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="assess" targetRef="wait" />
    <bpmn:intermediateCatchEvent id="wait" name="Påminnelsen forfaller">
      <bpmn:timerEventDefinition id="wait_def">
        <bpmn:timeDate xsi:type="bpmn:tFormalExpression">timer_at(add_calendar_days(occurred_on, {days}))</bpmn:timeDate>
      </bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f3" sourceRef="wait" targetRef="compute" />
    <bpmn:scriptTask id="compute" name="Beregne oppfølging" scriptFormat="python">
      <bpmn:script>{script}</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:sequenceFlow id="f4" sourceRef="compute" targetRef="follow_up" />
    <bpmn:userTask id="follow_up" name="Følge opp pasienten" />
    <bpmn:sequenceFlow id="f5" sourceRef="follow_up" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>
""").encode("utf-8")


def chain_of_tasks(count: int, *, key: str = "chain", extra: str = "", comments: int = 0) -> bytes:
    """A process of `count` user tasks one after another (and `comments` XML comments): for the model bounds."""
    steps = "".join(f'<bpmn:userTask id="t{n}" name="Steg {n}" />'
                    f'<bpmn:sequenceFlow id="f{n}" sourceRef="{"start" if n == 0 else f"t{n - 1}"}" targetRef="t{n}" />'
                    for n in range(count))
    return (HEADER.format(doctype="") + f"""
  <bpmn:process id="{key}" name="Kjede" isExecutable="true">
    <bpmn:startEvent id="start" />
    {steps}
    <bpmn:sequenceFlow id="f_end" sourceRef="t{count - 1}" targetRef="end" />
    <bpmn:endEvent id="end" />
    {extra}
    {"<!-- x -->" * comments}
  </bpmn:process>
</bpmn:definitions>
""").encode("utf-8")
