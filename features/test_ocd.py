"""Pakkeforløp tvangslidelse (OCD, type code unconfirmed): referral assessment, first attendance within 42 days of
the OCD team receiving the referral, clinical decision within 56 days of the first attendance, the flagged
evaluation cadence, closure with the follow-up plan to the municipality, and both rule sets.

The feature's steps are the shared ones in features/conftest.py; this module only says where this pathway's
written follow-up plan tells the patient to turn.
"""

from __future__ import annotations

import pytest
from pytest_bdd import scenarios

scenarios("ocd.feature")


@pytest.fixture
def where_to_turn() -> str:
    return "Fastlegen og behandleren ved DPS"
