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

"""The library, used without the CLI."""

import pytest

from karborclient import exceptions
from karborclient.tests.unit import fakes
from karborclient.v1 import client


@pytest.fixture
def karbor_client():
    return client.Client(endpoint=fakes.KARBOR_URL, token='admin:demo')


def test_client_needs_a_session_or_an_endpoint_and_a_token():
    with pytest.raises(ValueError):
        client.Client(endpoint=fakes.KARBOR_URL)


def test_resources_read_as_attributes_and_copy_out_as_dicts(
        karbor_client, requests_mock):
    requests_mock.get(fakes.url('/plans/%s' % fakes.PLAN_ID),
                      json={'plan': fakes.plan()})

    plan = karbor_client.plans.get(fakes.PLAN_ID)
    info = plan.to_dict()
    info['resources'].clear()

    assert plan.name == 'Plan1'
    assert plan.resources == [fakes.VOLUME]
    with pytest.raises(AttributeError):
        plan.no_such_field


def test_http_errors_carry_status_message_and_request_id(karbor_client,
                                                         requests_mock):
    requests_mock.get(
        fakes.checkpoint_url(), status_code=404,
        headers={'X-Openstack-Request-Id': 'req-42'},
        json=fakes.error('itemNotFound', 404, 'Checkpoint not found.'))

    with pytest.raises(exceptions.NotFound) as raised:
        karbor_client.checkpoints.get(fakes.PROVIDER_ID, fakes.CHECKPOINT_ID)

    assert raised.value.status_code == 404
    assert raised.value.message == 'Checkpoint not found.'
    assert raised.value.request_id == 'req-42'


def test_protectable_list_returns_type_names(karbor_client, requests_mock):
    requests_mock.get(fakes.url('/protectables'), json={
        'protectable_type': ['OS::Nova::Server', 'OS::Cinder::Volume']})

    assert karbor_client.protectables.list() == ['OS::Nova::Server',
                                                 'OS::Cinder::Volume']
