"""Assessment deadline (first attendance → clinical decision), patient-deferred and extended assessment (TSB, D01)."""

from pytest_bdd import scenarios

scenarios("tsb_assessment.feature")
