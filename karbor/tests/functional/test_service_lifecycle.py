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

"""The life of Karbor's processes on oslo.service, as an operator sees it:
heartbeats in the services table, SIGHUP, SIGTERM with an operation hung
in a call to another service, karbor-all's start and stop.

karbor-protection and karbor-operationengine run on the machine's MariaDB
and RabbitMQ beside one karbor-api; each test starts its own
karbor-protection with a configuration file of its own.
"""

import os
import signal
import socket
import subprocess
import time
import uuid

import pytest
import requests

from karbor.tests.functional import fixtures
from karbor.tests import silent_service

VOLUMES_PROVIDER = '5f3c2a0e-8d47-4a55-9d0b-2f1f6c9a7e11'
HEADERS = {'X-Auth-Token': 'demo:demo'}
SHUTDOWN_BOUND = 10


class Deployment(object):

    def __init__(self, state, options, url):
        self.state = state
        self.options = options
        self.url = url
        self.processes = []

    def start(self, name, **overrides):
        """``name`` with a configuration file of its own; returns once it
        serves its RPC topic."""
        options = {section: dict(values)
                   for section, values in self.options.items()}
        options['DEFAULT'].update(overrides)
        directory = os.path.join(self.state, '%s-%s' % (
            name, uuid.uuid4().hex[:6]))
        os.makedirs(directory)
        conf = fixtures.write_config(os.path.join(directory, 'karbor.conf'),
                                     options)
        process = fixtures.Process(name, ['--config-file', conf], directory)
        process.conf = conf
        self.processes.append(process)
        wait_for_log(process, '%s serving topic' % name)
        return process

    def manage(self, *args):
        return subprocess.run(
            [os.path.join(fixtures.BIN, 'karbor-manage'), '--config-file',
             os.path.join(self.state, 'karbor.conf')] + list(args),
            check=True, capture_output=True, text=True).stdout

    def api(self, method, path, body=None):
        response = requests.request(method, self.url + '/v1/demo' + path,
                                    json=body, headers=HEADERS, timeout=60)
        assert response.status_code < 300, response.text
        return response.json()


def wait_for_log(process, text, timeout=90):
    deadline = time.monotonic() + timeout
    while text not in process.log():
        if process.popen.poll() is not None or time.monotonic() > deadline:
            raise AssertionError('%s never logged %r (exit status %s):\n%s'
                                 % (process.name, text,
                                    process.popen.returncode, process.log()))
        time.sleep(0.2)


def terminate(process, sig=signal.SIGTERM, timeout=60):
    """Send ``sig``; return the exit status and the seconds it took."""
    signalled = time.monotonic()
    process.popen.send_signal(sig)
    status = process.popen.wait(timeout=timeout)
    return status, time.monotonic() - signalled


@pytest.fixture(scope='module')
def blackhole():
    """Where the deployment's Cinder is: a remote call to it hangs
    (keystoneauth sessions have no timeout by default)."""
    hole = silent_service.SilentService()
    yield hole
    hole.close()


@pytest.fixture(scope='module')
def deployment(tmp_path_factory, database, blackhole):
    state = str(tmp_path_factory.mktemp('lifecycle'))
    providers = os.path.join(state, 'providers.d')
    os.makedirs(providers)
    fixtures.write_config(os.path.join(providers, 'volumes.conf'), {
        'provider': {'name': 'Volumes Provider', 'id': VOLUMES_PROVIDER,
                     'plugin': 'karbor-volume-protection-plugin',
                     'bank': 'karbor-fs-bank-plugin', 'enabled': True}})
    options, url = fixtures.separate_processes_options(state, database)
    options['DEFAULT'].update({
        'provider_config_dir': providers,
        'report_interval': 1,
        'graceful_shutdown_timeout': SHUTDOWN_BOUND,
        'debug': False,
    })
    # The volume plugin's calls to Cinder hang.
    options['cinder_client'] = {
        'cinder_endpoint': '%s/v3/%%(project_id)s' % blackhole.url}
    conf = fixtures.write_config(os.path.join(state, 'karbor.conf'), options)
    fixtures.db_sync(conf)
    api = fixtures.Process('karbor-api', ['--config-file', conf], state)
    deployment = Deployment(state, options, url)
    try:
        fixtures.wait_for_api(url + '/', api, timeout=90)
        yield deployment
    finally:
        for process in deployment.processes + [api]:
            process.stop()


def _service_rows(deployment):
    """karbor-manage service list of this deployment's host:
    {binary: (state, updated at)}."""
    host = deployment.options['DEFAULT']['host']
    rows = {}
    for line in deployment.manage('service', 'list').splitlines()[1:]:
        binary, row_host, _status, state, updated = line.split(None, 4)
        if row_host == host:
            rows[binary] = (state, updated)
    return rows


def test_heartbeats_of_protection_and_the_engine_advance(deployment):
    processes = [deployment.start('karbor-protection'),
                 deployment.start('karbor-operationengine')]
    both_up = {'karbor-protection': 'up', 'karbor-operationengine': 'up'}
    deadline = time.monotonic() + 30
    while True:
        first = _service_rows(deployment)
        states = {binary: state for binary, (state, _) in first.items()}
        if states == both_up or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert states == both_up
    time.sleep(2.5)
    later = _service_rows(deployment)
    for binary, (state, updated) in later.items():
        assert state == 'up'
        assert updated > first[binary][1], (binary, first, later)
    for process in processes:
        assert terminate(process)[0] == 0, process.log()


def test_sighup_applies_debug_without_a_restart(deployment):
    protection = deployment.start('karbor-protection')
    with open(protection.conf) as conf:
        text = conf.read()
    # A file that does not parse is refused; the process goes on.
    with open(protection.conf, 'w') as conf:
        conf.write('[DEFAULT\n' + text)
    protection.popen.send_signal(signal.SIGHUP)
    wait_for_log(protection, 'Could not reload the configuration')
    assert ' DEBUG ' not in protection.log()

    with open(protection.conf, 'w') as conf:
        conf.write(text.replace('debug = False', 'debug = True'))
    protection.popen.send_signal(signal.SIGHUP)

    wait_for_log(protection, ' DEBUG ', timeout=30)
    log = protection.log()
    assert 'karbor-protection reloaded its configuration' in log
    # The same process, started once, still answering RPC.
    assert protection.popen.poll() is None
    assert log.count('karbor-protection serving topic') == 1
    providers = deployment.api('GET', '/providers')['providers']
    assert [provider['id'] for provider in providers] == [VOLUMES_PROVIDER]
    assert terminate(protection)[0] == 0, protection.log()


def test_sigterm_stops_protection_within_the_bound_though_an_operation_hangs(
        deployment, blackhole):
    protection = deployment.start('karbor-protection')
    plan = deployment.api('POST', '/plans', {'plan': {
        'name': 'hangs', 'provider_id': VOLUMES_PROVIDER,
        'resources': [{'id': 'vol-1', 'type': 'OS::Cinder::Volume',
                       'name': 'vol-1'}]}})['plan']
    deployment.api('POST', '/providers/%s/checkpoints' % VOLUMES_PROVIDER,
                   {'checkpoint': {'plan_id': plan['id']}})
    # The checkpoint's operation is now in a call to Cinder that hangs.
    assert blackhole.called.wait(60), protection.log()

    status, took = terminate(protection)
    log = protection.log()
    assert status == 0, log
    # It let the operation run for most of the bound, not past it.
    assert 0.8 * SHUTDOWN_BOUND < took < SHUTDOWN_BOUND + 1, (took, log)
    assert 'Stopping with 1 operations unfinished' in log
    assert 'karbor-protection stopped (exit status 0)' in log


@pytest.mark.parametrize('sig', [signal.SIGTERM, signal.SIGINT],
                         ids=['SIGTERM', 'SIGINT'])
def test_karbor_all_starts_serves_and_stops(tmp_path, sig):
    port = fixtures.free_port()
    conf = fixtures.write_config(str(tmp_path / 'karbor.conf'), {
        'DEFAULT': {'state_path': str(tmp_path),
                    'osapi_karbor_listen_port': port}})
    process = fixtures.Process('karbor-all', ['--config-file', conf],
                               str(tmp_path))
    try:
        url = 'http://127.0.0.1:%s' % port
        fixtures.wait_for_api(url + '/', process, timeout=90)
        # Answered by karbor-protection, over in-process messaging.
        providers = requests.get(url + '/v1/demo/providers', headers=HEADERS,
                                 timeout=60).json()['providers']
        assert fixtures.NOOP_PROVIDER in [p['id'] for p in providers]
        wait_for_log(process, 'karbor-protection serving topic')
        status, took = terminate(process, sig)
    finally:
        process.stop()
    log = process.log()
    assert status == 0, log
    assert took < 60
    assert 'Caught %s, stopping' % sig.name in log
    assert ('karbor-operationengine, karbor-api, karbor-protection stopped '
            '(exit status 0)') in log


def test_karbor_all_in_two_processes_serves_from_both_and_outlives_one(
        tmp_path):
    port = fixtures.free_port()
    conf = fixtures.write_config(str(tmp_path / 'karbor.conf'), {
        'DEFAULT': {'state_path': str(tmp_path),
                    'osapi_karbor_listen_port': port,
                    'osapi_karbor_workers': 2,
                    'graceful_shutdown_timeout': SHUTDOWN_BOUND}})
    process = fixtures.Process('karbor-all', ['--config-file', conf],
                               str(tmp_path))
    url = 'http://127.0.0.1:%s/v1/demo' % port
    try:
        fixtures.wait_for_api('http://127.0.0.1:%s/' % port, process,
                              timeout=90)
        host = socket.gethostname()
        wait_for_log(process, 'karbor-protection on host %s/1' % host)
        wait_for_log(process, 'karbor-protection on host %s\n' % host)
        assert 'processes: 2' in process.log()
        peers = fixtures.child_pids(process.popen.pid)
        assert len(peers) == 2

        plan = requests.post(url + '/plans', headers=HEADERS, timeout=60,
                             json={'plan': {
                                 'name': 'Peers',
                                 'provider_id': fixtures.NOOP_PROVIDER,
                                 'resources': [{
                                     'id': 'demo', 'name': 'demo',
                                     'type': 'OS::Keystone::Project'}]}}
                             ).json()['plan']
        # Each request on a connection of its own: the kernel spreads
        # them over the two processes, each protecting what it accepts.
        checkpoints = [requests.post(
            url + '/providers/%s/checkpoints' % fixtures.NOOP_PROVIDER,
            headers=dict(HEADERS, Connection='close'), timeout=60,
            json={'checkpoint': {'plan_id': plan['id']}}
        ).json()['checkpoint']['id'] for _ in range(20)]
        deadline = time.monotonic() + 60
        while True:
            listed = requests.get(
                url + '/providers/%s/checkpoints' % fixtures.NOOP_PROVIDER,
                headers=HEADERS, timeout=60).json()['checkpoints']
            statuses = {c['id']: c['status'] for c in listed}
            if all(statuses.get(c) == 'available' for c in checkpoints):
                break
            assert time.monotonic() < deadline, statuses
            time.sleep(0.5)
        started = [line for line in process.log().splitlines()
                   if 'Protect of plan %s' % plan['id'] in line
                   and line.endswith('started.')]
        assert {int(line.split()[2]) for line in started} == set(peers)

        # A peer that dies is started again, under the same name.
        os.kill(peers[1], signal.SIGKILL)
        deadline = time.monotonic() + 60
        while not set(fixtures.child_pids(process.popen.pid)) - set(peers):
            assert time.monotonic() < deadline
            time.sleep(0.2)
        wait_for_log(process, 'killed by signal')
        deadline = time.monotonic() + 60
        while process.log().count('serving topic karbor-protection') < 3:
            assert time.monotonic() < deadline, process.log()
            time.sleep(0.2)
        assert requests.get(url + '/plans/%s' % plan['id'], headers=HEADERS,
                            timeout=60).status_code == 200

        status, took = terminate(process, signal.SIGTERM)
    finally:
        process.stop()
    assert status == 0, process.log()
    assert took < SHUTDOWN_BOUND + 5
