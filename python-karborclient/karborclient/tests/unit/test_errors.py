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

"""Failures: one ``ERROR:`` line on stderr, status 1, no traceback."""

import os
import subprocess
import sys

import pytest
import requests

from karborclient.tests.unit import fakes


def test_server_400_prints_its_message_on_one_line(karbor, requests_mock):
    requests_mock.post(
        fakes.url('/providers/%s/checkpoints' % fakes.PROVIDER_ID),
        status_code=400,
        json=fakes.error('badRequest', 400, 'Invalid plan id provided.'))

    result = karbor('checkpoint-create', fakes.PROVIDER_ID, 'not-a-plan')

    assert result == (1, '', 'ERROR: Invalid plan id provided.\n')


def test_server_404_prints_its_message_on_one_line(karbor, requests_mock):
    requests_mock.get(
        fakes.url('/plans/%s' % fakes.PLAN_ID), status_code=404,
        json=fakes.error('itemNotFound', 404,
                         'Plan %s could not be found.' % fakes.PLAN_ID))

    result = karbor('plan-show', fakes.PLAN_ID)

    assert result == (
        1, '', 'ERROR: Plan %s could not be found.\n' % fakes.PLAN_ID)


def test_server_error_without_json_shows_the_status_not_bytes(
        karbor, requests_mock):
    requests_mock.get(fakes.url('/providers'), status_code=500,
                      reason='Internal Server Error',
                      content=b'<html>\n<body>boom</body>\n</html>')

    result = karbor('provider-list')

    assert result == (1, '', 'ERROR: 500 Internal Server Error\n')


def test_multi_line_server_message_is_joined_into_one_line(
        karbor, requests_mock):
    requests_mock.get(fakes.url('/restores/%s' % fakes.RESTORE_ID),
                      status_code=403,
                      json={'forbidden': {'code': 403, 'message':
                                          'Policy does not allow\n'
                                          'restore:get.'}})

    result = karbor('restore-show', fakes.RESTORE_ID)

    assert result.err == 'ERROR: Policy does not allow restore:get.\n'


def test_connection_refused_names_the_url_that_could_not_be_reached(
        karbor, requests_mock):
    requests_mock.get(fakes.url('/plans'),
                      exc=requests.exceptions.ConnectionError('refused'))

    result = karbor('plan-list')

    assert result.status == 1
    assert result.err == (
        'ERROR: Unable to connect to %s (connection refused or host '
        'unreachable)\n' % fakes.url('/plans'))


def test_debug_shows_the_traceback_as_well(karbor, requests_mock):
    requests_mock.get(fakes.url('/plans'),
                      exc=requests.exceptions.ConnectionError('refused'))

    result = karbor('--debug', 'plan-list')

    assert result.status == 1
    assert 'Traceback (most recent call last)' in result.err
    assert result.err.endswith('ERROR: Unable to connect to %s (connection '
                               'refused or host unreachable)\n'
                               % fakes.url('/plans'))


def test_plan_create_refuses_a_resource_the_server_cannot_find(
        karbor, requests_mock):
    requests_mock.get(
        fakes.url('/protectables/OS::Cinder::Volume/instances/%s'
                  % fakes.VOLUME_ID),
        status_code=404,
        json=fakes.error('itemNotFound', 404, 'Volume not found.'))
    create = requests_mock.post(fakes.url('/plans'),
                                json={'plan': fakes.plan()})

    result = karbor('plan-create', 'Plan1', fakes.PROVIDER_ID,
                    '%s=OS::Cinder::Volume=Volume1' % fakes.VOLUME_ID)

    assert result == (1, '', (
        'ERROR: Refusing to create the plan: resource OS::Cinder::Volume '
        '%s is unknown to Karbor (Volume not found.)\n' % fakes.VOLUME_ID))
    assert not create.called


@pytest.mark.parametrize('args, message', [
    (['plan-create', 'Plan1', 'not-a-uuid', 'a=b=c'],
     "argument <provider_id>: invalid provider id 'not-a-uuid': a UUID is "
     "expected (see 'karbor help plan-create')"),
    (['plan-create', 'Plan1', fakes.PROVIDER_ID, 'id-without-type'],
     "Invalid resource 'id-without-type': the syntax is "
     "id=type=name[=key=value...]"),
    (['plan-create', 'Plan1', fakes.PROVIDER_ID, 'a=b=c',
      '--parameters', 'backup_mode=full'],
     "Invalid --parameters 'backup_mode=full': resource_type is required"),
    (['plan-create', 'Plan1', fakes.PROVIDER_ID, 'a=b=c',
      '--parameters', 'resource_type=T', '--parameters-json', '{}'],
     'Give either --parameters or --parameters-json, not both'),
    (['restore-create', fakes.PROVIDER_ID, 'c111'],
     "argument <checkpoint_id>: invalid checkpoint id 'c111': a UUID is "
     "expected (see 'karbor help restore-create')"),
    (['restore-create', fakes.PROVIDER_ID, fakes.CHECKPOINT_ID,
      '--restore_target', 'http://keystone.test/identity'],
     '--restore_target needs --restore_username and --restore_password'),
    (['checkpoint-list', fakes.PROVIDER_ID, '--start_date', '27/03/2017'],
     "argument --start_date: invalid date '27/03/2017': the format is "
     "YYYY-MM-DD (see 'karbor help checkpoint-list')"),
    (['checkpoint-list', fakes.PROVIDER_ID, '--plan_id', 'Plan1'],
     "argument --plan_id: invalid plan id 'Plan1': a UUID is expected "
     "(see 'karbor help checkpoint-list')"),
    (['plan-list', '--sort', 'size:asc'],
     "argument --sort: invalid sort key 'size': use one of id, status, "
     "name, created_at (see 'karbor help plan-list')"),
    (['plan-update', fakes.PLAN_ID],
     'Nothing to update: give --name, --description, --resources or '
     '--status'),
    (['no-such-command'],
     "argument <command>: invalid choice: 'no-such-command'"),
])
def test_bad_input_is_refused_on_one_line_before_any_request(
        karbor, requests_mock, args, message):
    result = karbor(*args)

    assert result.status == 1
    assert result.err.startswith('ERROR: ' + message)
    assert result.err.count('\n') == 1
    assert not requests_mock.called


def test_direct_mode_without_url_says_what_is_missing(karbor):
    result = karbor('--os-no-client-auth', '--os-auth-token', 'admin:demo',
                    'plan-list', direct=False)

    assert result == (1, '', 'ERROR: --os-no-client-auth needs both '
                             '--os-auth-token (or OS_AUTH_TOKEN) and '
                             '--karbor-url (or KARBOR_URL)\n')


def test_deleting_several_plans_reports_each_failure_and_fails(
        karbor, requests_mock):
    missing = '3523a271-68aa-42f5-b9ba-56e5200a2ebb'
    deleted = requests_mock.delete(fakes.url('/plans/%s' % fakes.PLAN_ID),
                                   text='')
    requests_mock.delete(
        fakes.url('/plans/%s' % missing), status_code=404,
        json=fakes.error('itemNotFound', 404,
                         'Plan %s could not be found.' % missing))

    result = karbor('plan-delete', missing, fakes.PLAN_ID)

    assert result == (
        1, '', 'ERROR: Plan %s could not be found.\n' % missing)
    assert deleted.called_once


def test_a_reader_that_went_away_ends_the_command_quietly():
    # As in "karbor bash-completion | head -1": nothing reads the rest
    # of the output. Unbuffered, so that the write fails while the command
    # runs, as a long listing's does.
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        finished = subprocess.run(
            [sys.executable, '-c',
             'import sys; from karborclient import shell; '
             'sys.exit(shell.main(["bash-completion"]))'],
            stdout=write_end, stderr=subprocess.PIPE, timeout=60,
            env=dict(os.environ, PYTHONUNBUFFERED='1'))
    finally:
        os.close(write_end)
    assert (finished.returncode, finished.stderr) == (141, b'')
