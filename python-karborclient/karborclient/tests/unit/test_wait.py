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

"""``--wait``: poll with backing-off intervals until the status is final."""

import pytest

from karborclient.tests.unit import fakes
from karborclient.tests.unit import test_walkthrough

CHECKPOINTS_URL = fakes.url('/providers/%s/checkpoints' % fakes.PROVIDER_ID)
RESTORE_URL = fakes.url('/restores/%s' % fakes.RESTORE_ID)


def checkpoint_answers(*statuses):
    return [{'json': {'checkpoint': fakes.available_checkpoint(
        status=status)}} for status in statuses]


def test_checkpoint_create_wait_polls_until_available(karbor, requests_mock,
                                                      clock):
    requests_mock.post(CHECKPOINTS_URL,
                       json={'checkpoint': fakes.checkpoint()})
    poll = requests_mock.get(fakes.checkpoint_url(), checkpoint_answers(
        'protecting', 'protecting', 'available'))

    result = karbor('checkpoint-create', fakes.PROVIDER_ID, fakes.PLAN_ID,
                    '--wait')

    assert result.status == 0
    assert result.out == test_walkthrough.CHECKPOINT_AVAILABLE
    assert poll.call_count == 3
    assert clock.slept == pytest.approx([0.2, 0.4, 0.8])
    assert result.err == (
        'checkpoint %(id)s: protecting (0.2 s)\n'
        'checkpoint %(id)s: available (1.4 s)\n'
        % {'id': fakes.CHECKPOINT_ID})


def test_checkpoint_create_wait_fails_when_the_checkpoint_ends_in_error(
        karbor, requests_mock, clock):
    requests_mock.post(CHECKPOINTS_URL,
                       json={'checkpoint': fakes.checkpoint()})
    requests_mock.get(fakes.checkpoint_url(), checkpoint_answers('error'))

    result = karbor('checkpoint-create', fakes.PROVIDER_ID, fakes.PLAN_ID,
                    '--wait')

    assert result.status == 1
    assert '| status          | error' in result.out
    assert result.err.splitlines()[-1] == (
        'ERROR: Failed: checkpoint %s: error' % fakes.CHECKPOINT_ID)


def test_checkpoint_create_wait_reports_resources_protected(
        karbor, requests_mock, clock):
    volume = 'OS::Cinder::Volume#%s' % fakes.VOLUME_ID
    image = 'OS::Glance::Image#%s' % fakes.NEW_VOLUME_ID
    requests_mock.post(CHECKPOINTS_URL,
                       json={'checkpoint': fakes.checkpoint()})
    requests_mock.get(fakes.checkpoint_url(), [
        {'json': {'checkpoint': fakes.checkpoint(resources_status={
            volume: 'available', image: 'protecting'})}},
        {'json': {'checkpoint': fakes.available_checkpoint(resources_status={
            volume: 'available', image: 'available'})}},
    ])

    result = karbor('checkpoint-create', fakes.PROVIDER_ID, fakes.PLAN_ID,
                    '--wait')

    assert result.status == 0
    assert result.err == (
        'checkpoint %(id)s: protecting, 1 of 2 resources done (0.2 s)\n'
        'checkpoint %(id)s: available, 2 of 2 resources done (0.6 s)\n'
        % {'id': fakes.CHECKPOINT_ID})


def test_wait_backs_off_to_two_seconds_and_gives_up_at_the_timeout(
        karbor, requests_mock, clock):
    requests_mock.post(CHECKPOINTS_URL,
                       json={'checkpoint': fakes.checkpoint()})
    requests_mock.get(fakes.checkpoint_url(),
                      json={'checkpoint': fakes.checkpoint()})

    result = karbor('checkpoint-create', fakes.PROVIDER_ID, fakes.PLAN_ID,
                    '--wait', '--wait-timeout', '10')

    assert result.status == 1
    assert result.out == ''
    assert clock.slept == pytest.approx(
        [0.2, 0.4, 0.8, 1.6, 2.0, 2.0, 2.0, 1.0])
    assert result.err.splitlines()[-1] == (
        'ERROR: Gave up waiting after 10 s; last seen: checkpoint %s: '
        'protecting' % fakes.CHECKPOINT_ID)


def test_wait_does_not_poll_a_checkpoint_that_is_already_final(
        karbor, requests_mock, clock):
    requests_mock.post(CHECKPOINTS_URL, json={
        'checkpoint': fakes.available_checkpoint()})

    result = karbor('checkpoint-create', fakes.PROVIDER_ID, fakes.PLAN_ID,
                    '--wait')

    assert result == (0, test_walkthrough.CHECKPOINT_AVAILABLE, '')
    assert requests_mock.call_count == 1


def test_restore_create_wait_reports_how_many_resources_are_done(
        karbor, requests_mock, clock):
    volume = 'OS::Cinder::Volume#%s' % fakes.NEW_VOLUME_ID
    server = 'OS::Nova::Server#%s' % fakes.PLAN_ID
    requests_mock.post(fakes.url('/restores'),
                       json={'restore': fakes.restore()})
    requests_mock.get(RESTORE_URL, [
        {'json': {'restore': fakes.restore(resources_status={
            volume: 'restoring', server: 'restoring'})}},
        {'json': {'restore': fakes.restore(resources_status={
            volume: 'available', server: 'restoring'})}},
        {'json': {'restore': fakes.restore(status='success',
                                           resources_status={
                                               volume: 'available',
                                               server: 'available'})}},
    ])

    result = karbor('restore-create', fakes.PROVIDER_ID,
                    fakes.CHECKPOINT_ID, '--wait')

    assert result.status == 0
    assert result.err == (
        'restore %(id)s: in_progress, 0 of 2 resources done (0.2 s)\n'
        'restore %(id)s: in_progress, 1 of 2 resources done (0.6 s)\n'
        'restore %(id)s: success, 2 of 2 resources done (1.4 s)\n'
        % {'id': fakes.RESTORE_ID})
    assert '| status           | success' in result.out


def test_restore_create_wait_fails_when_the_restore_fails(
        karbor, requests_mock, clock):
    volume = 'OS::Cinder::Volume#%s' % fakes.NEW_VOLUME_ID
    requests_mock.post(fakes.url('/restores'),
                       json={'restore': fakes.restore()})
    requests_mock.get(RESTORE_URL, json={'restore': fakes.restore(
        status='fail', resources_status={volume: 'error'},
        resources_reason={volume: 'Backup not found'})})

    result = karbor('restore-create', fakes.PROVIDER_ID,
                    fakes.CHECKPOINT_ID, '--wait')

    assert result.status == 1
    assert ('| resources_reason | {"%s": "Backup not found"}' % volume
            in result.out)
    assert result.err.splitlines()[-1] == (
        'ERROR: Failed: restore %s: fail, 1 of 1 resources done'
        % fakes.RESTORE_ID)


def test_checkpoint_delete_wait_polls_until_the_checkpoint_is_gone(
        karbor, requests_mock, clock):
    requests_mock.delete(fakes.checkpoint_url(), json={})
    requests_mock.get(fakes.checkpoint_url(), [
        {'json': {'checkpoint': fakes.checkpoint(status='deleting')}},
        {'status_code': 404,
         'json': fakes.error('itemNotFound', 404, 'gone')},
    ])

    result = karbor('checkpoint-delete', fakes.PROVIDER_ID,
                    fakes.CHECKPOINT_ID, '--wait')

    assert result.status == 0
    assert result.out == ''
    assert result.err == (
        'checkpoint %(id)s: deleting (0.2 s)\n'
        'checkpoint %(id)s: deleted (0.6 s)\n' % {'id': fakes.CHECKPOINT_ID})


def test_checkpoint_delete_wait_accepts_a_kept_deleted_checkpoint(
        karbor, requests_mock, clock):
    requests_mock.delete(fakes.checkpoint_url(), json={})
    requests_mock.get(fakes.checkpoint_url(), json={
        'checkpoint': fakes.checkpoint(status='deleted')})

    result = karbor('checkpoint-delete', fakes.PROVIDER_ID,
                    fakes.CHECKPOINT_ID, '--wait')

    assert result.status == 0


def test_checkpoint_delete_wait_fails_on_error_deleting(
        karbor, requests_mock, clock):
    requests_mock.delete(fakes.checkpoint_url(), json={})
    requests_mock.get(fakes.checkpoint_url(), json={
        'checkpoint': fakes.checkpoint(status='error-deleting')})

    result = karbor('checkpoint-delete', fakes.PROVIDER_ID,
                    fakes.CHECKPOINT_ID, '--wait')

    assert result.status == 1
    assert result.err.splitlines()[-1] == (
        'ERROR: Failed: checkpoint %s: error-deleting' % fakes.CHECKPOINT_ID)
