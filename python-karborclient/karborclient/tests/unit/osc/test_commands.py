#    Licensed under the Apache License, Version 2.0 (the "License"); you may
#    not use this file except in compliance with the License. You may obtain
#    a copy of the License at
#
#         http://www.apache.org/licenses/LICENSE-2.0
#
#    Unless required by applicable law or agreed to in writing, software
#    distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
#    WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
#    License for the specific language governing permissions and limitations
#    under the License.

"""What each ``openstack data protection`` command sends and shows."""

import json

import yaml

from karborclient.tests.unit import fakes
from karborclient.tests.unit.osc import shell

PLANS_URL = fakes.url('/plans')
CHECKPOINTS_URL = fakes.url('/providers/%s/checkpoints' % fakes.PROVIDER_ID)
VOLUME_URL = fakes.url('/protectables/OS::Cinder::Volume/instances/%s'
                       % fakes.VOLUME_ID)
RESTORE_URL = fakes.url('/restores/%s' % fakes.RESTORE_ID)
VERIFICATION_ID = '5d5d6d92-7a1c-4c0e-a7d2-1b3a8a4c4d11'
TRIGGER_ID = '2a9ce1f3-cc1a-4516-9435-0ebb13caa398'
OPERATION_ID = '6b4c4f8e-2b0d-4d7e-9f0a-3e6f5b7c8d9a'
SERVICE = {'id': 2, 'binary': 'karbor-protection', 'host': 'node1',
           'status': 'disabled', 'state': 'up',
           'updated_at': '2026-01-01T00:00:00', 'disabled_reason': 'moving'}

OSC_COMMANDS_OF_2_1_0 = {
    'checkpoint create', 'checkpoint delete', 'checkpoint list',
    'checkpoint reset state', 'checkpoint show', 'operationlog list',
    'operationlog show', 'plan create', 'plan delete', 'plan list',
    'plan show', 'plan update', 'protectable instance list',
    'protectable instance show', 'protectable list', 'protectable show',
    'provider list', 'provider show', 'quotaclass show', 'quotaclass update',
    'quotas default', 'quotas show', 'quotas update', 'restore create',
    'restore list', 'restore show', 'scheduledoperation create',
    'scheduledoperation delete', 'scheduledoperation list',
    'scheduledoperation show', 'service disable', 'service enable',
    'service list', 'trigger create', 'trigger delete', 'trigger list',
    'trigger show', 'trigger update', 'verification create',
    'verification list', 'verification show'}


def checkpoint_answers(*statuses):
    return [{'json': {'checkpoint': fakes.available_checkpoint(
        status=status)}} for status in statuses]


def verification(**changes):
    return dict({'id': VERIFICATION_ID, 'project_id': fakes.PROJECT_ID,
                 'provider_id': fakes.PROVIDER_ID,
                 'checkpoint_id': fakes.CHECKPOINT_ID, 'parameters': {},
                 'resources_status': {}, 'resources_reason': {},
                 'status': 'in_progress'}, **changes)


def test_the_commands_are_2_1_0s_under_its_entry_point_names():
    points = shell.entry_points('openstack.data_protection.v1')
    names = {name[len('data_protection_'):].replace('_', ' ')
             for name in points}
    # And the copy, which 2.1.0 did not have.
    assert names == OSC_COMMANDS_OF_2_1_0 | {'checkpoint copy'}
    assert all(name.startswith('data_protection_') for name in points)
    for target in points.values():
        shell.load(target)
    assert shell.entry_points('openstack.cli.extension') == {
        'data_protection': 'karborclient.osc.plugin'}


def test_provider_list_as_json_has_one_object_per_provider(
        openstack, requests_mock):
    requests_mock.get(fakes.url('/providers'), json={'providers': [
        {'id': fakes.PROVIDER_ID, 'name': 'OS Infra Provider',
         'description': 'Cinder and Swift', 'extended_info_schema': {}}]})

    result = openstack('provider', 'list', '-f', 'json')

    assert result.status == 0, result.err
    assert json.loads(result.out) == [{'Id': fakes.PROVIDER_ID,
                                       'Name': 'OS Infra Provider',
                                       'Description': 'Cinder and Swift'}]


def test_provider_show_yaml_keeps_the_schemas_structured(openstack,
                                                         requests_mock):
    schema = {'options_schema': {'OS::Cinder::Volume': {'type': 'object'}}}
    requests_mock.get(fakes.url('/providers/%s' % fakes.PROVIDER_ID),
                      json={'provider': {'id': fakes.PROVIDER_ID,
                                         'name': 'Infra',
                                         'extended_info_schema': schema}})

    result = openstack('provider', 'show', fakes.PROVIDER_ID,
                       '-f', 'yaml')

    assert result.status == 0, result.err
    assert yaml.safe_load(result.out) == {
        'id': fakes.PROVIDER_ID, 'name': 'Infra',
        'extended_info_schema': schema}


def test_protectable_instance_list_sends_the_parameters(openstack,
                                                        requests_mock):
    instances = requests_mock.get(
        fakes.url('/protectables/OS::Cinder::Volume/instances'),
        json={'instances': [dict(fakes.VOLUME, dependent_resources=[],
                                 extra_info={'size': '1'})]})

    result = openstack('protectable', 'instance', 'list',
                       'OS::Cinder::Volume', '--parameters',
                       'region_name=RegionTwo', '-f', 'json')

    assert result.status == 0, result.err
    assert instances.last_request.qs == {'parameters.region_name':
                                         ['regiontwo']}
    [row] = json.loads(result.out)
    assert row['Extra info'] == {'size': '1'}
    assert row['Dependent resources'] == []


def test_protectable_list_shows_each_type(openstack, requests_mock):
    requests_mock.get(fakes.url('/protectables'), json={
        'protectable_type': ['OS::Cinder::Volume', 'OS::Nova::Server']})

    result = openstack('protectable', 'list', '-f', 'value')

    assert result.out.split() == ['OS::Cinder::Volume', 'OS::Nova::Server']


def test_plan_create_checks_the_resources_then_posts_the_plan(
        openstack, requests_mock):
    check = requests_mock.get(VOLUME_URL, json={'instance': fakes.VOLUME})
    create = requests_mock.post(PLANS_URL, json={'plan': fakes.plan()})

    result = openstack(
        'plan', 'create', 'Plan1', fakes.PROVIDER_ID,
        '%s=OS::Cinder::Volume=Volume1=bootable=true' % fakes.VOLUME_ID,
        '--parameters', 'resource_type=OS::Cinder::Volume,backup_mode=full',
        '--description', 'nightly', '-f', 'json')

    assert result.status == 0, result.err
    assert check.called
    assert create.last_request.json() == {'plan': {
        'name': 'Plan1', 'description': 'nightly',
        'provider_id': fakes.PROVIDER_ID,
        'resources': [dict(fakes.VOLUME, extra_info={'bootable': 'true'})],
        'parameters': {'OS::Cinder::Volume': {'backup_mode': 'full'}}}}
    shown = json.loads(result.out)
    assert shown['resources'] == [fakes.VOLUME]
    assert shown['status'] == 'suspended'


def test_plan_create_refuses_a_provider_that_is_no_uuid(openstack,
                                                        requests_mock):
    result = openstack('plan', 'create', 'Plan1', 'infra',
                       'a=OS::Cinder::Volume=b')

    assert result.status == 2
    assert "invalid provider id 'infra'" in result.err
    assert not requests_mock.called


def test_plan_create_refuses_a_resource_karbor_does_not_know(
        openstack, requests_mock):
    requests_mock.get(VOLUME_URL, status_code=404, json=fakes.error(
        'itemNotFound', 404, 'Volume could not be found.'))
    create = requests_mock.post(PLANS_URL, json={'plan': fakes.plan()})

    result = openstack('plan', 'create', 'Plan1', fakes.PROVIDER_ID,
                       '%s=OS::Cinder::Volume=Volume1' % fakes.VOLUME_ID)

    assert result.status == 1
    assert 'Refusing to create the plan' in result.err
    assert not create.called


def test_plan_list_all_projects_of_one_project(openstack, requests_mock):
    plans = requests_mock.get(PLANS_URL, json={'plans': [fakes.plan()]})

    result = openstack('plan', 'list', '--project', 'p1', '--sort',
                       'name:asc', '-f', 'value', '-c', 'Id', '-c', 'Status')

    assert result.status == 0, result.err
    assert plans.last_request.qs == {'all_tenants': ['1'],
                                     'project_id': ['p1'],
                                     'sort': ['name:asc']}
    assert result.out == '%s suspended\n' % fakes.PLAN_ID


def test_plan_update_starts_the_plan(openstack, requests_mock):
    update = requests_mock.put(fakes.url('/plans/%s' % fakes.PLAN_ID),
                               json={'plan': fakes.plan(status='started')})

    result = openstack('plan', 'update', fakes.PLAN_ID, '--status',
                       'started', '-f', 'value', '-c', 'status')

    assert update.last_request.json() == {'plan': {'status': 'started'}}
    assert result.out == 'started\n'


def test_plan_update_without_a_change_sends_nothing(openstack,
                                                    requests_mock):
    result = openstack('plan', 'update', fakes.PLAN_ID)

    assert result.status == 1
    assert 'Nothing to update' in result.err
    assert not requests_mock.called


def test_plan_delete_goes_on_after_a_failure(openstack, requests_mock):
    other = '0b8a5c56-43f2-4a4b-8c1e-3c3d7d5b2f10'
    missing = requests_mock.delete(
        fakes.url('/plans/%s' % other), status_code=404,
        json=fakes.error('itemNotFound', 404, 'Plan %s could not be found.'
                         % other))
    deleted = requests_mock.delete(fakes.url('/plans/%s' % fakes.PLAN_ID),
                                   status_code=202)

    result = openstack('plan', 'delete', other, fakes.PLAN_ID)

    assert result.status == 1
    assert missing.called and deleted.called
    assert result.err == 'ERROR: Plan %s could not be found.\n' % other


def test_checkpoint_create_wait_shows_progress_then_the_checkpoint(
        openstack, requests_mock, clock):
    create = requests_mock.post(CHECKPOINTS_URL,
                                json={'checkpoint': fakes.checkpoint()})
    poll = requests_mock.get(fakes.checkpoint_url(), checkpoint_answers(
        'protecting', 'available'))

    result = openstack('checkpoint', 'create', fakes.PROVIDER_ID,
                       fakes.PLAN_ID, '--extra_info', 'note=before',
                       '--wait', '-f', 'json')

    assert result.status == 0, result.err
    assert create.last_request.json() == {'checkpoint': {
        'plan_id': fakes.PLAN_ID, 'extra_info': {'note': 'before'}}}
    assert poll.call_count == 2
    assert result.err == (
        'checkpoint %(id)s: protecting (0.2 s)\n'
        'checkpoint %(id)s: available (0.6 s)\n'
        % {'id': fakes.CHECKPOINT_ID})
    shown = json.loads(result.out)
    assert shown['status'] == 'available'
    # Karbor's JSON text inside JSON, decoded.
    assert shown['resource_graph'] == [
        {'0x0': ['OS::Cinder::Volume', fakes.VOLUME_ID, 'Volume1']}, []]


def test_checkpoint_create_without_wait_polls_nothing(openstack,
                                                      requests_mock):
    requests_mock.post(CHECKPOINTS_URL,
                       json={'checkpoint': fakes.checkpoint()})
    poll = requests_mock.get(fakes.checkpoint_url(),
                             checkpoint_answers('available'))

    result = openstack('checkpoint', 'create', fakes.PROVIDER_ID,
                       fakes.PLAN_ID, '-f', 'value', '-c', 'status')

    assert result.out == 'protecting\n'
    assert not poll.called


def test_checkpoint_create_wait_shows_a_failed_checkpoint_then_fails(
        openstack, requests_mock, clock):
    requests_mock.post(CHECKPOINTS_URL,
                       json={'checkpoint': fakes.checkpoint()})
    reasons = {'OS::Cinder::Volume#%s' % fakes.VOLUME_ID: 'no backup'}
    requests_mock.get(fakes.checkpoint_url(), json={
        'checkpoint': fakes.available_checkpoint(
            status='error', resources_reason=reasons)})

    result = openstack('checkpoint', 'create', fakes.PROVIDER_ID,
                       fakes.PLAN_ID, '--wait', '-f', 'json')

    assert result.status == 1
    shown = json.loads(result.out)
    assert shown['status'] == 'error'
    assert shown['resources_reason'] == reasons
    assert result.err.splitlines()[-1] == (
        'Failed: checkpoint %s: error' % fakes.CHECKPOINT_ID)


def test_checkpoint_list_json_decodes_metadata_and_sums_up_the_plan(
        openstack, requests_mock):
    listed = requests_mock.get(CHECKPOINTS_URL, json={'checkpoints': [
        fakes.available_checkpoint(extra_info='{"note": "before"}')]})

    result = openstack('checkpoint', 'list', fakes.PROVIDER_ID,
                       '--all-projects', '--plan_id', fakes.PLAN_ID,
                       '-f', 'json')

    assert result.status == 0, result.err
    assert listed.last_request.qs == {'all_tenants': ['1'],
                                      'plan_id': [fakes.PLAN_ID]}
    assert json.loads(result.out) == [{
        'Id': fakes.CHECKPOINT_ID, 'Project id': fakes.PROJECT_ID,
        'Status': 'available',
        'Protection plan': 'Name: Plan1\nId: %s' % fakes.PLAN_ID,
        'Metadata': {'note': 'before'}, 'Created at': '2017-03-27'}]


def test_checkpoint_show_table_indents_nested_fields_as_json(
        openstack, requests_mock):
    requests_mock.get(fakes.checkpoint_url(),
                      json={'checkpoint': fakes.available_checkpoint()})
    requests_mock.get(fakes.url('/restores'), json={'restores': []})

    result = openstack('checkpoint', 'show', fakes.PROVIDER_ID,
                       fakes.CHECKPOINT_ID)

    assert result.status == 0, result.err
    assert '|                 |       "OS::Cinder::Volume",' in result.out
    assert "{'" not in result.out


def test_checkpoint_delete_wait_polls_until_it_is_gone(
        openstack, requests_mock, clock):
    delete = requests_mock.delete(fakes.checkpoint_url(), status_code=202)
    poll = requests_mock.get(fakes.checkpoint_url(), [
        {'json': {'checkpoint': fakes.available_checkpoint(
            status='deleting')}},
        {'status_code': 404, 'json': fakes.error('itemNotFound', 404,
                                                 'gone')}])

    result = openstack('checkpoint', 'delete', fakes.PROVIDER_ID,
                       fakes.CHECKPOINT_ID, '--wait')

    assert result.status == 0, result.err
    assert delete.called and poll.call_count == 2
    assert result.out == ''
    assert 'checkpoint %s: deleted' % fakes.CHECKPOINT_ID in result.err


def test_checkpoint_reset_state_available(openstack, requests_mock):
    reset = requests_mock.put(fakes.checkpoint_url(), status_code=202)

    result = openstack('checkpoint', 'reset', 'state', fakes.PROVIDER_ID,
                       fakes.CHECKPOINT_ID, '--available')

    assert result.status == 0, result.err
    assert reset.last_request.json() == {
        'os-resetState': {'state': 'available'}}


def test_restore_create_wait_with_a_target(openstack, requests_mock, clock):
    create = requests_mock.post(fakes.url('/restores'),
                                json={'restore': fakes.restore()})
    requests_mock.get(RESTORE_URL, json={'restore': fakes.restore(
        status='success',
        resources_status={'OS::Cinder::Volume#x': 'available'})})

    result = openstack('restore', 'create', fakes.PROVIDER_ID,
                       fakes.CHECKPOINT_ID, '--restore_target',
                       'http://keystone.test/v3', '--restore_username', 'u',
                       '--restore_password', 'p', '--wait', '-f', 'json')

    assert result.status == 0, result.err
    assert create.last_request.json()['restore']['restore_auth'] == {
        'type': 'password', 'username': 'u', 'password': 'p'}
    assert json.loads(result.out)['resources_status'] == {
        'OS::Cinder::Volume#x': 'available'}
    assert result.err == (
        'restore %s: success, 1 of 1 resources done (0.2 s)\n'
        % fakes.RESTORE_ID)


def test_restore_create_target_needs_credentials(openstack, requests_mock):
    result = openstack('restore', 'create', fakes.PROVIDER_ID,
                       fakes.CHECKPOINT_ID, '--restore_target',
                       'http://keystone.test/v3')

    assert result.status == 1
    assert 'needs --restore_username' in result.err
    assert not requests_mock.called


def test_restore_list_shows_parameters_as_json(openstack, requests_mock):
    requests_mock.get(fakes.url('/restores'), json={'restores': [
        fakes.restore(parameters={'OS::Cinder::Volume': {'az': 'nova'}})]})

    result = openstack('restore', 'list', '-f', 'json')

    [row] = json.loads(result.out)
    assert row['Parameters'] == {'OS::Cinder::Volume': {'az': 'nova'}}


def test_verification_create_wait_fails_when_it_fails(openstack,
                                                      requests_mock, clock):
    create = requests_mock.post(fakes.url('/verifications'),
                                json={'verification': verification()})
    requests_mock.get(fakes.url('/verifications/%s' % VERIFICATION_ID),
                      json={'verification': verification(status='fail')})

    result = openstack('verification', 'create', fakes.PROVIDER_ID,
                       fakes.CHECKPOINT_ID, '--wait', '-f', 'value',
                       '-c', 'status')

    assert create.last_request.json() == {'verification': {
        'provider_id': fakes.PROVIDER_ID,
        'checkpoint_id': fakes.CHECKPOINT_ID, 'parameters': {}}}
    assert result.status == 1
    assert result.out == 'fail\n'
    assert 'Failed: verification %s: fail' % VERIFICATION_ID in result.err


def test_trigger_create_keeps_commas_of_the_pattern(openstack,
                                                    requests_mock):
    create = requests_mock.post(fakes.url('/triggers'), json={
        'trigger_info': {'id': TRIGGER_ID, 'name': 'nightly',
                         'type': 'time', 'properties': {}}})

    result = openstack('trigger', 'create', 'nightly', 'time',
                       'format=crontab,pattern=0 2 * * 1,3,window=60')

    assert result.status == 0, result.err
    assert create.last_request.json() == {'trigger_info': {
        'name': 'nightly', 'type': 'time',
        'properties': {'format': 'crontab', 'pattern': '0 2 * * 1,3',
                       'window': 60}}}


def test_trigger_update_renames(openstack, requests_mock):
    update = requests_mock.put(fakes.url('/triggers/%s' % TRIGGER_ID), json={
        'trigger_info': {'id': TRIGGER_ID, 'name': 'daily'}})

    result = openstack('trigger', 'update', TRIGGER_ID, '--name', 'daily')

    assert result.status == 0, result.err
    assert update.last_request.json() == {'trigger_info': {'name': 'daily'}}


def test_scheduledoperation_create_sends_the_definition(openstack,
                                                        requests_mock):
    create = requests_mock.post(fakes.url('/scheduled_operations'), json={
        'scheduled_operation': {'id': OPERATION_ID, 'name': 'web'}})

    result = openstack(
        'scheduledoperation', 'create', 'web', 'protect', TRIGGER_ID,
        'provider_id=%s,plan_id=%s' % (fakes.PROVIDER_ID, fakes.PLAN_ID))

    assert result.status == 0, result.err
    assert create.last_request.json()['scheduled_operation'] == {
        'name': 'web', 'operation_type': 'protect', 'trigger_id': TRIGGER_ID,
        'operation_definition': {'provider_id': fakes.PROVIDER_ID,
                                 'plan_id': fakes.PLAN_ID}}


def test_scheduledoperation_list_reads_karbors_operations_key(
        openstack, requests_mock):
    requests_mock.get(fakes.url('/scheduled_operations'), json={
        'operations': [{'id': OPERATION_ID, 'name': 'web',
                        'operation_type': 'protect',
                        'trigger_id': TRIGGER_ID,
                        'operation_definition': {'plan_id': 'p'}}]})

    result = openstack('scheduledoperation', 'list', '-f', 'json')

    [row] = json.loads(result.out)
    assert row['Trigger Id'] == TRIGGER_ID
    assert row['Operation Definition'] == {'plan_id': 'p'}


def test_operationlog_list_filters(openstack, requests_mock):
    logs = requests_mock.get(fakes.url('/operation_logs'),
                             json={'operation_logs': []})

    result = openstack('operationlog', 'list', '--status', 'failed',
                       '--plan_id', fakes.PLAN_ID)

    assert result.status == 0, result.err
    assert logs.last_request.qs == {'status': ['failed'],
                                    'plan_id': [fakes.PLAN_ID]}


def test_service_disable_with_a_reason(openstack, requests_mock):
    disable = requests_mock.put(fakes.url('/os-services/2'),
                                json={'service': SERVICE})

    result = openstack('service', 'disable', '2', '--reason', 'moving',
                       '-f', 'json')

    assert disable.last_request.json() == {'status': 'disabled',
                                           'disabled_reason': 'moving'}
    assert json.loads(result.out)['disabled_reason'] == 'moving'


def test_service_list_columns(openstack, requests_mock):
    requests_mock.get(fakes.url('/os-services'), json={'services': [SERVICE]})

    result = openstack('service', 'list', '-f', 'json')

    assert json.loads(result.out) == [{
        'Id': 2, 'Binary': 'karbor-protection', 'Host': 'node1',
        'Status': 'disabled', 'State': 'up',
        'Updated_at': '2026-01-01T00:00:00', 'Disabled Reason': 'moving'}]


def test_quotas_show_of_the_callers_project_in_detail(openstack,
                                                      requests_mock):
    requests_mock.get(fakes.url('/quotas/%s/detail' % fakes.PROJECT),
                      json={'quota': {'id': fakes.PROJECT, 'plans': {
                          'limit': 50, 'in_use': 1, 'reserved': 0}}})

    result = openstack('quotas', 'show', '--detail', '-f', 'json')

    assert result.status == 0, result.err
    assert json.loads(result.out)['plans'] == (
        'in_use = 1\nlimit = 50\nreserved = 0')


def test_quotas_update_and_quotaclass_update(openstack, requests_mock):
    quota = requests_mock.put(fakes.url('/quotas/p1'), json={
        'quota': {'id': 'p1', 'plans': 5, 'checkpoints': -1}})
    quota_class = requests_mock.put(fakes.url('/quota_classes/default'),
                                    json={'quota_class': {'id': 'default',
                                                          'plans': 7}})

    assert openstack('quotas', 'update', 'p1', '--plans', '5').status == 0
    result = openstack('quotaclass', 'update', 'default', '--plans', '7',
                       '-f', 'value', '-c', 'plans')

    assert quota.last_request.json() == {'quota': {'plans': 5}}
    assert quota_class.last_request.json() == {'quota_class': {'plans': 7}}
    assert result.out == '7\n'


def test_quotas_default_of_a_project(openstack, requests_mock):
    requests_mock.get(fakes.url('/quotas/p1/defaults'), json={
        'quota': {'id': 'p1', 'plans': 50, 'checkpoints': -1}})

    result = openstack('quotas', 'default', '--tenant', 'p1', '-f', 'json')

    assert json.loads(result.out) == {'id': 'p1', 'plans': 50,
                                      'checkpoints': -1}
