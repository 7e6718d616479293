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

"""What each command sends to Karbor: URLs, query parameters and bodies."""

from urllib import parse

import pytest

from karborclient.tests.unit import fakes

CHECKPOINTS_URL = fakes.url('/providers/%s/checkpoints' % fakes.PROVIDER_ID)


def mock_instance_lookups(requests_mock):
    return requests_mock.get(
        fakes.url('/protectables/OS::Cinder::Volume/instances/%s'
                  % fakes.VOLUME_ID),
        json={'instance': dict(fakes.VOLUME, dependent_resources=[])})


def test_requests_carry_the_direct_mode_token(karbor, requests_mock):
    providers = requests_mock.get(fakes.url('/providers'),
                                  json={'providers': []})

    karbor('provider-list')

    assert providers.last_request.headers['X-Auth-Token'] == 'admin:demo'
    assert providers.last_request.headers['Accept'] == 'application/json'


def test_requests_ask_for_the_newest_api_microversion(karbor, requests_mock):
    providers = requests_mock.get(fakes.url('/providers'),
                                  json={'providers': []})

    karbor('provider-list')

    assert providers.last_request.headers['OpenStack-API-Version'] == (
        'data-protect 1.2')


def test_plan_create_looks_up_each_resource_then_posts_the_plan(
        karbor, requests_mock):
    lookup = mock_instance_lookups(requests_mock)
    create = requests_mock.post(fakes.url('/plans'),
                                json={'plan': fakes.plan()})

    karbor('plan-create', 'Plan1', fakes.PROVIDER_ID,
           '%s=OS::Cinder::Volume=Volume1=availability_zone=az1'
           % fakes.VOLUME_ID,
           '--description', 'nightly',
           '--parameters', 'resource_type=OS::Cinder::Volume,backup_mode=full',
           '--parameters', 'resource_type=OS::Nova::Server,resource_id=%s,'
                           'consistency=crash' % fakes.VOLUME_ID)

    assert lookup.called_once
    assert create.last_request.json() == {'plan': {
        'name': 'Plan1',
        'description': 'nightly',
        'provider_id': fakes.PROVIDER_ID,
        'resources': [dict(fakes.VOLUME,
                           extra_info={'availability_zone': 'az1'})],
        'parameters': {
            'OS::Cinder::Volume': {'backup_mode': 'full'},
            'OS::Nova::Server#%s' % fakes.VOLUME_ID: {'consistency': 'crash'},
        },
    }}


def test_plan_create_accepts_extra_info_as_json_like_the_old_client(
        karbor, requests_mock):
    mock_instance_lookups(requests_mock)
    create = requests_mock.post(fakes.url('/plans'),
                                json={'plan': fakes.plan()})

    karbor('plan-create', 'Plan1', fakes.PROVIDER_ID,
           '%s=OS::Cinder::Volume=Volume1={"availability_zone": "az1"}'
           % fakes.VOLUME_ID,
           '--parameters-json', '{"OS::Cinder::Volume": {"backup_mode": '
                                '"incremental"}}')

    body = create.last_request.json()['plan']
    assert body['resources'][0]['extra_info'] == {'availability_zone': 'az1'}
    assert body['parameters'] == {
        'OS::Cinder::Volume': {'backup_mode': 'incremental'}}


def test_plan_update_sends_only_what_changes(karbor, requests_mock):
    update = requests_mock.put(fakes.url('/plans/%s' % fakes.PLAN_ID),
                               json={'plan': fakes.plan(status='started')})

    result = karbor('plan-update', fakes.PLAN_ID, '--status', 'started')

    assert update.last_request.json() == {'plan': {'status': 'started'}}
    assert '| status      | started' in result.out


def test_checkpoint_create_sends_plan_id_and_extra_info(karbor,
                                                        requests_mock):
    create = requests_mock.post(CHECKPOINTS_URL,
                                json={'checkpoint': fakes.checkpoint()})

    karbor('checkpoint-create', fakes.PROVIDER_ID, fakes.PLAN_ID,
           '--extra_info', 'created-by=ops', 'ticket=42')

    assert create.last_request.json() == {'checkpoint': {
        'plan_id': fakes.PLAN_ID,
        'extra_info': {'created-by': 'ops', 'ticket': '42'}}}


def test_checkpoint_create_without_extra_info_sends_null(karbor,
                                                         requests_mock):
    create = requests_mock.post(CHECKPOINTS_URL,
                                json={'checkpoint': fakes.checkpoint()})

    karbor('checkpoint-create', fakes.PROVIDER_ID, fakes.PLAN_ID)

    assert create.last_request.json() == {'checkpoint': {
        'plan_id': fakes.PLAN_ID, 'extra_info': None}}


def test_restore_create_sends_target_credentials_and_parameters(
        karbor, requests_mock):
    create = requests_mock.post(fakes.url('/restores'),
                                json={'restore': fakes.restore()})

    karbor('restore-create', fakes.PROVIDER_ID, fakes.CHECKPOINT_ID,
           '--restore_target', 'http://keystone.test/identity',
           '--restore_username', 'admin', '--restore_password', 'secret',
           '--parameters', 'resource_type=OS::Cinder::Volume,'
                           'restore_name=vol-restored')

    assert create.last_request.json() == {'restore': {
        'provider_id': fakes.PROVIDER_ID,
        'checkpoint_id': fakes.CHECKPOINT_ID,
        'restore_target': 'http://keystone.test/identity',
        'restore_auth': {'type': 'password', 'username': 'admin',
                         'password': 'secret'},
        'parameters': {'OS::Cinder::Volume': {
            'restore_name': 'vol-restored'}},
    }}


def test_restore_create_in_place_sends_no_target_and_empty_parameters(
        karbor, requests_mock):
    create = requests_mock.post(fakes.url('/restores'),
                                json={'restore': fakes.restore()})

    karbor('restore-create', fakes.PROVIDER_ID, fakes.CHECKPOINT_ID)

    assert create.last_request.json() == {'restore': {
        'provider_id': fakes.PROVIDER_ID,
        'checkpoint_id': fakes.CHECKPOINT_ID,
        'restore_target': None, 'restore_auth': None, 'parameters': {}}}


@pytest.mark.parametrize('flag, state', [([], 'error'),
                                         (['--available'], 'available')])
def test_checkpoint_reset_state_puts_os_reset_state(karbor, requests_mock,
                                                    flag, state):
    reset = requests_mock.put(fakes.checkpoint_url(), json={})

    result = karbor('checkpoint-reset-state', fakes.PROVIDER_ID,
                    fakes.CHECKPOINT_ID, *flag)

    assert result == (0, '', '')
    assert reset.last_request.json() == {'os-resetState': {'state': state}}


def test_plan_delete_deletes_every_plan_given(karbor, requests_mock):
    other_plan = '3523a271-68aa-42f5-b9ba-56e5200a2ebb'
    deletes = [requests_mock.delete(fakes.url('/plans/%s' % plan_id),
                                    status_code=200, text='')
               for plan_id in (fakes.PLAN_ID, other_plan)]

    result = karbor('plan-delete', fakes.PLAN_ID, other_plan)

    assert result == (0, '', '')
    assert all(delete.called_once for delete in deletes)


def test_checkpoint_list_passes_filters_and_paging_as_query_parameters(
        karbor, requests_mock):
    listing = requests_mock.get(CHECKPOINTS_URL, json={'checkpoints': []})

    karbor('checkpoint-list', fakes.PROVIDER_ID, '--plan_id', fakes.PLAN_ID,
           '--start_date', '2026-01-01', '--end_date', '2026-01-31',
           '--project_id', fakes.PROJECT_ID, '--all-tenants',
           '--marker', fakes.CHECKPOINT_ID, '--limit', '5',
           '--sort', 'created_at:desc')

    assert listing.last_request.qs == {
        'plan_id': [fakes.PLAN_ID], 'start_date': ['2026-01-01'],
        'end_date': ['2026-01-31'], 'project_id': [fakes.PROJECT_ID],
        'all_tenants': ['1'], 'marker': [fakes.CHECKPOINT_ID],
        'limit': ['5'], 'sort': ['created_at:desc']}


def test_plan_list_tenant_filter_implies_all_tenants(karbor, requests_mock):
    listing = requests_mock.get(fakes.url('/plans'), json={'plans': []})

    karbor('plan-list', '--tenant', fakes.PROJECT_ID, '--status', 'started')

    assert listing.last_request.qs == {
        'all_tenants': ['1'], 'project_id': [fakes.PROJECT_ID],
        'status': ['started']}


def test_list_without_limit_follows_next_links_to_the_last_page(
        karbor, requests_mock):
    second_id = '3523a271-68aa-42f5-b9ba-56e5200a2ebb'
    requests_mock.get(fakes.url('/plans'), [
        {'json': {'plans': [fakes.plan()], 'plans_links': [
            {'rel': 'next',
             'href': fakes.url('/plans?marker=%s' % fakes.PLAN_ID)}]}},
        {'json': {'plans': [fakes.plan(id=second_id, name='Plan2')]}},
    ])

    result = karbor('plan-list')

    history = requests_mock.request_history
    assert [r.qs for r in history] == [{}, {'marker': [fakes.PLAN_ID]}]
    assert 'Plan1' in result.out and 'Plan2' in result.out


def test_list_with_limit_shows_one_page_only(karbor, requests_mock):
    listing = requests_mock.get(fakes.url('/restores'), json={
        'restores': [fakes.restore()],
        'restores_links': [{'rel': 'next', 'href': fakes.url(
            '/restores?limit=1&marker=%s' % fakes.RESTORE_ID)}]})

    karbor('restore-list', '--limit', '1')

    assert listing.call_count == 1
    assert listing.last_request.qs == {'limit': ['1']}


def test_protectable_instances_send_plugin_parameters_one_by_one(
        karbor, requests_mock):
    listing = requests_mock.get(
        fakes.url('/protectables/OS::Cinder::Volume/instances'),
        json={'instances': [dict(fakes.VOLUME, dependent_resources=[])]})

    result = karbor('protectable-list-instances', 'OS::Cinder::Volume',
                    '--parameters', 'region_name=RegionTwo', 'verbose')

    # .qs would lower-case the values; read the URL as sent.
    query = parse.parse_qs(parse.urlsplit(listing.last_request.url).query,
                           keep_blank_values=True)
    assert query == {'parameters.region_name': ['RegionTwo'],
                     'parameters.verbose': ['']}
    assert fakes.VOLUME_ID in result.out
