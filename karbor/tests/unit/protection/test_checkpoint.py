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
import time
from unittest import mock

from oslo_utils import timeutils
from oslo_utils import uuidutils
import pytest

from karbor import exception
from karbor.objects import plan as plan_objects
from karbor.services.protection import bank_plugin
from karbor.services.protection import checkpoint as checkpoints
from karbor.services.protection import graph
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
