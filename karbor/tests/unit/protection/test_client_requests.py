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

"""What Karbor's requests to the cloud carry, as the services receive them
(the real clients; requests_mock answers in place of the services):
the caller's token, Karbor's service token when [service_user] says so,
and the global id of the request they serve."""

import uuid

from keystoneauth1 import fixture as ks_fixture
import pytest
from requests import structures

from karbor import context as karbor_context
from karbor import exception
from karbor.services.protection.bank_plugins import swift_bank_plugin
from karbor.services.protection.clients import cinder
from karbor.services.protection.clients import glance
from karbor.services.protection.clients import keystone
from karbor.services.protection.clients import nova
from karbor.tests.unit.protection import fakes

CATALOG = [
    {'type': 'volumev3', 'name': 'cinderv3', 'endpoints': [
        {'interface': 'public', 'region': 'RegionOne',
         'url': 'http://cinder.test:8776/v3/project-a'}]},
    {'type': 'image', 'name': 'glance', 'endpoints': [
        {'interface': 'public', 'region': 'RegionOne',
         'url': 'http://glance.test:9292'}]},
    {'type': 'compute', 'name': 'nova', 'endpoints': [
        {'interface': 'public', 'region': 'RegionOne',
         'url': 'http://nova.test:8774/v2.1'}]},
    {'type': 'identity', 'name': 'keystone', 'endpoints': [
        {'interface': 'public', 'region': 'RegionOne',
         'url': 'http://keystone.test:5000/v3'}]},
]

# Where the service user of fakes.SERVICE_USER_CONF authenticates.
SERVICE_USER_AUTH_URL = 'http://127.0.0.1:5000/v3'
SERVICE_TOKEN = 'karbor-service-token'
USER_TOKEN = 'user-token'


def _context(**kwargs):
    return karbor_context.RequestContext(
        user_id='demo', project_id='project-a', is_admin=False,
        auth_token=USER_TOKEN, service_catalog=CATALOG, **kwargs)


def _read_volume(client):
    client.volumes.get('volume-a')


def _read_image(client):
    client.images.get('image-a')


def _read_server(client):
    client.servers.get('server-a')


def _read_project(client):
    client.projects.get('project-b')


# (client module, a call, the URL it asks, the answer)
CALLS = {
    'cinder': (cinder, _read_volume,
               'http://cinder.test:8776/v3/project-a/volumes/volume-a',
               {'volume': {'id': 'volume-a', 'status': 'available'}}),
    'glance': (glance, _read_image,
               'http://glance.test:9292/v2/images/image-a',
               {'id': 'image-a', 'status': 'active'}),
    'nova': (nova, _read_server,
             'http://nova.test:8774/v2.1/servers/server-a',
             {'server': {'id': 'server-a', 'status': 'ACTIVE'}}),
    'keystone': (keystone, _read_project,
                 'http://keystone.test:5000/v3/projects/project-b',
                 {'project': {'id': 'project-b', 'name': 'B'}}),
}
# glanceclient reads the image schema to make its image objects.
IMAGE_SCHEMA = {'name': 'image', 'properties': {'id': {'type': 'string'},
                                                'status': {'type': 'string'}},
                'additionalProperties': {'type': 'string'}}


@pytest.fixture
def cloud(requests_mock):
    """The services of CALLS, and the service user's Keystone."""
    for _module, _call, url, answer in CALLS.values():
        requests_mock.get(url, json=answer,
                          headers={'X-OpenStack-Request-ID':
                                   'req-%s' % uuid.uuid4()})
    requests_mock.get('http://glance.test:9292/v2/schemas/image',
                      json=IMAGE_SCHEMA)
    requests_mock.get(SERVICE_USER_AUTH_URL,
                      json=ks_fixture.V3Discovery(SERVICE_USER_AUTH_URL))
    token = ks_fixture.V3Token(user_name='karbor', project_name='service')
    token.set_project_scope()
    token.add_role(name='service')
    requests_mock.post(SERVICE_USER_AUTH_URL + '/auth/tokens', json=token,
                       headers={'X-Subject-Token': SERVICE_TOKEN},
                       status_code=201)
    return requests_mock


def _service_requests(cloud):
    """The requests that reached the services, not the service user's
    Keystone."""
    return [request for request in cloud.request_history
            if not request.url.startswith(SERVICE_USER_AUTH_URL)]


def _token_requests(cloud):
    return [request for request in cloud.request_history
            if request.url == SERVICE_USER_AUTH_URL + '/auth/tokens']


@pytest.mark.parametrize('service', sorted(CALLS))
def test_without_service_user_requests_carry_the_callers_token_and_id(
        config, cloud, service):
    module, call, url, _answer = CALLS[service]
    context = _context()
    call(module.create(context))
    requests = _service_requests(cloud)
    assert url in [request.url for request in requests]
    for request in requests:
        assert request.headers['X-Auth-Token'] == USER_TOKEN
        assert 'X-Service-Token' not in request.headers
        assert request.headers['X-OpenStack-Request-ID'] == (
            context.request_id)
    assert cloud.request_history == requests


@pytest.mark.parametrize('service', sorted(CALLS))
def test_with_service_user_requests_carry_both_tokens_and_the_global_id(
        config, karbor_conf, cloud, service):
    karbor_conf(fakes.SERVICE_USER_CONF)
    module, call, url, _answer = CALLS[service]
    # The id of the request that karbor-api was called with.
    global_id = 'req-%s' % uuid.uuid4()
    context = _context(global_request_id=global_id)
    call(module.create(context))
    requests = _service_requests(cloud)
    assert url in [request.url for request in requests]
    for request in requests:
        assert request.headers['X-Auth-Token'] == USER_TOKEN
        assert request.headers['X-Service-Token'] == SERVICE_TOKEN
        assert request.headers['X-OpenStack-Request-ID'] == global_id
    # The service user's password went to its own Keystone only.
    [token_request] = _token_requests(cloud)
    assert token_request.json()['auth']['identity']['password']['user'] == {
        'name': 'karbor', 'password': 'karbor',
        'domain': {'name': 'Default'}}


def test_the_service_user_authenticates_once_for_every_client(
        config, karbor_conf, cloud):
    karbor_conf(fakes.SERVICE_USER_CONF)
    for _round in range(3):
        for module, call, _url, _answer in CALLS.values():
            call(module.create(_context()))
    assert len(_token_requests(cloud)) == 1
    assert all(request.headers['X-Service-Token'] == SERVICE_TOKEN
               for request in _service_requests(cloud))


def test_cinder_requests_keep_the_global_id_after_cinders_answer(
        config, cloud):
    # Cinder answers with its own request id; cinderclient must not send
    # that one from then on.
    context = _context(global_request_id='req-%s' % uuid.uuid4())
    client = cinder.create(context)
    _read_volume(client)
    _read_volume(client)
    assert [request.headers['X-OpenStack-Request-ID']
            for request in cloud.request_history] == [context.global_id] * 2


def test_a_service_user_without_auth_type_is_named_as_the_problem(
        config, karbor_conf):
    karbor_conf('[service_user]\nsend_service_user_token = true\n')
    with pytest.raises(exception.ServiceUnavailable) as raised:
        cinder.create(_context())
    assert str(raised.value) == (
        'Block storage service (cinder) is not available: [service_user] '
        'send_service_user_token is true but the service user cannot be '
        'loaded: auth_type is not set')


def test_a_service_user_that_keystone_refuses_is_named(
        config, karbor_conf, cloud):
    karbor_conf(fakes.SERVICE_USER_CONF)
    cloud.post(SERVICE_USER_AUTH_URL + '/auth/tokens', status_code=401,
               json={'error': {'code': 401, 'title': 'Unauthorized',
                               'message': 'The request you have made '
                                          'requires authentication.'}})
    with pytest.raises(exception.ServiceUnavailable) as raised:
        _read_server(nova.create(_context()))
    assert str(raised.value).startswith(
        'Identity service (keystone) is not available: Karbor\'s service '
        'user ([service_user]) cannot get a token: ')
    assert _service_requests(cloud) == []


# The Swift bank: Karbor's own account, the request's global id.

SWIFT_URL = 'http://swift.test:8080/v1/AUTH_karbor'
BANK_AUTH_URL = 'http://keystone.test:5000/v3'
BANK_TOKEN = 'bank-account-token'
SWIFT_PROVIDER = '''[provider]
name = Swift bank
id = %s
bank = karbor-swift-bank-plugin

[swift_client]
swift_auth_url = http://keystone.test:5000/v3
swift_user = karbor
swift_key = secret
swift_tenant_name = service
swift_endpoint = http://swift.test:8080/v1/AUTH_karbor

[swift_bank_plugin]
bank_swift_object_container = bank
'''


@pytest.fixture
def swift_cloud(requests_mock):
    """Swift's answers to the bank, and the bank account's Keystone."""
    token = ks_fixture.V3Token()
    token.set_project_scope()
    requests_mock.post(BANK_AUTH_URL + '/auth/tokens', json=token,
                       headers={'X-Subject-Token': BANK_TOKEN},
                       status_code=201)
    for container in ('bank', 'bank_leases', 'bank_revisions'):
        requests_mock.put('%s/%s' % (SWIFT_URL, container), status_code=201)
    requests_mock.get('http://swift.test:8080/info', json={
        'swift': {'container_listing_limit': 100}})
    object_url = SWIFT_URL + '/bank/checkpoints/a/index.json'
    requests_mock.put(object_url, status_code=201)
    requests_mock.get(object_url, content=b'{"id": "a"}',
                      headers={'Content-Length': '11'})
    requests_mock.delete(object_url, status_code=204)
    requests_mock.get(SWIFT_URL + '/bank', json=[
        {'name': 'checkpoints/a/index.json'}])
    return requests_mock


def _swift_requests(cloud):
    return [request for request in cloud.request_history
            if request.url.startswith(SWIFT_URL)]


def _swift_headers(request):
    # swiftclient sends its headers encoded.
    return structures.CaseInsensitiveDict(
        (name, value.decode() if isinstance(value, bytes) else value)
        for name, value in request.headers.items())


def test_swift_bank_requests_carry_the_current_requests_global_id(
        config, tmp_path, swift_cloud, no_request_context):
    bank = swift_bank_plugin.SwiftBankPlugin(fakes.provider_config(
        str(tmp_path), SWIFT_PROVIDER % uuid.uuid4()))
    # Made at start, outside any request: no request to name.
    made = _swift_requests(swift_cloud)
    assert [request.method for request in made] == ['PUT', 'PUT', 'PUT']
    for request in made:
        headers = _swift_headers(request)
        assert headers['X-Auth-Token'] == BANK_TOKEN
        assert 'X-OpenStack-Request-ID' not in headers
        assert 'X-Trans-Id-Extra' not in headers

    # The thread's current context, as the worker that runs an
    # operation holds it.
    context = _context(global_request_id='req-%s' % uuid.uuid4())
    bank.update_object('/checkpoints/a/index.json', {'id': 'a'})
    assert bank.get_object('/checkpoints/a/index.json') == b'{"id": "a"}'
    assert list(bank.get_object_chunks('/checkpoints/a/index.json')) == [
        b'{"id": "a"}']
    assert bank.list_objects('/checkpoints/') == [
        '/checkpoints/a/index.json']
    bank.delete_object('/checkpoints/a/index.json')
    served = _swift_requests(swift_cloud)[len(made):]
    assert [request.method for request in served] == [
        'PUT', 'GET', 'GET', 'GET', 'DELETE']
    for request in served:
        headers = _swift_headers(request)
        assert headers['X-Auth-Token'] == BANK_TOKEN
        assert 'X-Service-Token' not in headers
        assert headers['X-OpenStack-Request-ID'] == context.global_id
        # Swift's proxy appends it to the transaction id it logs.
        assert headers['X-Trans-Id-Extra'] == context.global_id
