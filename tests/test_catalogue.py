from pathlib import Path

import pytest

from engine.catalogue.definition import FormField
from engine.catalogue.parser import lint_file, parse_pathway
from engine.cli import main as cli_main
from engine.deadlines.calendar import DAY_UNITS
from engine.deadlines.indicators import LONGEST_PATIENT_LIMIT
from tests.bpmn_samples import sample_pathway

ROOT = Path(__file__).resolve().parent.parent


def errors(source: bytes):
    return [p for p in parse_pathway(source, "sample.bpmn")[1] if p.severity == "error"]


def test_every_shipped_pathway_lints_clean():
    files = sorted((ROOT / "pathways").glob("*.bpmn"))
    assert files
    for path in files:  # not even a warning (a lane-less task, a missing diagram)
        assert [str(p) for p in lint_file(path)] == []


def test_every_d12_deadline_names_its_source():
    definition, _ = parse_pathway((ROOT / "pathways" / "mental_health_children_d12.bpmn").read_bytes(), "d12.bpmn")
    assert [i.key for i in definition.indicators if not (i.source or "").startswith("https://")] == []


def test_tsb_definition_reads_measuring_points_indicators_and_lanes():
    definition, _ = parse_pathway((ROOT / "pathways" / "tsb_d01.bpmn").read_bytes(), "tsb_d01.bpmn")
    assert definition.key == "tsb_d01" and definition.type_code == "D01"
    assert definition.start_measuring_point == "referral_received"
    assert {"referral_assessed", "first_attendance", "clinical_decision", "evaluation", "closure"} <= definition.codes
    limits = {(i.key, i.limit, i.unit) for i in definition.indicators}
    assert ("referral_assessment", 10, "working_days") in limits
    assert ("assessment_outpatient", 21, "calendar_days") in limits
    assert ("assessment_inpatient", 7, "calendar_days") in limits
    assert ("detoxification_to_treatment_outpatient", 3, "calendar_days") in limits
    assert ("detoxification_to_treatment_inpatient", 0, "calendar_days") in limits
    assert ("first_evaluation_outpatient", 7, "calendar_days") in limits
    assert ("evaluation_interval_outpatient", 56, "calendar_days") in limits
    assert ("evaluation_interval_inpatient", 42, "calendar_days") in limits
    national = [i for i in definition.indicators if i.key not in ("municipal_coordinator_contact", "under_23_guarantee")]
    assert all(i.source and not i.unconfirmed for i in national)
    # the under-23 guarantee's unit and end point are not confirmed (as in D12), and it needs the age
    under_23 = next(i for i in definition.indicators if i.key == "under_23_guarantee")
    assert (under_23.limit, under_23.unit, under_23.unconfirmed) == (65, "working_days", True)
    assert under_23.when == "age_at_referral is not None and age_at_referral < 23"
    # the contact with the municipal coordinator has no national deadline: a local one, flagged as such
    local = next(i for i in definition.indicators if i.key == "municipal_coordinator_contact")
    assert (local.limit, local.unit, local.unconfirmed) == (10, "working_days", True)
    assert "Lokal konfigurasjon" in local.note
    assert definition.started_by_messages == ("referral_d01",)  # the referral from the municipal main course 2
    assert set(definition.messages_received) == {"changed_needs", "crisis_notice", "responsibility_group_requested"}
    assert definition.tasks["clinical_decision_basic"].lane == "Forløpskoordinator"
    outcome = definition.tasks["clinical_decision_basic"].form[0]
    assert outcome.required and {o for o, _ in outcome.options} == {"CU", "CT", "CP", "CS", "CK", "CA", "CI"}


def test_indicator_naming_a_missing_measuring_point_is_an_error_with_line():
    source = sample_pathway(indicator="from=referral_received; to=first_attendance; limit=21; "
                                      "unit=calendar_days; source=https://example.org")
    [problem] = errors(source)
    assert "first_attendance" in problem.message and "no element in this file has" in problem.message
    assert problem.element_id == "sample"
    assert problem.line == source.decode().splitlines().index(
        next(line for line in source.decode().splitlines() if "deadlineIndicator" in line)) + 1


@pytest.mark.parametrize("indicator, message", [
    ("from=referral_received; to=referral_assessed; limit=10; unit=weeks; source=x", "unit must be one of"),
    ("from=referral_received; to=referral_assessed; limit=ten; unit=working_days; source=x", "whole number"),
    ("from=referral_received; to=referral_assessed; unit=working_days; source=x", "missing required field(s): limit"),
    ("from=referral_received; to=referral_assessed; limit=10; unit=working_days", "needs a source"),
    ("from=referral_received; to=referral_assessed; limit=10; unit=working_days; source=x; colour=red",
     "unknown field 'colour'"),
    ("from=referral_received; to=referral_assessed; limit=10; unit=working_days; source=x; target=180",
     "between 0 and 100"),
    ("from=referral_received; to=referral_received; limit=10; unit=working_days; source=x", "repeat=true"),
    ("from=referral_received; to=referral_assessed; limit=10; unit=working_days; source=x; when=open('x')",
     "'when' is not an allowed expression"),
])
def test_malformed_indicators_are_reported(indicator, message):
    [problem] = errors(sample_pathway(indicator=indicator))
    assert message in problem.message


def test_unconfirmed_indicator_may_lack_a_source():
    assert errors(sample_pathway(indicator="from=referral_received; to=referral_assessed; limit=10; "
                                           "unit=working_days; unconfirmed=true")) == []


def test_unsafe_condition_is_rejected_naming_the_flow_and_why():
    source = sample_pathway(condition='__import__("os").system("touch /tmp/pwned")')
    [problem] = errors(source)
    assert problem.element_id == "flow_no"
    assert "condition expression refused" in problem.message and "not allowed" in problem.message
    assert problem.line is not None


def test_script_with_import_is_rejected():
    script_task = """<bpmn:scriptTask id="calc" scriptFormat="python"><bpmn:script>import os
x = os.getcwd()</bpmn:script></bpmn:scriptTask>"""
    [problem] = errors(sample_pathway(extra_elements=script_task))
    assert problem.element_id == "calc" and "imports are not allowed" in problem.message


def test_service_tasks_are_not_allowed():
    [problem] = errors(sample_pathway(extra_elements='<bpmn:serviceTask id="call_out" />'))
    assert problem.element_id == "call_out" and "serviceTask is not allowed" in problem.message


def test_entities_are_neither_expanded_nor_accepted(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    doctype = f'<!DOCTYPE foo [<!ENTITY xxe SYSTEM "file://{secret}">]>\n'
    in_text = sample_pathway(doctype=doctype, extra_elements=(
        '<bpmn:task id="t"><bpmn:documentation>&xxe;</bpmn:documentation></bpmn:task>'))
    definition, problems = parse_pathway(in_text, "evil.bpmn")
    assert definition is None
    assert [p.message for p in problems] == ["document type declarations and entities are not allowed in pathway files"]
    in_attribute = sample_pathway(doctype=doctype, task_name="&xxe;")
    definition, problems = parse_pathway(in_attribute, "evil.bpmn")
    assert definition is None and problems
    assert all("TOP-SECRET" not in p.message for p in problems)


def test_not_well_formed_xml_reports_the_line():
    source = b'<?xml version="1.0"?>\n<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">\n<oops>\n'
    [problem] = errors(source)
    assert "not well-formed" in problem.message and problem.line is not None


def test_invalid_bpmn_is_reported():
    source = sample_pathway(extra_elements='<bpmn:userTask id="bad" unknownAttribute="1" />')
    assert any("not valid BPMN" in p.message for p in errors(source))


def test_measuring_point_code_must_be_snake_case():
    source = sample_pathway().replace(b'value="referral_assessed"', b'value="Referral Assessed"')
    assert any("lower_snake_case" in p.message for p in errors(source))


def test_lint_cli_exit_codes_and_output(tmp_path, capsys):
    good = ROOT / "pathways" / "tsb_d01.bpmn"
    assert cli_main(["lint", str(good)]) == 0
    bad = tmp_path / "bad.bpmn"
    bad.write_bytes(sample_pathway(condition="open('x')"))
    assert cli_main(["lint", str(good), str(bad)]) == 1
    out = capsys.readouterr().out
    assert f"{bad}:" in out and ": flow_no: error: condition expression refused" in out
    missing = tmp_path / "missing.bpmn"
    assert cli_main(["lint", str(missing)]) == 1
    assert "cannot read file" in capsys.readouterr().out


def test_names_that_would_not_fit_or_would_shadow_are_errors():
    long_key = "p" * 101
    assert any("pathway key" in p.message for p in errors(sample_pathway(key=long_key)))
    long_name = "Vurdere " + "x" * 300
    assert any("name is longer than 300" in p.message for p in errors(sample_pathway(task_name=long_name)))
    shadowing = sample_pathway().replace(b'formField id="outcome"', b'formField id="len"')
    assert any("would hide the expression function" in p.message for p in errors(shadowing))
    dunder = sample_pathway().replace(b'formField id="outcome"', b'formField id="__class__"')
    assert any("must be a plain name" in p.message for p in errors(dunder))


def test_pathway_start_per_rule_set_is_read_and_checked():
    definition, _ = parse_pathway((ROOT / "pathways" / "tsb_d01.bpmn").read_bytes(), "tsb_d01.bpmn")
    assert definition.pathway_start == {"2019": ("referral_received", ()),
                                        "2024": ("referral_assessed", ("right_to_care", "right_to_treatment"))}
    assert definition.starts_pathway("2024", "referral_assessed", "right_to_care")
    assert definition.starts_pathway("2024", "referral_assessed", "right_to_treatment")
    assert not definition.starts_pathway("2024", "referral_assessed", "no_right_to_care")
    unknown = sample_pathway(properties='<camunda:property name="pathwayStart:2031" value="referral_received" />')
    assert any("unknown rule set" in p.message for p in errors(unknown))
    missing = sample_pathway(properties='<camunda:property name="pathwayStart:2024" value="first_attendance" />')
    assert any("pathwayStart:2024 names measuring point 'first_attendance'" in p.message for p in errors(missing))


def test_a_file_without_diagram_is_a_warning_and_layout_adds_one(tmp_path, capsys):
    path = tmp_path / "sample.bpmn"
    path.write_bytes(sample_pathway())
    [warning] = [p for p in lint_file(path) if p.severity == "warning"]
    assert "no diagram" in warning.message and "pathways layout" in warning.message
    assert cli_main(["lint", str(path)]) == 0  # warnings do not fail lint
    assert cli_main(["layout", str(path)]) == 0
    assert "added a diagram" in capsys.readouterr().out
    assert [p for p in lint_file(path) if p.severity == "warning"] == []
    assert cli_main(["layout", str(path)]) == 0
    assert "already has a diagram" in capsys.readouterr().out


def test_an_indicator_condition_and_month_unit_are_read():
    definition, _ = parse_pathway(sample_pathway(
        indicator="from=referral_received; to=referral_assessed; limit=1; unit=calendar_months; source=x; "
                  "when=age_at_referral &lt; 23"), "sample.bpmn")
    [indicator] = definition.indicators
    assert (indicator.when, indicator.unit) == ("age_at_referral < 23", "calendar_months")


def test_unconfirmed_configuration_is_flagged_on_the_process_and_on_elements():
    source = sample_pathway(properties='<camunda:property name="unconfirmed:pathwayType" '
                                       'value="Typekoden er ikke bekreftet" />')
    source = source.replace(b'<camunda:property name="measuringPoint" value="referral_assessed" />',
                            b'<camunda:property name="measuringPoint" value="referral_assessed" />'
                            b'<camunda:property name="unconfirmed" value="Fristen er ikke bekreftet" />')
    definition, problems = parse_pathway(source, "sample.bpmn")
    assert [(f.topic, f.note, f.element_id) for f in definition.flags] == [
        ("pathwayType", "Typekoden er ikke bekreftet", None),
        ("Vurdere henvisning", "Fristen er ikke bekreftet", "assess")]
    empty = sample_pathway(properties='<camunda:property name="unconfirmed:pathwayType" value="" />')
    assert any("needs a topic" in p.message for p in errors(empty))


def test_a_limit_field_must_be_a_whole_number_field_of_the_from_point():
    base = "from=referral_received; to=referral_assessed; limit=10; unit=working_days; source=x; "
    # the start event has no form: the patient's limit could never be read
    assert any("limit_field 'weeks' is not a whole-number" in p.message
               for p in errors(sample_pathway(indicator=base + "limit_field=weeks")))
    assert any("limit_field must name a form field" in p.message
               for p in errors(sample_pathway(indicator=base + "limit_field=Weeks!")))


def test_the_shipped_limit_fields_are_read():
    definition, _ = parse_pathway((ROOT / "pathways" / "municipal_main_course_3.bpmn").read_bytes(), "mc3.bpmn")
    fields = {i.key: (i.limit_field, i.limit, i.unit, i.unconfirmed) for i in definition.indicators if i.limit_field}
    assert fields == {
        "first_responsibility_group_meeting": ("meeting_interval_months", 1, "calendar_months", True),
        "responsibility_group_interval": ("meeting_interval_months", 2, "calendar_months", True),
        "first_individual_plan_evaluation": ("ip_evaluation_interval_months", 6, "calendar_months", True),
        "individual_plan_evaluation_interval": ("ip_evaluation_interval_months", 6, "calendar_months", True),
    }


def _with_field(field_xml: str, indicator: str | None = None) -> bytes:
    """The sample pathway with one more form field on its task (which registers `referral_assessed`)."""
    source = sample_pathway(indicator=indicator) if indicator else sample_pathway()
    return source.replace(b"</camunda:formData>", field_xml.encode() + b"</camunda:formData>", 1)


def _bounded(field_type: str = "long", *constraints: tuple[str, str | None], field_id: str = "weeks") -> str:
    xml = "".join(f'<camunda:constraint name="{name}" />' if config is None else
                  f'<camunda:constraint name="{name}" config="{config}" />' for name, config in constraints)
    return (f'<camunda:formField id="{field_id}" label="Uker" type="{field_type}">'
            f"<camunda:validation>{xml}</camunda:validation></camunda:formField>")


def test_a_whole_number_field_reads_its_min_and_max():
    definition, problems = parse_pathway(_with_field(_bounded("long", ("required", None), ("min", "1"),
                                                                ("max", " 24 "))), "sample.bpmn")
    assert [p for p in problems if p.severity == "error"] == []
    [weeks] = [f for f in definition.form_of("assess") if f.id == "weeks"]
    assert (weeks.required, weeks.minimum, weeks.maximum) == (True, 1, 24)
    assert (weeks.as_view()["min"], weeks.as_view()["max"]) == (1, 24)
    assert FormField.from_view(weeks.as_view()) == weeks
    older = {k: v for k, v in weeks.as_view().items() if k not in ("min", "max")}  # a view without bounds
    assert (FormField.from_view(older).minimum, FormField.from_view(older).maximum) == (None, None)
    open_ended = parse_pathway(_with_field(_bounded("long", ("min", "-3"))), "sample.bpmn")[0]
    assert [(f.minimum, f.maximum) for f in open_ended.form_of("assess") if f.id == "weeks"] == [(-3, None)]


@pytest.mark.parametrize("field_xml, message", [
    (_bounded("string", ("max", "10")), "a max constraint bounds only a whole-number (long) field, not a string"),
    (_bounded("date", ("min", "1")), "a min constraint bounds only a whole-number (long) field, not a date"),
    (_bounded("long", ("max", "ten")), "the max constraint needs a whole number as config, not 'ten'"),
    (_bounded("long", ("min", "1.5")), "the min constraint needs a whole number as config, not '1.5'"),
    (_bounded("long", ("max", None)), "the max constraint needs a whole number as config, not ''"),
    (_bounded("long", ("max", "1" * 16)), "the max constraint needs a whole number as config"),
    (_bounded("long", ("min", "5"), ("max", "2")), "min 5 is above max 2, so no value is allowed"),
    (_bounded("long", ("max", "5"), ("max", "6")), "form field 'weeks' has two max constraints"),
])
def test_lint_refuses_bounds_that_cannot_hold(field_xml, message):
    problems = errors(_with_field(field_xml))
    assert [p.element_id for p in problems if message in p.message] == ["assess"], [p.message for p in problems]


LIMITED = "from=referral_assessed; to=referral_received; limit=10; unit={unit}; source=x; limit_field=weeks"


@pytest.mark.parametrize("unit, constraints, refused", [
    ("working_days", (), "it has no min and no max"),
    ("working_days", (("max", "20"),), "it has no min and max 20"),
    ("working_days", (("min", "0"), ("max", "20")), "it has min 0 and max 20"),
    ("working_days", (("min", "1"),), "it has min 1 and no max"),
    ("working_days", (("min", "1"), ("max", "2601")), "max of at most 2600 (working_days, about ten years)"),
    ("calendar_days", (("min", "1"), ("max", "3651")), "max of at most 3650 (calendar_days"),
    ("calendar_months", (("min", "1"), ("max", "121")), "max of at most 120 (calendar_months"),
    ("working_days", (("min", "1"), ("max", "2600")), None),
    ("calendar_days", (("min", "1"), ("max", "3650")), None),
    ("calendar_months", (("min", "1"), ("max", "120")), None),
])
def test_a_limit_field_must_be_bounded_from_one_to_about_ten_years(unit, constraints, refused):
    source = _with_field(_bounded("long", *constraints), indicator=LIMITED.format(unit=unit))
    messages = [p.message for p in errors(source)]
    if refused is None:
        assert messages == []
    else:
        assert len(messages) == 1 and refused in messages[0], messages
        assert "limit_field 'weeks' of task 'assess' needs the constraints min of at least 1" in messages[0]


def test_every_day_unit_has_a_longest_patient_limit():
    assert set(LONGEST_PATIENT_LIMIT) == set(DAY_UNITS)


def test_the_shipped_limit_fields_are_bounded_to_two_years():
    definition, _ = parse_pathway((ROOT / "pathways" / "municipal_main_course_3.bpmn").read_bytes(), "mc3.bpmn")
    bounds = {(task.element_id, f.id): (f.minimum, f.maximum) for task in definition.tasks.values()
              for f in task.form if f.id in ("meeting_interval_months", "ip_evaluation_interval_months")}
    assert len(bounds) == 5 and set(bounds.values()) == {(1, 24)}
