"""Every engine error carries a stable code: the API returns it beside the message, and the pages translate the
code (never the message) into bokmål."""

from __future__ import annotations

from datetime import date

import pytest

from api.pages.labels import ERROR_TEXTS, FIELD_TEXTS, error_text, field_text
from engine.catalogue.definition import FormField
from engine.catalogue.forms import check_registration, check_values, validate_form
from engine.errors import Conflict, ErrorCode, FieldCode, FieldProblem, InvalidInput
from tests.test_api import START, first_task, start

TODAY = date(2026, 1, 5)


def test_every_code_has_a_bokmal_text():
    assert set(ERROR_TEXTS) == set(ErrorCode)
    assert set(FIELD_TEXTS) == set(FieldCode)


def test_the_pages_translate_the_code_not_the_message():
    assert error_text(Conflict(ErrorCode.TASK_CLAIMED_BY_OTHER, "some other English words")) == (
        "Oppgaven er allerede tatt av en annen.")
    problem = FieldProblem("occurred_on", FieldCode.BEFORE_PREVIOUS_POINT, "irrelevant", {"previous": date(2026, 1, 4)})
    assert field_text(problem, None) == "Datoen kan ikke være før forrige registrerte målepunkt (04.01.2026)."


def test_the_api_returns_the_code_of_each_refusal(client):
    task = first_task(client, start(client))
    url = f"/tasks/{task['id']}/complete"
    future = client.post(url, json={"occurred_on": "2026-01-06", "data": {"outcome": "right_to_care"}}).json()
    assert future["code"] == "occurred_on_in_future"
    assert future["fields"] == [{"field": "occurred_on", "code": "occurred_on_in_future",
                                 "message": future["detail"], "params": {"today": "2026-01-05"}}]
    missing = client.post(url, json={"occurred_on": "2026-01-05", "data": {}}).json()
    assert missing["code"] == "form_invalid" and [f["code"] for f in missing["fields"]] == ["field_required"]
    assert missing["fields"][0]["field"] == "outcome"
    assert client.post(url, json={"occurred_on": "2026-01-05", "data": {"outcome": "right_to_care"}}).status_code == 200
    twice = client.post(url, json={"occurred_on": "2026-01-05", "data": {"outcome": "right_to_care"}})
    assert twice.status_code == 409 and twice.json()["code"] == "task_already_completed"
    assert client.post("/tasks/nope/complete", json={"occurred_on": "2026-01-05"}).json()["code"] == "task_not_found"
    again = client.post("/instances", json=START).json()
    assert again["code"] == "pathway_already_active"
    assert client.post("/instances", content=b"{", headers={"content-type": "application/json"}).json()[
        "code"] == "request_invalid"


def test_a_refused_role_has_its_code(client):
    client.headers["Authorization"] = "Bearer dev-leder"
    response = client.get("/tasks")
    assert response.status_code == 403 and response.json()["code"] == "no_patient_access"


FORM = (FormField("outcome", "Utfall", "enum", True, (("a", "A"), ("b", "B"))),
        FormField("count", "Antall", "long"), FormField("note", "Notat", "string"))


@pytest.mark.parametrize("data, occurred_on, previous, expected", [
    ({"outcome": "a"}, "2026-01-05", None, []),
    ({}, "2026-01-05", None, [("outcome", FieldCode.REQUIRED)]),
    ({"outcome": "c", "count": "1,5"}, "2026-01-05", None,
     [("outcome", FieldCode.NOT_AN_OPTION), ("count", FieldCode.NOT_A_WHOLE_NUMBER)]),
    ({"outcome": "a", "note": "x" * 4001}, "2026-01-05", None, [("note", FieldCode.TEXT_TOO_LONG)]),
    ({"outcome": "a", "colour": "red"}, "2026-01-05", None, [("colour", FieldCode.UNKNOWN)]),
    ({"outcome": "a"}, None, None, [("occurred_on", FieldCode.REQUIRED)]),
    ({"outcome": "a"}, "5.1.2026", None, [("occurred_on", FieldCode.NOT_A_DATE)]),
    ({"outcome": "a"}, "2026-01-06", None, [("occurred_on", FieldCode.IN_FUTURE)]),
    ({}, date(2026, 1, 3), date(2026, 1, 4), [("occurred_on", FieldCode.BEFORE_PREVIOUS_POINT),
                                              ("outcome", FieldCode.REQUIRED)]),
])
def test_one_validator_gives_a_code_per_field(data, occurred_on, previous, expected):
    values, day, problems = check_registration(FORM, data, occurred_on, today=TODAY, previous=previous)
    assert [(p.field, p.code) for p in problems] == expected
    if not expected:
        assert day == TODAY and values == {"outcome": "a", "count": None, "note": None}


MONTHS = FormField("months", "Møteintervall", "long", minimum=1, maximum=24)


@pytest.mark.parametrize("raw, value", [("1", 1), (24, 24), (" 12 ", 12)])
def test_a_bounded_number_within_its_range_is_taken(raw, value):
    values, problems = check_values((MONTHS,), {"months": raw})
    assert (values, problems) == ({"months": value}, [])


@pytest.mark.parametrize("raw", [0, "25", 100_000_000, -1])
def test_a_bounded_number_outside_its_range_is_refused_with_its_bounds(raw):
    with pytest.raises(InvalidInput) as refused:
        validate_form((MONTHS,), {"months": raw})
    assert refused.value.code == ErrorCode.FORM_INVALID
    [problem] = refused.value.fields
    assert (problem.field, problem.code, problem.params) == ("months", FieldCode.NUMBER_OUT_OF_RANGE,
                                                             {"min": 1, "max": 24})
    assert f"expected at least 1 and at most 24, got {int(raw)}" in problem.message
    assert field_text(problem, "long") == "Skriv et helt tall fra 1 til 24."


def test_a_number_bounded_at_one_end_names_that_end():
    at_least = FormField("n", "N", "long", minimum=1)
    at_most = FormField("n", "N", "long", maximum=9)
    [low] = check_values((at_least,), {"n": "0"})[1]
    [high] = check_values((at_most,), {"n": 10})[1]
    assert "expected at least 1, got 0" in low.message and "expected at most 9, got 10" in high.message
    assert field_text(low, "long") == "Skriv et helt tall som ikke er mindre enn 1."
    assert field_text(high, "long") == "Skriv et helt tall som ikke er større enn 9."
    assert check_values((FormField("n", "N", "long"),), {"n": 10 ** 12}) == ({"n": 10 ** 12}, [])  # unbounded
