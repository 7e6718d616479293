# Licensed under the Apache License, Version 2.0 (the "License"); you may
# not use this file except in compliance with the License. You may obtain
# a copy of the License at
#
#      http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
# WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
# License for the specific language governing permissions and limitations
# under the License.

"""A karbor-protection that an administrator disabled claims no new
operation, lets the ones it runs end, and claims again once enabled."""

import threading

from oslo_utils import uuidutils
import pytest

from karbor import context
from karbor.db import api as db
from karbor.objects import service as service_objects
from karbor.services.protection import operations

ADMIN = context.get_admin_context()
WORKER = 'worker-a'


def _queue():
    checkpoint_id = uuidutils.generate_uuid()
    operation = db.operation_create(ADMIN, {
        'operation_type': 'protect', 'project_id': 'demo',
        'provider_id': uuidutils.generate_uuid(),
        'checkpoint_id': checkpoint_id,
        'exclusive_checkpoint_id': checkpoint_id,
        'request_context': {}, 'arguments': {}}, 'api (accepting)')
    db.operation_queue(ADMIN, operation.id, {'operation_type': 'protect',
                                             'project_id': 'demo'})
    return operation.id


def _set_disabled(service_id, disabled):
    service = service_objects.Service.get_by_id(ADMIN, service_id)
    service.disabled = disabled
    service.save()


class Runs(object):
    """The operations a runner ran; each one's end waits for ``release``
    to be set."""

    def __init__(self):
        self.started = []
        self.release = threading.Event()
        self.release.set()

    def __call__(self, row, claim):
        self.started.append(row.id)
        self.release.wait(10)
        return True


@pytest.fixture
def runner(database):
    runs = Runs()
    runner = operations.OperationRunner(WORKER, runs, lambda _id: None)
    runner.runs = runs
    yield runner
    runs.release.set()
    runner.stop(timeout=10)


def _owners():
    return {row.id: row.owner for row in db.operation_get_all(ADMIN)}


def test_a_disabled_worker_claims_nothing_until_it_is_enabled(runner):
    service_id = db.service_heartbeat(ADMIN, WORKER, 'karbor-protection',
                                      'karbor-protection')
    _set_disabled(service_id, True)
    queued = [_queue(), _queue()]

    runner.claim_round()
    assert runner.runs.started == []
    assert _owners() == {operation_id: None for operation_id in queued}

    _set_disabled(service_id, False)
    runner.claim_round()
    runner.stop(timeout=10)
    assert sorted(runner.runs.started) == sorted(queued)


def test_what_a_worker_runs_when_it_is_disabled_goes_on_to_its_end(runner):
    service_id = db.service_heartbeat(ADMIN, WORKER, 'karbor-protection',
                                      'karbor-protection')
    running = _queue()
    runner.runs.release.clear()
    runner.claim_round()
    _set_disabled(service_id, True)
    waiting = _queue()

    runner.runs.release.set()
    runner.claim_round()
    runner.stop(timeout=10)
    assert runner.runs.started == [running]
    # Its end removed it; the new one waits for an enabled worker.
    assert _owners() == {waiting: None}


def test_a_claim_round_reads_the_workers_own_row_once(runner, monkeypatch,
                                                      conf):
    # Three of one project at once: its limit of running operations would
    # otherwise leave the third to a later round.
    conf.config(max_concurrent_operations_per_project=0)
    db.service_heartbeat(ADMIN, WORKER, 'karbor-protection',
                         'karbor-protection')
    for _ in range(3):
        _queue()
    reads = []
    read = db.service_get_all

    def counted(*args, **kwargs):
        reads.append(kwargs)
        return read(*args, **kwargs)
    monkeypatch.setattr(db, 'service_get_all', counted)

    runner.claim_round()
    runner.stop(timeout=10)
    assert len(runner.runs.started) == 3
    assert reads == [{'host': WORKER, 'binary': 'karbor-protection'}]


def test_a_worker_that_has_not_reported_yet_claims(runner):
    queued = _queue()
    runner.claim_round()
    runner.stop(timeout=10)
    assert runner.runs.started == [queued]
