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

Two karbor-protection processes and karbor-api on MariaDB and RabbitMQ,
with a provider whose plugin (slow_plugin.py) spends a second in each
resource's main hook and logs it.
"""

import collections
import concurrent.futures
import os
import signal
import time

import pytest
import requests

from karbor.tests.functional import fixtures

SLOW_PROVIDER = '9d4b6f1e-3a52-4c7e-8e0b-5f1d2c3b4a69'
RESOURCES = 16
TAKEOVER_TIMEOUT = 6
HEADERS = {'X-Auth-Token': 'demo:demo', 'Content-Type': 'application/json'}


def _publish_plugin(directory):
    """The slow plugin's entry point, for processes that get ``directory``
    on their PYTHONPATH."""
    dist_info = directory / 'karbor_slow_plugin-0.0.0.dist-info'
    dist_info.mkdir()
    (dist_info / 'METADATA').write_text(
        'Metadata-Version: 2.1\nName: karbor-slow-plugin\nVersion: 0.0.0\n')
    (dist_info / 'entry_points.txt').write_text(
        '[karbor.protections]\nkarbor-slow-protection-plugin = '
        'karbor.tests.functional.slow_plugin:SlowProtectionPlugin\n')


@pytest.fixture(scope='module')
def cloud(tmp_path_factory, database):
    state = tmp_path_factory.mktemp('worker-death')
    _publish_plugin(state)
    providers = state / 'providers.d'
    providers.mkdir()
    (providers / 'slow.conf').write_text(
        '[provider]\nname = Slow\nid = %s\n'
        'plugin = karbor-slow-protection-plugin\n'
        'bank = karbor-fs-bank-plugin\nenabled = True\n\n'
        '[file_system_bank_plugin]\nfile_system_bank_path = %s\n'
        % (SLOW_PROVIDER, state / 'bank'))
    options, url = fixtures.separate_processes_options(state, database)
    options['DEFAULT'].update({
        'provider_config_dir': str(providers),
        'operation_takeover_timeout': TAKEOVER_TIMEOUT,
        'operation_heartbeat_interval': 1,
        'operation_poll_interval': 0.2,
        'max_concurrent_operations_per_project': 0,
        # Two resources at a time: a protect of 16 takes 8 s.
        'flow_workers': 2,
    })
    host = options['DEFAULT']['host']
    env = {'PYTHONPATH': os.pathsep.join(
        [str(state)] + os.environ.get('PYTHONPATH', '').split(os.pathsep)),
        'KARBOR_SLOW_PLUGIN_LOG': str(state / 'hooks.log'),
        'KARBOR_SLOW_PLUGIN_SECONDS': '1'}
    configs = {}
    for name in ('a', 'b'):
        options['DEFAULT']['host'] = '%s-%s' % (host, name)
        configs[name] = (options['DEFAULT']['host'], fixtures.write_config(
            str(state / ('karbor-%s.conf' % name)), options))
    fixtures.db_sync(configs['a'][1])
    deployment = Deployment(url, state, env, configs, database)
    try:
        for name in ('a', 'b'):
            deployment.start_worker(name)
        deployment.api = fixtures.Process(
            'karbor-api', ['--config-file', configs['a'][1]], str(state),
            env=env)
        fixtures.wait_for_api(url + '/', deployment.api)
        yield deployment
    finally:
        deployment.stop()


class Deployment(object):

    def __init__(self, url, state, env, configs, database):
        self.url = url + '/v1/demo'
        self.hooks_log = state / 'hooks.log'
        self._state = state
        self._env = env
        self._configs = configs
        self._database = database
        self.workers = {}
        self.api = None

    def start_worker(self, name):
        host, config = self._configs[name]
        logs = self._state / ('worker-%s' % name)
        logs.mkdir(exist_ok=True)
        process = fixtures.Process(
            'karbor-protection', ['--config-file', config], str(logs),
            env=self._env)
        fixtures.wait_for_service(self._database, host, process)
        self.workers[name] = process

    def stop(self):
        for process in list(self.workers.values()) + [self.api]:
            if process is not None:
                process.stop()

    def call(self, method, path, body=None):
        return requests.request(method, self.url + path, json=body,
                                headers=HEADERS, timeout=60)

    def plan(self, count=RESOURCES):
        response = self.call('POST', '/plans', {'plan': {
            'name': 'slow', 'provider_id': SLOW_PROVIDER, 'parameters': {},
            'resources': [{'id': 'vol-%02d' % index,
                           'type': 'OS::Cinder::Volume',
                           'name': 'vol-%02d' % index}
                          for index in range(count)]}})
        assert response.status_code == 200, response.text
        return response.json()['plan']

    def checkpoint_path(self, checkpoint_id=''):
        return '/providers/%s/checkpoints/%s' % (SLOW_PROVIDER,
                                                 checkpoint_id)

    def protect(self, plan):
        response = self.call('POST', self.checkpoint_path().rstrip('/'),
                             {'checkpoint': {'plan_id': plan['id']}})
        assert response.status_code == 200, response.text
        return response.json()['checkpoint']['id']

    def checkpoint(self, checkpoint_id):
        return self.call('GET', self.checkpoint_path(checkpoint_id)).json()[
            'checkpoint']

    def restore(self, checkpoint_id):
        return self.call('POST', '/restores', {'restore': {
            'provider_id': SLOW_PROVIDER, 'checkpoint_id': checkpoint_id,
            'parameters': {}}})

    def wait(self, fetch, done, timeout=120):
        deadline = time.monotonic() + timeout
        while True:
            value = fetch()
            if done(value):
                return value
            assert time.monotonic() < deadline, value
            time.sleep(0.2)

    def runs(self, operation, subject_id):
        """[(pid, event, resource id)] of one operation, in order."""
        if not self.hooks_log.exists():
            return []
        runs = []
        for line in self.hooks_log.read_text().splitlines():
            pid, event, kind, subject, resource = line.split()
            if kind == operation and subject == subject_id:
                runs.append((int(pid), event, resource))
        return runs

    def kill_the_worker_running(self, operation, subject_id, ended):
        """Once ``ended`` resources are done, SIGKILL the worker that runs
        ``operation``; return its name and the finished resources."""
        runs = self.wait(lambda: self.runs(operation, subject_id),
                         lambda runs: sum(event == 'end' for _p, event, _r
                                          in runs) >= ended)
        pid = runs[-1][0]
        name = next(name for name, process in self.workers.items()
                    if process.popen.pid == pid)
        os.kill(pid, signal.SIGKILL)
        self.workers[name].popen.wait()
        finished = {resource for run_pid, event, resource
                    in self.runs(operation, subject_id)
                    if run_pid == pid and event == 'end'}
        return name, pid, finished


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


def test_a_protecting_checkpoint_is_neither_reset_nor_deleted(cloud):
    checkpoint_id = cloud.protect(cloud.plan(count=4))
    reset = cloud.call('PUT', cloud.checkpoint_path(checkpoint_id),
                       {'os-resetState': {'state': 'available'}})
    assert reset.status_code == 409, reset.text
    assert 'it is protecting' in reset.json()['conflictingRequest'][
        'message']
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
    restore = cloud.wait(
        lambda: cloud.call('GET', '/restores/' + restore_id).json()[
            'restore'],
        lambda restore: restore['status'] != 'in_progress')
    assert restore['status'] == 'success'
    assert cloud.call('DELETE', cloud.checkpoint_path(
        checkpoint_id)).status_code == 200
