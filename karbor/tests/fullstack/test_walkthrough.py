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

"""The walkthrough on a real cloud: `. demo-openrc; karbor ...`.

Karbor is the one tools/cloud/up deployed, under Keystone, found through
the catalog; every step goes through the ``karbor`` CLI with the cloud's
openrc files, and what Karbor restored is compared with the original byte
for byte.
"""

import json

import pytest

from karbor.tests.fullstack import cloud
from karbor.tests.fullstack import deployment
from karbor.tests.functional import fixtures
from karbor.tests.functional import journey

# Real backups and restores take minutes, not the unit tests' seconds.
pytestmark = [cloud.needs_cloud('admin', 'demo', 'alt'),
              pytest.mark.timeout(1800)]

INFRA = fixtures.INFRA_PROVIDER
VOLUME = 'OS::Cinder::Volume'
IMAGE = 'OS::Glance::Image'
SERVER = 'OS::Nova::Server'
PROJECT = 'OS::Keystone::Project'


@pytest.fixture(scope='module')
def cli():
    return deployment.OpenrcCli('demo')


def _graph_nodes(checkpoint):
    nodes, _edges = json.loads(checkpoint['resource_graph'])
    return {(node[0], node[1]) for node in nodes.values()}


def _restored(restore, resource_type):
    """The new ids of the restored resources of one type."""
    statuses = json.loads(restore['resources_status'])
    return {key.split('#', 1)[1]: status for key, status in statuses.items()
            if key.startswith(resource_type + '#')}


def protect(cli, plan_args):
    plan = cli.table('plan-create', *plan_args)
    assert plan['status'] == 'suspended'
    created = cli.table('checkpoint-create', INFRA, plan['id'])
    assert created['status'] == 'protecting'
    checkpoint = cli.wait_for('available', 'checkpoint-show', INFRA,
                              created['id'], timeout=600)
    return plan, checkpoint


def restore(cli, checkpoint, *args):
    started = cli.table('restore-create', INFRA, checkpoint['id'], *args)
    assert started['status'] == 'in_progress'
    return cli.wait_for('success', 'restore-show', started['id'],
                        timeout=600)


def test_walkthrough_protects_and_restores_a_volume_byte_for_byte(cli, demo):
    providers = fixtures.parse_list_table(cli.run('provider-list').stdout)
    assert {'Id': INFRA, 'Name': 'OS Infra Provider',
            'Description': journey.INFRA_DESCRIPTION} in providers
    types = fixtures.parse_list_table(cli.run('protectable-list').stdout)
    assert [row['Protectable type'] for row in types] == \
        journey.PROTECTABLE_TYPES

    # Every plugin of the provider shows its schemas.
    schemas = json.loads(cli.table('provider-show', INFRA)[
        'extended_info_schema'])
    for kind in ('options_schema', 'restore_schema', 'saved_info_schema'):
        assert set(schemas[kind]) == {PROJECT, VOLUME, IMAGE, SERVER}, kind
    assert 'restore_name' in schemas['restore_schema'][VOLUME]['properties']

    volume = demo.new_volume('volume1')
    original = demo.volume_digest(volume.id)
    listed = cli.run('protectable-list-instances', VOLUME).stdout
    assert volume.id in listed
    shown = cli.table('protectable-show-instance', VOLUME, volume.id)
    assert (shown['id'], shown['name'], shown['type']) == (
        volume.id, volume.name, VOLUME)

    plan, checkpoint = protect(cli, ('kfs-Plan1', INFRA, '%s=%s=%s' % (
        volume.id, VOLUME, volume.name)))
    assert _graph_nodes(checkpoint) == {(VOLUME, volume.id)}
    assert len(demo.backups_of(volume.id)) == 1

    done = restore(cli, checkpoint)
    ((new_id, status),) = _restored(done, VOLUME).items()
    assert status == 'available'
    assert new_id != volume.id
    assert demo.volume_digest(new_id) == original

    assert cli.run('checkpoint-delete', INFRA,
                   checkpoint['id']).stdout == ''
    cli.wait_for('deleted', 'checkpoint-show', INFRA, checkpoint['id'],
                 timeout=300)
    assert demo.backups_of(volume.id) == []


def test_an_image_is_restored_with_the_same_checksum(cli, demo):
    image = demo.new_image('image1')
    _plan, checkpoint = protect(cli, ('kfs-Images', INFRA, '%s=%s=%s' % (
        image.id, IMAGE, image.name)))
    done = restore(cli, checkpoint)
    ((new_id, status),) = _restored(done, IMAGE).items()
    assert status == 'available'
    restored = demo.glance.images.get(new_id)
    assert new_id != image.id
    assert restored.checksum == image.checksum
    assert restored.os_hash_value == image.os_hash_value
    cli.run('checkpoint-delete', INFRA, checkpoint['id'])


def test_a_server_comes_back_with_its_flavor_metadata_and_volume(cli, demo):
    image = demo.new_image('boot')
    volume = demo.new_volume('data')
    original = demo.volume_digest(volume.id)
    server = demo.new_server('server1', image.id, volume.id,
                             {'tier': 'app', 'owner': 'fullstack'})
    assert server.id in cli.run('protectable-list-instances', SERVER).stdout
    shown = cli.table('protectable-show-instance', SERVER, server.id)
    assert {(node['type'], node['id']) for node in json.loads(
        shown['dependent_resources'])} == {(VOLUME, volume.id),
                                           (IMAGE, image.id)}

    _plan, checkpoint = protect(cli, ('kfs-Servers', INFRA, '%s=%s=%s' % (
        server.id, SERVER, server.name)))
    # The server depends on its volume and its boot image.
    assert _graph_nodes(checkpoint) == {(SERVER, server.id),
                                        (VOLUME, volume.id),
                                        (IMAGE, image.id)}

    done = restore(cli, checkpoint)
    ((new_server_id, status),) = _restored(done, SERVER).items()
    assert status == 'available'
    ((new_volume_id, _status),) = _restored(done, VOLUME).items()
    restored = demo.nova.servers.get(new_server_id)
    assert restored.flavor['id'] == server.flavor['id']
    assert restored.metadata == {'tier': 'app', 'owner': 'fullstack'}
    assert demo.attached_volumes(new_server_id) == [new_volume_id]
    assert demo.volume_digest(new_volume_id) == original
    cli.run('checkpoint-delete', INFRA, checkpoint['id'])


def test_a_plan_over_the_whole_project_protects_its_resources(cli, demo):
    volume = demo.new_volume('in-project', known_bytes=False)
    image = demo.new_image('in-project')
    assert demo.project_id in cli.run('protectable-list-instances',
                                      PROJECT).stdout
    assert image.id in cli.run('protectable-list-instances', IMAGE).stdout
    shown = cli.table('protectable-show-instance', PROJECT, demo.project_id)
    assert {(VOLUME, volume.id), (IMAGE, image.id)} <= {
        (node['type'], node['id'])
        for node in json.loads(shown['dependent_resources'])}
    _plan, checkpoint = protect(cli, ('kfs-Project', INFRA, '%s=%s=%s' % (
        demo.project_id, PROJECT, 'demo')))
    nodes = _graph_nodes(checkpoint)
    assert (PROJECT, demo.project_id) in nodes
    assert (VOLUME, volume.id) in nodes
    assert (IMAGE, image.id) in nodes
    cli.run('checkpoint-delete', INFRA, checkpoint['id'])
    cli.wait_for('deleted', 'checkpoint-show', INFRA, checkpoint['id'],
                 timeout=300)
