"""Coordinator tasks: the list of the caller's units, one task with its form, claim, release and complete."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query

from engine.actions import commands
from engine.actions.reads import read_task, read_tasks
from engine.reading.tasks import DueFilter, TaskFilter

from .. import schemas
from ..deps import Auth, Limit, Offset, PatientKeyQuery, Runtime
from ..errors import RESPONSES

router = APIRouter(tags=["tasks"], responses=RESPONSES)
TaskId = Annotated[str, Path(max_length=36, description="The task's id (a UUID), as `GET /tasks` lists it")]
DUE_HELP = ("On the urgent date: overdue (passed), this_week (today up to this week's Sunday), soon (within 3 "
            "working days)")


@router.get("/tasks", response_model=schemas.TaskPage,
            summary="Open coordinator tasks in the caller's units, most urgent first",
            description="Sorted by each task's urgent date: the nearest running (pending or overdue) deadline of the "
                        "task's pathway, else the task's own due date; tasks with neither last. `counts` gives "
                        "the number of tasks per quick filter (`due`, `mine`, `unclaimed`) with the other filters "
                        "applied; `total` and the counts stop at `count_cap`. Page with `cursor` (the previous "
                        "page's `next_cursor`): as fast deep in the list as on its first page; `offset` still "
                        "works but reads the rows it skips.")
def list_tasks(runtime: Runtime, user: Auth,
               unit: Annotated[str | None, Query(max_length=100, description="Only this unit (one of the "
                                                                     "caller's)")] = None,
               pathway: Annotated[str | None, Query(max_length=100, description="Only this pathway key")] = None,
               lane: Annotated[str | None, Query(max_length=100, description="Role / BPMN lane name")] = None,
               assignee: Annotated[str | None, Query(max_length=100, description="Only tasks claimed by this "
                                                                         "user id")] = None,
               patient_key: PatientKeyQuery = None,
               due_before: Annotated[date | None, Query(description="Only tasks whose own due date is before this "
                                                                    "day (YYYY-MM-DD)")] = None,
               overdue: Annotated[bool | None, Query(description="On the task's own due date")] = None,
               due: Annotated[DueFilter | None, Query(description=DUE_HELP)] = None,
               unclaimed: Annotated[bool, Query(description="Only tasks nobody has claimed")] = False,
               limit: Limit = 50,
               offset: Offset = 0,
               cursor: Annotated[str | None, Query(max_length=400, description="The `next_cursor` of the page "
                                                                       "before")] = None):
    flt = TaskFilter(unit=unit, pathway=pathway, lane=lane, assignee=assignee, due_before=due_before,
                     overdue=overdue, patient_key=patient_key, due=due, unclaimed=unclaimed)
    return read_tasks(runtime, user, flt, limit=limit, offset=offset, after=cursor)


@router.get("/tasks/{task_id}", response_model=schemas.TaskDetail, summary="One task with its form")
def get_task(task_id: TaskId, runtime: Runtime, user: Auth):
    return read_task(runtime, user, task_id)


@router.post("/tasks/{task_id}/claim", response_model=schemas.TaskDetail,
             summary="Claim a task for yourself or a named colleague (someone else's claim only with take_over)")
def claim_task(task_id: TaskId, body: schemas.ClaimTask, runtime: Runtime, user: Auth):
    return commands.claim_task(runtime, user, task_id, body.assignee, take_over=body.take_over)


@router.post("/tasks/{task_id}/unclaim", response_model=schemas.TaskDetail,
             summary="Release a claimed task, so anyone in the unit may take it")
def unclaim_task(task_id: TaskId, runtime: Runtime, user: Auth):
    return commands.unclaim_task(runtime, user, task_id)


@router.post("/tasks/{task_id}/complete", response_model=schemas.InstanceOut,
             summary="Register what happened and when; the pathway moves on")
def complete_task(task_id: TaskId, body: schemas.CompleteTask, runtime: Runtime, user: Auth):
    return commands.complete_task(runtime, user, task_id, data=body.data, occurred_on=body.occurred_on,
                                  take_over=body.take_over)
