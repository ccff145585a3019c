"""The start after an emergency admission, in every specialist pathway: the `start_route` of the start command."""

from __future__ import annotations

from datetime import date

from pytest_bdd import given, scenarios, when

from features.conftest import find_definition, step

scenarios("emergency_start.feature")


@given(step('an {setting:Setting} emergency admission to "{name:Q}" whose emergency was over on {day:Day}'))
def emergency_admission(pathway, setting: str, name: str, day: date) -> None:
    pathway.move_to(day)
    pathway.definition = find_definition(name)
    pathway.setting = setting
    pathway.instance_id = pathway.runtime.start_pathway(
        patient_key=pathway.patient_key, pathway_key=pathway.definition.key, unit="DPS Test", setting=setting,
        referral_received_on=day, start_route="emergency")


#: Plain values for the other required fields some pathways' referral assessment has (age, where first found).
FILLERS = {"long": 30, "boolean": False}


@when(step("the decision to enter the pathway was taken on {day:Day}"))
def decision_taken(pathway, day: date) -> None:
    form = {spec.id: spec.options[0][0] if spec.type == "enum" else FILLERS.get(spec.type, "Registrert")
            for spec in pathway.pathway_definition().form_of("assess_referral") if spec.required}
    pathway.register("assess_referral", day, **{**form, "outcome": "right_to_care"})
