"""The one validator of registrations: a task's form data, and the date the event happened.

`check_registration` returns every problem at once, each with a stable code (`FieldCode`), so that the pages can
mark each field in bokmål; the commands call `validate_form` and `check_occurred_on`, which raise `InvalidInput`
with the same codes and English messages for the API.

Rules: a required field must be given; a boolean is true or false, a `long` a whole number (within its `min` and
`max`, when it has them), a `date` an ISO date, an `enum` one of its options, a text at most `MAX_TEXT`
characters; no field that is not on the form.
The event date is required, not in the future, and not before the instance's previous measuring point.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Iterable

from engine.catalogue.definition import FormField
from engine.errors import ErrorCode, FieldCode, FieldProblem, InvalidInput

#: The longest text a form field takes.
MAX_TEXT = 4000
#: The field name of the event date in the problems of a registration.
OCCURRED_ON = "occurred_on"
_TRUE_TEXT = ("true", "on", "ja")
_BOOLEAN_TEXT = (*_TRUE_TEXT, "false", "off", "nei")


class _Refused(ValueError):
    def __init__(self, code: FieldCode, message: str, params: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.params = params


def check_values(form: Iterable[FormField], data: dict[str, Any]) -> tuple[dict[str, Any], list[FieldProblem]]:
    """Typed values of every form field (None for one not given) and the problems of the submitted data."""
    fields = {f.id: f for f in form}
    problems: list[FieldProblem] = []
    unknown = sorted(set(data) - set(fields))
    if unknown:
        problems.append(FieldProblem(unknown[0], FieldCode.UNKNOWN,
                                     f"unknown field(s) {', '.join(unknown)}; this task's form has: "
                                     f"{', '.join(fields) or 'no fields'}", {"fields": unknown}))
    values: dict[str, Any] = {}
    for field_id, spec in fields.items():
        raw = data.get(field_id)
        if raw is None or raw == "":
            if spec.required:
                problems.append(FieldProblem(field_id, FieldCode.REQUIRED, f"'{field_id}' ({spec.label}) is required"))
            values[field_id] = None  # every form field is defined after the task, for conditions and payloads
            continue
        try:
            values[field_id] = _coerce(spec, raw)
        except _Refused as exc:
            problems.append(FieldProblem(field_id, exc.code, f"'{field_id}' ({spec.label}): {exc}", exc.params))
    return values, problems


def validate_form(form: Iterable[FormField], data: dict[str, Any]) -> dict[str, Any]:
    """The typed values of submitted form data; InvalidInput (code `form_invalid`) naming every refused field."""
    values, problems = check_values(form, data)
    if problems:
        raise InvalidInput(ErrorCode.FORM_INVALID, "; ".join(p.message for p in problems), fields=problems)
    return values


def occurred_on_problem(occurred_on: date, today: date, previous: date | None) -> FieldProblem | None:
    """Why an event date is refused, or None: it may not be in the future, nor before the previous point."""
    if occurred_on > today:
        return FieldProblem(OCCURRED_ON, FieldCode.IN_FUTURE,
                            f"occurred_on {occurred_on} is in the future (today is {today})", {"today": today})
    if previous is not None and occurred_on < previous:
        return FieldProblem(OCCURRED_ON, FieldCode.BEFORE_PREVIOUS_POINT,
                            f"occurred_on {occurred_on} is before the previous measuring point ({previous})",
                            {"previous": previous})
    return None


def check_occurred_on(occurred_on: date, today: date, previous: date | None) -> None:
    problem = occurred_on_problem(occurred_on, today, previous)
    if problem is not None:
        raise InvalidInput(ErrorCode(problem.code), problem.message, params=problem.params, fields=[problem])


def check_registration(form: Iterable[FormField], data: dict[str, Any], occurred_on: date | str | None, *,
                       today: date, previous: date | None) -> tuple[dict[str, Any], date | None, list[FieldProblem]]:
    """(typed values, event date, problems) of a registration, with every problem at once: the form's fields and
    the event date (an ISO date string is read as a date field is)."""
    values, problems = check_values(form, data)
    day: date | None = None
    if occurred_on is None or occurred_on == "":
        problems.insert(0, FieldProblem(OCCURRED_ON, FieldCode.REQUIRED, "occurred_on is required"))
    else:
        try:
            day = occurred_on if isinstance(occurred_on, date) else _parse_date(occurred_on)
        except _Refused as exc:
            problems.insert(0, FieldProblem(OCCURRED_ON, exc.code, f"occurred_on: {exc}"))
        else:
            problem = occurred_on_problem(day, today, previous)
            if problem is not None:
                problems.insert(0, problem)
                day = None
    return values, day, problems


def _parse_date(raw: Any) -> date:
    try:
        return date.fromisoformat(str(raw))
    except ValueError:
        raise _Refused(FieldCode.NOT_A_DATE, f"expected a date (YYYY-MM-DD), got {raw!r}") from None


def _coerce(spec: FormField, raw: Any) -> Any:
    if spec.type == "boolean":
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, str) and raw.lower() in _BOOLEAN_TEXT:
            return raw.lower() in _TRUE_TEXT
        raise _Refused(FieldCode.NOT_TRUE_OR_FALSE, f"expected true or false, got {raw!r}")
    if spec.type == "long":
        if isinstance(raw, bool):
            raise _Refused(FieldCode.NOT_A_WHOLE_NUMBER, "expected a whole number")
        try:
            number = int(raw)
        except (TypeError, ValueError):
            raise _Refused(FieldCode.NOT_A_WHOLE_NUMBER, f"expected a whole number, got {raw!r}") from None
        return _within_bounds(spec, number)
    if spec.type == "date":
        return _parse_date(raw).isoformat()
    if spec.type == "enum":
        allowed = [option_id for option_id, _ in spec.options]
        if raw not in allowed:
            raise _Refused(FieldCode.NOT_AN_OPTION, f"{raw!r} is not one of {', '.join(allowed)}")
        return raw
    if not isinstance(raw, (str, int, float)) or isinstance(raw, bool):
        raise _Refused(FieldCode.NOT_TEXT, "expected text")
    text = str(raw)
    if len(text) > MAX_TEXT:
        raise _Refused(FieldCode.TEXT_TOO_LONG, f"longer than {MAX_TEXT} characters", {"max": MAX_TEXT})
    return text


def _within_bounds(spec: FormField, number: int) -> int:
    """The number, if the field's min and max allow it (a limit field's bounds keep every due date a date)."""
    if (spec.minimum is not None and number < spec.minimum) or (spec.maximum is not None and number > spec.maximum):
        low = "" if spec.minimum is None else f"at least {spec.minimum}"
        high = "" if spec.maximum is None else f"at most {spec.maximum}"
        raise _Refused(FieldCode.NUMBER_OUT_OF_RANGE, f"expected {' and '.join(filter(None, (low, high)))}, "
                                                      f"got {number}", {"min": spec.minimum, "max": spec.maximum})
    return number
