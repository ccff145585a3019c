"""Saved states written by an older SpiffWorkflow, brought to the format the pinned one reads.

SpiffWorkflow stamps each serialisation with a format version (`serializer_version`: 3.0 wrote 1.3, 3.1 wrote 1.4,
3.2 writes 1.5) and ships the steps between them. Three things keep those steps from running on our states as
they are, so the chain is driven from here:

- our states are stored without the process spec (`engine.runtime.workflow_state`), but the steps read the task
  specs' types from the state; the spec is put back, as a dictionary, before they run;
- the 1.3 → 1.4 and 1.4 → 1.5 steps of SpiffWorkflow 3.2.0 fail with `NameError: sp` on any state with a
  sub-process (a typo in their loop over sub-processes, which also looks up a sub-process's spec by name where
  the state holds only the name); we run their per-process part once per process instead;
- the library's steps from 1.2 and 1.3 stop after one version; we chain them to the current one.

A state this engine cannot bring forward is refused with `saved_state_unreadable`, not loaded half-migrated.
"""

from __future__ import annotations

from typing import Any, Callable

from SpiffWorkflow.bpmn.serializer.migration.version_1_4 import update_mi_states
from SpiffWorkflow.bpmn.serializer.migration.version_1_5 import update_event_gateway_children
from SpiffWorkflow.bpmn.serializer.migration.version_migration import MIGRATIONS
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer

from engine.errors import Conflict, ErrorCode

CURRENT = "1.5"
#: (format a step starts from, the format it gives, SpiffWorkflow's change for one process)
_PER_PROCESS_STEPS: list[tuple[str, str, Callable[[dict], None]]] = [
    ("1.3", "1.4", update_mi_states),
    ("1.4", "1.5", update_event_gateway_children),
]
#: formats before 1.3: SpiffWorkflow's own chain takes them to 1.3 (it needs the state's own spec)
_LIBRARY_TO_1_3 = ("1.0", "1.1", "1.2")


def unreadable(version: object, why: str) -> Conflict:
    return Conflict(ErrorCode.SAVED_STATE_UNREADABLE,
                    f"the pathway's saved state (SpiffWorkflow format {version}) cannot be read by this engine: "
                    f"{why}", params={"format": str(version)})


def upgrade(dct: dict[str, Any], serializer: BpmnWorkflowSerializer, spec: Any,
            subprocess_specs: dict[str, Any]) -> None:
    """Bring `dct` (a state as stored, with or without its spec) to the current format, in place. The spec
    entries the steps needed are left for the caller to replace with the spec objects."""
    version = dct.pop(serializer.VERSION_KEY, None)
    if version == CURRENT:
        return
    known = {*_LIBRARY_TO_1_3, *(start for start, _, _ in _PER_PROCESS_STEPS)}
    if version not in known:
        raise unreadable(version, f"formats {min(known)} to {CURRENT} are known")
    try:
        process_specs = _spec_dicts(dct, serializer, spec, subprocess_specs)
        if version in _LIBRARY_TO_1_3:
            MIGRATIONS[version](dct)
            version = "1.3"
        for start, result, change in _PER_PROCESS_STEPS:
            if version == start:
                for tasks, task_specs in _processes(dct, process_specs):
                    change({"tasks": tasks, "spec": {"task_specs": task_specs}, "subprocesses": {}})
                version = result
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        raise unreadable(version, f"the upgrade to {CURRENT} failed ({type(exc).__name__}: {exc})") from exc


def _spec_dicts(dct: dict[str, Any], serializer: BpmnWorkflowSerializer, spec: Any,
                subprocess_specs: dict[str, Any]) -> dict[str, dict]:
    """Task specs by process name, from the state's own spec when it carries one, else from the deployed one."""
    if not isinstance(dct.get("spec"), dict):
        dct["spec"] = serializer.to_dict(spec)
    if not dct.get("subprocess_specs"):
        dct["subprocess_specs"] = {name: serializer.to_dict(sub) for name, sub in subprocess_specs.items()}
    return {name: sub["task_specs"] for name, sub in dct["subprocess_specs"].items()}


def _processes(dct: dict[str, Any], process_specs: dict[str, dict]):
    yield dct["tasks"], dct["spec"]["task_specs"]
    for sub in dct.get("subprocesses", {}).values():
        name = sub["spec"] if isinstance(sub["spec"], str) else sub["spec"]["name"]
        yield sub["tasks"], process_specs[name]
