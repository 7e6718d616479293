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

"""What one project may do with another's plans, checkpoints and restores:
nothing. And what a bad restore request gets: a 400 that names it."""

import pytest

from karbor.tests.fullstack import cloud
from karbor.tests.fullstack import deployment
from karbor.tests.fullstack import resources
from karbor.tests.functional import fixtures

# Real backups and restores take minutes, not the unit tests' seconds.
pytestmark = [cloud.needs_cloud('admin', 'demo', 'alt'),
              pytest.mark.timeout(1800)]

INFRA = fixtures.INFRA_PROVIDER


@pytest.fixture(scope='module')
def demo_checkpoint():
    """demo's volume, plan, available checkpoint and finished restore."""
    tenant = resources.Tenant('demo')
    try:
        demo = deployment.OpenrcCli('demo')
        volume = tenant.new_volume('mine', known_bytes=False)
        plan = demo.table('plan-create', 'kfs-Mine', INFRA, '%s=%s=%s' % (
            volume.id, 'OS::Cinder::Volume', volume.name))
        created = demo.table('checkpoint-create', INFRA, plan['id'])
        demo.wait_for('available', 'checkpoint-show', INFRA, created['id'],
                      timeout=600)
        restore = demo.table('restore-create', INFRA, created['id'])
        demo.wait_for('success', 'restore-show', restore['id'], timeout=600)
        yield {'plan': plan['id'], 'checkpoint': created['id'],
               'restore': restore['id'], 'volume': volume.id}
        demo.run('checkpoint-delete', INFRA, created['id'], check=False)
    finally:
        tenant.clean_up()


def test_alt_never_sees_or_changes_demos_objects(demo_checkpoint):
    alt = deployment.OpenrcCli('alt')
    ids = demo_checkpoint
    for args in (('plan-show', ids['plan']),
                 ('plan-update', ids['plan'], '--name', 'taken'),
                 ('plan-delete', ids['plan']),
                 ('checkpoint-show', INFRA, ids['checkpoint']),
                 ('checkpoint-delete', INFRA, ids['checkpoint']),
                 ('checkpoint-reset-state', INFRA, ids['checkpoint']),
                 ('restore-create', INFRA, ids['checkpoint']),
                 ('restore-show', ids['restore'])):
        result = alt.run(*args, check=False)
        assert result.returncode != 0, args
        assert 'could not be found' in result.stderr, (args, result.stderr)
    assert ids['plan'] not in alt.run('plan-list').stdout
    assert ids['checkpoint'] not in alt.run('checkpoint-list',
                                            INFRA).stdout
    assert ids['restore'] not in alt.run('restore-list').stdout
    # Nor may alt plan demo's volume.
    result = alt.run('plan-create', 'kfs-Theirs', INFRA, '%s=%s=%s' % (
        ids['volume'], 'OS::Cinder::Volume', 'theirs'), check=False)
    assert result.returncode != 0

    demo = deployment.OpenrcCli('demo')
    assert demo.table('plan-show', ids['plan'])['name'] == 'kfs-Mine'
    assert demo.table('checkpoint-show', INFRA,
                      ids['checkpoint'])['status'] == 'available'


@pytest.mark.parametrize('parameters, words', [
    ('resource_type=OS::Cinder::Volume,colour=red', 'colour'),
    ('resource_type=OS::Nova::Server,restore_name=x',
     'no resource of type OS::Nova::Server'),
])
def test_invalid_restore_parameters_get_a_400_with_a_message(
        demo_checkpoint, parameters, words):
    demo = deployment.OpenrcCli('demo')
    before = demo.run('restore-list').stdout.count('\n')
    result = demo.run('restore-create', INFRA, demo_checkpoint['checkpoint'],
                      '--parameters', parameters, check=False)
    assert result.returncode == 1
    assert result.stderr.startswith('ERROR: ')
    assert words in result.stderr
    assert demo.run('restore-list').stdout.count('\n') == before
