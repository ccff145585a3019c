"""Referral assessment within 10 working days, its escalation, holidays, and rejection (TSB, D01)."""

from pytest_bdd import scenarios

scenarios("tsb_referral_assessment.feature")
