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

"""``openstack data protection ...`` (python-openstackclient with Karbor's
plugin) against karbor-all without Keystone: a clouds.yaml cloud whose
admin_token auth sends the noauth token to the catalog-less endpoint."""

import json
import os
import subprocess

import pytest

from karbor.tests.functional import fixtures

OPENSTACK = os.path.join(fixtures.BIN, 'openstack')

pytestmark = pytest.mark.skipif(
    not os.path.exists(OPENSTACK),
    reason='python-openstackclient is not installed beside karbor')


@pytest.fixture
def openstack(karbor_all, tmp_path):
    clouds = tmp_path / 'clouds.yaml'
    clouds.write_text(
        'clouds:\n'
        '  karbor-all:\n'
        '    auth_type: admin_token\n'
        '    auth:\n'
        '      endpoint: %s/v1/demo\n'
        '      token: demo:demo\n' % karbor_all)
    env = {name: value for name, value in os.environ.items()
           if not name.startswith('OS_')}
    env['OS_CLIENT_CONFIG_FILE'] = str(clouds)

    def run(*args):
        """Run it; its JSON output, decoded. A failure fails the test."""
        result = subprocess.run(
            [OPENSTACK, '--os-cloud', 'karbor-all', 'data', 'protection'] +
            list(args), env=env, capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, (args, result.stdout, result.stderr)
        run.stderr = result.stderr
        return json.loads(result.stdout) if result.stdout else None
    return run


def test_protect_restore_verify_and_delete_with_openstack(openstack):
    plan = openstack('plan', 'create', 'osc-plan', fixtures.NOOP_PROVIDER,
                     'demo=OS::Keystone::Project=demo', '-f', 'json')
    assert plan['resources'] == [{'id': 'demo', 'name': 'demo',
                                  'type': 'OS::Keystone::Project'}]

    checkpoint = openstack('checkpoint', 'create', fixtures.NOOP_PROVIDER,
                           plan['id'], '--wait', '-f', 'json')
    assert checkpoint['status'] == 'available'
    assert 'checkpoint %s: available' % checkpoint['id'] in openstack.stderr
    # Karbor's JSON text inside JSON comes out as JSON itself.
    assert checkpoint['resource_graph'][0] == {
        '0x0': ['OS::Keystone::Project', 'demo', 'demo']}

    listed = openstack('checkpoint', 'list', fixtures.NOOP_PROVIDER,
                       '--plan_id', plan['id'], '-f', 'json')
    assert [(c['Id'], c['Status']) for c in listed] == [
        (checkpoint['id'], 'available')]
    assert listed[0]['Protection plan'] == 'Name: osc-plan\nId: %s' % (
        plan['id'])

    restore = openstack('restore', 'create', fixtures.NOOP_PROVIDER,
                        checkpoint['id'], '--wait', '-f', 'json')
    assert restore['status'] == 'success'
    assert restore['resources_status'] == {
        'OS::Keystone::Project#demo': 'available'}

    verification = openstack('verification', 'create',
                             fixtures.NOOP_PROVIDER, checkpoint['id'],
                             '--wait', '-f', 'json')
    assert verification['status'] == 'success'

    assert openstack('checkpoint', 'delete', fixtures.NOOP_PROVIDER,
                     checkpoint['id'], '--wait') is None
    assert 'checkpoint %s: deleted' % checkpoint['id'] in openstack.stderr
    assert openstack('checkpoint', 'list', fixtures.NOOP_PROVIDER,
                     '--plan_id', plan['id'], '-f', 'json') == []
