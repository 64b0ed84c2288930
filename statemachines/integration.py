"""Integration connection lifecycle (SPEC §3), initial PENDING (no sync done yet).

                    sync_succeeded
     +---------+ -------------------> +-----------+
 --> | PENDING |                      | CONNECTED |
     +---------+                      +-----------+
       |   ^   | sync_failed            |   ^    |
       |   |   v                        |   |    |
       |   |  +--------+ <--------------+   |    |  sync_failed
       |   |  | FAILED | -------------------+    |  sync_succeeded
       |   |  +--------+                         |
       |   |      |                              |
       |   | reconnect     disconnect            |
       v   |      v                              v
     +-------------------------------------------------+
     |                  DISCONNECTED                   |
     +-------------------------------------------------+

  sync_succeeded  clears last_error
  sync_failed     error_is_given; stamps last_error
  disconnect, reconnect  (admin only, by the role table)

Every transition also needs the actor's role to be allowed (protiv.domain.permissions).
Context keys: actor, now, reason, via, and ``error`` (str, for sync_failed).
"""

from __future__ import annotations

from protiv.domain.errors import ErrorCode
from protiv.domain.protocols import IntegrationLike
from protiv.domain.statuses import EntityKind, IntegrationStatus, IntegrationTrigger
from statemachines.base import Context, Row, StateMachine, guard, stamp

S = IntegrationStatus


def _error_text(c: Context[IntegrationLike]) -> str | None:
    error = c.extra.get("error")
    if isinstance(error, str) and error.strip():
        return error.strip()
    return None


@guard(ErrorCode.VALIDATION, field="error")
def error_is_given(c: Context[IntegrationLike]) -> str | None:
    """The failed sync's error text is given, to be kept on the connection."""
    if c.checking or _error_text(c) is not None:
        return None
    return "error is required: say why the sync failed, so it can be shown and fixed."


@stamp
def clear_last_error(c: Context[IntegrationLike]) -> None:
    c.record.last_error = None


@stamp
def stamp_last_error(c: Context[IntegrationLike]) -> None:
    c.record.last_error = _error_text(c)


TABLE: list[Row] = [
    {
        "trigger": "sync_succeeded",
        "source": [S.PENDING, S.FAILED],
        "dest": S.CONNECTED,
        "after": [clear_last_error],
    },
    {
        "trigger": "sync_failed",
        "source": [S.PENDING, S.CONNECTED],
        "dest": S.FAILED,
        "conditions": [error_is_given],
        "after": [stamp_last_error],
    },
    {
        "trigger": "disconnect",
        "source": [S.PENDING, S.CONNECTED, S.FAILED],
        "dest": S.DISCONNECTED,
    },
    {"trigger": "reconnect", "source": S.DISCONNECTED, "dest": S.PENDING},
]

MACHINE: StateMachine[IntegrationLike, IntegrationStatus, IntegrationTrigger] = StateMachine(
    kind=EntityKind.INTEGRATION,
    name="Integration",
    noun="integration connection",
    states=IntegrationStatus,
    triggers=IntegrationTrigger,
    initial=S.PENDING,
    table=TABLE,
    context_keys=frozenset({"error"}),
    summary=(
        "An integration connection links a company to its job management system. The first "
        "successful sync connects it; a failed sync marks it FAILED and keeps the error; a good "
        "sync after a failure connects it again. An admin can disconnect and reconnect it."
    ),
)
