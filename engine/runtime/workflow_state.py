"""SpiffWorkflow state without the process spec.

A fresh instance's serialisation is dominated by the spec, which is the same for every instance of a pathway
version. We store the spec once (the BPMN source of the version) and serialise only the instance: its tasks,
data and events. On load a state of an older format is brought forward (`engine.runtime.state_format`) and the
cached spec objects are plugged back in.
"""

from __future__ import annotations

import json
import zlib
from copy import deepcopy
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.camunda.serializer.config import CAMUNDA_CONFIG

from engine.catalogue.expressions import SAFE_SCRIPT_ENGINE
from engine.runtime.state_format import upgrade


class InstanceStateConverter(BpmnWorkflowConverter):
    def to_dict(self, workflow: BpmnWorkflow) -> dict[str, Any]:
        dct = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct: dict[str, Any]) -> BpmnWorkflow:
        spec = dct.pop("spec")
        subprocess_specs = dct.pop("subprocess_specs", {})
        workflow = self.target_class(spec, subprocess_specs, script_engine=SAFE_SCRIPT_ENGINE, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


def _serializer() -> BpmnWorkflowSerializer:
    config = deepcopy(CAMUNDA_CONFIG)
    config[BpmnWorkflow] = InstanceStateConverter
    return BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(config))


SERIALIZER = _serializer()


def dump_state(workflow: BpmnWorkflow) -> bytes:
    """SpiffWorkflow's JSON, zlib-compressed: a fifth of the bytes to write, log and keep per command."""
    return zlib.compress(SERIALIZER.serialize_json(workflow).encode("utf-8"), 1)


def load_state(state: bytes, spec: Any, subprocess_specs: dict[str, Any]) -> BpmnWorkflow:
    dct = json.loads(state if state[:1] == b"{" else zlib.decompress(state))
    upgrade(dct, SERIALIZER, spec, subprocess_specs)  # before the spec objects go in: the steps read its dict
    dct["spec"] = spec
    dct["subprocess_specs"] = subprocess_specs
    return SERIALIZER.from_dict(dct)


def new_workflow(spec: Any, subprocess_specs: dict[str, Any]) -> BpmnWorkflow:
    return BpmnWorkflow(spec, subprocess_specs, script_engine=SAFE_SCRIPT_ENGINE)
