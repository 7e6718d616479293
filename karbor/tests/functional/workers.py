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

"""Two karbor-protection workers and karbor-api on MariaDB and RabbitMQ,
with a provider whose plugin (slow_plugin.py) takes its time: what the
worker-death tests and tools/bench/recovery.py kill workers in.
"""

import contextlib
import os
import signal
import time

import requests

from karbor.tests.functional import fixtures

SLOW_PROVIDER = '9d4b6f1e-3a52-4c7e-8e0b-5f1d2c3b4a69'
RESOURCES = 16
# 1.2: checkpoints show each resource's status and the restores reading
# them.
HEADERS = {'X-Auth-Token': 'demo:demo', 'Content-Type': 'application/json',
           'OpenStack-API-Version': 'data-protect 1.2'}


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


@contextlib.contextmanager
def deployment(state, database, seconds=1, takeover_timeout=6):
    """The deployment in directory ``state`` (a pathlib.Path), on MariaDB
    ``database``; each resource's main hook takes ``seconds``."""
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
        'operation_takeover_timeout': takeover_timeout,
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
        'KARBOR_SLOW_PLUGIN_SECONDS': str(seconds)}
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

    def worker_host(self, name):
        return self._configs[name][0]

    def worker_pid(self, name):
        return self.workers[name].popen.pid

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
