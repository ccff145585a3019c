"""The runtime: one SpiffWorkflow instance per patient, driven by commands (start a pathway, complete a task,
register patient-deferred, deliver a message, fire due timers), each one transaction on one locked instance.

`PathwayRuntime` is the facade callers use; the instance gate (lock and live cache), the projection into the
task, measurement, timer and message tables and the write path are its parts.
"""

from engine.runtime.facade import PathwayRuntime

__all__ = ["PathwayRuntime"]
