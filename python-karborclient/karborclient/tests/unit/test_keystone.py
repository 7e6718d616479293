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

"""Keystone mode: authenticate, then find Karbor in the service catalog."""

from keystoneauth1 import fixture

from karborclient.tests.unit import fakes

AUTH_URL = 'http://keystone.test/v3'
TOKEN_ID = 'a-keystone-token'
CATALOG_URL = 'http://karbor.example:8799/v1/%s' % fakes.PROJECT_ID


def keystone(requests_mock):
    """Mock a Keystone v3 whose catalog lists Karbor as data-protect."""
    token = fixture.V3Token(project_id=fakes.PROJECT_ID,
                            project_name='demo')
    service = token.add_service('data-protect', name='karbor')
    service.add_standard_endpoints(public=CATALOG_URL,
                                   internal='http://internal.test/v1',
                                   region='RegionOne')
    requests_mock.get(AUTH_URL, json=fixture.V3Discovery(AUTH_URL))
    return requests_mock.post(AUTH_URL + '/auth/tokens', json=token,
                              headers={'X-Subject-Token': TOKEN_ID},
                              status_code=201)


def test_os_environment_variables_authenticate_and_find_the_endpoint(
        karbor, requests_mock, monkeypatch):
    for name, value in {'OS_AUTH_URL': AUTH_URL, 'OS_USERNAME': 'alice',
                        'OS_PASSWORD': 'secret', 'OS_PROJECT_NAME': 'demo',
                        'OS_USER_DOMAIN_NAME': 'Default',
                        'OS_PROJECT_DOMAIN_NAME': 'Default',
                        'OS_REGION_NAME': 'RegionOne'}.items():
        monkeypatch.setenv(name, value)
    authenticate = keystone(requests_mock)
    providers = requests_mock.get(CATALOG_URL + '/providers',
                                  json={'providers': []})

    result = karbor('provider-list', direct=False)

    assert result.status == 0, result.err
    credentials = authenticate.last_request.json()['auth']['identity']
    assert credentials['password']['user']['name'] == 'alice'
    assert providers.last_request.headers['X-Auth-Token'] == TOKEN_ID


def test_os_interface_picks_the_catalog_endpoint(karbor, requests_mock):
    keystone(requests_mock)
    providers = requests_mock.get('http://internal.test/v1/providers',
                                  json={'providers': []})

    result = karbor('--os-auth-url', AUTH_URL, '--os-username', 'alice',
                    '--os-password', 'secret', '--os-project-name', 'demo',
                    '--os-user-domain-name', 'Default',
                    '--os-project-domain-name', 'Default',
                    '--endpoint-type', 'internal', 'provider-list',
                    direct=False)

    assert result.status == 0, result.err
    assert providers.called_once


def test_missing_catalog_entry_is_one_line_error(karbor, requests_mock):
    keystone(requests_mock)

    result = karbor('--os-auth-url', AUTH_URL, '--os-username', 'alice',
                    '--os-password', 'secret', '--os-project-name', 'demo',
                    '--os-user-domain-name', 'Default',
                    '--os-project-domain-name', 'Default',
                    '--service-type', 'backup', 'provider-list',
                    direct=False)

    assert result == (1, '', "ERROR: No 'backup' endpoint with interface "
                             "'public' in region 'any' found in the service "
                             "catalog\n")


def test_auth_token_without_karbor_url_is_used_as_a_keystone_token(
        karbor, requests_mock):
    authenticate = keystone(requests_mock)
    providers = requests_mock.get(CATALOG_URL + '/providers',
                                  json={'providers': []})

    result = karbor('--os-auth-token', 'an-old-token',
                    '--os-auth-url', AUTH_URL, '--os-project-name', 'demo',
                    '--os-project-domain-name', 'Default', 'provider-list',
                    direct=False)

    assert result.status == 0, result.err
    identity = authenticate.last_request.json()['auth']['identity']
    assert identity == {'methods': ['token'],
                        'token': {'id': 'an-old-token'}}
    assert providers.last_request.headers['X-Auth-Token'] == TOKEN_ID
