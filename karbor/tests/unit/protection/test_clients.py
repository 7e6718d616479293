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

from keystoneauth1 import exceptions as ks_exceptions
import pytest

from karbor import context
from karbor import exception
from karbor.services.protection.clients import cinder
from karbor.services.protection.clients import nova
from karbor.services.protection.clients import session

V3_CATALOG = [
    {'type': 'compute', 'name': 'nova', 'endpoints': [
        {'interface': 'public', 'region': 'RegionOne',
         'url': 'http://one:8774/v2.1'},
        {'interface': 'internal', 'region': 'RegionOne',
         'url': 'http://one-internal:8774/v2.1'},
        {'interface': 'public', 'region': 'RegionTwo',
         'url': 'http://two:8774/v2.1'}]},
    {'type': 'volumev3', 'name': 'cinderv3', 'endpoints': [
        {'interface': 'public', 'region': 'RegionOne',
         'url': 'http://one:8776/v3/project-a'}]},
]

# keystonemiddleware hands services the catalog in the v2 format.
V2_CATALOG = [
    {'type': 'compute', 'name': 'nova', 'endpoints': [
        {'region': 'RegionOne', 'publicURL': 'http://one:8774/v2.1',
         'internalURL': 'http://one-internal:8774/v2.1'}]},
]


def _context(catalog=None):
    return context.RequestContext(user_id='user', project_id='project-a',
                                  is_admin=False, auth_token='token-1',
                                  service_catalog=catalog)


@pytest.mark.parametrize('catalog', [V3_CATALOG, V2_CATALOG])
def test_endpoints_come_from_the_callers_catalog(config, catalog):
    auth = session.RequestContextAuth(_context(catalog))
    assert auth.get_endpoint(None, service_type='compute',
                             interface='publicURL') == 'http://one:8774/v2.1'
    assert auth.get_endpoint(None, service_type='compute',
                             interface='internal') == (
        'http://one-internal:8774/v2.1')
    assert auth.get_endpoint(None, service_type='image') is None


def test_the_region_option_picks_the_endpoint(config):
    config.config(region_id='RegionTwo', group='nova_client')
    _session, url = session.make_session(_context(V3_CATALOG), nova.GROUP,
                                         'nova', nova.SERVICE_TITLE)
    assert url == 'http://two:8774/v2.1'


def test_requests_carry_the_callers_token(config):
    client_session, url = session.make_session(
        _context(V3_CATALOG), cinder.GROUP, 'cinder', cinder.SERVICE_TITLE)
    assert url == 'http://one:8776/v3/project-a'
    assert client_session.get_auth_headers() == {'X-Auth-Token': 'token-1'}


def test_the_session_has_the_groups_timeout(config):
    client_session, _url = session.make_session(
        _context(V3_CATALOG), nova.GROUP, 'nova', nova.SERVICE_TITLE)
    assert client_session.timeout == session.DEFAULT_TIMEOUT == 60
    config.config(group=nova.GROUP, timeout=7.5)
    client_session, _url = session.make_session(
        _context(V3_CATALOG), nova.GROUP, 'nova', nova.SERVICE_TITLE)
    assert client_session.timeout == 7.5


def test_an_endpoint_option_overrides_the_catalog(config):
    config.config(nova_endpoint='http://nova.example:8774/v2.1/%(project_id)s',
                  group='nova_client')
    _session, url = session.make_session(_context(), nova.GROUP, 'nova',
                                         nova.SERVICE_TITLE)
    assert url == 'http://nova.example:8774/v2.1/project-a'


def test_without_a_catalog_a_service_is_clearly_unavailable(config):
    with pytest.raises(exception.ServiceUnavailable) as raised:
        cinder.create(_context())
    assert raised.value.code == 503
    assert 'no volumev3 endpoint in the service catalog' in str(raised.value)
    assert 'without an OpenStack cloud' in str(raised.value)


def test_clients_are_built_on_the_catalogs_endpoint(config):
    client = nova.create(_context(V3_CATALOG))
    assert client.client.endpoint_override == 'http://one:8774/v2.1'


def test_unreachable_or_failing_services_are_reported_unavailable():
    with pytest.raises(exception.ServiceUnavailable, match='refused'):
        with session.service_errors('Compute service (nova)'):
            raise ks_exceptions.ConnectFailure('connection refused')
    with pytest.raises(exception.ServiceUnavailable, match='HTTP 500'):
        with session.service_errors('Compute service (nova)',
                                    nova.ClientError):
            raise nova.ClientError(500, 'boom')
