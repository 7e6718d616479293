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

import datetime
import os
import threading
import time
from unittest import mock

from oslo_context import context as oslo_context
from oslo_utils import timeutils
from oslo_utils import uuidutils
import pytest

from karbor import context
from karbor import exception
from karbor.objects import plan as plan_objects
from karbor.services.protection import bank_plugin
from karbor.services.protection import checkpoint as checkpoints
from karbor.services.protection import graph
from karbor.services.protection import manager as protection_manager
from karbor.services.protection.protectable_plugin import Resource
from karbor.tests.unit.protection import fakes

PROVIDER_ID = 'b766f37c-d011-4026-8228-28730d734a3f'
VOLUME = {'id': 'v1', 'type': fakes.VOLUME, 'name': 'Volume1'}


def make_plan(project_id='project-a', resources=(VOLUME,)):
    return plan_objects.Plan(
        id=uuidutils.generate_uuid(), name='Plan', description=None,
        provider_id=PROVIDER_ID, project_id=project_id, status='suspended',
        resources=list(resources), parameters={})


@pytest.fixture
def clock():
    timeutils.set_time_override(datetime.datetime(2026, 11, 1, 8, 0, 0))
    yield timeutils
    timeutils.clear_time_override()


def _worker(directory):
    """The bank as one karbor-protection worker holds it."""
    plugin = fakes.fs_bank_plugin(directory)
    plugin.acquire_lease()
    return bank_plugin.Bank(plugin)


@pytest.fixture
def bank(config, tmp_path):
    bank = _worker(str(tmp_path))
    yield bank
    bank.plugin.release_lease()


@pytest.fixture
def collection(bank):
    return checkpoints.CheckpointCollection(bank, PROVIDER_ID)


def test_a_new_checkpoint_is_recorded_indexed_and_marked_unfinished(
        collection, bank, clock):
    plan = make_plan()
    checkpoint = collection.create(plan, extra_info={'note': 'nightly'})
    name = '2026-11-01T08:00:00.000000Z@%s' % checkpoint.id
    assert bank.list_objects() == sorted([
        '/checkpoints/%s/index.json' % checkpoint.id,
        '/indices/by-date/%s/%s' % (PROVIDER_ID, name),
        '/indices/by-plan/%s/%s' % (plan.id, name),
        '/indices/by-project/%s/project-a/%s' % (PROVIDER_ID, name),
        '/indices/unfinished_checkpoints/%s' % checkpoint.id])
    assert collection.get(checkpoint.id).to_dict() == {
        'id': checkpoint.id, 'project_id': 'project-a',
        'provider_id': PROVIDER_ID, 'status': 'protecting',
        'protection_plan': {'id': plan.id, 'name': 'Plan',
                            'provider_id': PROVIDER_ID,
                            'resources': [VOLUME]},
        'resource_graph': None, 'extra_info': {'note': 'nightly'},
        'created_at': '2026-11-01T08:00:00.000000Z',
        'resources_status': {}, 'resources_reason': {}}


def _create_many(collection, clock, count, plan=None, project_id='project-a',
                 step=datetime.timedelta(minutes=1)):
    plan = plan or make_plan(project_id)
    created = []
    for _index in range(count):
        created.append(collection.create(plan).id)
        clock.advance_time_delta(step)
    return created


def test_a_page_of_checkpoints_reads_only_that_page(collection, bank,
                                                    clock):
    created = _create_many(collection, clock, 200)
    newest_first = list(reversed(created))
    with mock.patch.object(bank.plugin, 'get_object',
                           wraps=bank.plugin.get_object) as get_object:
        page = collection.list(project_id='project-a', limit=5)
        assert [c.id for c in page] == newest_first[:5]
        assert get_object.call_count == 5

        get_object.reset_mock()
        page = collection.list(project_id='project-a', limit=5,
                               marker=page[-1].id)
        assert [c.id for c in page] == newest_first[5:10]
        assert get_object.call_count == 6  # the marker, then the page

        get_object.reset_mock()
        page = collection.list(limit=5, sort_dir='asc', marker=created[99])
        assert [c.id for c in page] == created[100:105]
        assert get_object.call_count == 6


def test_a_remote_banks_page_is_read_as_many_records_at_a_time_as_it_says(
        collection, bank, clock, monkeypatch):
    created = _create_many(collection, clock, 12)
    monkeypatch.setattr(bank.plugin, 'concurrent_reads', 4, raising=False)
    read = bank.plugin.get_object_and_etag
    # Each read waits until four are under way: they cannot be one by one.
    four_at_once = threading.Barrier(4, timeout=10)
    lock = threading.Lock()
    under_way, most, request_ids = [0], [0], set()

    def slow_read(key, context=None):
        with lock:
            under_way[0] += 1
            most[0] = max(most[0], under_way[0])
        request_ids.add(oslo_context.get_current().request_id)
        four_at_once.wait()
        try:
            return read(key)
        finally:
            with lock:
                under_way[0] -= 1

    monkeypatch.setattr(bank.plugin, 'get_object_and_etag', slow_read)
    listing = context.RequestContext(user_id='u', project_id='project-a')
    listing.update_store()
    page = collection.list(project_id='project-a', limit=12)
    assert [checkpoint.id for checkpoint in page] == created[::-1]
    assert most[0] == 4
    # The reads in other threads serve the request that listed.
    assert request_ids == {listing.request_id}


def test_a_local_banks_page_is_read_one_record_at_a_time(collection, bank,
                                                         clock):
    created = _create_many(collection, clock, 3)
    assert bank.concurrent_reads == 1
    threads = set()
    read = bank.plugin.get_object_and_etag

    def read_here(key, context=None):
        threads.add(threading.get_ident())
        return read(key)

    with mock.patch.object(bank.plugin, 'get_object_and_etag', read_here):
        page = collection.list(project_id='project-a')
    assert [checkpoint.id for checkpoint in page] == created[::-1]
    assert threads == {threading.get_ident()}


def test_dates_bound_the_listing_inclusively(collection, clock):
    # One checkpoint a day, November 1st to 10th.
    created = _create_many(collection, clock, 10,
                           step=datetime.timedelta(days=1))
    listed = collection.list(project_id='project-a',
                             start_date=datetime.date(2026, 11, 3),
                             end_date=datetime.date(2026, 11, 5))
    assert [c.id for c in listed] == [created[4], created[3], created[2]]
    listed = collection.list(start_date=datetime.date(2026, 11, 9),
                             sort_dir='asc')
    assert [c.id for c in listed] == created[8:]
    listed = collection.list(end_date=datetime.date(2026, 11, 2), limit=1,
                             marker=created[1])
    assert [c.id for c in listed] == [created[0]]


def test_the_listing_filters_by_plan_and_by_project(collection, clock):
    plan_a = make_plan('project-a')
    plan_b = make_plan('project-b')
    of_a = _create_many(collection, clock, 3, plan=plan_a)
    of_b = _create_many(collection, clock, 2, plan=plan_b)
    assert [c.id for c in collection.list(plan_id=plan_b.id)] == (
        of_b[::-1])
    assert [c.id for c in collection.list(project_id='project-a')] == (
        of_a[::-1])
    assert collection.list(project_id='project-a', plan_id=plan_b.id) == []
    assert [c.id for c in collection.list()] == (of_a + of_b)[::-1]


def test_another_projects_checkpoint_is_not_found(collection, clock):
    checkpoint = collection.create(make_plan('project-b'))
    with pytest.raises(exception.CheckpointNotFound):
        collection.get(checkpoint.id, project_id='project-a')
    with pytest.raises(exception.CheckpointNotFound):
        collection.list(project_id='project-a', marker=checkpoint.id)
    assert collection.get(checkpoint.id).project_id == 'project-b'


@pytest.mark.parametrize('checkpoint_id', [
    uuidutils.generate_uuid(), 'not-a-uuid', '../../etc'])
def test_unknown_checkpoints_are_not_found(collection, checkpoint_id):
    with pytest.raises(exception.CheckpointNotFound):
        collection.get(checkpoint_id)


def test_another_providers_checkpoint_is_not_found(collection, bank):
    checkpoint = collection.create(make_plan())
    other = checkpoints.CheckpointCollection(bank, uuidutils.generate_uuid())
    with pytest.raises(exception.CheckpointNotFound):
        other.get(checkpoint.id)


def _graph_of_server_and_volume():
    volume = graph.GraphNode(Resource(fakes.VOLUME, 'v1', 'Volume1'), ())
    return [graph.GraphNode(Resource(fakes.SERVER, 's1', 'Server1'),
                            (volume,))]


def test_a_failed_protect_leaves_no_resource_protecting(collection, bank):
    checkpoint = collection.create(make_plan())
    checkpoint.start_protecting(_graph_of_server_and_volume())
    checkpoint.update_resource_status(fakes.VOLUME, 'v1', 'error',
                                      reason='quota exceeded')
    checkpoint.fail('OS::Cinder::Volume v1: quota exceeded')
    stored = collection.get(checkpoint.id).to_dict()
    assert stored['status'] == 'error'
    assert stored['resources_status'] == {
        fakes.VOLUME + '#v1': 'error', fakes.SERVER + '#s1': 'error'}
    assert stored['resources_reason'] == {
        fakes.VOLUME + '#v1': 'quota exceeded',
        fakes.SERVER + '#s1':
            'not finished: OS::Cinder::Volume v1: quota exceeded'}
    assert bank.list_objects(prefix='/indices/unfinished_checkpoints/') == []


def test_a_deleted_checkpoint_keeps_only_its_record(collection, bank):
    checkpoint = collection.create(make_plan())
    checkpoint.start_protecting(_graph_of_server_and_volume())
    checkpoint.get_resource_bank_section(
        fakes.VOLUME + '#v1').update_object('data', b'bytes')
    checkpoint.finish_protecting()
    checkpoint.start_deleting()
    checkpoint.finish_deleting()
    assert bank.list_objects() == [
        '/checkpoints/%s/index.json' % checkpoint.id]
    assert collection.get(checkpoint.id).status == 'deleted'
    assert collection.list() == []


def test_the_sweep_fails_checkpoints_whose_worker_stopped(config, tmp_path,
                                                          collection, bank):
    stopped = _worker(str(tmp_path))
    of_stopped = checkpoints.CheckpointCollection(stopped, PROVIDER_ID)
    protecting = of_stopped.create(make_plan())
    deleting = of_stopped.create(make_plan())
    deleting.finish_protecting()
    deleting.start_deleting()
    alive = _worker(str(tmp_path))
    of_alive = checkpoints.CheckpointCollection(alive, PROVIDER_ID)
    running_elsewhere = of_alive.create(make_plan())
    running_here = collection.create(make_plan())
    stopped.plugin.release_lease()  # its process is gone
    try:
        collection.sweep_zombies()
    finally:
        alive.plugin.release_lease()

    swept = collection.get(protecting.id).to_dict()
    assert swept['status'] == 'error'
    assert swept['resources_reason'] == {
        fakes.VOLUME + '#v1':
            'not finished: the karbor-protection that ran it stopped'}
    assert collection.get(deleting.id).status == 'error-deleting'
    assert collection.get(running_elsewhere.id).status == 'protecting'
    assert collection.get(running_here.id).status == 'protecting'
    assert bank.list_objects(prefix='/indices/unfinished_checkpoints/') == [
        '/indices/unfinished_checkpoints/%s' % checkpoint.id
        for checkpoint in sorted([running_elsewhere, running_here],
                                 key=lambda c: c.id)]


def test_a_lease_short_of_validity_is_renewed_before_writing(
        collection, bank, clock):
    checkpoint = collection.create(make_plan())
    owner = bank.get_owner_id()
    # 201 s after the lease was taken (its background renewal failed), 99 s
    # of the 300 are left: less than the 100 s of validity an update needs.
    with mock.patch('time.time', return_value=time.time() + 201), \
            mock.patch.object(bank_plugin, '_clock',
                              return_value=bank_plugin._clock() + 201):
        assert not bank.check_lease_validity()
        checkpoint.update_resource_status(fakes.VOLUME, 'v1', 'protecting')
        assert bank.check_lease_validity()
        assert bank.check_lease_existence(owner)


def test_a_worker_that_cannot_keep_its_lease_writes_nothing(config,
                                                            tmp_path):
    bank = bank_plugin.Bank(fakes.fs_bank_plugin(str(tmp_path)))
    collection = checkpoints.CheckpointCollection(bank, PROVIDER_ID)
    with mock.patch.object(bank.plugin, 'renew_lease'):
        with pytest.raises(exception.LeaseLost):
            collection.create(make_plan())
    assert bank.list_objects() == []


# Bank outages during status writes

class _Outage(object):
    """Makes ``plugin`` refuse writes, as a bank that went away does: from
    the first write that ``starts(key, value)`` says begins it, ``writes``
    of them (None: every one from then on)."""

    def __init__(self, plugin, writes=None, starts=lambda key, value: True):
        self.refused = 0
        self._writes = writes
        self._starts = starts
        self.started = False
        self._write = plugin.update_object
        self._write_if_match = plugin.update_object_if_match
        plugin.update_object = self._update_object
        plugin.update_object_if_match = self._update_object_if_match

    def _refuse(self, key, value):
        self.started = self.started or self._starts(key, value)
        if self.started and (self._writes is None or
                             self.refused < self._writes):
            self.refused += 1
            raise exception.BankError(reason='the NFS server of the bank '
                                      'does not answer')

    def _update_object(self, key, value, context=None):
        self._refuse(key, value)
        return self._write(key, value, context=context)

    def _update_object_if_match(self, key, value, etag, context=None):
        self._refuse(key, value)
        return self._write_if_match(key, value, etag, context=context)


class _WaitClock(object):
    """The clock of the status writes' waits: each pause moves it on."""

    def __init__(self, monkeypatch):
        self.now = 0.0
        self.pauses = []
        monkeypatch.setattr(checkpoints, '_clock', lambda: self.now)
        monkeypatch.setattr(checkpoints, '_sleep', self._sleep)

    def _sleep(self, seconds):
        self.pauses.append(seconds)
        self.now += seconds


# Every pause of one write that waits the whole patience out.
_PAUSES = [0.5, 1.0, 2.0, 4.0, 8.0] + [10.0] * 10 + [4.5]


def test_a_status_write_waits_out_a_short_bank_outage(collection, bank,
                                                      monkeypatch):
    clock = _WaitClock(monkeypatch)
    checkpoint = collection.create(make_plan())
    outage = _Outage(bank.plugin, writes=3)
    checkpoint.update_resource_status(fakes.VOLUME, 'v1', 'available')
    assert outage.refused == 3
    assert clock.pauses == [0.5, 1.0, 2.0]
    assert collection.get(checkpoint.id).to_dict()['resources_status'] == {
        fakes.VOLUME + '#v1': 'available'}


def test_a_status_write_gives_up_after_its_patience(collection, bank,
                                                    monkeypatch):
    clock = _WaitClock(monkeypatch)
    checkpoint = collection.create(make_plan())
    _Outage(bank.plugin)
    with pytest.raises(exception.BankError, match='does not answer'):
        checkpoint.finish_protecting()
    assert clock.pauses == _PAUSES
    assert clock.now == checkpoints.STATUS_WRITE_PATIENCE
    # What it holds is what the bank holds: still protecting, unfinished.
    assert checkpoint.status == 'protecting'
    assert checkpoint.to_dict() == collection.get(checkpoint.id).to_dict()
    assert bank.list_objects(prefix='/indices/unfinished_checkpoints/') == [
        '/indices/unfinished_checkpoints/%s' % checkpoint.id]


def test_the_writes_of_rpc_calls_are_tried_once(collection, bank,
                                                monkeypatch):
    clock = _WaitClock(monkeypatch)
    checkpoint = collection.create(make_plan())
    checkpoint.finish_protecting()
    outage = _Outage(bank.plugin)
    with pytest.raises(exception.BankError):
        checkpoint.reset_state('error')
    with pytest.raises(exception.BankError):
        checkpoint.start_deleting()
    with pytest.raises(exception.BankError):
        collection.create(make_plan())
    assert outage.refused == 3
    assert clock.pauses == []
    assert checkpoint.status == 'available'


def test_the_sweep_does_not_wait_out_an_outage(config, tmp_path, collection,
                                               bank, monkeypatch):
    clock = _WaitClock(monkeypatch)
    stopped = _worker(str(tmp_path))
    zombie = checkpoints.CheckpointCollection(stopped, PROVIDER_ID).create(
        make_plan())
    stopped.plugin.release_lease()
    outage = _Outage(bank.plugin)
    with pytest.raises(exception.BankError):
        collection.sweep_zombies()   # it tries again at its next round
    assert outage.refused == 1
    assert clock.pauses == []
    assert collection.get(zombie.id).status == 'protecting'


# The same, end to end: protection services on one file-system bank.

DATA_ID = '0ab1e4a1-5f3d-4b4e-9a6f-7b7f8a1b2c3d'
USER = context.RequestContext(user_id='user', project_id='project-a',
                              is_admin=False)


@pytest.fixture
def data_provider(config):
    with open(os.path.join(config.conf.provider_config_dir, 'data.conf'),
              'w') as stream:
        stream.write('[provider]\nname = Data Provider\nid = %s\n'
                     'plugin = karbor-test-protection-plugin\n'
                     'bank = karbor-fs-bank-plugin\nenabled = True\n'
                     % DATA_ID)


def _started_worker():
    worker = protection_manager.ProtectionManager()
    worker.start()
    return worker


def _ends_the_protect(key, value):
    return (key.endswith('/index.json') and isinstance(value, dict) and
            value['status'] != 'protecting')


def _protect_during_an_outage(monkeypatch, writes):
    """Protect a plan on a worker whose bank goes away as the checkpoint
    is about to end, for ``writes`` writes (None: for good); the worker
    stops when the protect ended. The checkpoint, as another worker that
    starts then shows it."""
    clock = _WaitClock(monkeypatch)
    worker = _started_worker()
    try:
        plugin = worker._providers.show_provider(DATA_ID).bank.plugin
        outage = _Outage(plugin, writes, starts=_ends_the_protect)
        plan = plan_objects.Plan(
            id=uuidutils.generate_uuid(), name='Plan', description=None,
            provider_id=DATA_ID, project_id=USER.project_id,
            status='suspended', resources=[VOLUME], parameters={})
        checkpoint_id = worker.protect(USER, plan, {})['id']
        _wait_until(lambda: outage.started and not worker._runner.running)
        while_alive = worker.show_checkpoint(USER, DATA_ID, checkpoint_id)
        # Its owner's own sweep leaves it alone: its lease is alive.
        worker._sweep()
        assert worker.show_checkpoint(
            USER, DATA_ID, checkpoint_id)['status'] == while_alive['status']
    finally:
        worker.stop()
    # Which resumes what its host left unfinished, as it starts.
    successor = _started_worker()
    try:
        _wait_until(lambda: successor.show_checkpoint(
            USER, DATA_ID, checkpoint_id)['status'] != 'protecting')
        shown = successor.show_checkpoint(USER, DATA_ID, checkpoint_id)
    finally:
        successor.stop()
    return while_alive, shown, outage, clock


def _wait_until(condition):
    deadline = time.monotonic() + 30
    while not condition():
        assert time.monotonic() < deadline, 'waited for too long'
        time.sleep(0.01)


def test_a_protect_ends_available_through_a_short_bank_outage(
        data_provider, database, monkeypatch):
    while_alive, shown, outage, clock = _protect_during_an_outage(
        monkeypatch, writes=4)
    assert outage.refused == 4
    assert clock.pauses == [0.5, 1.0, 2.0, 4.0]
    assert while_alive['status'] == 'available'
    assert shown['status'] == 'available'
    assert shown['resources_status'] == {fakes.VOLUME + '#v1': 'available'}


def test_a_protect_whose_end_cannot_be_written_is_ended_by_the_next_worker(
        data_provider, database, monkeypatch):
    while_alive, shown, outage, clock = _protect_during_an_outage(
        monkeypatch, writes=None)
    # The end ("available"), then the failure, each waited out in full.
    assert clock.pauses == _PAUSES + _PAUSES
    assert clock.now == 2 * checkpoints.STATUS_WRITE_PATIENCE
    assert while_alive['status'] == 'protecting'
    # Its operation stays recorded: the next worker resumes it where it
    # stopped, and only its end was left to do.
    assert shown['status'] == 'available'
    assert shown['resources_status'] == {fakes.VOLUME + '#v1': 'available'}


@pytest.mark.parametrize('size', [10, 3000])
def test_a_resources_status_costs_one_small_write_whatever_the_plans_size(
        collection, bank, size):
    resources = [{'id': 'volume-%04d' % index, 'type': fakes.VOLUME,
                  'name': None} for index in range(size)]
    checkpoint = collection.create(make_plan(resources=resources))
    checkpoint.start_protecting(graph.build_graph(
        [Resource(type=r['type'], id=r['id'], name=r['name'])
         for r in resources], lambda resource: []))
    writes = []
    for name in ('update_object', 'update_object_if_match'):
        write = getattr(bank.plugin, name)

        def recorded(key, value, *args, write=write, **kwargs):
            writes.append((key, len(b''.join(
                bank_plugin.iter_chunks(value)))))
            return write(key, value, *args, **kwargs)
        setattr(bank.plugin, name, recorded)

    checkpoint.update_resource_status(fakes.VOLUME, 'volume-0007',
                                      'available')
    checkpoint.update_resource_status(fakes.VOLUME, 'volume-0008', 'error',
                                      reason='no space left')

    # One object each, of the resource alone; the record is not written.
    assert [key.rsplit('/', 1)[1] for key, _size in writes] == [
        '%s#volume-0007@available' % fakes.VOLUME,
        '%s#volume-0008@error' % fakes.VOLUME]
    assert all(written < 100 for _key, written in writes), writes
    shown = collection.get(checkpoint.id).to_dict()
    assert shown['resources_status']['%s#volume-0008' % fakes.VOLUME] == (
        'error')
    assert shown['resources_reason'] == {
        '%s#volume-0008' % fakes.VOLUME: 'no space left'}
