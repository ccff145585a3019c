"""Pakkeforløp psykoselidelser, inkludert mistanke om psykoseutvikling (type code unconfirmed): referral
assessment, first attendance within 7 days, the flagged assessment and evaluation deadlines, closure with the
follow-up plan to the municipality, and both rule sets.

The feature's steps are the shared ones in features/conftest.py; this module only says where this pathway's
written follow-up plan tells the patient to turn.
"""

from __future__ import annotations

import pytest
from pytest_bdd import scenarios

scenarios("psychosis.feature")


@pytest.fixture
def where_to_turn() -> str:
    return "Fastlegen, kriseplanen og FACT-teamet"
