"""Detoxification → treatment, first evaluation and the interval between evaluations (TSB, D01)."""

from pytest_bdd import scenarios

scenarios("tsb_treatment.feature")
