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

"""The user's walkthrough, step by step through the ``karbor`` CLI."""

from karbor.tests.functional import fixtures

NOOP_DESCRIPTION = ('This provider does nothing for each protect and '
                    'restore operation. Used for testing')
INFRA_DESCRIPTION = ("This provider uses OpenStack's own services (swift, "
                     "cinder) as storage")
PROTECTABLE_TYPES = ['OS::Cinder::Volume', 'OS::Glance::Image',
                     'OS::Keystone::Project', 'OS::Nova::Server']


def walk(cli, provider_id=fixtures.NOOP_PROVIDER):
    """provider-list ... checkpoint-delete; returns the ids it made."""
    providers = fixtures.parse_list_table(cli.run('provider-list').stdout)
    assert {'Id': fixtures.NOOP_PROVIDER, 'Name': 'No-Op Provider',
            'Description': NOOP_DESCRIPTION} in providers
    assert {'Id': fixtures.INFRA_PROVIDER, 'Name': 'OS Infra Provider',
            'Description': INFRA_DESCRIPTION} in providers

    types = fixtures.parse_list_table(cli.run('protectable-list').stdout)
    assert [row['Protectable type'] for row in types] == PROTECTABLE_TYPES

    project = cli.project
    plan = cli.table('plan-create', 'Plan1', provider_id,
                     '%s=OS::Keystone::Project=%s' % (project, project))
    assert sorted(plan) == ['description', 'id', 'name', 'parameters',
                            'provider_id', 'resources', 'status']
    assert plan['name'] == 'Plan1'
    assert plan['status'] == 'suspended'
    assert plan['parameters'] == '{}'
    assert fixtures.loads(plan['resources']) == [
        {'id': project, 'name': project, 'type': 'OS::Keystone::Project'}]

    created = cli.table('checkpoint-create', provider_id, plan['id'])
    assert sorted(created) == ['created_at', 'extra_info', 'id',
                               'project_id', 'protection_plan',
                               'resource_graph', 'status']
    assert created['status'] == 'protecting'
    assert created['project_id'] == project
    assert fixtures.loads(created['protection_plan'])['id'] == plan['id']

    checkpoint = cli.wait_for('available', 'checkpoint-show', provider_id,
                              created['id'])
    assert fixtures.loads(checkpoint['resource_graph']) == [
        {'0x0': ['OS::Keystone::Project', project, project]}, []]
    assert len(checkpoint['created_at']) == len('2026-11-25')

    restore = cli.table('restore-create', provider_id, created['id'])
    assert sorted(restore) == ['checkpoint_id', 'id', 'parameters',
                               'project_id', 'provider_id',
                               'resources_reason', 'resources_status',
                               'restore_target', 'status']
    assert restore['status'] == 'in_progress'
    done = cli.wait_for('success', 'restore-show', restore['id'])
    assert fixtures.loads(done['resources_status']) == {
        'OS::Keystone::Project#%s' % project: 'available'}
    assert fixtures.loads(done['resources_reason']) == {}

    deleted = cli.run('checkpoint-delete', provider_id, created['id'])
    assert deleted.stdout.strip() == ''
    cli.wait_for('deleted', 'checkpoint-show', provider_id, created['id'])
    return {'plan': plan['id'], 'checkpoint': created['id'],
            'restore': restore['id']}
