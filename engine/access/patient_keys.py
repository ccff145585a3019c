"""Patient keys: a Norwegian national identity number (fødselsnummer or D-number) with valid check digits, or a
pseudonym.

Pseudonym format (for registers that must not hold national identity numbers, test data and the demo): a prefix
of 1–10 capital letters A–Z, a hyphen and 1–12 digits, e.g. `DEMO-000123` or `P-0001`.

National identity numbers are checked with `python-stdnum` (both modulo-11 check digits and a possible birth
date, D-numbers included); a typo in one digit is caught before anything is stored.
"""

from __future__ import annotations

import re

from stdnum.exceptions import ValidationError
from stdnum.no import fodselsnummer

from engine.errors import ErrorCode, InvalidInput

PSEUDONYM = re.compile(r"^[A-Z]{1,10}-[0-9]{1,12}$")


def validate_patient_key(key: str) -> str:
    """The key as stored (identity numbers without spaces); InvalidInput with the reason otherwise."""
    text = (key or "").strip()
    if PSEUDONYM.match(text):
        return text
    digits = text.replace(" ", "")
    if digits.isdigit():
        try:
            return fodselsnummer.validate(digits)
        except ValidationError as exc:
            raise InvalidInput(ErrorCode.PATIENT_KEY_INVALID,
                               f"patient_key is not a valid Norwegian national identity number: {exc}") from None
    raise InvalidInput(ErrorCode.PATIENT_KEY_INVALID,
                       "patient_key must be a Norwegian national identity number (11 digits) or a pseudonym of "
                       "capital letters, a hyphen and digits, such as DEMO-000123")
