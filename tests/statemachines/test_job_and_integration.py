"""Jobs change only by sync (and ``path_to``); integration connections keep the last error."""

from __future__ import annotations

import itertools

import pytest

from protiv.domain.errors import ErrorCode
from protiv.domain.roles import Role
from protiv.domain.statuses import IntegrationStatus, IntegrationTrigger, JobStatus, JobTrigger
from statemachines import integration, job
from statemachines.job import path_to
from tests.statemachines.factories import ADMIN, NOW, Integration, Job, actor, assert_refused

I, IT = IntegrationStatus, IntegrationTrigger  # noqa: E741
J, JT = JobStatus, JobTrigger


@pytest.mark.parametrize("via", [None, "cascade", "group"])
def test_a_job_changes_only_by_sync(via) -> None:
    refused = assert_refused(job.MACHINE, Job(), JT.START, ErrorCode.INVALID_TRANSITION, via=via)
    assert "jobs change only by sync from the integration" in refused.message


def test_a_job_is_not_changed_by_a_manager_even_by_sync() -> None:
    assert_refused(
        job.MACHINE, Job(), JT.START, ErrorCode.FORBIDDEN, actor=actor(Role.MANAGER), via="sync"
    )


def test_the_integration_role_syncs_a_job() -> None:
    record = Job()
    job.MACHINE.fire(record, JT.COMPLETE, actor=actor(Role.INTEGRATION), now=NOW, via="sync")
    assert record.status is J.COMPLETED


PATHS = {
    (J.PENDING, J.IN_PROGRESS): [JT.START],
    (J.PENDING, J.COMPLETED): [JT.COMPLETE],
    (J.PENDING, J.CANCELED): [JT.CANCEL],
    (J.IN_PROGRESS, J.PENDING): [],
    (J.IN_PROGRESS, J.COMPLETED): [JT.COMPLETE],
    (J.IN_PROGRESS, J.CANCELED): [JT.CANCEL],
    (J.COMPLETED, J.PENDING): [JT.REOPEN],
    (J.COMPLETED, J.IN_PROGRESS): [JT.REOPEN],
    (J.COMPLETED, J.CANCELED): [JT.CANCEL],
    (J.CANCELED, J.PENDING): [JT.REOPEN],
    (J.CANCELED, J.IN_PROGRESS): [JT.REOPEN],
    (J.CANCELED, J.COMPLETED): [JT.REOPEN, JT.COMPLETE],
}


@pytest.mark.parametrize(("current", "target"), list(itertools.product(J, J)))
def test_path_to_follows_the_machine(current: JobStatus, target: JobStatus) -> None:
    path = path_to(current, target)
    assert path == PATHS.get((current, target), [])
    record = Job(status=current)
    for trigger in path:
        job.MACHINE.fire(record, trigger, actor=ADMIN, now=NOW, via="sync")
    reachable_target = J.IN_PROGRESS if target is J.PENDING and current is not J.PENDING else target
    assert record.status is reachable_target


def test_sync_failed_keeps_the_error_and_a_good_sync_clears_it() -> None:
    record = Integration(status=I.CONNECTED)
    integration.MACHINE.fire(
        record, IT.SYNC_FAILED, actor=actor(Role.INTEGRATION), now=NOW, error=" 401 Unauthorized "
    )
    assert (record.status, record.last_error) == (I.FAILED, "401 Unauthorized")
    integration.MACHINE.fire(record, IT.SYNC_SUCCEEDED, actor=actor(Role.INTEGRATION), now=NOW)
    assert (record.status, record.last_error) == (I.CONNECTED, None)


@pytest.mark.parametrize("error", [None, "", "  "])
def test_sync_failed_needs_the_error(error) -> None:
    refused = assert_refused(
        integration.MACHINE, Integration(), IT.SYNC_FAILED, ErrorCode.VALIDATION, error=error
    )
    assert refused.field == ["error"]


@pytest.mark.parametrize("trigger", [IT.DISCONNECT, IT.RECONNECT])
def test_disconnect_and_reconnect_are_for_admins(trigger: IntegrationTrigger) -> None:
    status = I.DISCONNECTED if trigger is IT.RECONNECT else I.CONNECTED
    assert_refused(
        integration.MACHINE,
        Integration(status=status),
        trigger,
        ErrorCode.FORBIDDEN,
        actor=actor(Role.INTEGRATION),
    )
