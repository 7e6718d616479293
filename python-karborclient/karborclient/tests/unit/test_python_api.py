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

"""The Python API as python-karborclient 2.1.0's callers (karbor-dashboard,
scripts) use it: what each call sends and what it returns."""

from urllib import parse

from keystoneauth1.identity import v3
from keystoneauth1 import session as ks_session
from keystoneauth1 import token_endpoint
import pytest

from karborclient import client
from karborclient.common import base
from karborclient import exceptions
from karborclient.tests.unit import fakes
from karborclient.tests.unit import test_keystone

TRIGGER_ID = '2a9ce1f3-cc1a-4516-9435-0ebb13caa398'
OPERATION_ID = '1a2c0c3d-f402-4cd8-b5db-82e85cb51fad'


@pytest.fixture
def kc():
    return client.Client('1', endpoint=fakes.KARBOR_URL, token='admin:demo')


def _query(request):
    # request.qs would lower-case the values.
    return dict(parse.parse_qsl(parse.urlsplit(request.url).query))


def test_an_unknown_version_is_refused_by_name():
    with pytest.raises(exceptions.UnsupportedVersion, match="'2'"):
        client.Client('2', endpoint=fakes.KARBOR_URL, token='admin:demo')


@pytest.mark.parametrize('version', ['1', '1.0', 1])
def test_version_1_in_each_spelling_gives_the_v1_client(version,
                                                        requests_mock):
    requests_mock.get(fakes.url('/plans'), json={'plans': []})
    kc = client.Client(version, fakes.KARBOR_URL, auth_token='admin:demo')
    assert kc.plans.list() == []
    assert requests_mock.last_request.headers['X-Auth-Token'] == 'admin:demo'


def test_a_keystone_session_finds_karbor_as_data_protect(requests_mock):
    test_keystone.keystone(requests_mock)
    auth = v3.Password(auth_url=test_keystone.AUTH_URL, username='alice',
                       password='secret', project_name='demo',
                       user_domain_id='default', project_domain_id='default')
    kc = client.Client('1', session=ks_session.Session(auth=auth),
                       endpoint_type='publicURL', region_name='RegionOne')
    requests_mock.get(test_keystone.CATALOG_URL + '/providers',
                      json={'providers': [{'id': fakes.PROVIDER_ID}]})

    providers = kc.providers.list()

    assert [p.id for p in providers] == [fakes.PROVIDER_ID]
    assert (requests_mock.last_request.headers['X-Auth-Token'] ==
            test_keystone.TOKEN_ID)
    assert kc.plans.project_id == fakes.PROJECT_ID


def test_the_dashboards_constructor_arguments_are_taken(requests_mock):
    kc = client.Client('1', endpoint=fakes.KARBOR_URL, token='admin:demo',
                       auth_url='http://keystone.test/v3', username='admin',
                       project_id=fakes.PROJECT_ID, auth_plugin='token',
                       insecure=True, timeout='30')
    requests_mock.get(fakes.url('/plans/' + fakes.PLAN_ID),
                      json={'plan': fakes.plan()})
    assert kc.plans.get(fakes.PLAN_ID).name == 'Plan1'
    assert requests_mock.last_request.verify is False
    assert requests_mock.last_request.timeout == 30.0


def test_plans_as_the_dashboard_calls_them(kc, requests_mock):
    listing = requests_mock.get(fakes.url('/plans'),
                                json={'plans': [fakes.plan()]})
    plans = kc.plans.list(detailed=True,
                          search_opts={'name': 'Plan1', 'status': None,
                                       'all_tenants': 0},
                          marker=None, limit=5, sort_key='name',
                          sort_dir='asc', sort=None)
    assert _query(listing.last_request) == {
        'name': 'Plan1', 'limit': '5', 'sort_key': 'name', 'sort_dir': 'asc'}
    assert listing.last_request.path == '/v1/demo/plans'
    assert isinstance(plans[0], base.Resource)
    assert plans[0].provider_id == fakes.PROVIDER_ID
    assert plans[0].to_dict() == plans[0]._info == fakes.plan()

    created = requests_mock.post(fakes.url('/plans'),
                                 json={'plan': fakes.plan()})
    plan = kc.plans.create('Plan1', fakes.PROVIDER_ID, [fakes.VOLUME], {})
    assert created.last_request.json() == {'plan': {
        'name': 'Plan1', 'description': None,
        'provider_id': fakes.PROVIDER_ID, 'resources': [fakes.VOLUME],
        'parameters': {}}}
    assert plan.id == fakes.PLAN_ID

    updated = requests_mock.put(
        fakes.url('/plans/' + fakes.PLAN_ID),
        json={'plan': fakes.plan(status='started')})
    assert kc.plans.update(fakes.PLAN_ID, {'status': 'started'}).status == (
        'started')
    assert kc.plans.update(fakes.PLAN_ID, data={'name': 'x'}).status == (
        'started')
    assert updated.last_request.json() == {'plan': {'name': 'x'}}

    requests_mock.delete(fakes.url('/plans/' + fakes.PLAN_ID), text='')
    assert kc.plans.delete(fakes.PLAN_ID) is None


def test_search_opts_and_keyword_filters_go_together(kc, requests_mock):
    listing = requests_mock.get(fakes.url('/restores'),
                                json={'restores': []})
    kc.restores.list(search_opts={'status': 'success'},
                     checkpoint_id=fakes.CHECKPOINT_ID, sort=['id:asc',
                                                              ('name',
                                                               'desc')])
    assert _query(listing.last_request) == {
        'status': 'success', 'checkpoint_id': fakes.CHECKPOINT_ID,
        'sort': 'id:asc,name:desc'}


def test_the_older_positional_marker_is_refused_clearly(kc):
    with pytest.raises(TypeError, match='keyword'):
        kc.checkpoints.list(fakes.PROVIDER_ID, fakes.CHECKPOINT_ID)


def test_checkpoints_as_the_dashboard_calls_them(kc, requests_mock):
    created = requests_mock.post(
        fakes.url('/providers/%s/checkpoints' % fakes.PROVIDER_ID),
        json={'checkpoint': fakes.checkpoint()})
    checkpoint = kc.checkpoints.create(fakes.PROVIDER_ID, fakes.PLAN_ID)
    assert created.last_request.json() == {
        'checkpoint': {'plan_id': fakes.PLAN_ID, 'extra_info': None}}
    assert checkpoint.status == 'protecting'
    kc.checkpoints.create(fakes.PROVIDER_ID, fakes.PLAN_ID,
                          checkpoint_extra_info={'note': 'nightly'})
    assert created.last_request.json()['checkpoint']['extra_info'] == {
        'note': 'nightly'}

    listing = requests_mock.get(
        fakes.url('/providers/%s/checkpoints' % fakes.PROVIDER_ID),
        json={'checkpoints': [fakes.available_checkpoint()]})
    found = kc.checkpoints.list(fakes.PROVIDER_ID,
                                {'plan_id': fakes.PLAN_ID}, None, 10)
    assert _query(listing.last_request) == {'plan_id': fakes.PLAN_ID,
                                            'limit': '10'}
    assert found[0].status == 'available'

    shown = requests_mock.get(fakes.checkpoint_url(),
                              json={'checkpoint':
                                    fakes.available_checkpoint()})
    assert kc.checkpoints.get(fakes.PROVIDER_ID, fakes.CHECKPOINT_ID,
                              session_id='s1').status == 'available'
    assert shown.last_request.headers['X-Configuration-Session'] == 's1'

    # Read again through the checkpoint's own plan's provider.
    checkpoint.get()
    assert checkpoint.status == 'available'

    reset = requests_mock.put(fakes.checkpoint_url(), json={})
    assert kc.checkpoints.reset_state(fakes.PROVIDER_ID, fakes.CHECKPOINT_ID,
                                      'error') is None
    assert reset.last_request.json() == {'os-resetState': {'state': 'error'}}

    requests_mock.delete(fakes.checkpoint_url(), json={})
    assert kc.checkpoints.delete(fakes.PROVIDER_ID,
                                 fakes.CHECKPOINT_ID) is None


def test_restores_as_2_1_0_creates_them(kc, requests_mock):
    created = requests_mock.post(fakes.url('/restores'),
                                 json={'restore': fakes.restore()})
    restore = kc.restores.create(fakes.PROVIDER_ID, fakes.CHECKPOINT_ID,
                                 None, {}, None)
    assert created.last_request.json() == {'restore': {
        'provider_id': fakes.PROVIDER_ID,
        'checkpoint_id': fakes.CHECKPOINT_ID, 'restore_target': None,
        'restore_auth': None, 'parameters': {}}}
    assert restore.status == 'in_progress'
    requests_mock.get(fakes.url('/restores/' + fakes.RESTORE_ID),
                      json={'restore': fakes.restore(status='success')})
    assert kc.restores.get(fakes.RESTORE_ID).status == 'success'


def test_protectables_read_as_2_1_0s_resources_and_as_names(kc,
                                                            requests_mock):
    requests_mock.get(fakes.url('/protectables'), json={
        'protectable_type': ['OS::Cinder::Volume', 'OS::Nova::Server']})
    types = kc.protectables.list()
    assert [t.protectable_type for t in types] == ['OS::Cinder::Volume',
                                                   'OS::Nova::Server']
    assert types[0].to_dict() == {'protectable_type': 'OS::Cinder::Volume'}
    assert types == ['OS::Cinder::Volume', 'OS::Nova::Server']

    volumes = fakes.url('/protectables/OS::Cinder::Volume/instances')
    listing = requests_mock.get(volumes, json={'instances': [fakes.VOLUME]})
    instances = kc.protectables.list_instances(
        'OS::Cinder::Volume',
        search_opts={'type': None, 'parameters': {'region_name': 'R1'}},
        limit=1, sort='name')
    assert _query(listing.last_request) == {
        'parameters.region_name': 'R1', 'limit': '1', 'sort': 'name'}
    assert instances[0].name == 'Volume1'

    shown = requests_mock.get(volumes + '/' + fakes.VOLUME_ID,
                              json={'instance': fakes.VOLUME})
    instance = kc.protectables.get_instance(
        type='OS::Cinder::Volume', id=fakes.VOLUME_ID,
        search_opts={'parameters': {'region_name': 'R1'}})
    assert instance.id == fakes.VOLUME_ID
    assert _query(shown.last_request) == {'parameters.region_name': 'R1'}


def test_triggers_and_scheduled_operations_as_2_1_0_sends_them(
        kc, requests_mock):
    trigger = {'id': TRIGGER_ID, 'name': 'daily', 'type': 'time',
               'properties': {'format': 'crontab', 'pattern': '0 2 * * *',
                              'window': 3600}}
    created = requests_mock.post(fakes.url('/triggers'),
                                 json={'trigger_info': trigger})
    assert kc.triggers.create('daily', 'time', {
        'format': 'crontab', 'pattern': '0 2 * * *',
        'window': '3600'}).id == TRIGGER_ID
    assert (created.last_request.json()['trigger_info']['properties']
            ['window'] == 3600)
    updated = requests_mock.put(fakes.url('/triggers/' + TRIGGER_ID),
                                json={'trigger_info': trigger})
    kc.triggers.update(TRIGGER_ID, {'properties': {'window': '60'}})
    assert updated.last_request.json() == {
        'trigger_info': {'properties': {'window': 60}}}

    operation = {'id': OPERATION_ID, 'name': 'nightly',
                 'operation_type': 'protect', 'trigger_id': TRIGGER_ID,
                 'operation_definition': {'plan_id': fakes.PLAN_ID,
                                          'provider_id': fakes.PROVIDER_ID}}
    requests_mock.post(fakes.url('/scheduled_operations'),
                       json={'scheduled_operation': operation})
    assert kc.scheduled_operations.create(
        'nightly', 'protect', TRIGGER_ID,
        operation['operation_definition']).id == OPERATION_ID
    requests_mock.get(fakes.url('/scheduled_operations'),
                      json={'operations': [operation]})
    assert kc.scheduled_operations.find(name='nightly').id == OPERATION_ID
    with pytest.raises(exceptions.NotFound):
        kc.scheduled_operations.find(name='weekly')


def test_find_looks_among_a_providers_checkpoints(kc, requests_mock):
    requests_mock.get(
        fakes.url('/providers/%s/checkpoints' % fakes.PROVIDER_ID),
        json={'checkpoints': [fakes.checkpoint(),
                              fakes.available_checkpoint(id='other')]})
    assert kc.checkpoints.findall(provider_id=fakes.PROVIDER_ID,
                                  status='available')[0].id == 'other'
    with pytest.raises(exceptions.NoUniqueMatch):
        kc.checkpoints.find(provider_id=fakes.PROVIDER_ID,
                            project_id=fakes.PROJECT_ID)


def test_quotas_leave_an_unset_limit_as_it_is(kc, requests_mock):
    updated = requests_mock.put(fakes.url('/quotas/' + fakes.PROJECT_ID),
                                json={'quota': {'id': fakes.PROJECT_ID,
                                                'plans': 50,
                                                'checkpoints': 7}})
    kc.quotas.update(fakes.PROJECT_ID, {'plans': None, 'checkpoints': 7})
    assert updated.last_request.json() == {'quota': {'checkpoints': 7}}
    requests_mock.get(fakes.url('/quotas/%s/detail' % fakes.PROJECT_ID),
                      json={'quota': {'plans': {'limit': 50}}})
    assert kc.quotas.get(fakes.PROJECT_ID, True).plans == {'limit': 50}
    assert kc.quotas.list() == [] and kc.quota_classes.list() == []


def test_verifications_services_and_operation_logs(kc, requests_mock):
    requests_mock.post(fakes.url('/verifications'),
                       json={'verification': {'id': 'v1',
                                              'status': 'in_progress'}})
    assert kc.verifications.create(fakes.PROVIDER_ID, fakes.CHECKPOINT_ID,
                                   {}).id == 'v1'
    logs = requests_mock.get(fakes.url('/operation_logs'),
                             json={'operation_logs': [{'id': 'l1'}]})
    assert [log.id for log in kc.operation_logs.list(
        search_opts={'plan_id': fakes.PLAN_ID})] == ['l1']
    assert _query(logs.last_request) == {'plan_id': fakes.PLAN_ID}
    services = requests_mock.get(fakes.url('/os-services'),
                                 json={'services': [{'id': 1}]})
    assert kc.services.list(host='h1')[0].id == 1
    assert _query(services.last_request) == {'host': 'h1'}


def test_a_session_of_ones_own_with_a_token_endpoint(requests_mock):
    session = ks_session.Session(
        auth=token_endpoint.Token(fakes.KARBOR_URL, 'admin:demo'))
    requests_mock.get(fakes.url('/providers'), json={'providers': []})
    assert client.Client('1', session=session).providers.list() == []
