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

"""karbor-operationengine's scheduling: each due run taken once, by one of
several engines, within its window, again after its taker died but never
twice, skipped while the previous run protects; and retention.

The engines' executors and Karbor's API are fakes here (the functional
tests run the real ones): a run's checkpoint create records an operation
log as karbor-protection would.
"""

import datetime
import threading
import types

from oslo_utils import timeutils
from oslo_utils import uuidutils
import pytest

from karbor import context
from karbor.db import api as db
from karbor.objects import service as service_objects
from karbor.services.operationengine import client
from karbor.services.operationengine import manager
from karbor.services.operationengine import operations

ADMIN = context.get_admin_context()
MINUTE = datetime.timedelta(minutes=1)


class FakeCheckpoints(object):
    """Karbor's checkpoints API as a run sees it."""

    def __init__(self):
        self.created = []
        self.deleted = []
        self.refusal = None
        self.listed = []

    def create(self, provider_id, plan_id, extra_info):
        if self.refusal is not None:
            raise self.refusal
        checkpoint = types.SimpleNamespace(
            id=uuidutils.generate_uuid(), status='protecting')
        self.created.append((plan_id, extra_info))
        db.operation_log_create(ADMIN, {
            'project_id': 'demo', 'operation_type': 'protect',
            'checkpoint_id': checkpoint.id, 'plan_id': plan_id,
            'scheduled_operation_id': extra_info['scheduled_operation_id'],
            'status': 'protecting', 'extra_info': extra_info})
        return checkpoint

    def get(self, provider_id, checkpoint_id):
        return types.SimpleNamespace(id=checkpoint_id, status='available')

    def list(self, provider_id, plan_id, sort):
        assert sort == 'created_at:desc'
        return self.listed

    def delete(self, provider_id, checkpoint_id):
        self.deleted.append(checkpoint_id)


@pytest.fixture
def karbor(database, monkeypatch):
    fake = types.SimpleNamespace(checkpoints=FakeCheckpoints())
    monkeypatch.setattr(client, 'client_for', lambda operation: fake)
    return fake.checkpoints


class Engine(manager.OperationEngineManager):
    """An engine of its own host whose executor keeps what it is given."""

    def __init__(self, host):
        super().__init__()
        self._host = host
        self.taken = []
        self._executor = types.SimpleNamespace(execute=self.taken.append)


def _minute(time):
    return time.replace(second=0, microsecond=0)


def _scheduled(pattern='* * * * *', window=120, next_run_at=None,
               operation_type='protect', definition=None):
    trigger = db.trigger_create(ADMIN, {
        'name': 'every minute', 'project_id': 'demo', 'type': 'time',
        'properties': {'format': 'crontab', 'pattern': pattern,
                       'start_time': '2026-01-01 00:00:00',
                       'window': window}})
    return db.scheduled_operation_create(ADMIN, {
        'name': 'protect', 'operation_type': operation_type,
        'trigger_id': trigger.id, 'project_id': 'demo', 'user_id': 'demo',
        'enabled': True, 'next_run_at': next_run_at,
        'operation_definition': definition or {
            'plan_id': uuidutils.generate_uuid(),
            'provider_id': uuidutils.generate_uuid()}})


def test_of_two_engines_one_takes_a_due_run_and_the_next_is_set(database):
    now = timeutils.utcnow()
    due = _minute(now)
    operation = _scheduled(next_run_at=due)
    engines = [Engine('engine-a'), Engine('engine-b')]
    threads = [threading.Thread(target=e.poll, args=(now,)) for e in engines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    engines[0].poll(now)
    runs = engines[0].taken + engines[1].taken
    assert [(run.fire_time, run.resumed) for run in runs] == [(due, False)]
    row = db.scheduled_operation_get(ADMIN, operation.id)
    assert row.next_run_at == due + MINUTE
    assert row.pending_run_at == due


def test_an_operation_that_cannot_be_scheduled_holds_up_no_other(database):
    now = timeutils.utcnow()
    broken = _scheduled(next_run_at=_minute(now) - MINUTE)
    db.trigger_update(ADMIN, broken.trigger_id, {'properties': {
        'format': 'uninstalled', 'pattern': '* * * * *',
        'start_time': '2026-01-01 00:00:00'}}, _minute(now) - MINUTE)
    working = _scheduled(next_run_at=_minute(now))
    engine = Engine('engine-a')
    engine.poll(now)
    assert [run.operation.id for run in engine.taken] == [working.id]


def test_a_taken_run_is_submitted_once_and_marked_as_the_engines(karbor):
    now = timeutils.utcnow()
    operation = _scheduled(next_run_at=_minute(now))
    engine = Engine('engine-a')
    engine.poll(now)
    (run,) = engine.taken
    engine.run(run)
    (plan_id, extra_info) = karbor.created[0]
    assert plan_id == operation.operation_definition['plan_id']
    assert extra_info == {
        'created_by': 'operation-engine',
        'scheduled_operation_id': operation.id,
        'scheduled_at': _minute(now).strftime('%Y-%m-%dT%H:%M:%S')}
    # Submitted: the hold is gone, and the same time is not taken again.
    assert db.scheduled_operation_get(ADMIN, operation.id).owner is None
    engine.poll(now)
    assert len(engine.taken) == 1


def test_a_run_missed_while_no_engine_ran_is_run_while_its_window_is_open(
        database):
    now = timeutils.utcnow()
    # Down for an hour, with a two-minute window: only the fire times of
    # the last two minutes may still run; the first of them does.
    operation = _scheduled(next_run_at=_minute(now) - 60 * MINUTE)
    engine = Engine('engine-a')
    engine.poll(now)
    (run,) = engine.taken
    assert now - 2 * MINUTE <= run.fire_time <= now
    assert run.fire_time == _minute(now - 2 * MINUTE) + MINUTE
    assert db.scheduled_operation_get(ADMIN, operation.id).next_run_at == (
        run.fire_time + MINUTE)


def test_a_run_whose_window_closed_is_never_run(database):
    now = timeutils.utcnow()
    # Hourly, at the minute 40 minutes ago, with a 15-minute window.
    last = _minute(now - 40 * MINUTE)
    operation = _scheduled(pattern='%d * * * *' % last.minute, window=900,
                           next_run_at=last - 60 * MINUTE)
    engine = Engine('engine-a')
    engine.poll(now)
    assert engine.taken == []
    row = db.scheduled_operation_get(ADMIN, operation.id)
    assert row.next_run_at == last + 60 * MINUTE
    assert row.pending_run_at is None


def test_a_run_whose_taker_died_is_taken_again_after_the_takeover_timeout(
        karbor, conf):
    conf.config(operation_takeover_timeout=90)
    now = timeutils.utcnow()
    operation = _scheduled(next_run_at=_minute(now))
    dead, live = Engine('engine-a'), Engine('engine-b')
    dead.poll(now)
    live.poll(now + datetime.timedelta(seconds=30))
    assert live.taken == []
    live.poll(now + datetime.timedelta(seconds=91))
    (run,) = live.taken
    assert (run.fire_time, run.resumed) == (_minute(now), True)
    live.run(run)
    assert len(karbor.created) == 1
    assert db.scheduled_operation_get(ADMIN, operation.id).pending_run_at is (
        None)


def test_a_run_its_dead_taker_submitted_is_not_submitted_again(karbor):
    now = timeutils.utcnow()
    _scheduled(next_run_at=_minute(now))
    first = Engine('engine-a')
    first.poll(now)
    # It submitted, then died before it let go of the run.
    (run,) = first.taken
    karbor.create('provider', 'plan', {
        'scheduled_operation_id': run.operation.id,
        'scheduled_at': operations.scheduled_at(run.fire_time)})
    db.operation_log_update(ADMIN, db.operation_log_get_all(
        ADMIN, all_projects=True)[0].id, {'status': 'available'})
    # Started again: what it held is taken again at once.
    restarted = Engine('engine-a')
    db.scheduled_operation_release_all(ADMIN, 'engine-a')
    restarted.poll(now)
    (again,) = restarted.taken
    assert again.resumed
    restarted.run(again)
    assert len(karbor.created) == 1


def test_a_run_while_the_previous_one_protects_is_skipped(karbor):
    now = timeutils.utcnow()
    operation = _scheduled(next_run_at=_minute(now) - MINUTE)
    engine = Engine('engine-a')
    engine.poll(now - datetime.timedelta(seconds=1))
    engine.run(engine.taken.pop())
    assert len(karbor.created) == 1
    # The checkpoint of the last run still protects.
    engine.poll(now + MINUTE)
    engine.run(engine.taken.pop())
    assert len(karbor.created) == 1
    logs = db.operation_log_get_all(ADMIN, all_projects=True, filters={
        'scheduled_operation_id': operation.id})
    assert [log.status for log in logs] == ['protecting']


def test_a_refused_run_is_an_operation_log_in_error(karbor):
    now = timeutils.utcnow()
    operation = _scheduled(next_run_at=_minute(now))
    karbor.refusal = RuntimeError('Plan 0d1e could not be found.')
    engine = Engine('engine-a')
    engine.poll(now)
    engine.run(engine.taken.pop())
    (log,) = db.operation_log_get_all(ADMIN, all_projects=True)
    assert (log.status, log.scheduled_operation_id, log.error_info) == (
        'error', operation.id, 'Plan 0d1e could not be found.')
    assert log.plan_id == operation.operation_definition['plan_id']
    assert db.scheduled_operation_get(ADMIN, operation.id).owner is None


def _checkpoint(days_ago, status='available'):
    created = timeutils.utcnow().date() - datetime.timedelta(days=days_ago)
    return types.SimpleNamespace(id=uuidutils.generate_uuid(), status=status,
                                 created_at=created.isoformat())


def test_retention_keeps_the_newest_max_backups_available_checkpoints(
        karbor):
    newest_first = [_checkpoint(0), _checkpoint(0, 'error'), _checkpoint(1),
                    _checkpoint(2), _checkpoint(3), _checkpoint(4)]
    karbor.listed = newest_first
    operations.RetentionProtect.apply_retention(
        types.SimpleNamespace(checkpoints=karbor),
        {'provider_id': 'p', 'plan_id': 'plan', 'max_backups': 3,
         'retention_duration': -1})
    assert karbor.deleted == [c.id for c in newest_first[4:]]


def test_retention_deletes_checkpoints_older_than_its_duration(karbor):
    newest_first = [_checkpoint(0), _checkpoint(2), _checkpoint(3),
                    _checkpoint(9, 'error')]
    karbor.listed = newest_first
    operations.RetentionProtect.apply_retention(
        types.SimpleNamespace(checkpoints=karbor),
        {'provider_id': 'p', 'plan_id': 'plan', 'max_backups': -1,
         'retention_duration': 2})
    assert karbor.deleted == [newest_first[2].id]


def test_a_retention_protect_run_applies_retention_once_its_checkpoint_ends(
        karbor, monkeypatch):
    monkeypatch.setattr(operations.RetentionProtect, 'poll_interval', 0.01)
    now = timeutils.utcnow()
    old = _checkpoint(1)
    karbor.listed = [_checkpoint(0), old]
    _scheduled(next_run_at=_minute(now), operation_type='retention_protect',
               definition={'plan_id': uuidutils.generate_uuid(),
                           'provider_id': uuidutils.generate_uuid(),
                           'max_backups': 1, 'retention_duration': -1})
    engine = Engine('engine-a')
    engine.poll(now)
    engine.run(engine.taken.pop())
    assert len(karbor.created) == 1
    assert karbor.deleted == [old.id]


def _disable(host, disabled=True):
    service_id = db.service_heartbeat(ADMIN, host, 'karbor-operationengine',
                                      'karbor-operationengine')
    service = service_objects.Service.get_by_id(ADMIN, service_id)
    service.disabled = disabled
    service.disabled_reason = 'maintenance' if disabled else None
    service.save()


def test_a_disabled_engine_takes_no_due_run_until_it_is_enabled(database):
    now = timeutils.utcnow()
    due = _minute(now)
    operation = _scheduled(next_run_at=due)
    disabled, other = Engine('engine-a'), Engine('engine-b')
    _disable('engine-a')

    disabled.poll(now)
    assert disabled.taken == []
    row = db.scheduled_operation_get(ADMIN, operation.id)
    assert (row.next_run_at, row.pending_run_at, row.owner) == (due, None,
                                                                None)
    # Another engine is not held up by it.
    other.poll(now)
    assert [run.fire_time for run in other.taken] == [due]

    _scheduled(next_run_at=due)
    _disable('engine-a', disabled=False)
    disabled.poll(now)
    assert [run.fire_time for run in disabled.taken] == [due]
