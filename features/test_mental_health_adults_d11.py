"""Pakkeforløp psykiske lidelser – voksne (D11): referral assessment, assessment and extended assessment,
first evaluation and evaluations, closure with the follow-up plan to the municipality, and both rule sets.

The feature's steps are all shared ones, in features/conftest.py.
"""

from pytest_bdd import scenarios

scenarios("mental_health_adults_d11.feature")
