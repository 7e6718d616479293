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

"""A karbor-protection killed in the middle of its work: the other one
takes the operation over and finishes it, without doing again what was
done; and the rules that keep two operations off one checkpoint.

The deployment is workers.py's: two karbor-protection processes and
karbor-api on MariaDB and RabbitMQ, with a provider whose plugin
(slow_plugin.py) spends a second in each resource's main hook and logs
it.
"""

import collections
import concurrent.futures
import time

import pytest

from karbor.tests.functional import workers

RESOURCES = workers.RESOURCES
TAKEOVER_TIMEOUT = 6


@pytest.fixture(scope='module')
def cloud(tmp_path_factory, database):
    with workers.deployment(tmp_path_factory.mktemp('worker-death'),
                            database,
                            takeover_timeout=TAKEOVER_TIMEOUT) as deployment:
        yield deployment


def _check_taken_over(cloud, operation, subject_id, killed_pid, finished):
    runs = cloud.runs(operation, subject_id)
    ends = collections.Counter(resource for _pid, event, resource in runs
                               if event == 'end')
    # Every resource finished; those the killed worker had finished were
    # not done again, but for the ones whose end it had not yet recorded
    # (at most the two it ran at once).
    assert sorted(ends) == ['vol-%02d' % index for index in range(RESOURCES)]
    again = {resource for resource, count in ends.items() if count > 1}
    assert again <= finished and len(again) <= 2, again
    survivors = {pid for pid, _event, _resource in runs} - {killed_pid}
    assert len(survivors) == 1


def test_a_protect_whose_worker_is_killed_is_finished_by_the_other(cloud):
    checkpoint_id = cloud.protect(cloud.plan())
    name, pid, finished = cloud.kill_the_worker_running(
        'protect', checkpoint_id, ended=RESOURCES // 2)
    killed_at = time.monotonic()
    shown = cloud.wait(lambda: cloud.checkpoint(checkpoint_id),
                       lambda shown: shown['status'] != 'protecting')
    took = time.monotonic() - killed_at
    assert shown['status'] == 'available', shown
    assert set(shown['resources_status'].values()) == {'available'}
    _check_taken_over(cloud, 'protect', checkpoint_id, pid, finished)
    # The takeover waits for the claim to lapse, then the rest takes
    # about 8 resources / 2 at a time x 1 s.
    assert took < TAKEOVER_TIMEOUT + 30, took
    cloud.start_worker(name)


def test_a_restore_whose_worker_is_killed_is_finished_by_the_other(cloud):
    checkpoint_id = cloud.protect(cloud.plan())
    cloud.wait(lambda: cloud.checkpoint(checkpoint_id),
               lambda shown: shown['status'] == 'available')
    response = cloud.restore(checkpoint_id)
    assert response.status_code == 200, response.text
    restore_id = response.json()['restore']['id']
    name, pid, finished = cloud.kill_the_worker_running(
        'restore', restore_id, ended=RESOURCES // 2)
    restore = cloud.wait(
        lambda: cloud.call('GET', '/restores/' + restore_id).json()[
            'restore'],
        lambda restore: restore['status'] != 'in_progress')
    assert restore['status'] == 'success', restore
    _check_taken_over(cloud, 'restore', restore_id, pid, finished)
    cloud.start_worker(name)


def test_a_delete_whose_worker_is_killed_is_finished_by_the_other(cloud):
    checkpoint_id = cloud.protect(cloud.plan())
    cloud.wait(lambda: cloud.checkpoint(checkpoint_id),
               lambda shown: shown['status'] == 'available')
    response = cloud.call('DELETE', cloud.checkpoint_path(checkpoint_id))
    assert response.status_code == 200, response.text
    name, pid, finished = cloud.kill_the_worker_running(
        'delete', checkpoint_id, ended=RESOURCES // 2)
    shown = cloud.wait(lambda: cloud.checkpoint(checkpoint_id),
                       lambda shown: shown['status'] != 'deleting')
    assert shown['status'] == 'deleted', shown
    _check_taken_over(cloud, 'delete', checkpoint_id, pid, finished)
    cloud.start_worker(name)


# The rules of one checkpoint

def test_of_four_simultaneous_deletes_one_is_accepted(cloud):
    checkpoint_id = cloud.protect(cloud.plan(count=2))
    cloud.wait(lambda: cloud.checkpoint(checkpoint_id),
               lambda shown: shown['status'] == 'available')
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(
            lambda _: cloud.call('DELETE',
                                 cloud.checkpoint_path(checkpoint_id)),
            range(4)))
    codes = sorted(answer.status_code for answer in answers)
    assert codes == [200, 409, 409, 409], [a.text for a in answers]
    assert all('Checkpoint %s' % checkpoint_id in answer.text
               for answer in answers if answer.status_code == 409)
    cloud.wait(lambda: cloud.checkpoint(checkpoint_id),
               lambda shown: shown['status'] == 'deleted')


def test_a_protecting_checkpoint_is_neither_reset_deleted_nor_restored(
        cloud):
    checkpoint_id = cloud.protect(cloud.plan(count=4))
    restore = cloud.restore(checkpoint_id)
    assert restore.status_code == 409, restore.text
    assert 'is protecting; it must be available' in restore.text
    reset = cloud.call('PUT', cloud.checkpoint_path(checkpoint_id),
                       {'os-resetState': {'state': 'available'}})
    assert reset.status_code == 409, reset.text
    message = reset.json()['conflictingRequest']['message']
    assert 'it is protecting' in message
    # The worker's traceback stays in the worker's log.
    assert 'Traceback' not in message and 'manager.py' not in message
    delete = cloud.call('DELETE', cloud.checkpoint_path(checkpoint_id))
    assert delete.status_code == 409, delete.text
    assert cloud.wait(lambda: cloud.checkpoint(checkpoint_id),
                      lambda shown: shown['status'] != 'protecting')[
        'status'] == 'available'


def test_a_checkpoint_being_restored_is_not_deleted_under_the_restore(cloud):
    checkpoint_id = cloud.protect(cloud.plan(count=4))
    cloud.wait(lambda: cloud.checkpoint(checkpoint_id),
               lambda shown: shown['status'] == 'available')
    restore_id = cloud.restore(checkpoint_id).json()['restore']['id']
    delete = cloud.call('DELETE', cloud.checkpoint_path(checkpoint_id))
    assert delete.status_code == 409, delete.text
    assert restore_id in delete.text
    # The checkpoint shows what reads it.
    assert cloud.checkpoint(checkpoint_id)['restores_in_progress'] == [
        restore_id]
    restore = cloud.wait(
        lambda: cloud.call('GET', '/restores/' + restore_id).json()[
            'restore'],
        lambda restore: restore['status'] != 'in_progress')
    assert restore['status'] == 'success'
    assert cloud.checkpoint(checkpoint_id)['restores_in_progress'] == []
    assert cloud.call('DELETE', cloud.checkpoint_path(
        checkpoint_id)).status_code == 200


def test_concurrent_plan_updates_through_the_api_never_mix(cloud):
    plan = cloud.plan(count=2)

    def update(writer):
        return cloud.call('PUT', '/plans/' + plan['id'], {'plan': {
            'name': 'writer-%d' % writer,
            'resources': [{'id': 'vol-%d-%d' % (writer, index),
                           'type': 'OS::Cinder::Volume', 'name': 'v'}
                          for index in range(20)]}})

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(update, range(8)))
    assert [answer.status_code for answer in answers] == [200] * 8
    shown = cloud.call('GET', '/plans/' + plan['id']).json()['plan']
    writer = int(shown['name'].split('-')[1])
    assert sorted(resource['id'] for resource in shown['resources']) == \
        sorted('vol-%d-%d' % (writer, index) for index in range(20))
