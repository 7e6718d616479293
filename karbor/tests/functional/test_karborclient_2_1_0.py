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

"""The last release of python-karborclient (2.1.0) drives Karbor unchanged.

The old client is installed into a virtualenv of its own, cached beside the
test virtualenv, and talks to karbor-all in its direct (no Keystone) mode.
"""

import subprocess
import time

import pytest

from karbor.tests.functional import fixtures


@pytest.fixture(scope='module')
def old_karbor():
    return fixtures.karborclient_2_1_0()


@pytest.fixture
def karbor(old_karbor, karbor_all):
    """Run the old client against karbor-all as ``user`` (by default the
    project's own) of ``project``; its output, once it has exited 0 (with
    check=False: its output and errors, once it has failed)."""
    def run(*args, check=True, project='demo', user=None):
        result = subprocess.run(
            [old_karbor, '--os-no-client-auth', '--os-auth-token',
             '%s:%s' % (user or project, project),
             '--karbor-url', '%s/v1/%s' % (karbor_all, project)] +
            list(args), capture_output=True, text=True, timeout=120)
        if not check:
            assert result.returncode != 0, (args, result.stdout)
            return result.stdout + result.stderr
        assert result.returncode == 0, (args, result.stdout, result.stderr)
        return result.stdout
    return run


def test_python_karborclient_2_1_0_walks_the_walkthrough(karbor):

    def wait_for(status, *args):
        deadline = time.monotonic() + 60
        while True:
            shown = fixtures.parse_property_table(karbor(*args))
            if shown['status'] == status or time.monotonic() > deadline:
                return shown
            time.sleep(0.3)

    provider = fixtures.NOOP_PROVIDER
    assert 'No-Op Provider' in karbor('provider-list')
    assert 'OS::Keystone::Project' in karbor('protectable-list')
    plan = fixtures.parse_property_table(karbor(
        'plan-create', 'Plan1', provider, 'demo=OS::Keystone::Project=demo'))
    assert plan['status'] == 'suspended'
    created = fixtures.parse_property_table(
        karbor('checkpoint-create', provider, plan['id']))
    assert created['status'] == 'protecting'
    shown = wait_for('available', 'checkpoint-show', provider,
                     created['id'])
    assert shown['status'] == 'available'
    assert '"OS::Keystone::Project"' in shown['resource_graph']
    # The rows the original showed, and no others.
    assert set(shown) == {'id', 'project_id', 'status', 'protection_plan',
                          'resource_graph', 'extra_info', 'created_at'}
    restore = fixtures.parse_property_table(
        karbor('restore-create', provider, created['id']))
    done = wait_for('success', 'restore-show', restore['id'])
    assert done['status'] == 'success'
    assert 'OS::Keystone::Project#demo' in done['resources_status']
    karbor('checkpoint-delete', provider, created['id'])
    assert wait_for('deleted', 'checkpoint-show', provider,
                    created['id'])['status'] == 'deleted'
    assert plan['id'] in karbor('plan-list')
    assert restore['id'] in karbor('restore-list')


def test_python_karborclient_2_1_0_manages_triggers(karbor):
    created = fixtures.parse_property_table(karbor(
        'trigger-create', 'nightly', 'time',
        'format=crontab,pattern=0 2 * * *,window=1800'))
    assert created['name'] == 'nightly'
    assert '"pattern": "0 2 * * *"' in created['properties']
    assert '"start_time"' in created['properties']
    assert created['id'] in karbor('trigger-list')
    renamed = fixtures.parse_property_table(
        karbor('trigger-update', created['id'], '--name', 'at-two'))
    assert renamed['name'] == 'at-two'
    assert '"pattern": "0 2 * * *"' in renamed['properties']
    shown = fixtures.parse_property_table(
        karbor('trigger-show', created['id']))
    assert shown['name'] == 'at-two'
    karbor('trigger-delete', created['id'])
    assert created['id'] not in karbor('trigger-list')


def test_python_karborclient_2_1_0_schedules_protection_and_reads_logs(
        karbor):
    plan = fixtures.parse_property_table(karbor(
        'plan-create', 'scheduled', fixtures.NOOP_PROVIDER,
        'demo=OS::Keystone::Project=demo'))
    trigger = fixtures.parse_property_table(karbor(
        'trigger-create', 'nightly', 'time',
        'format=crontab,pattern=0 2 * * *'))
    created = fixtures.parse_property_table(karbor(
        'scheduledoperation-create', 'keep seven', 'retention_protect',
        trigger['id'], 'plan_id=%s,provider_id=%s,max_backups=7' % (
            plan['id'], fixtures.NOOP_PROVIDER)))
    assert created['name'] == 'keep seven'
    assert created['operation_type'] == 'retention_protect'
    assert created['trigger_id'] == trigger['id']
    assert '"max_backups": 7' in created['operation_definition']
    listed = fixtures.parse_list_table(karbor('scheduledoperation-list'))
    assert (created['id'], 'keep seven') in [
        (row['Id'], row['Name']) for row in listed]
    shown = fixtures.parse_property_table(
        karbor('scheduledoperation-show', created['id']))
    assert shown['id'] == created['id']
    # In use, the trigger stays.
    assert 'used by scheduled operations' in karbor(
        'trigger-delete', trigger['id'], check=False)
    karbor('scheduledoperation-delete', created['id'])
    karbor('trigger-delete', trigger['id'])

    checkpoint = fixtures.parse_property_table(karbor(
        'checkpoint-create', fixtures.NOOP_PROVIDER, plan['id']))
    logs = fixtures.parse_list_table(karbor('operationlog-list'))
    (log,) = [row for row in logs if row['Checkpoint id'] == checkpoint['id']]
    assert (log['Operation Type'], log['Plan Id']) == ('protect', plan['id'])
    shown = fixtures.parse_property_table(
        karbor('operationlog-show', log['Id']))
    assert shown['checkpoint_id'] == checkpoint['id']


def test_python_karborclient_2_1_0_lists_disables_and_enables_services(
        karbor):
    def services(*args):
        return {row['Binary']: row for row in fixtures.parse_list_table(
            karbor('service-list', *args, user='admin'))}

    listed = services()
    assert sorted(listed) == ['karbor-operationengine', 'karbor-protection']
    assert {(row['Status'], row['State']) for row in listed.values()} == {
        ('enabled', 'up')}
    engine = listed['karbor-operationengine']
    assert list(services('--binary', 'karbor-protection')) == [
        'karbor-protection']
    assert services('--host', 'elsewhere') == {}
    assert 'service:get_all' in karbor('service-list', check=False)

    protection = listed['karbor-protection']['Id']
    try:
        disabled, = fixtures.parse_list_table(karbor(
            'service-disable', engine['Id'], '--reason', 'maintenance',
            user='admin'))
        assert (disabled['Status'], disabled['Disabled Reason']) == (
            'disabled', 'maintenance')
        assert services('--binary', 'karbor-operationengine')[
            'karbor-operationengine']['Disabled Reason'] == 'maintenance'

        karbor('service-disable', protection, user='admin')
        plan = fixtures.parse_property_table(karbor(
            'plan-create', 'refused', fixtures.NOOP_PROVIDER,
            'demo=OS::Keystone::Project=demo'))
        assert 'No karbor-protection service is enabled' in karbor(
            'checkpoint-create', fixtures.NOOP_PROVIDER, plan['id'],
            check=False)
    finally:
        for service_id in (engine['Id'], protection):
            karbor('service-enable', service_id, user='admin')
    assert {row['Status'] for row in services().values()} == {'enabled'}


def test_python_karborclient_2_1_0_shows_and_sets_quotas(karbor):
    # A project of this test's own: the others' plans stay out of its
    # usage, its limits out of theirs.
    project = 'quotas'
    shown = fixtures.parse_property_table(
        karbor('quota-show', '--tenant', project, project=project))
    assert shown == {'id': project, 'plans': '50', 'checkpoints': '-1'}
    assert "Policy doesn't allow quota:update" in karbor(
        'quota-update', project, '--plans', '1', project=project,
        check=False)

    updated = fixtures.parse_property_table(karbor(
        'quota-update', project, '--plans', '1', project=project,
        user='admin'))
    assert updated['plans'] == '1'
    resource = '%s=OS::Keystone::Project=%s' % (project, project)
    karbor('plan-create', 'only', fixtures.NOOP_PROVIDER, resource,
           project=project)
    refused = karbor('plan-create', 'one too many', fixtures.NOOP_PROVIDER,
                     resource, project=project, check=False)
    assert ('Quota exceeded for plans: 1 more asked for, with 1 in use and '
            '0 reserved of a limit of 1.') in refused
    detail = fixtures.parse_property_table(karbor(
        'quota-show', '--tenant', project, '--detail', project=project))
    assert detail['plans'] == 'in_use = 1\nlimit = 1\nreserved = 0'

    assert fixtures.parse_property_table(karbor(
        'quota-class-show', 'default', project=project, user='admin')) == {
        'id': 'default', 'plans': '50', 'checkpoints': '-1'}
