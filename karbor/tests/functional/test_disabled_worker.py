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

"""An operator disables one of two karbor-protection workers (os-services):
every new checkpoint is protected by the other; what the disabled one was
running goes on to its end; with both disabled a checkpoint is refused;
once enabled again, the worker protects again.

The deployment is workers.py's: two karbor-protection processes and
karbor-api on MariaDB and RabbitMQ; the slow plugin's log says which
worker (by its pid) ran each resource.
"""

import time

import pytest
import requests

from karbor.tests.functional import workers

ADMIN = {'X-Auth-Token': 'admin:demo'}
# Longer than a worker's poll interval (workers.py): a round of claims
# that read the service's row before a change has ended.
SETTLE = 1


@pytest.fixture(scope='module')
def cloud(tmp_path_factory, database):
    with workers.deployment(tmp_path_factory.mktemp('disabled-worker'),
                            database) as deployment:
        yield deployment


def _services(cloud):
    response = requests.get(cloud.url + '/os-services', headers=ADMIN,
                            params={'binary': 'karbor-protection'},
                            timeout=60)
    assert response.status_code == 200, response.text
    return response.json()['services']


def _service_of(cloud, name):
    host = cloud.worker_host(name)
    return next(s for s in _services(cloud) if s['host'] == host)


def _set_status(cloud, name, status, reason=None):
    body = {'status': status}
    if reason is not None:
        body['disabled_reason'] = reason
    response = requests.put(
        cloud.url + '/os-services/%s' % _service_of(cloud, name)['id'],
        json=body, headers=ADMIN, timeout=60)
    assert response.status_code == 200, response.text
    time.sleep(SETTLE)
    return response.json()['service']


def _protected_by(cloud, checkpoint_ids):
    """The pids of the workers that ran the checkpoints' resources, once
    they are all available."""
    for checkpoint_id in checkpoint_ids:
        shown = cloud.wait(lambda: cloud.checkpoint(checkpoint_id),
                           lambda shown: shown['status'] != 'protecting')
        assert shown['status'] == 'available', shown
    return {pid for checkpoint_id in checkpoint_ids
            for pid, _event, _resource in cloud.runs('protect',
                                                     checkpoint_id)}


@pytest.fixture
def both_enabled(cloud):
    yield
    for name in ('a', 'b'):
        _set_status(cloud, name, 'enabled')


def test_every_new_checkpoint_goes_to_the_worker_left_enabled(cloud,
                                                              both_enabled):
    shown = _set_status(cloud, 'a', 'disabled', 'moving to a new rack')
    assert (shown['status'], shown['state'], shown['disabled_reason']) == (
        'disabled', 'up', 'moving to a new rack')
    # The API's calls reach both workers (RabbitMQ hands them out in
    # turn): those that reach the disabled one are run by the other too.
    plan = cloud.plan(count=2)
    checkpoints = [cloud.protect(plan) for _ in range(6)]
    assert _protected_by(cloud, checkpoints) == {cloud.worker_pid('b')}

    _set_status(cloud, 'a', 'enabled')
    _set_status(cloud, 'b', 'disabled')
    checkpoints = [cloud.protect(plan) for _ in range(4)]
    assert _protected_by(cloud, checkpoints) == {cloud.worker_pid('a')}


def test_a_disabled_worker_finishes_what_it_runs(cloud, both_enabled):
    checkpoint_id = cloud.protect(cloud.plan())
    runs = cloud.wait(lambda: cloud.runs('protect', checkpoint_id),
                      lambda runs: runs)
    pid = runs[0][0]
    name = next(name for name in ('a', 'b')
                if cloud.worker_pid(name) == pid)
    _set_status(cloud, name, 'disabled')
    assert _protected_by(cloud, [checkpoint_id]) == {pid}
    ends = [resource for _pid, event, resource in
            cloud.runs('protect', checkpoint_id) if event == 'end']
    assert len(ends) == workers.RESOURCES


def test_no_checkpoint_is_accepted_while_both_workers_are_disabled(
        cloud, both_enabled):
    plan = cloud.plan(count=2)
    _set_status(cloud, 'a', 'disabled')
    _set_status(cloud, 'b', 'disabled', 'upgrade')
    response = cloud.call('POST', cloud.checkpoint_path().rstrip('/'),
                          {'checkpoint': {'plan_id': plan['id']}})
    assert response.status_code == 503, response.text
    message = response.json()['serviceUnavailable']['message']
    assert message.startswith('No karbor-protection service is enabled')

    _set_status(cloud, 'b', 'enabled')
    assert _protected_by(cloud, [cloud.protect(plan)]) == {
        cloud.worker_pid('b')}
