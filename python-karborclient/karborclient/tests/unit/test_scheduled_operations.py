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

"""The scheduled operation commands: python-karborclient 2.1.0's arguments,
and what they send and print."""

import textwrap
from urllib import parse

import pytest

from karborclient.tests.unit import fakes

OPERATION_ID = '1a2c0c3d-f402-4cd8-b5db-82e85cb51fad'
OTHER_OPERATION_ID = '9f4f5a6e-4d2b-44b3-9d48-6c1fbc3f1e7d'
TRIGGER_ID = '2a9ce1f3-cc1a-4516-9435-0ebb13caa398'
DEFINITION = 'provider_id=%s,plan_id=%s' % (fakes.PROVIDER_ID, fakes.PLAN_ID)


def operation(**changes):
    return dict({'id': OPERATION_ID, 'name': 'nightly-protect',
                 'description': None, 'operation_type': 'protect',
                 'trigger_id': TRIGGER_ID,
                 'operation_definition': {'provider_id': fakes.PROVIDER_ID,
                                          'plan_id': fakes.PLAN_ID}},
                **changes)


def query(request):
    # .qs would lower-case the values; read the URL as sent.
    return parse.parse_qs(parse.urlsplit(request.url).query)


def test_scheduledoperation_create_sends_the_definition_and_shows_it(
        karbor, requests_mock):
    create = requests_mock.post(
        fakes.url('/scheduled_operations'),
        json={'scheduled_operation': operation(description='every night')})

    result = karbor('scheduledoperation-create', 'nightly-protect',
                    'protect', TRIGGER_ID, DEFINITION,
                    '--description', 'every night')

    assert result.status == 0
    assert create.last_request.json() == {'scheduled_operation': {
        'name': 'nightly-protect', 'operation_type': 'protect',
        'trigger_id': TRIGGER_ID, 'description': 'every night',
        'operation_definition': {'provider_id': fakes.PROVIDER_ID,
                                 'plan_id': fakes.PLAN_ID}}}
    assert result.out == textwrap.dedent('''\
        +----------------------+---------------------------------------------------------+
        | Property             | Value                                                   |
        +----------------------+---------------------------------------------------------+
        | description          | every night                                             |
        | id                   | 1a2c0c3d-f402-4cd8-b5db-82e85cb51fad                    |
        | name                 | nightly-protect                                         |
        | operation_definition | {                                                       |
        |                      |   "plan_id": "81ac01b7-0a69-4b0b-8ef5-bd46a900c90a",    |
        |                      |   "provider_id": "cf56bd3e-97a7-4078-b6d5-f36246333fd9" |
        |                      | }                                                       |
        | operation_type       | protect                                                 |
        | trigger_id           | 2a9ce1f3-cc1a-4516-9435-0ebb13caa398                    |
        +----------------------+---------------------------------------------------------+
        ''')


def test_scheduledoperation_create_sends_definition_values_as_strings(
        karbor, requests_mock):
    create = requests_mock.post(
        fakes.url('/scheduled_operations'),
        json={'scheduled_operation': operation(
            operation_type='retention_protect')})

    result = karbor('scheduledoperation-create', 'keep-three',
                    'retention_protect', TRIGGER_ID,
                    DEFINITION + ',max_backups=3,retention_duration=14')

    assert result.status == 0
    # As 2.1.0 sends them: numbers stay text, and no description key.
    assert create.last_request.json() == {'scheduled_operation': {
        'name': 'keep-three', 'operation_type': 'retention_protect',
        'trigger_id': TRIGGER_ID,
        'operation_definition': {'provider_id': fakes.PROVIDER_ID,
                                 'plan_id': fakes.PLAN_ID,
                                 'max_backups': '3',
                                 'retention_duration': '14'}}}


@pytest.mark.parametrize('args, message', [
    (['protect', TRIGGER_ID, 'provider_id=%s,plan_id' % fakes.PROVIDER_ID],
     "Invalid operation definition 'plan_id': each entry must be "
     "key=value"),
    (['protect', TRIGGER_ID, DEFINITION + ','],
     "Invalid operation definition '': each entry must be key=value"),
    (['backup', TRIGGER_ID, DEFINITION],
     "argument <operation_type>: invalid choice: 'backup' (choose from "
     "'protect', 'retention_protect')"),
])
def test_scheduledoperation_create_refuses_bad_input_before_any_request(
        karbor, requests_mock, args, message):
    result = karbor('scheduledoperation-create', 'nightly-protect', *args)

    assert result.status == 1
    assert result.err.startswith('ERROR: ' + message)
    assert not requests_mock.called


def test_scheduledoperation_list_sends_filters_and_paging(karbor,
                                                          requests_mock):
    # Karbor's list key is "operations", not "scheduled_operations".
    listing = requests_mock.get(fakes.url('/scheduled_operations'),
                                json={'operations': [operation()]})

    result = karbor('scheduledoperation-list', '--all-tenants',
                    '--name', 'nightly-protect', '--operation_type',
                    'protect', '--trigger_id', TRIGGER_ID,
                    '--operation_definition', 'plan_id=%s' % fakes.PLAN_ID,
                    '--marker', OTHER_OPERATION_ID, '--limit', '5',
                    '--sort', 'name:desc')

    assert result.status == 0
    assert query(listing.last_request) == {
        'all_tenants': ['1'], 'name': ['nightly-protect'],
        'operation_type': ['protect'], 'trigger_id': [TRIGGER_ID],
        'operation_definition': ['plan_id=%s' % fakes.PLAN_ID],
        'marker': [OTHER_OPERATION_ID], 'limit': ['5'],
        'sort': ['name:desc']}


def test_scheduledoperation_list_prints_every_column(karbor, requests_mock):
    requests_mock.get(fakes.url('/scheduled_operations'),
                      json={'operations': [operation()]})

    result = karbor('scheduledoperation-list')

    lines = result.out.splitlines()
    cells = [[cell.strip() for cell in line.split('|')[1:-1]]
             for line in (lines[1], lines[3])]
    assert cells == [
        ['Id', 'Name', 'OperationType', 'TriggerId', 'OperationDefinition'],
        [OPERATION_ID, 'nightly-protect', 'protect', TRIGGER_ID, '{']]
    assert '"plan_id": "%s",' % fakes.PLAN_ID in result.out


def test_scheduledoperation_list_tenant_implies_all_tenants(
        karbor, requests_mock):
    listing = requests_mock.get(fakes.url('/scheduled_operations'),
                                json={'operations': []})

    karbor('scheduledoperation-list', '--tenant', fakes.PROJECT_ID)

    assert query(listing.last_request) == {
        'all_tenants': ['1'], 'project_id': [fakes.PROJECT_ID]}


def test_scheduledoperation_show_prints_the_definition_as_a_dict(
        karbor, requests_mock):
    requests_mock.get(fakes.url('/scheduled_operations/%s' % OPERATION_ID),
                      json={'scheduled_operation': operation()})

    result = karbor('scheduledoperation-show', OPERATION_ID)

    assert result.status == 0
    assert '| operation_type       | protect' in result.out
    assert '|   "provider_id": "%s" |' % fakes.PROVIDER_ID in result.out


def test_scheduledoperation_delete_deletes_every_operation_given(
        karbor, requests_mock):
    deletes = [requests_mock.delete(
        fakes.url('/scheduled_operations/%s' % operation_id), text='')
        for operation_id in (OPERATION_ID, OTHER_OPERATION_ID)]

    result = karbor('scheduledoperation-delete', OPERATION_ID,
                    OTHER_OPERATION_ID)

    assert result == (0, '', '')
    assert all(delete.called_once for delete in deletes)


def test_scheduledoperation_delete_reports_a_missing_one_and_goes_on(
        karbor, requests_mock):
    message = 'Scheduled operation %s could not be found.' % OPERATION_ID
    requests_mock.delete(
        fakes.url('/scheduled_operations/%s' % OPERATION_ID),
        status_code=404, json=fakes.error('itemNotFound', 404, message))
    deleted = requests_mock.delete(
        fakes.url('/scheduled_operations/%s' % OTHER_OPERATION_ID), text='')

    result = karbor('scheduledoperation-delete', OPERATION_ID,
                    OTHER_OPERATION_ID)

    # As trigger-delete and plan-delete: any failure fails the command.
    assert result == (1, '', 'ERROR: %s\n' % message)
    assert deleted.called_once
