"""Deadline indicators (forløpstider): how a modeller declares them in BPMN, and what a declaration means.

A modeller declares an indicator as a process extension property named `deadlineIndicator:<key>` whose value
is a list of `name=value` pairs separated by `;` (see pathways/README.md). Each instance gets one measurement
row per applicable indicator (or one per occurrence, for repeating indicators such as "between evaluations"),
so compliance is a GROUP BY over rows, never a replay of workflows.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from engine.deadlines.calendar import CALENDAR_DAYS, CALENDAR_MONTHS, DAY_UNITS, WORKING_DAYS
from engine.deadlines.rules import due_date

SETTINGS = ("outpatient", "inpatient")
ANY_SETTING = "any"

#: Built-in measuring point: the patient postponed or failed to attend by more than 7 working days (code L).
PATIENT_DEFERRED = "patient_deferred"

PROPERTY_PREFIX = "deadlineIndicator:"
#: Measuring point codes and indicator keys: lower_snake_case, at most 60 characters.
CODE = re.compile(r"^[a-z][a-z0-9_]{0,59}$")
#: The greatest per-patient limit a `limit_field` may allow, per unit: about ten years. A plan agreed further
#: ahead is not a deadline, and the bound keeps every due date a computable date.
LONGEST_PATIENT_LIMIT = {CALENDAR_DAYS: 3650, WORKING_DAYS: 2600, CALENDAR_MONTHS: 120}
_REQUIRED = ("from", "to", "limit", "unit")
_KNOWN = set(_REQUIRED) | {"label", "setting", "severity", "target", "target_unconfirmed", "source", "unconfirmed",
                           "repeat", "from_outcome", "note", "when", "deferrable", "limit_field"}


class IndicatorSyntaxError(ValueError):
    pass


def parse_outcomes(text: str) -> tuple[str, ...]:
    """`CP,CT` -> ("CP", "CT"); empty text means any outcome."""
    return tuple(o.strip() for o in text.split(",") if o.strip())


def name_value_pairs(text: str, known: Sequence[str], error: type[ValueError]) -> dict[str, str]:
    """The `name=value; …` pairs of a property value (a deadline indicator, a registration code); `error` for a
    part without `=`, a name not in `known`, or a name given twice."""
    values: dict[str, str] = {}
    for part in (p.strip() for p in text.split(";")):
        if not part:
            continue
        name, sep, value = part.partition("=")
        name = name.strip()
        if not sep:
            raise error(f"expected name=value, got {part!r}")
        if name not in known:
            raise error(f"unknown field {name!r}; known fields: {', '.join(known)}")
        if name in values:
            raise error(f"field {name!r} given twice")
        values[name] = value.strip()
    return values


def _parse_bool(name: str, text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in ("true", "yes", "ja"):
        return True
    if lowered in ("false", "no", "nei"):
        return False
    raise IndicatorSyntaxError(f"'{name}' must be true or false, not {text!r}")


@dataclass(frozen=True)
class DeadlineIndicator:
    key: str
    label: str
    from_point: str
    to_point: str
    limit: int
    unit: str
    setting: str = ANY_SETTING
    severity: str | None = None
    target_share: float | None = None
    source: str | None = None
    unconfirmed: bool = False
    repeat: bool = False
    from_outcomes: tuple[str, ...] = ()
    target_unconfirmed: bool = False
    note: str | None = None
    #: A safe expression over the task data of the `from` point; the clock starts only when it is true
    #: (e.g. `age_at_referral < 23` for the under-23 guarantee).
    when: str | None = None
    #: A registered patient deferral (code L) applies to this deadline: the patient can delay its end event (the
    #: assessment's clinical decision, an evaluation), unlike the referral assessment. False unless declared.
    deferrable: bool = False
    #: A whole-number form field of the `from` point that sets this patient's limit (in `unit`), e.g. the
    #: responsibility group's meeting interval; `limit` stands when the field is left empty.
    limit_field: str | None = None
    line: int | None = field(default=None, compare=False)

    def applies_to(self, setting: str, severity: str | None) -> bool:
        if self.setting != ANY_SETTING and self.setting != setting:
            return False
        return self.severity is None or self.severity == severity

    def starts_on(self, code: str, outcome: str | None) -> bool:
        return code == self.from_point and (not self.from_outcomes or outcome in self.from_outcomes)

    def due_on(self, start_on: date, limit: int | None = None) -> date:
        return due_date(start_on, self.limit if limit is None else limit, self.unit)

    @classmethod
    def parse(cls, key: str, text: str, line: int | None = None) -> "DeadlineIndicator":
        if not CODE.match(key):
            raise IndicatorSyntaxError(f"indicator key {key!r} must be lower_snake_case")
        values = name_value_pairs(text, sorted(_KNOWN), IndicatorSyntaxError)
        missing = [name for name in _REQUIRED if not values.get(name)]
        if missing:
            raise IndicatorSyntaxError(f"missing required field(s): {', '.join(missing)}")
        try:
            limit = int(values["limit"])
        except ValueError:
            raise IndicatorSyntaxError(f"limit must be a whole number of days, not {values['limit']!r}") from None
        if limit < 0:
            raise IndicatorSyntaxError("limit must not be negative")
        unit = values["unit"]
        if unit not in DAY_UNITS:
            raise IndicatorSyntaxError(f"unit must be one of {', '.join(DAY_UNITS)}, not {unit!r}")
        setting = values.get("setting", ANY_SETTING)
        if setting not in (*SETTINGS, ANY_SETTING):
            raise IndicatorSyntaxError(f"setting must be one of outpatient, inpatient, any; not {setting!r}")
        target = None
        if values.get("target"):
            raw = values["target"].rstrip("%").strip()
            try:
                target = float(raw)
            except ValueError:
                raise IndicatorSyntaxError(f"target must be a percentage such as 80, not {values['target']!r}") from None
            if not 0 <= target <= 100:
                raise IndicatorSyntaxError("target must be between 0 and 100 (per cent)")
            target = target / 100
        unconfirmed = _parse_bool("unconfirmed", values["unconfirmed"]) if "unconfirmed" in values else False
        source = values.get("source") or None
        if not unconfirmed and not source:
            raise IndicatorSyntaxError("a confirmed indicator needs a source; mark it unconfirmed=true otherwise")
        for point in ("from", "to"):
            if not CODE.match(values[point]):
                raise IndicatorSyntaxError(f"'{point}' must name a measuring point code, not {values[point]!r}")
        repeat = _parse_bool("repeat", values["repeat"]) if "repeat" in values else False
        if values["from"] == values["to"] and not repeat:
            raise IndicatorSyntaxError("from and to are the same measuring point; set repeat=true for an interval")
        from_outcomes = parse_outcomes(values.get("from_outcome", ""))
        when = values.get("when") or None  # a safe expression: the catalogue's lint checks it with the others
        limit_field = values.get("limit_field") or None
        if limit_field is not None and not CODE.match(limit_field):
            raise IndicatorSyntaxError(f"limit_field must name a form field (lower_snake_case), not {limit_field!r}")
        return cls(
            key=key,
            label=values.get("label") or key,
            from_point=values["from"],
            to_point=values["to"],
            limit=limit,
            unit=unit,
            setting=setting,
            severity=values.get("severity") or None,
            target_share=target,
            source=source,
            unconfirmed=unconfirmed,
            repeat=repeat,
            from_outcomes=from_outcomes,
            target_unconfirmed=(_parse_bool("target_unconfirmed", values["target_unconfirmed"])
                                if "target_unconfirmed" in values else False),
            note=values.get("note") or None,
            when=when,
            deferrable=_parse_bool("deferrable", values["deferrable"]) if "deferrable" in values else False,
            limit_field=limit_field,
            line=line,
        )
