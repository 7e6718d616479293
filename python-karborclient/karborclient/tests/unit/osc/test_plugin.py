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

"""The plugin's client: OSC's session, region, interface and API version."""

import argparse
import importlib.metadata
import json
import types

from keystoneauth1 import session as ks_session
from keystoneauth1 import token_endpoint
from osc_lib import exceptions as osc_exceptions
import pytest

from karborclient.osc import plugin
from karborclient.tests.unit import fakes

PROVIDERS = {'providers': [{'id': fakes.PROVIDER_ID, 'name': 'Infra',
                            'description': 'd'}]}


def client_manager(version='1'):
    """What OSC's ClientManager gives make_client."""
    return types.SimpleNamespace(
        session=ks_session.Session(
            auth=token_endpoint.Token(fakes.KARBOR_URL, 'admin:demo')),
        interface='internal', region_name='RegionTwo',
        _api_version={'data_protection': version})


def test_make_client_uses_the_session_region_and_interface(requests_mock):
    instance = client_manager()
    listed = requests_mock.get(fakes.url('/providers'), json=PROVIDERS)

    client = plugin.make_client(instance)

    assert client.http.session is instance.session
    assert client.http.service_type == 'data-protect'
    assert client.http.interface == 'internal'
    assert client.http.region_name == 'RegionTwo'
    assert [p.id for p in client.providers.list()] == [fakes.PROVIDER_ID]
    assert listed.last_request.headers['X-Auth-Token'] == 'admin:demo'
    # The microversion is the client's own, not the plugin's option.
    assert listed.last_request.headers['OpenStack-API-Version'] == (
        'data-protect 1.2')


def test_make_client_refuses_an_api_version_it_does_not_have():
    with pytest.raises(osc_exceptions.UnsupportedVersion):
        plugin.make_client(client_manager(version='2'))


def test_the_api_version_option_defaults_to_1_or_the_environment(
        monkeypatch):
    assert plugin.build_option_parser(argparse.ArgumentParser()).parse_args(
        []).os_data_protection_api_version == '1'
    monkeypatch.setenv('OS_DATA_PROTECTION_API_VERSION', '7')
    parser = plugin.build_option_parser(argparse.ArgumentParser())
    assert parser.parse_args([]).os_data_protection_api_version == '7'
    assert parser.parse_args(['--os-data-protection-api-version', '1']) \
        .os_data_protection_api_version == '1'


def _plugin_installed():
    points = importlib.metadata.entry_points(group='openstack.cli.extension')
    return any(point.value == 'karborclient.osc.plugin' for point in points)


@pytest.mark.skipif(not _plugin_installed(),
                    reason='the plugin is not installed (pip install -e .)')
def test_openstack_itself_runs_the_plugin_without_keystone(requests_mock,
                                                           capsys):
    shell = pytest.importorskip('openstackclient.shell')
    listed = requests_mock.get(fakes.url('/providers'), json=PROVIDERS)

    status = shell.main(['--os-auth-type', 'admin_token',
                         '--os-endpoint', fakes.KARBOR_URL,
                         '--os-token', 'admin:demo',
                         'data', 'protection', 'provider', 'list',
                         '-f', 'json'])

    assert status == 0, capsys.readouterr().err
    assert json.loads(capsys.readouterr().out)[0]['Id'] == fakes.PROVIDER_ID
    assert listed.last_request.headers['X-Auth-Token'] == 'admin:demo'
