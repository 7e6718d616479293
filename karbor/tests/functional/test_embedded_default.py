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

"""karbor-all as a user starts it, driven through the karbor CLI."""

import os
import signal
import time

import requests

from karbor.tests.functional import fixtures
from karbor.tests.functional import journey


def test_walkthrough_on_the_embedded_default(karbor_all):
    url = karbor_all
    journey.walk(fixtures.Cli(url, 'demo', 'demo'))


def test_another_project_never_sees_or_touches_demo_objects(karbor_all):
    url = karbor_all
    demo = fixtures.Cli(url, 'demo', 'demo')
    alt = fixtures.Cli(url, 'alt', 'alt')
    plan = demo.table('plan-create', 'Mine', fixtures.NOOP_PROVIDER,
                      'demo=OS::Keystone::Project=demo')
    checkpoint = demo.table('checkpoint-create', fixtures.NOOP_PROVIDER,
                            plan['id'])
    demo.wait_for('available', 'checkpoint-show', fixtures.NOOP_PROVIDER,
                  checkpoint['id'])

    for args in (('plan-show', plan['id']),
                 ('plan-update', plan['id'], '--name', 'stolen'),
                 ('checkpoint-show', fixtures.NOOP_PROVIDER,
                  checkpoint['id']),
                 ('checkpoint-delete', fixtures.NOOP_PROVIDER,
                  checkpoint['id']),
                 ('restore-create', fixtures.NOOP_PROVIDER,
                  checkpoint['id'])):
        result = alt.run(*args, check=False)
        assert result.returncode != 0, args
        assert 'could not be found' in result.stderr, (args, result.stderr)

    assert plan['id'] not in alt.run('plan-list').stdout
    assert checkpoint['id'] not in alt.run(
        'checkpoint-list', fixtures.NOOP_PROVIDER).stdout
    # demo's objects are untouched.
    assert demo.table('plan-show', plan['id'])['name'] == 'Mine'
    assert demo.table('checkpoint-show', fixtures.NOOP_PROVIDER,
                      checkpoint['id'])['status'] == 'available'


def test_a_project_can_only_plan_its_own_project(karbor_all):
    url = karbor_all
    alt = fixtures.Cli(url, 'alt', 'alt')
    result = alt.run('plan-create', 'Theirs', fixtures.NOOP_PROVIDER,
                     'demo=OS::Keystone::Project=demo', check=False)
    assert result.returncode == 1
    assert result.stderr.startswith('ERROR: ')
    assert len(result.stderr.strip().splitlines()) == 1


def test_bad_requests_get_4xx_that_name_the_problem(karbor_all):
    url = karbor_all
    base = url + '/v1/demo'
    headers = {'X-Auth-Token': 'demo:demo'}
    cases = [
        ('post', '/plans', {'plan': {'name': 'x'}}, 400, 'provider_id'),
        ('post', '/plans', {}, 400, 'plan'),
        ('post', '/plans', {'plan': {
            'name': 'x', 'provider_id': fixtures.NOOP_PROVIDER,
            'resources': []}}, 400, 'resources'),
        ('post', '/plans', {'plan': {
            'name': 'x', 'provider_id': fixtures.NOOP_PROVIDER,
            'resources': [{'id': 'demo', 'type': 'OS::Nope::Thing'}]}},
         400, 'OS::Nope::Thing'),
        ('get', '/plans/not-a-uuid', None, 400, 'Invalid plan id'),
        ('get', '/plans/5bd8b1a7-6b7e-4b0e-8d3e-1c1b3a0d9a10', None, 404,
         '5bd8b1a7-6b7e-4b0e-8d3e-1c1b3a0d9a10'),
        ('post', '/providers/%s/checkpoints' % fixtures.NOOP_PROVIDER,
         {'checkpoint': {}}, 400, 'plan_id'),
        ('get', '/providers/5bd8b1a7-6b7e-4b0e-8d3e-1c1b3a0d9a10', None,
         404, '5bd8b1a7-6b7e-4b0e-8d3e-1c1b3a0d9a10'),
        ('post', '/restores', {'restore': {
            'provider_id': fixtures.NOOP_PROVIDER,
            'checkpoint_id': '5bd8b1a7-6b7e-4b0e-8d3e-1c1b3a0d9a10'}},
         404, '5bd8b1a7-6b7e-4b0e-8d3e-1c1b3a0d9a10'),
        ('get', '/protectables/OS::Nova::Server/instances', None, 503,
         'compute'),
    ]
    for method, path, body, status, words in cases:
        response = getattr(requests, method)(base + path, json=body,
                                             headers=headers)
        assert response.status_code == status, (path, response.text)
        (fault,) = response.json().values()
        assert fault['code'] == status
        assert words in fault['message'], (path, fault['message'])
    # Nothing half-written: demo has no plan named "x" and no restore.
    plans = requests.get(base + '/plans', headers=headers).json()['plans']
    assert all(p['name'] != 'x' for p in plans)


# A network namespace of its own, with only the loopback interface: a fresh
# machine's 127.0.0.1:8799 is free, whatever listens on this one's (the
# cloud of tools/cloud runs its Karbor there).
OWN_NETWORK = ['unshare', '--net', '--', 'sh', '-c',
               'ip link set lo up && exec "$0" "$@"']


class _CliInNamespace(fixtures.Cli):
    """The karbor CLI in the network namespace of process ``pid``."""

    def __init__(self, pid, *args):
        super().__init__(*args)
        self._pid = pid
        # Until unshare has made its namespace, the process is still in
        # ours, where the CLI would reach whatever listens on this
        # machine's port (karbor-all of a user, the cloud's Karbor).
        ours = os.readlink('/proc/self/ns/net')
        deadline = time.monotonic() + 10
        while os.readlink('/proc/%d/ns/net' % pid) == ours:
            assert time.monotonic() < deadline, 'unshare made no namespace'
            time.sleep(0.01)

    def command(self, args):
        return ['nsenter', '--net=/proc/%d/ns/net' % self._pid] + \
            super().command(args)


def test_karbor_all_with_no_arguments_just_works(tmp_path):
    """No config file: it says where it listens and keeps its state."""
    port = 8799
    env = {'HOME': str(tmp_path), 'XDG_DATA_HOME': str(tmp_path / 'data')}
    process = fixtures.Process('karbor-all', [], str(tmp_path), env=env,
                               wrapper=OWN_NETWORK)
    try:
        cli = _CliInNamespace(process.popen.pid,
                              'http://127.0.0.1:%s' % port, 'demo', 'demo')
        deadline = time.monotonic() + 60
        while cli.run('provider-list', check=False).returncode != 0:
            assert process.popen.poll() is None, process.log()
            assert time.monotonic() < deadline, process.log()
            time.sleep(0.2)
        state = tmp_path / 'data' / 'karbor'
        assert (state / 'karbor.sqlite').exists()
        log = process.log()
        assert 'listens on http://127.0.0.1:%s/v1/<project>' % port in log
        assert str(state) in log
        assert 'No-Op Provider' in cli.run('provider-list').stdout
    finally:
        process.popen.send_signal(signal.SIGINT)
        process.stop()
    assert process.popen.returncode == 0, process.log()
    assert os.path.exists(str(tmp_path / 'data' / 'karbor'))
