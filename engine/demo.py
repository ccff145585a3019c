"""Demo patients: TSB pathways at every stage, spread over three units and the last few months.

Loaded only into a database that has no pathway instances yet. Patient keys are pseudonyms (DEMO-…).
Deterministic, so the demo looks the same every time for the same day.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select

from .queries import TaskFilter, list_tasks
from .runtime import PathwayRuntime
from .store import PathwayInstance

UNITS = ("DPS Nord – rusteam", "DPS Sør – rusteam", "Rusklinikken døgn")
PATHWAY = "tsb_d01"

#: A TSB patient who goes all the way, with detoxification: (task element, form data, typical days after the
#: previous step). The demo follows it with some spread; the benchmark walks it exactly.
TSB_JOURNEY: tuple[tuple[str, dict[str, Any], int], ...] = (
    ("assess_referral", {"outcome": "right_to_care"}, 6),
    ("first_attendance", {}, 9),
    ("somatic_health_check", {"somatic_follow_up_needed": False}, 3),
    ("clinical_decision_basic", {"outcome": "CT"}, 14),
    ("plan_treatment", {"detoxification": True}, 2),
    ("detoxification_completed", {}, 8),
    ("treatment_started", {}, 2),
    ("evaluate_treatment", {"outcome": "continue"}, 7),
    ("evaluate_treatment", {"outcome": "continue"}, 50),
    ("evaluate_treatment", {"outcome": "continue"}, 50),
    ("evaluate_treatment", {"outcome": "close"}, 50),
    ("close_pathway", {"outcome": "municipal_follow_up", "follow_up_plan_sent": True}, 1),
)


def load_demo_data(runtime: PathwayRuntime, patients: int = 36, seed: int = 2019) -> int:
    """Start and advance demo pathways; returns how many were created (0 if the database had instances)."""
    with runtime.db.reading() as session:
        if session.scalar(select(func.count()).select_from(PathwayInstance)):
            return 0
    rng = random.Random(seed)
    today = runtime.today()
    for number in range(patients):
        unit = UNITS[number % len(UNITS)]
        setting = "inpatient" if unit.endswith("døgn") else "outpatient"
        received = today - timedelta(days=rng.randint(3, 240))
        instance_id = runtime.start_pathway(patient_key=f"DEMO-{number + 1:04d}", pathway_key=PATHWAY, unit=unit,
                                            setting=setting, referral_received_on=received)
        day = received
        for element, data, typical_gap in TSB_JOURNEY[: rng.randint(0, len(TSB_JOURNEY))]:
            gap = max(0, int(rng.gauss(typical_gap, typical_gap / 3)))
            if element == "assess_referral" and number % 7 == 3:
                data = {"outcome": "no_right_to_care"}
            if element == "clinical_decision_basic" and number % 5 == 1:
                data = {"outcome": "CK"}
            if day + timedelta(days=gap) > today:
                break
            day += timedelta(days=gap)
            if not _complete(runtime, instance_id, element, data, day):
                break
    runtime.tick()
    return patients


def _complete(runtime: PathwayRuntime, instance_id: str, element: str, data: dict, day: date) -> bool:
    page = list_tasks(runtime.db, runtime.today(), TaskFilter(), limit=500)
    task = next((t for t in page["items"] if t["instance_id"] == instance_id and t["element_id"] == element), None)
    if task is None:
        return False
    runtime.complete_task(task["id"], data=data, occurred_on=day, actor="demo")
    return True
