"""Schemathesis against the API: every operation, with generated valid and invalid input, for an administrator and
a coordinator, on SQLite and on PostgreSQL, answers without a server error.

The number of examples per operation is bounded (`EXAMPLES`) and the generation is derandomised, so a run is as
long and as repeatable as any other test; raise `PATHWAYS_FUZZ_EXAMPLES` to search harder locally. Half of the
cases that name a pathway instance or a task get a real one, so the commands behind the 404 are reached too.
"""

from __future__ import annotations

import itertools
import os

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from tests.support import open_task

EXAMPLES = int(os.environ.get("PATHWAYS_FUZZ_EXAMPLES", "12"))
TOKENS = {"admin": "dev-admin", "coordinator": "dev-koordinator-nord"}


@pytest.fixture(params=sorted(TOKENS))
def fuzzed(request, client):
    """The running service with one patient of DPS Nord, the real ids to hand, and the caller's token."""
    runtime = client.app.state.runtime
    instance_id = runtime.start_pathway(patient_key="P-0001", pathway_key="tsb_d01", unit="DPS Nord",
                                        setting="outpatient", referral_received_on=runtime.today())
    real = {"instance_id": instance_id, "task_id": open_task(runtime, instance_id, "assess_referral")["id"]}
    return client.app, real, {"Authorization": f"Bearer {TOKENS[request.param]}"}


def _operations(app):
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    for result in schema.get_all_operations():
        yield result.ok()


def test_no_input_brings_a_server_error(fuzzed):
    app, real, headers = fuzzed
    failures: list[str] = []
    for operation in _operations(app):
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            _fuzz(operation, mode, real, headers, failures)
    assert failures == []


def _fuzz(operation, mode: GenerationMode, real: dict[str, str], headers: dict[str, str], failures: list[str]) -> None:
    alternate = itertools.count()

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck), phases=[Phase.generate])
    def run(case) -> None:
        if next(alternate) % 2:
            for name, value in real.items():
                if name in (case.path_parameters or {}):
                    case.path_parameters[name] = value
        response = case.call(headers=headers)
        if response.status_code >= 500:
            failures.append(f"{operation.label} [{mode.value}] -> {response.status_code}: {case.as_curl_command()}"
                            f"\n{response.text[:300]}")

    try:
        run()
    except Unsatisfiable:  # nothing to make invalid (an operation without parameters)
        assert mode == GenerationMode.NEGATIVE, operation.label
