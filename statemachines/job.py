"""Job lifecycle (SPEC §3): a read-only mirror of the job management system, initial PENDING.
Every trigger is fired by sync (via="sync"); nobody moves a job by hand.

                 start                    complete
     +---------+ ------> +-------------+ ---------> +-----------+
 --> | PENDING |         | IN_PROGRESS |            | COMPLETED |
     +---------+         +-------------+ <--------- +-----------+
        |                   ^     |        reopen        |
        | cancel     reopen |     | cancel               | cancel
        v                   |     v                      v
     +-----------------------------------------------------+
     |                      CANCELED                       |
     +-----------------------------------------------------+
     and PENDING --complete--> COMPLETED (a job finished before a sync saw it start)

  every trigger  changed_by_sync (via="sync")

COMPLETED puts the job's ProPay in the approval queue and CANCELED cancels its ACTIVE ProPays:
the service does both, not this machine. ``path_to`` turns the status a sync reports into the
triggers to fire.
Every transition also needs the actor's role to be allowed (protiv.domain.permissions).
Context keys: actor, now, reason, via.
"""

from __future__ import annotations

from collections import deque

from protiv.domain.errors import ErrorCode
from protiv.domain.protocols import JobLike
from protiv.domain.statuses import EntityKind, JobStatus, JobTrigger
from statemachines.base import Context, Row, StateMachine, Via, guard

S = JobStatus


@guard(ErrorCode.INVALID_TRANSITION)
def changed_by_sync(c: Context[JobLike]) -> str | None:
    """Only sync changes a job (via="sync")."""
    if c.via == Via.SYNC:
        return None
    return (
        f"Cannot {c.trigger} a job here: jobs change only by sync from the integration; change "
        "it in the job management system and sync."
    )


TABLE: list[Row] = [
    {
        "trigger": "start",
        "source": S.PENDING,
        "dest": S.IN_PROGRESS,
        "conditions": [changed_by_sync],
    },
    {
        "trigger": "complete",
        "source": [S.PENDING, S.IN_PROGRESS],
        "dest": S.COMPLETED,
        "conditions": [changed_by_sync],
    },
    {
        "trigger": "cancel",
        "source": [S.PENDING, S.IN_PROGRESS, S.COMPLETED],
        "dest": S.CANCELED,
        "conditions": [changed_by_sync],
    },
    {
        "trigger": "reopen",
        "source": [S.COMPLETED, S.CANCELED],
        "dest": S.IN_PROGRESS,
        "conditions": [changed_by_sync],
    },
]

MACHINE: StateMachine[JobLike, JobStatus, JobTrigger] = StateMachine(
    kind=EntityKind.JOB,
    name="Job",
    noun="job",
    states=JobStatus,
    triggers=JobTrigger,
    initial=S.PENDING,
    table=TABLE,
    summary=(
        "A job mirrors the company's job management system and changes only by sync "
        '(via="sync"). Completing a job queues its ProPay for approval; canceling it cancels '
        "its active ProPays."
    ),
)


def path_to(current: JobStatus, target: JobStatus) -> list[JobTrigger]:
    """The triggers that move a job from ``current`` to the status a sync reports, shortest
    first (table order breaks ties); [] when it is already there.

    A job never goes back to PENDING: once started or closed, a reported PENDING means "open",
    so IN_PROGRESS stays where it is ([]) and COMPLETED or CANCELED reopen ([reopen], ending
    IN_PROGRESS). CANCELED -> COMPLETED is [reopen, complete].
    """
    if target is S.PENDING and current is not S.PENDING:
        target = S.IN_PROGRESS
    paths: dict[JobStatus, list[JobTrigger]] = {current: []}
    queue = deque([current])
    while queue:
        status = queue.popleft()
        if status is target:
            return paths[status]
        for trigger in MACHINE.triggers_from(status):
            dest = MACHINE.destination(status, trigger)
            if dest is not None and dest not in paths:
                paths[dest] = [*paths[status], trigger]
                queue.append(dest)
    return []  # pragma: no cover - every status but PENDING is reachable from every other
