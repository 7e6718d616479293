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

"""Claims on operations: one owner each, fair between projects."""

import concurrent.futures
import datetime

from oslo_utils import timeutils
from oslo_utils import uuidutils
import pytest

from karbor import context
from karbor.db import api as db
from karbor import exception

ADMIN = context.get_admin_context()


def _record(project_id, operation_type='restore'):
    """A new operation, held by the worker that accepts it."""
    checkpoint_id = uuidutils.generate_uuid()
    return db.operation_create(ADMIN, {
        'operation_type': operation_type, 'project_id': project_id,
        'provider_id': uuidutils.generate_uuid(),
        'checkpoint_id': checkpoint_id,
        'exclusive_checkpoint_id': (
            checkpoint_id if operation_type != 'restore' else None),
        'request_context': {}, 'arguments': {}}, 'api (accepting)').id


LOG = {'operation_type': 'restore', 'project_id': 'demo'}


def _queue(project_id, operation_type='restore'):
    operation_id = _record(project_id, operation_type)
    db.operation_queue(ADMIN, operation_id, LOG)
    return operation_id


def _stale_before(seconds=90):
    return timeutils.utcnow() - datetime.timedelta(seconds=seconds)


def test_a_free_slot_goes_to_the_project_running_the_fewest(database):
    big = [_queue('big') for _ in range(4)]
    small = _queue('small')
    claimed = [db.operation_claim(ADMIN, 'worker', _stale_before(),
                                  project_limit=2).id for _ in range(3)]
    # The oldest first, then the project that runs nothing yet, though
    # its operation came after all of the big project's.
    assert claimed == [big[0], small, big[1]]
    # The big project is at its limit: its other two wait.
    assert db.operation_claim(ADMIN, 'worker', _stale_before(),
                              project_limit=2) is None


def test_a_project_at_its_limit_does_not_hide_the_others_behind_its_queue(
        database, monkeypatch):
    # Fewer rows looked at per claim than the big project has queued.
    monkeypatch.setattr(db, '_CLAIM_CANDIDATES', 3)
    big = [_queue('big') for _ in range(5)]
    small = _queue('small')
    claimed = [db.operation_claim(ADMIN, 'worker', _stale_before(),
                                  project_limit=1).id for _ in range(2)]
    assert claimed == [big[0], small]


def test_concurrent_claims_keep_a_project_to_its_limit(each_database):
    queued = {_queue('demo') for _ in range(6)}

    def claim(worker):
        row = db.operation_claim(ADMIN, 'worker-%d' % worker,
                                 _stale_before(), project_limit=2)
        return row and row.id

    with concurrent.futures.ThreadPoolExecutor(6) as pool:
        claimed = [one for one in pool.map(claim, range(6)) if one]
    assert len(claimed) == 2 and set(claimed) <= queued
    assert db.operation_claim(ADMIN, 'worker', _stale_before(),
                              project_limit=2) is None


def test_a_claim_is_won_once_and_taken_over_only_when_stale(database):
    operation_id = _queue('demo')
    first = db.operation_claim(ADMIN, 'worker-a', _stale_before())
    assert (first.id, first.owner, first.generation) == (
        operation_id, 'worker-a', 1)
    assert db.operation_claim(ADMIN, 'worker-b', _stale_before()) is None
    # Once its heartbeat is older than the takeover timeout (here: any
    # heartbeat at all), another worker takes it, and the first can no
    # longer renew it.
    taken = db.operation_claim(ADMIN, 'worker-b',
                               timeutils.utcnow() + datetime.timedelta(1))
    assert (taken.owner, taken.generation) == ('worker-b', 2)
    assert not db.operation_heartbeat(ADMIN, operation_id, 'worker-a', 1)
    assert db.operation_heartbeat(ADMIN, operation_id, 'worker-b', 2)


def test_one_protect_or_delete_per_checkpoint(database):
    checkpoint_id = uuidutils.generate_uuid()
    values = {'operation_type': 'delete', 'project_id': 'demo',
              'provider_id': uuidutils.generate_uuid(),
              'checkpoint_id': checkpoint_id,
              'exclusive_checkpoint_id': checkpoint_id,
              'request_context': {}, 'arguments': {}}
    db.operation_create(ADMIN, values, 'worker-a (accepting)')
    with pytest.raises(exception.CheckpointBusy):
        db.operation_create(ADMIN, values, 'worker-b (accepting)')


def test_a_new_operation_is_claimed_only_once_its_acceptor_queues_it(
        database):
    operation_id = _record('demo', 'delete')
    assert db.operation_claim(ADMIN, 'worker', _stale_before()) is None
    db.operation_queue(ADMIN, operation_id, LOG)
    claimed = db.operation_claim(ADMIN, 'worker', _stale_before())
    assert (claimed.id, claimed.owner, claimed.generation) == (
        operation_id, 'worker', 1)
    # Queueing again does not take a claim back.
    db.operation_queue(ADMIN, operation_id, LOG)
    assert db.operation_get(ADMIN, operation_id).owner == 'worker'


def test_a_hold_whose_acceptor_died_lapses_like_a_claim(database):
    operation_id = _record('demo', 'delete')
    taken = db.operation_claim(ADMIN, 'worker',
                               timeutils.utcnow() + datetime.timedelta(1))
    assert (taken.id, taken.generation) == (operation_id, 1)


def test_a_restarted_worker_queues_its_claims_again(database):
    operation_id = _queue('demo')
    db.operation_claim(ADMIN, 'worker-a', _stale_before())
    assert db.operation_release_all(ADMIN, 'worker-a') == 1
    again = db.operation_claim(ADMIN, 'worker-a', _stale_before())
    assert (again.id, again.generation) == (operation_id, 2)


def test_an_operation_log_keeps_what_its_error_column_holds(database):
    operation_id = _record('demo', 'protect')
    db.operation_queue(ADMIN, operation_id, LOG)
    # The reasons of 3,000 failed resources, in letters of two bytes.
    reasons = '; '.join('OS::Cinder::Volume#%04d: quota dépassé' % n
                        for n in range(3000))
    db.operation_log_update(ADMIN, operation_id, {'status': 'error',
                                                  'error_info': reasons})
    stored = db.operation_log_get(ADMIN, operation_id).error_info
    assert len(stored.encode('utf-8')) <= db.MAX_JSON_BYTES
    assert stored.endswith('...')
    assert reasons.startswith(stored[:-3])
