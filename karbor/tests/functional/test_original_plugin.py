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

"""A plugin package written for the original Karbor runs unchanged.

original_plugin/ is such a package (protectable, protection and bank
plugins for "things", files in a directory), written only to the
original's import paths and classes. The test installs it out of tree
with pip, as an operator would, and starts karbor-all with it on
PYTHONPATH: its entry points come from its own dist-info. Through the
REST API it lists things, protects two into a checkpoint kept in the
package's own bank, restores them, deletes the checkpoint, and protects
a thing that is gone.
"""

import json
import os
import shutil
import subprocess
import sys
import time

import pytest
import requests

import karbor
from karbor.tests.functional import fixtures

PROVIDER = '3f0c2a8e-5b7d-4e61-9a2f-8c4d1e7b6a05'
THING = 'OS::Test::Thing'
SOURCE = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                      'original_plugin')
# The karbor under test, which karbor-all must import rather than the
# installed one.
CODE_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(
    karbor.__file__)))


def _install(tmp_path_factory):
    """pip installs the package into a directory of its own, from a copy
    (a build leaves files beside its sources)."""
    work = tmp_path_factory.mktemp('original-plugin')
    source = work / 'source'
    shutil.copytree(SOURCE, str(source))
    target = work / 'site'
    subprocess.run([sys.executable, '-m', 'pip', 'install', '-q',
                    '--no-deps', '--target', str(target), str(source)],
                   check=True, capture_output=True, timeout=300)
    return target


def _write_thing(things, thing_id, name, data):
    (things / ('%s.json' % thing_id)).write_text(
        json.dumps({'name': name, 'data': data}))


@pytest.fixture(scope='module')
def karbor_with_plugin(tmp_path_factory):
    target = _install(tmp_path_factory)
    state = tmp_path_factory.mktemp('state')
    things = state / 'things'
    things.mkdir()
    _write_thing(things, 't1', 'alpha', '0123456789')
    _write_thing(things, 't2', 'beta', 'xyz')
    bank = state / 'thing-bank'
    providers = state / 'providers.d'
    providers.mkdir()
    fixtures.write_config(str(providers / 'thing.conf'), {
        'provider': {'name': 'Thing Provider', 'id': PROVIDER,
                     'plugin': 'karbor-thing-protection-plugin',
                     'bank': 'karbor-thing-bank-plugin', 'enabled': 'True'},
        'thing_protection_plugin': {'chunk_size': 4},
        'thing_bank_plugin': {'path': str(bank)}})
    port = fixtures.free_port()
    conf = fixtures.write_config(str(state / 'karbor.conf'), {
        'DEFAULT': {'state_path': str(state),
                    'osapi_karbor_listen_port': port,
                    'provider_config_dir': str(providers)}})
    process = fixtures.Process(
        'karbor-all', ['--config-file', conf], str(state),
        env={'PYTHONPATH': os.pathsep.join([CODE_ROOT, str(target)]),
             'KARBOR_TEST_THINGS': str(things)})
    url = 'http://127.0.0.1:%s' % port
    try:
        fixtures.wait_for_api(url + '/', process)
        yield Api(url + '/v1/demo'), things, bank, process
    finally:
        process.stop()


class Api(object):
    def __init__(self, url):
        self.url = url
        self.session = requests.Session()
        self.session.headers['X-Auth-Token'] = 'demo:demo'

    def __call__(self, method, path, body=None, status=200):
        response = self.session.request(method, self.url + path, json=body,
                                        timeout=30)
        assert response.status_code == status, response.text
        return response.json() if response.content else None

    def wait_for(self, statuses, path, key):
        """GET until the status is one of ``statuses``."""
        deadline = time.monotonic() + 60
        while True:
            shown = self('GET', path)[key]
            if shown['status'] in statuses:
                return shown
            assert time.monotonic() < deadline, shown
            time.sleep(0.2)


def _bank_object(bank, key):
    return json.loads((bank / key.lstrip('/')).read_text())


def _protect(api, *thing_ids):
    plan = api('POST', '/plans', {'plan': {
        'name': 'things', 'provider_id': PROVIDER,
        'resources': [{'id': thing_id, 'type': THING, 'name': thing_id}
                      for thing_id in thing_ids]}})['plan']
    checkpoint = api('POST', '/providers/%s/checkpoints' % PROVIDER,
                     {'checkpoint': {'plan_id': plan['id']}})['checkpoint']
    return api.wait_for(('available', 'error'), '/providers/%s/checkpoints/%s'
                        % (PROVIDER, checkpoint['id']), 'checkpoint')


def test_the_packages_protectable_lists_its_things(karbor_with_plugin):
    api, _things, _bank, process = karbor_with_plugin
    assert THING in api('GET', '/protectables')['protectable_type']
    instances = api('GET', '/protectables/%s/instances' % THING)['instances']
    assert [(i['id'], i['name'], i['extra_info']) for i in instances] == [
        ('t1', 'alpha', {'size': 10}), ('t2', 'beta', {'size': 3})]
    missing = api('GET', '/protectables/%s/instances/t9' % THING,
                  status=404)
    assert 'OS::Test::Thing t9 could not be found' in json.dumps(missing)
    provider = api('GET', '/providers/%s' % PROVIDER)['provider']
    assert provider['extended_info_schema']['restore_schema'][THING][
        'properties'] == {'restore_name': {'type': 'string'}}
    assert 'could not be loaded' not in process.log()


def test_protect_restore_and_delete_through_the_package(karbor_with_plugin):
    api, things, bank, process = karbor_with_plugin
    checkpoint = _protect(api, 't1', 't2')
    assert checkpoint['status'] == 'available', checkpoint
    assert checkpoint['resources_status'] == {
        'OS::Test::Thing#t1': 'available', 'OS::Test::Thing#t2': 'available'}

    # What the plugin wrote, in its own bank, under the bare ids it used.
    section = '/checkpoints/%s/t1/' % checkpoint['id']
    assert _bank_object(bank, section + 'metadata') == {
        'name': 'alpha', 'chunks_num': 3, 'checkpoint_id': checkpoint['id'],
        'graph_ids': ['t1', 't2']}
    assert [_bank_object(bank, section + 'data_%d' % n)['data']
            for n in range(3)] == ['0123', '4567', '89']
    assert (bank / section.lstrip('/') / 'status').read_text() == 'available'
    assert _bank_object(bank, '/checkpoints/%s/index.json' % checkpoint[
        'id'])['status'] == 'available'

    restore = api('POST', '/restores', {'restore': {
        'provider_id': PROVIDER, 'checkpoint_id': checkpoint['id'],
        'parameters': {'OS::Test::Thing#t1': {
            'restore_name': 'alpha again'}}}})['restore']
    restore = api.wait_for(('success', 'fail'), '/restores/%s' %
                           restore['id'], 'restore')
    assert restore['status'] == 'success', restore
    restored = {}
    for path in things.glob('*.json'):
        if path.stem not in ('t1', 't2'):
            restored[path.stem] = json.loads(path.read_text())
    assert sorted((thing['name'], thing['data'])
                  for thing in restored.values()) == sorted([
                      ('alpha again', '0123456789'),
                      ('%s@t2' % checkpoint['id'], 'xyz')])
    # Each new thing reported by the plugin, under its new id.
    assert restore['resources_status'] == {
        'OS::Test::Thing#%s' % new_id: 'available' for new_id in restored}

    path = '/providers/%s/checkpoints/%s' % (PROVIDER, checkpoint['id'])
    api('DELETE', path)
    record = '/checkpoints/%s/index.json' % checkpoint['id']
    deadline = time.monotonic() + 60
    while _bank_object(bank, record)['status'] != 'deleted':
        assert time.monotonic() < deadline, _bank_object(bank, record)
        time.sleep(0.2)
    # The plugin's delete ran, and removed what its protect wrote.
    assert 'Thing t1 deleted from checkpoint %s' % checkpoint[
        'id'] in process.log()
    assert not [path for path in (bank / 'checkpoints').rglob('*')
                if path.is_file() and 't1' in path.parts]
    listed = api('GET', '/providers/%s/checkpoints' % PROVIDER)['checkpoints']
    assert checkpoint['id'] not in [c['id'] for c in listed]


def test_the_originals_exception_fails_the_resource(karbor_with_plugin):
    api, things, _bank, _process = karbor_with_plugin
    _write_thing(things, 'short-lived', 'gamma', 'abc')
    plan = api('POST', '/plans', {'plan': {
        'name': 'gone', 'provider_id': PROVIDER,
        'resources': [{'id': 'short-lived', 'type': THING,
                       'name': 'gamma'}]}})['plan']
    (things / 'short-lived.json').unlink()
    checkpoint = api('POST', '/providers/%s/checkpoints' % PROVIDER,
                     {'checkpoint': {'plan_id': plan['id']}})['checkpoint']
    checkpoint = api.wait_for(('available', 'error'),
                              '/providers/%s/checkpoints/%s' % (
                                  PROVIDER, checkpoint['id']), 'checkpoint')
    assert checkpoint['status'] == 'error'
    key = 'OS::Test::Thing#short-lived'
    assert checkpoint['resources_status'] == {key: 'error'}
    assert ('creating Thing Backup failed' in
            checkpoint['resources_reason'][key]), checkpoint
