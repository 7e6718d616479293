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

"""The request id karbor-api answers with is on karbor-protection's log
lines of that operation, down to the plugin hooks' threads.

karbor-api and karbor-protection run as separate processes on the
machine's MariaDB and RabbitMQ; karbor-protection has one provider, whose
plugin logs from its protect hook (hook_logging_plugin.py, published as an
entry point as a third-party plugin would be). The log lines are
oslo.log's default context format: "[<global id> <request id> ...]".
"""

import os
import time
import uuid

import pytest
import requests

from karbor.tests.functional import fixtures
from karbor.tests.unit.protection import conftest as protection_conftest

PROVIDER = '5a9e3c41-7f0e-4c1b-9d57-3a8f2e6b4c10'
PLUGIN = 'karbor-hook-logging-plugin'
PROJECT_TYPE = 'OS::Keystone::Project'


@pytest.fixture(scope='module')
def deployment(tmp_path_factory, database):
    state = tmp_path_factory.mktemp('request-ids')
    providers = state / 'providers.d'
    providers.mkdir()
    fixtures.write_config(str(providers / 'logging.conf'), {
        'provider': {'name': 'Hook Logging Provider', 'id': PROVIDER,
                     'plugin': PLUGIN, 'bank': 'karbor-fs-bank-plugin',
                     'enabled': 'True'}})
    plugins = state / 'plugins'
    protection_conftest._publish(str(plugins), 'karbor_hook_logging', {
        'karbor.protections': {
            PLUGIN: 'karbor.tests.functional.hook_logging_plugin:'
                    'HookLoggingProtectionPlugin'}})
    options, url = fixtures.separate_processes_options(state, database)
    options['DEFAULT']['provider_config_dir'] = str(providers)
    conf = fixtures.write_config(str(state / 'karbor.conf'), options)
    fixtures.db_sync(conf)
    args = ['--config-file', conf]
    pythonpath = os.pathsep.join(
        [str(plugins)] + [p for p in [os.environ.get('PYTHONPATH')] if p])
    protection = fixtures.Process('karbor-protection', args, str(state),
                                  env={'PYTHONPATH': pythonpath})
    api = fixtures.Process('karbor-api', args, str(state))
    try:
        fixtures.wait_for_api(url + '/', api)
        fixtures.wait_for_service(database, options['DEFAULT']['host'],
                                  protection)
        yield Api(url + '/v1/demo'), protection
    finally:
        api.stop()
        protection.stop()


class Api(object):
    def __init__(self, url):
        self.url = url
        self.session = requests.Session()
        self.session.headers['X-Auth-Token'] = 'demo:demo'

    def __call__(self, method, path, body=None, status=200, **headers):
        response = self.session.request(method, self.url + path, json=body,
                                        headers=headers, timeout=30)
        assert response.status_code == status, response.text
        return response

    def wait_for(self, status, path, key):
        deadline = time.monotonic() + 60
        while True:
            shown = self('GET', path).json()[key]
            if shown['status'] == status:
                return shown
            assert shown['status'] not in fixtures.FAILED, shown
            assert time.monotonic() < deadline, shown
            time.sleep(0.2)


def _lines_with(process, *texts, timeout=60):
    """karbor-protection's log lines holding every text, once one is."""
    deadline = time.monotonic() + timeout
    while True:
        lines = [line for line in process.log().splitlines()
                 if all(text in line for text in texts)]
        if lines or time.monotonic() > deadline:
            return lines
        time.sleep(0.2)


def _checkpoint(api, **headers):
    plan = api('POST', '/plans', {'plan': {
        'name': 'ids', 'provider_id': PROVIDER,
        'resources': [{'id': 'demo', 'type': PROJECT_TYPE,
                       'name': 'demo'}]}}).json()['plan']
    response = api('POST', '/providers/%s/checkpoints' % PROVIDER,
                   {'checkpoint': {'plan_id': plan['id']}}, **headers)
    checkpoint = response.json()['checkpoint']
    api.wait_for('available', '/providers/%s/checkpoints/%s' % (
        PROVIDER, checkpoint['id']), 'checkpoint')
    return plan, checkpoint, response.headers['X-OpenStack-Request-Id']


def test_a_checkpoints_request_id_is_on_its_protect_log_lines(deployment):
    api, protection = deployment
    caller_id = 'req-%s' % uuid.uuid4()
    plan, checkpoint, request_id = _checkpoint(
        api, **{'X-OpenStack-Request-ID': caller_id})
    assert request_id.startswith('req-') and request_id != caller_id
    # oslo.log's context format: "[<global_request_id> <request_id> ...".
    ids = '[%s %s ' % (caller_id, request_id)
    operation = 'Protect of plan %s into checkpoint %s' % (
        plan['id'], checkpoint['id'])
    ended = _lines_with(protection, operation + ' ended: available.')
    started = _lines_with(protection, operation + ' started.')
    # Logged by the plugin from a thread of the flow's executor.
    hook = _lines_with(protection, 'Protect hook of %s#demo for checkpoint '
                       '%s runs.' % (PROJECT_TYPE, checkpoint['id']))
    for lines in (started, hook, ended):
        assert len(lines) == 1 and ids in lines[0], (lines,
                                                     protection.log())
    assert ' INFO ' in started[0] and ' INFO ' in ended[0]


def test_restore_and_delete_log_lines_carry_their_own_request_ids(
        deployment):
    api, protection = deployment
    _plan, checkpoint, _request_id = _checkpoint(api)
    restored = api('POST', '/restores', {'restore': {
        'provider_id': PROVIDER, 'checkpoint_id': checkpoint['id']}})
    restore = restored.json()['restore']
    api.wait_for('success', '/restores/%s' % restore['id'], 'restore')
    restore_id = restored.headers['X-OpenStack-Request-Id']
    operation = 'Restore %s of checkpoint %s' % (restore['id'],
                                                 checkpoint['id'])
    lines = (_lines_with(protection, operation + ' started.') +
             _lines_with(protection, operation + ' ended: success.'))
    assert len(lines) == 2
    for line in lines:
        assert ' %s ' % restore_id in line, line

    deleted = api('DELETE', '/providers/%s/checkpoints/%s' % (
        PROVIDER, checkpoint['id']))
    delete_id = deleted.headers['X-OpenStack-Request-Id']
    assert delete_id != restore_id
    operation = 'Delete of checkpoint %s' % checkpoint['id']
    lines = (_lines_with(protection, operation + ' started.') +
             _lines_with(protection, operation + ' ended: deleted.'))
    assert len(lines) == 2
    for line in lines:
        assert ' %s ' % delete_id in line, line
