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

"""checkpoint-copy: what it sends, waits for and prints."""

from karborclient.tests.unit import fakes
from karborclient.v1 import client as karbor_client

COPIES_ID = '9b2f6d0a-1f3e-4c55-8a47-2d5e8c1f4b02'
COPY_ID = 'd3a1f0c2-7e4b-4b8e-9c1a-5f2e6d7c8b90'
ACTION_URL = fakes.url('/providers/%s/checkpoints/action' %
                       fakes.PROVIDER_ID)
COPY_URL = fakes.url('/providers/%s/checkpoints/%s' % (COPIES_ID, COPY_ID))


def copy_answer():
    return {'copy': {
        'id': COPY_ID, 'project_id': fakes.PROJECT_ID,
        'provider_id': fakes.PROVIDER_ID, 'plan_id': fakes.PLAN_ID,
        'parameters': {}, 'status': 'wait_copying',
        'copy_provider_id': COPIES_ID,
        'checkpoint_id': [{'checkpoint_protect_id': fakes.CHECKPOINT_ID,
                           'checkpoint_copy_id': COPY_ID}]}}


def copied(status):
    return {'json': {'checkpoint': fakes.available_checkpoint(
        id=COPY_ID, status=status)}}


def test_checkpoint_copy_posts_the_plan_and_prints_each_copy(
        karbor, requests_mock):
    action = requests_mock.post(ACTION_URL, json=copy_answer())

    result = karbor('checkpoint-copy', fakes.PROVIDER_ID, fakes.PLAN_ID)

    assert result.status == 0, result.err
    assert action.last_request.json() == {
        'copy': {'plan_id': fakes.PLAN_ID, 'parameters': {}}}
    assert fakes.CHECKPOINT_ID in result.out and COPY_ID in result.out
    assert 'wait_copying' in result.out
    assert COPIES_ID in result.out


def test_checkpoint_copy_wait_polls_the_copy_in_its_provider(
        karbor, requests_mock, clock):
    requests_mock.post(ACTION_URL, json=copy_answer())
    poll = requests_mock.get(COPY_URL, [copied('copying'),
                                        copied('available')])

    result = karbor('checkpoint-copy', fakes.PROVIDER_ID, fakes.PLAN_ID,
                    '--wait')

    assert result.status == 0, result.err
    assert poll.call_count == 2
    assert '| available' in result.out


def test_checkpoint_copy_wait_fails_when_a_copy_ends_in_error(
        karbor, requests_mock, clock):
    requests_mock.post(ACTION_URL, json=copy_answer())
    requests_mock.get(COPY_URL, [copied('error')])

    result = karbor('checkpoint-copy', fakes.PROVIDER_ID, fakes.PLAN_ID,
                    '--wait')

    assert result.status == 1
    assert 'a copy ended in error' in result.err


def test_the_manager_copies_with_parameters(requests_mock):
    action = requests_mock.post(ACTION_URL, json=copy_answer())
    client = karbor_client.Client(endpoint=fakes.KARBOR_URL,
                                  token='admin:demo')

    answer = client.checkpoints.copy(fakes.PROVIDER_ID, fakes.PLAN_ID,
                                     {'OS::Cinder::Volume': {}})

    assert answer.id == COPY_ID
    assert answer.copy_provider_id == COPIES_ID
    assert action.last_request.json() == {'copy': {
        'plan_id': fakes.PLAN_ID,
        'parameters': {'OS::Cinder::Volume': {}}}}
