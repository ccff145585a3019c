"""Registration codes: the code each measuring point is reported to the national patient registry (NPR) with.

The domain reference (domain.md §5) confirms only two event codes: the clinical decision is `C` followed by its
outcome (CU, CP, …; `D11CU` with the pathway type in front, in systems without a pathway module) and
patient-deferred is `L` (OID 9322). Every other code — the pathway start, first attendance, treatment plan,
evaluation, closure — is UNCONFIRMED, so it is configuration in the pathway file, flagged, never engine code:

    <camunda:property name="registrationCode" value="code=C; with_outcome=true; source=https://…"/>
    <camunda:property name="registrationCode" value="code=; unconfirmed=true; note=…"/>

on an element with a `measuringPoint`, and `registrationCode:start` on the process for the pathway start.
Only patient-deferred is built in here (`PATIENT_DEFERRED_CODE`): it is registered by a command, never on an
element, and its code is confirmed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from engine.deadlines.indicators import name_value_pairs

#: The element property, and the process property for the pathway start (its date is the instance's start date
#: under its rule set, which is not one element's measuring point).
PROPERTY = "registrationCode"
START_PROPERTY = "registrationCode:start"
#: The event name the extract gives the pathway start (not a measuring point: see START_PROPERTY).
START_EVENT = "pathway_start"
#: Patient-deferred (pasientutsatt), confirmed: domain.md §5, OID 9322.
PATIENT_DEFERRED_CODE = "L"
PATIENT_DEFERRED_SOURCE = ("https://www.helsedirektoratet.no/pakkeforlop/rusbehandling-tsb/"
                           "registrering-av-koder-rusbehandling-tsb-pakkeforlop/pasientutsatt-pakkeforlop")
_KNOWN = ("code", "with_outcome", "unconfirmed", "note", "source")
#: A registry code: capital letters and digits, at most 10 (D11, C, L).
_MAX_CODE = 10
_CODE = re.compile(rf"^[A-Z0-9]{{1,{_MAX_CODE}}}$")


class RegistrationSyntaxError(ValueError):
    pass


@dataclass(frozen=True)
class RegistrationCode:
    """How one event is coded in the extract. `code` is empty while unconfirmed and unknown."""

    code: str
    #: the registered code is the code followed by the event's outcome (clinical decision: C + U = CU)
    with_outcome: bool = False
    unconfirmed: bool = False
    note: str | None = None
    source: str | None = None

    def code_for(self, outcome: str | None) -> str | None:
        """The code registered for an event with this outcome; None while the code is unknown. The pathway files'
        clinical-decision outcomes already begin with the C (`CU`), so an outcome that does is taken as it is."""
        if not self.code:
            return None
        if not self.with_outcome or not outcome:
            return self.code
        return outcome if outcome.startswith(self.code) else self.code + outcome

    @classmethod
    def parse(cls, text: str) -> "RegistrationCode":
        values = name_value_pairs(text, _KNOWN, RegistrationSyntaxError)
        if "code" not in values:
            raise RegistrationSyntaxError("missing 'code' (write code= with nothing after it while unconfirmed)")
        code = values["code"]
        if code and not _CODE.match(code):
            raise RegistrationSyntaxError(f"code must be capital letters and digits, at most {_MAX_CODE}, not {code!r}")
        unconfirmed = _bool("unconfirmed", values.get("unconfirmed", "false"))
        if not code and not unconfirmed:
            raise RegistrationSyntaxError("an empty code must be marked unconfirmed=true (with a note)")
        if unconfirmed and not values.get("note"):
            raise RegistrationSyntaxError("an unconfirmed code needs a note saying what is unconfirmed")
        if not unconfirmed and not values.get("source"):
            raise RegistrationSyntaxError("a confirmed code needs a source; mark it unconfirmed=true otherwise")
        return cls(code=code, with_outcome=_bool("with_outcome", values.get("with_outcome", "false")),
                   unconfirmed=unconfirmed, note=values.get("note") or None, source=values.get("source") or None)


PATIENT_DEFERRED_REGISTRATION = RegistrationCode(PATIENT_DEFERRED_CODE, source=PATIENT_DEFERRED_SOURCE)


def _bool(name: str, text: str) -> bool:
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    raise RegistrationSyntaxError(f"'{name}' must be true or false, not {text!r}")
