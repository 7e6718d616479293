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

"""The service commands and manager: python-karborclient 2.1.0's
arguments and requests, and what they print."""

import textwrap

from karborclient.tests.unit import fakes
from karborclient.v1 import client

SERVICES = fakes.url('/os-services')


def service(service_id=1, **changes):
    return dict({'id': service_id, 'binary': 'karbor-protection',
                 'host': 'node-1', 'status': 'enabled', 'state': 'up',
                 'updated_at': '2026-12-01T22:30:05.000000',
                 'disabled_reason': None}, **changes)


def test_service_list_filters_by_host_and_binary_and_shows_each_state(
        karbor, requests_mock):
    listed = requests_mock.get(SERVICES, json={'services': [
        service(10, state='down'),
        service(2, binary='karbor-operationengine', status='disabled',
                disabled_reason='kernel upgrade')]})

    result = karbor('service-list', '--host', 'node-1', '--binary',
                    'karbor-protection')

    assert result.status == 0
    assert listed.last_request.qs == {'host': ['node-1'],
                                      'binary': ['karbor-protection']}
    # In the server's order, by id.
    assert result.out == textwrap.dedent('''\
        +----+------------------------+--------+----------+-------+----------------------------+-----------------+
        | Id | Binary                 | Host   | Status   | State | Updated_at                 | Disabled Reason |
        +----+------------------------+--------+----------+-------+----------------------------+-----------------+
        | 10 | karbor-protection      | node-1 | enabled  | down  | 2026-12-01T22:30:05.000000 | -               |
        | 2  | karbor-operationengine | node-1 | disabled | up    | 2026-12-01T22:30:05.000000 | kernel upgrade  |
        +----+------------------------+--------+----------+-------+----------------------------+-----------------+
        ''')  # noqa: E501


def test_service_list_without_filters_sends_none(karbor, requests_mock):
    listed = requests_mock.get(SERVICES, json={'services': []})
    assert karbor('service-list').status == 0
    assert listed.last_request.qs == {}


def test_service_disable_sends_the_reason_and_shows_the_service(
        karbor, requests_mock):
    update = requests_mock.put(SERVICES + '/3', json={'service': service(
        3, status='disabled', disabled_reason='disk died')})

    result = karbor('service-disable', '3', '--reason', 'disk died')

    assert result.status == 0
    assert update.last_request.json() == {'status': 'disabled',
                                          'disabled_reason': 'disk died'}
    assert '| 3  | karbor-protection | node-1 | disabled | up    |' in (
        result.out)
    assert 'disk died' in result.out


def test_service_disable_without_a_reason_sends_only_the_status(
        karbor, requests_mock):
    update = requests_mock.put(SERVICES + '/3', json={
        'service': service(3, status='disabled')})
    assert karbor('service-disable', '3').status == 0
    assert update.last_request.json() == {'status': 'disabled'}


def test_service_enable_sends_the_status(karbor, requests_mock):
    update = requests_mock.put(SERVICES + '/3', json={'service': service(3)})
    result = karbor('service-enable', '3')
    assert result.status == 0
    assert update.last_request.json() == {'status': 'enabled'}
    assert '| 3  | karbor-protection | node-1 | enabled | up    |' in (
        result.out)


def test_a_member_is_told_that_policy_refuses_it(karbor, requests_mock):
    requests_mock.get(SERVICES, status_code=403, json={'forbidden': {
        'code': 403, 'message': "Policy doesn't allow service:get_all to "
                                "be performed."}})
    result = karbor('service-list')
    assert result.status != 0
    assert 'service:get_all' in result.err


def test_the_manager_names_its_methods_as_2_1_0(requests_mock):
    karbor = client.Client(endpoint=fakes.KARBOR_URL, token='admin:demo')
    requests_mock.get(SERVICES, json={'services': [service()]})
    update = requests_mock.put(SERVICES + '/1', json={'service': service()})

    listed = karbor.services.list(host='node-1')
    assert [s.host for s in listed] == ['node-1']
    karbor.services.disable_log_reason(1, 'why')
    assert update.last_request.json() == {'status': 'disabled',
                                          'disabled_reason': 'why'}
    karbor.services.disable(1)
    assert update.last_request.json() == {'status': 'disabled'}
    assert karbor.services.enable(1).status == 'enabled'
    assert update.last_request.json() == {'status': 'enabled'}
