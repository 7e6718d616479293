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

import pytest

from karbor.tests.fullstack import cloud
from karbor.tests.fullstack import deployment
from karbor.tests.fullstack import resources

# Every name the fullstack tests give, and those Karbor gives the backups
# and snapshots of a checkpoint ("karbor-<checkpoint id>").
TEST_PREFIXES = ('kfs-', 'karbor-')


def _remove_test_plans(user):
    """The plans the tests made (named kfs-...) and their checkpoints, and
    the scheduled operations and triggers that would protect them: the
    deployment outlives a test run, and a user of the cloud keeps theirs."""
    api = deployment.Api(cloud.session(user))
    for kind, key in (('scheduled_operations', 'operations'),
                      ('triggers', 'triggers')):
        for made in api.call('GET', '/%s?limit=1000' % kind)[key]:
            if made['name'].startswith('kfs-'):
                api.call('DELETE', '/%s/%s' % (kind, made['id']))
    plans = [plan for plan in api.call('GET', '/plans?limit=1000')['plans']
             if plan['name'].startswith('kfs-')]
    for plan in plans:
        checkpoints = api.call('GET', '/providers/%s/checkpoints?plan_id=%s'
                               % (plan['provider_id'], plan['id']))
        for checkpoint in checkpoints['checkpoints']:
            if checkpoint['status'] in ('available', 'error'):
                api.delete_checkpoint(plan['provider_id'], checkpoint['id'])
        api.call('DELETE', '/plans/' + plan['id'])


@pytest.fixture(scope='module')
def demo():
    """The user demo in project demo; what a test module made as demo goes
    when it ends. (Modules that test plugins on their own have a demo of
    their own.)"""
    tenant = resources.Tenant('demo')
    yield tenant
    tenant.clean_up()


@pytest.fixture(scope='session', autouse=True)
def no_leftovers_of_earlier_runs():
    """The cloud outlives a test run; a run that was cut short leaves
    servers, volumes, backups, images and plans behind, and a plan over the
    whole project would protect them too. They go before the tests start,
    and what the tests made goes after them."""
    if cloud.missing('demo', 'alt') is not None:
        yield
        return
    for user in ('demo', 'alt'):
        _remove_test_plans(user)
        resources.Tenant(user).clean_up(TEST_PREFIXES)
    yield
    for user in ('demo', 'alt'):
        _remove_test_plans(user)
