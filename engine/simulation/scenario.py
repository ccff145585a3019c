"""The what-if scenario: what a simulation is asked to assume, read from a TOML file and validated field by field.

A scenario names its referral streams (a pathway in a unit, referrals per week, the inpatient, under-23 and
severity mix, optional monthly seasonality), the capacity of the steps that need staff (slots per week of a task
in a unit), each step's delay as a distribution of days, the no-show and patient-deferred shares, the shares of
the forms' outcomes, and named variants that override any of these fields. Every bad field is one `FieldProblem`
named by its path (`streams[0].referrals_per_week`), all in one `InvalidInput` with code `scenario_invalid`.
"""

from __future__ import annotations

import copy
import math
import random
import tomllib
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from engine.errors import ErrorCode, FieldCode, FieldProblem, InvalidInput

#: Bounds of one run, so a page or a typing error cannot ask for a week of computing.
MAX_WEEKS = 5 * 53
MAX_REPLICATIONS = 200
MAX_EXPECTED_PATHWAYS = 50_000
MAX_SCENARIO_BYTES = 200_000
#: The key of `steps` whose values apply to every task the scenario does not name.
DEFAULT_STEP = "default"
#: Patient-deferred means a delay of more than 7 working days the patient caused (domain reference, section 1).
MIN_DEFERRAL_WORKING_DAYS = 8


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


#: The most points an empirical distribution may list (a calibration writes the 0th to 100th percentile).
MAX_EMPIRICAL_POINTS = 101


class Distribution(_Strict):
    """Days as a distribution: `fixed` (value), `exponential` (mean), `uniform` (low, high), `triangular`
    (low, mode, high), `lognormal` (mean, sd of the days themselves, not of their logarithm) or `empirical`
    (`values`: quantiles at equal steps from the least to the greatest, e.g. the 0th to 100th percentile of what
    was observed; a draw interpolates between them)."""

    distribution: Literal["fixed", "exponential", "uniform", "triangular", "lognormal", "empirical"] = "fixed"
    value: float | None = Field(default=None, ge=0)
    mean: float | None = Field(default=None, ge=0)
    sd: float | None = Field(default=None, ge=0)
    low: float | None = Field(default=None, ge=0)
    mode: float | None = Field(default=None, ge=0)
    high: float | None = Field(default=None, ge=0)
    values: list[float] | None = Field(default=None, min_length=2, max_length=MAX_EMPIRICAL_POINTS)

    @model_validator(mode="after")
    def _parameters(self) -> "Distribution":
        needed = {"fixed": ("value",), "exponential": ("mean",), "uniform": ("low", "high"),
                  "triangular": ("low", "mode", "high"), "lognormal": ("mean", "sd"),
                  "empirical": ("values",)}[self.distribution]
        missing = [name for name in needed if getattr(self, name) is None]
        if missing:
            raise ValueError(f"a {self.distribution} distribution needs {', '.join(missing)}")
        if self.low is not None and self.high is not None and self.low > self.high:
            raise ValueError("low must not be greater than high")
        if self.mode is not None and not (self.low or 0) <= self.mode <= (self.high or math.inf):
            raise ValueError("mode must lie between low and high")
        if self.distribution == "lognormal" and not self.mean:
            raise ValueError("a lognormal distribution needs a mean above 0")
        if self.values is not None and (any(v < 0 for v in self.values) or self.values != sorted(self.values)):
            raise ValueError("the values of an empirical distribution are days (0 or more) in rising order")
        return self

    def draw(self, rng: random.Random) -> float:
        kind = self.distribution
        if kind == "fixed":
            return float(self.value or 0)
        if kind == "exponential":
            return rng.expovariate(1 / self.mean) if self.mean else 0.0
        if kind == "uniform":
            return rng.uniform(self.low or 0, self.high or 0)
        if kind == "triangular":
            return rng.triangular(self.low or 0, self.high or 0, self.mode)
        if kind == "empirical":
            points = self.values or [0.0, 0.0]
            position = rng.random() * (len(points) - 1)
            low = int(position)
            return points[low] + (points[low + 1] - points[low]) * (position - low)
        # mean and sd of the days -> the parameters of the normal distribution of their logarithm
        mean, sd = float(self.mean or 0), float(self.sd or 0)
        sigma2 = math.log(1 + (sd / mean) ** 2)
        return rng.lognormvariate(math.log(mean) - sigma2 / 2, math.sqrt(sigma2))


def fixed(days: float) -> Distribution:
    return Distribution(distribution="fixed", value=days)


class Step(_Strict):
    """A user task of the pathways (by element id): how long after it opens it can take place, and how often the
    patient does not come (the slot is lost and the patient is booked again) or defers it (patient-deferred)."""

    delay: Distribution = Field(default_factory=lambda: fixed(0))
    #: when the task ends a running deadline: its delay as a share of the days from opening to that due date
    #: (0.5 = half-way, 1.2 = a fifth late), as a coordinator works to the due date on the worklist; `delay`
    #: then applies only to the task's openings without a due date
    delay_to_due: Distribution | None = None
    no_show_share: float = Field(default=0.0, ge=0, le=1)
    #: days from a no-show until the patient is in the queue again
    rebook_delay: Distribution = Field(default_factory=lambda: fixed(7))
    deferral_share: float = Field(default=0.0, ge=0, le=1)
    deferral_working_days: int = Field(default=10, ge=MIN_DEFERRAL_WORKING_DAYS, le=260)
    #: share of the task's openings nobody ever works (an escalation nobody follows up): it stays open until a
    #: timer or the pathway's end cancels it
    left_open_share: float = Field(default=0.0, ge=0, le=1)


class Capacity(_Strict):
    """Slots per week of one step in one unit, shared by every pathway of the unit that has the step. Slots come
    on working days only (a week with a public holiday has fewer) and a slot not used that day is lost."""

    unit: str = Field(min_length=1, max_length=100)
    step: str = Field(min_length=1, max_length=100)
    per_week: float = Field(gt=0, le=10_000)


class Stream(_Strict):
    """Referrals of one pathway to one unit: a Poisson process, optionally with a factor per calendar month."""

    pathway: str = Field(min_length=1, max_length=100)
    unit: str = Field(min_length=1, max_length=100)
    referrals_per_week: float = Field(ge=0, le=5_000)
    inpatient_share: float = Field(default=0.0, ge=0, le=1)
    under_23_share: float = Field(default=0.15, ge=0, le=1)
    #: share of referrals that name the patient's municipal pathway coordinator (whom the pathway then contacts;
    #: the municipal pathway that contact starts is not simulated)
    municipal_named_share: float = Field(default=0.0, ge=0, le=1)
    #: severity -> weight; the key "none" is a referral without a severity
    severity: dict[str, float] = Field(default_factory=dict)
    #: twelve factors, January first, multiplying the weekly rate (average 1 keeps the yearly count)
    seasonality: list[float] | None = None

    @field_validator("seasonality")
    @classmethod
    def _twelve(cls, value: list[float] | None) -> list[float] | None:
        if value is not None and (len(value) != 12 or any(f < 0 for f in value)):
            raise ValueError("seasonality needs twelve factors of 0 or more, January first")
        return value

    @field_validator("severity")
    @classmethod
    def _weights(cls, value: dict[str, float]) -> dict[str, float]:
        if any(w < 0 for w in value.values()) or (value and not sum(value.values())):
            raise ValueError("severity weights must be 0 or more and not all 0")
        return value


class Scenario(_Strict):
    name: str = Field(min_length=1, max_length=200)
    #: the first day the results count; referrals start `warm_up_weeks` before it so queues are not empty
    start: date
    weeks: int = Field(ge=1, le=MAX_WEEKS)
    warm_up_weeks: int = Field(default=0, ge=0, le=MAX_WEEKS)
    #: the rule set every pathway starts under (None: each pathway's default)
    rule_set: Literal["2019", "2024"] | None = None
    referral_factor: float = Field(default=1.0, gt=0, le=10)
    capacity_factor: float = Field(default=1.0, gt=0, le=10)
    streams: list[Stream] = Field(min_length=1, max_length=200)
    capacity: list[Capacity] = Field(default_factory=list, max_length=1000)
    steps: dict[str, Step] = Field(default_factory=dict)
    #: "element.field" or "field" -> option id -> weight; booleans by "field" -> {"true": w, "false": w}
    outcomes: dict[str, dict[str, float]] = Field(default_factory=dict)
    #: variant name -> fields of this scenario it overrides (tables merged, other values replaced)
    variants: dict[str, dict[str, Any]] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _consistent(self) -> "Scenario":
        seen = set()
        for item in self.capacity:
            if (item.unit, item.step) in seen:
                raise ValueError(f"capacity of {item.step} in {item.unit} is given twice")
            seen.add((item.unit, item.step))
        for key, weights in self.outcomes.items():
            if any(w < 0 for w in weights.values()) or not sum(weights.values()):
                raise ValueError(f"the weights of outcomes.{key} must be 0 or more and not all 0")
        if self.expected_pathways > MAX_EXPECTED_PATHWAYS:
            raise ValueError(f"about {self.expected_pathways:,} referrals expected; a run allows at most "
                             f"{MAX_EXPECTED_PATHWAYS:,} (fewer weeks or referrals)")
        return self

    @property
    def expected_pathways(self) -> int:
        weeks = self.weeks + self.warm_up_weeks
        return round(sum(s.referrals_per_week for s in self.streams) * self.referral_factor * weeks)

    def step(self, element_id: str) -> Step:
        return self.steps.get(element_id) or self.steps.get(DEFAULT_STEP) or Step()

    def capacity_of(self, unit: str, element_id: str) -> float | None:
        """Slots per week of the step in the unit after `capacity_factor`; None when it is not limited."""
        item = next((c for c in self.capacity if c.unit == unit and c.step == element_id), None)
        return item.per_week * self.capacity_factor if item else None

    def variant(self, name: str) -> "Scenario":
        """The scenario with the named variant's fields laid over it (validated again)."""
        if name not in self.variants:
            known = ", ".join(sorted(self.variants)) or "none"
            raise InvalidInput(ErrorCode.SCENARIO_INVALID, f"the scenario has no variant {name!r} (it has: {known})",
                               fields=[FieldProblem(f"variants.{name}", FieldCode.UNKNOWN, "no such variant")])
        base = self.model_dump(mode="python", exclude={"variants"})
        merged = _merge(base, self.variants[name])
        merged["name"] = f"{self.name} – {name}" if "name" not in self.variants[name] else merged["name"]
        return _validated(merged, f"variants.{name}.")


def _merge(base: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    merged = copy.deepcopy(base)
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def _path(loc: tuple[Any, ...]) -> str:
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        elif part not in ("function-after", "function-before") and not str(part).startswith(("literal[", "list[")):
            text += f".{part}" if text else str(part)
    return text or "(scenario)"


_FIELD_CODES = {"missing": FieldCode.REQUIRED, "extra_forbidden": FieldCode.UNKNOWN}


def _validated(data: dict[str, Any], prefix: str = "") -> Scenario:
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        fields = [FieldProblem(prefix + _path(error["loc"]), _FIELD_CODES.get(error["type"], FieldCode.VALUE_INVALID),
                               error["msg"].removeprefix("Value error, "))
                  for error in exc.errors()]
        summary = "; ".join(f"{f.field}: {f.message}" for f in fields)
        raise InvalidInput(ErrorCode.SCENARIO_INVALID, f"the scenario has {len(fields)} bad field(s): {summary}",
                           fields=fields) from None


def load_scenario(text: str | bytes) -> Scenario:
    """Parse and validate a scenario file's TOML text."""
    if isinstance(text, bytes):
        if len(text) > MAX_SCENARIO_BYTES:
            raise InvalidInput(ErrorCode.SCENARIO_INVALID, f"a scenario file is at most {MAX_SCENARIO_BYTES:,} bytes")
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InvalidInput(ErrorCode.SCENARIO_INVALID, f"a scenario file is UTF-8 text: {exc}") from None
    if len(text) > MAX_SCENARIO_BYTES:
        raise InvalidInput(ErrorCode.SCENARIO_INVALID, f"a scenario file is at most {MAX_SCENARIO_BYTES:,} bytes")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInput(ErrorCode.SCENARIO_INVALID, f"the scenario is not valid TOML: {exc}") from None
    scenario = _validated(data)
    for name in scenario.variants:
        scenario.variant(name)  # a bad variant is found when the file is read, not half-way through a run
    return scenario
