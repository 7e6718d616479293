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

"""The operation log commands: python-karborclient 2.1.0's arguments and
columns, and what they send and print."""

from urllib import parse

from karborclient.tests.unit import fakes

LOG_ID = '5f0e4a8c-7a6d-4c1e-9b0b-2f3b1d7c9e41'
OPERATION_ID = '1a2c0c3d-f402-4cd8-b5db-82e85cb51fad'


def operation_log(**changes):
    return dict({'id': LOG_ID, 'operation_type': 'protect',
                 'checkpoint_id': fakes.CHECKPOINT_ID,
                 'plan_id': fakes.PLAN_ID,
                 'provider_id': fakes.PROVIDER_ID, 'restore_id': None,
                 'scheduled_operation_id': OPERATION_ID,
                 'status': 'success',
                 'started_at': '2026-12-17T02:00:00.000000',
                 'ended_at': '2026-12-17T02:03:10.000000',
                 'error_info': None, 'extra_info': None}, **changes)


def test_operationlog_list_sends_filters_and_paging(karbor, requests_mock):
    listing = requests_mock.get(fakes.url('/operation_logs'),
                                json={'operation_logs': []})

    result = karbor('operationlog-list', '--tenant', fakes.PROJECT_ID,
                    '--status', 'failed', '--operation_type', 'protect',
                    '--checkpoint_id', fakes.CHECKPOINT_ID,
                    '--plan_id', fakes.PLAN_ID,
                    '--scheduled_operation_id', OPERATION_ID,
                    '--marker', LOG_ID, '--limit', '10',
                    '--sort', 'created_at:desc')

    assert result.status == 0
    # .qs would lower-case the values; read the URL as sent.
    assert parse.parse_qs(parse.urlsplit(listing.last_request.url).query) == {
        'all_tenants': ['1'], 'project_id': [fakes.PROJECT_ID],
        'status': ['failed'], 'operation_type': ['protect'],
        'checkpoint_id': [fakes.CHECKPOINT_ID], 'plan_id': [fakes.PLAN_ID],
        'scheduled_operation_id': [OPERATION_ID], 'marker': [LOG_ID],
        'limit': ['10'], 'sort': ['created_at:desc']}


def test_operationlog_list_prints_the_columns(karbor, requests_mock):
    requests_mock.get(fakes.url('/operation_logs'), json={
        'operation_logs': [operation_log(
            extra_info={'retained': 3})]})

    result = karbor('operationlog-list')

    assert result.status == 0
    lines = result.out.splitlines()
    header, row = ([cell.strip() for cell in line.split('|')[1:-1]]
                   for line in (lines[1], lines[3]))
    assert header == [
        'Id', 'Operation Type', 'Checkpoint id', 'Plan Id', 'Provider id',
        'Restore Id', 'Scheduled Operation Id', 'Status', 'Started At',
        'Ended At', 'Error Info', 'Extra Info']
    assert row == [
        LOG_ID, 'protect', fakes.CHECKPOINT_ID, fakes.PLAN_ID,
        fakes.PROVIDER_ID, '-', OPERATION_ID, 'success',
        '2026-12-17T02:00:00.000000', '2026-12-17T02:03:10.000000', '-',
        '{']
    assert '"retained": 3' in result.out


def test_operationlog_show_prints_every_field(karbor, requests_mock):
    shown = requests_mock.get(
        fakes.url('/operation_logs/%s' % LOG_ID),
        json={'operation_log': operation_log(
            status='failed', error_info='Plan not found.')})

    result = karbor('operationlog-show', LOG_ID)

    assert result.status == 0
    assert shown.called_once
    rows = {line.split('|')[1].strip(): line.split('|')[2].strip()
            for line in result.out.splitlines()[3:-1]}
    assert rows == {
        'id': LOG_ID, 'operation_type': 'protect',
        'checkpoint_id': fakes.CHECKPOINT_ID, 'plan_id': fakes.PLAN_ID,
        'provider_id': fakes.PROVIDER_ID, 'restore_id': 'None',
        'scheduled_operation_id': OPERATION_ID, 'status': 'failed',
        'started_at': '2026-12-17T02:00:00.000000',
        'ended_at': '2026-12-17T02:03:10.000000',
        'error_info': 'Plan not found.', 'extra_info': 'None'}
