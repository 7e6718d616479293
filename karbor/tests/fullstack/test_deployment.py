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

"""Karbor as part of the cloud tools/cloud/up starts: found in the catalog,
served by uWSGI workers, two protection workers and the operation engine
reporting to the services table, the providers of the original's devstack
plugin, and a cloud that looks like devstack's to scripts written for one.
"""

import json
import os
import subprocess

from keystoneauth1 import adapter
from keystoneauth1.identity import v3
from keystoneauth1 import session as ks_session
import pytest
import requests
import yaml

from karbor.tests.fullstack import cloud
from karbor.tests.fullstack import deployment
from karbor.tests.functional import fixtures

pytestmark = [cloud.needs_cloud('admin', 'demo', 'alt'),
              pytest.mark.timeout(1800)]

PROVIDERS = {
    fixtures.NOOP_PROVIDER: 'No-Op Provider',
    fixtures.INFRA_PROVIDER: 'OS Infra Provider',
    deployment.SNAPSHOT_PROVIDER:
        'OS Infra Provider with volume snapshot plugin',
    deployment.FS_BANK_PROVIDER:
        'OS Infra Provider with local file system bank',
}


def _cloud_env():
    values = {}
    with open(os.path.join(cloud.CLOUD_DIR, 'cloud.env')) as stream:
        for line in stream:
            if line.startswith('export ') and '=' in line:
                key, value = line[len('export '):].strip().split('=', 1)
                values[key] = value.strip('\'"')
    return values


def test_the_catalog_sends_data_protect_clients_to_karbor():
    demo = cloud.session('demo')
    endpoint = demo.get_endpoint(service_type='data-protect',
                                 interface='public')
    assert endpoint == 'http://127.0.0.1:8799/v1/%s' % demo.get_project_id()
    versions = requests.get('http://127.0.0.1:8799/', timeout=10).json()
    assert [v['id'] for v in versions['versions']] == ['v1.0']
    # Without a token the API refuses, as every OpenStack API does.
    assert requests.get(endpoint + '/plans', timeout=10).status_code == 401


def test_the_api_is_served_by_several_uwsgi_worker_processes():
    master = deployment.pid('karbor-api')
    with open('/proc/%d/cmdline' % master, 'rb') as stream:
        assert b'uwsgi' in stream.read()
    workers = subprocess.run(['pgrep', '-P', str(master)],
                             capture_output=True, text=True).stdout.split()
    assert len(workers) >= 2
    answered = {requests.get('http://127.0.0.1:8799/', timeout=10)
                .status_code for _ in range(20)}
    assert answered == {200}


def test_both_protection_workers_and_the_engine_report_in_the_services_table():
    env = _cloud_env()
    result = subprocess.run(
        [os.path.join(env['KARBOR_CLOUD_KARBOR_VENV'], 'bin',
                      'karbor-manage'),
         '--config-file', env['KARBOR_CLOUD_KARBOR_CONF'], 'service', 'list'],
        capture_output=True, text=True, check=True)
    rows = {tuple(line.split()[:4]) for line in result.stdout.splitlines()[1:]}
    for binary, host in (
            ('karbor-protection', 'karbor-cloud-protection-1'),
            ('karbor-protection', 'karbor-cloud-protection-2'),
            ('karbor-operationengine', 'karbor-cloud')):
        assert (binary, host, 'enabled', 'up') in rows, result.stdout


def test_the_providers_of_the_original_devstack_plugin_with_their_ids():
    cli = deployment.OpenrcCli('demo')
    listed = {row['Id']: row['Name'] for row in fixtures.parse_list_table(
        cli.run('provider-list').stdout)}
    assert listed == PROVIDERS


def test_a_checkpoint_on_the_file_system_bank_provider(demo):
    """The file-system bank is shared by both workers on this machine."""
    api = deployment.Api(demo.session)
    image = demo.new_image('fs-bank')
    plan = api.create_plan('kfs-fs-bank', deployment.FS_BANK_PROVIDER, [
        {'id': image.id, 'type': 'OS::Glance::Image', 'name': image.name}])
    started = api.start_checkpoint(deployment.FS_BANK_PROVIDER, plan['id'])
    api.wait(lambda: api.checkpoint(deployment.FS_BANK_PROVIDER,
                                    started['id']), 'available')
    api.delete_checkpoint(deployment.FS_BANK_PROVIDER, started['id'])
    api.wait(lambda: api.checkpoint(deployment.FS_BANK_PROVIDER,
                                    started['id']), 'deleted')


def test_python_karborclient_2_1_0_walks_the_walkthrough_unchanged(demo):
    """`. demo-openrc` and the original's last client, under Keystone."""
    old_karbor = fixtures.karborclient_2_1_0()
    cli = deployment.OpenrcCli('demo')
    # The same shell, the same openrc: only the client differs.
    cli.command = lambda args: ['bash', '-c', '. "$0" && exec "$@"',
                                cli.openrc, old_karbor] + list(args)
    listed = cli.run('provider-list').stdout
    assert fixtures.INFRA_PROVIDER in listed and 'No-Op' in listed
    assert 'OS::Cinder::Volume' in cli.run('protectable-list').stdout
    volume = demo.new_volume('Volume1', known_bytes=False)
    plan = cli.table('plan-create', 'kfs-Plan1', fixtures.INFRA_PROVIDER,
                     '%s=OS::Cinder::Volume=%s' % (volume.id,
                                                   volume.name))
    assert plan['status'] == 'suspended'
    created = cli.table('checkpoint-create', fixtures.INFRA_PROVIDER,
                        plan['id'])
    assert created['status'] == 'protecting'
    shown = cli.wait_for('available', 'checkpoint-show',
                         fixtures.INFRA_PROVIDER, created['id'],
                         timeout=600)
    assert volume.id in shown['resource_graph']
    restore = cli.table('restore-create', fixtures.INFRA_PROVIDER,
                        created['id'])
    done = cli.wait_for('success', 'restore-show', restore['id'],
                        timeout=600)
    assert 'OS::Cinder::Volume#' in done['resources_status']
    cli.run('checkpoint-delete', fixtures.INFRA_PROVIDER, created['id'])
    cli.wait_for('deleted', 'checkpoint-show', fixtures.INFRA_PROVIDER,
                 created['id'], timeout=300)


def _openstack(*args, shows=True):
    """``openstack --os-cloud devstack data protection <args>`` with the
    cloud's clouds.yaml, as a user of the cloud types it; what it shows,
    as JSON (``shows``: the command shows something)."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith('OS_')}
    env['OS_CLIENT_CONFIG_FILE'] = os.path.join(cloud.CLOUD_DIR,
                                                'clouds.yaml')
    result = subprocess.run(
        [os.path.join(fixtures.BIN, 'openstack'), '--os-cloud', 'devstack',
         'data', 'protection'] + list(args) +
        (['-f', 'json'] if shows else []),
        capture_output=True, text=True, env=env, timeout=600)
    assert result.returncode == 0, (args, result.stdout, result.stderr)
    return json.loads(result.stdout) if shows else None


def test_the_openstack_client_protects_restores_and_verifies(demo):
    """`openstack data protection ...` through the catalog, under
    Keystone, with --wait."""
    image = demo.new_image('osc', size=2 << 20)
    providers = _openstack('provider', 'list')
    assert fixtures.INFRA_PROVIDER in {p['Id'] for p in providers}
    plan = _openstack('plan', 'create', demo.name('osc'),
                      fixtures.INFRA_PROVIDER,
                      '%s=OS::Glance::Image=%s' % (image.id, image.name))
    checkpoint = _openstack('checkpoint', 'create', fixtures.INFRA_PROVIDER,
                            plan['id'], '--wait')
    assert checkpoint['status'] == 'available'
    restore = _openstack('restore', 'create', fixtures.INFRA_PROVIDER,
                         checkpoint['id'], '--wait')
    assert restore['status'] == 'success'
    verification = _openstack('verification', 'create',
                              fixtures.INFRA_PROVIDER, checkpoint['id'],
                              '--wait')
    assert verification['status'] == 'success'
    assert verification['resources_status'] == {
        'OS::Glance::Image#%s' % image.id: 'available'}
    listed = _openstack('checkpoint', 'list', fixtures.INFRA_PROVIDER,
                        '--plan_id', plan['id'])
    assert [c['Id'] for c in listed] == [checkpoint['id']]
    _openstack('checkpoint', 'delete', fixtures.INFRA_PROVIDER,
               checkpoint['id'], '--wait', shows=False)
    gone = _openstack('checkpoint', 'show', fixtures.INFRA_PROVIDER,
                      checkpoint['id'])
    assert gone['status'] == 'deleted'


def test_clouds_yaml_names_the_clouds_as_devstack_does():
    with open(os.path.join(cloud.CLOUD_DIR, 'clouds.yaml')) as stream:
        clouds = yaml.safe_load(stream)['clouds']
    for name, project in (('devstack', 'demo'), ('devstack-admin', 'admin'),
                          ('devstack-alt', 'alt')):
        auth = clouds[name]['auth']
        assert auth['project_name'] == project
        session = ks_session.Session(auth=v3.Password(**auth))
        assert session.get_token()
        assert session.get_endpoint(service_type='data-protect',
                                    interface=clouds[name]['interface'])


def test_devstacks_flavor_network_and_image_are_there(demo):
    assert demo.nova.flavors.find(name='cirros256').ram == 256
    network = adapter.Adapter(demo.session, service_type='network')
    private = network.get('/v2.0/networks?name=private').json()['networks']
    assert [(n['name'], n['project_id']) for n in private] == [
        ('private', demo.project_id)]
    subnet = network.get('/v2.0/subnets/%s' % private[0]['subnets'][0])
    assert subnet.json()['subnet']['network_id'] == private[0]['id']
    # alt does not see demo's network.
    alt = adapter.Adapter(cloud.session('alt'), service_type='network')
    assert alt.get('/v2.0/networks?name=private').json()['networks'] == []
    images = [image for image in demo.glance.images.list()
              if image.name.startswith('cirros')]
    assert [image.status for image in images] == ['active']
