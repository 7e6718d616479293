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

"""The checkpoint copy action through the API's pipeline: a No-Op provider
whose copy_provider is a second No-Op provider, each on its own bank."""

import pytest

from karbor.tests.unit.api import conftest

SOURCE = '5c4a3c1e-7a77-4d6e-9f1e-3e0cbd5b7a01'
COPIES = '9b2f6d0a-1f3e-4c55-8a47-2d5e8c1f4b02'
CHECKPOINTS = '/v1/%s/providers/%s/checkpoints'
ACTION = CHECKPOINTS + '/action'
PROVIDER_FILE = '''[provider]
name = %s
id = %s
plugin = karbor-noop-protection-plugin
bank = karbor-fs-bank-plugin
enabled = True
%s
'''


@pytest.fixture(params=['noauth', 'keystone'])
def karbor(request, conf, tmp_path):
    instance, stop = conftest.start_karbor(
        tmp_path, request.param,
        'sqlite:///%s' % (tmp_path / 'karbor.sqlite'), provider_files={
            'source.conf': PROVIDER_FILE % ('Source', SOURCE,
                                            'copy_provider = %s' % COPIES),
            'copies.conf': PROVIDER_FILE % ('Copies', COPIES, ''),
        })
    yield instance
    stop()


def _fault(response, status):
    assert response.status_int == status, response.text
    (body,) = response.json.values()
    assert body['code'] == status
    return body['message']


def _protected_plan(karbor, checkpoints=1, provider=SOURCE):
    plan = karbor.create_plan(provider_id=provider)
    made = []
    for _index in range(checkpoints):
        response = karbor('POST', CHECKPOINTS % ('demo', provider),
                          {'checkpoint': {'plan_id': plan['id']}})
        assert response.status_int == 200, response.text
        made.append(response.json['checkpoint']['id'])
        karbor.wait_for_operations()
    return plan, made


@pytest.mark.parametrize('list_form', [False, True])
def test_a_copy_answers_the_new_checkpoint_which_becomes_available(
        karbor, list_form):
    plan, [source_id] = _protected_plan(karbor)
    item = {'plan_id': plan['id'], 'parameters': {}}
    response = karbor('POST', ACTION % ('demo', SOURCE),
                      {'copy': [item] if list_form else item},
                      headers={'OpenStack-API-Version': 'data-protect 1.1'})

    assert response.status_int == 200, response.text
    body = response.json['copy']
    [pair] = body['checkpoint_id']
    assert pair['checkpoint_protect_id'] == source_id
    assert body == {
        'id': pair['checkpoint_copy_id'], 'project_id': 'demo',
        'provider_id': SOURCE, 'plan_id': plan['id'], 'parameters': {},
        'status': 'wait_copying', 'copy_provider_id': COPIES,
        'checkpoint_id': [pair]}
    karbor.wait_for_operations()
    shown = karbor('GET', CHECKPOINTS % ('demo', COPIES) + '/' + body['id'])
    assert shown.status_int == 200, shown.text
    copied = shown.json['checkpoint']
    assert copied['status'] == 'available'
    assert copied['protection_plan']['id'] == plan['id']
    assert '"copy_status": "finished"' in copied['extra_info']
    assert source_id in copied['extra_info']


def test_several_checkpoints_copied_answer_the_plan_id_and_every_pair(
        karbor):
    plan, sources = _protected_plan(karbor, checkpoints=2)

    response = karbor('POST', ACTION % ('demo', SOURCE),
                      {'copy': {'plan_id': plan['id']}})

    assert response.status_int == 200, response.text
    body = response.json['copy']
    assert body['id'] == plan['id']
    assert [pair['checkpoint_protect_id'] for pair in
            body['checkpoint_id']] == sources
    # Where the copies went is Karbor's addition, from 1.1 on.
    assert 'copy_provider_id' not in body
    karbor.wait_for_operations()
    again = karbor('POST', ACTION % ('demo', SOURCE),
                   {'copy': {'plan_id': plan['id']}})
    assert 'not copied yet' in _fault(again, 400)


def test_a_provider_without_copy_provider_answers_400_naming_it(karbor):
    plan, _made = _protected_plan(karbor, provider=conftest.NOOP)

    response = karbor('POST', ACTION % ('demo', conftest.NOOP),
                      {'copy': {'plan_id': plan['id']}})

    assert 'copy_provider' in _fault(response, 400)


@pytest.mark.parametrize('body, named', [
    ({'copy': {}}, 'plan_id'),
    ({'copy': {'plan_id': 'not-a-uuid'}}, 'not-a-uuid'),
    ({'copy': []}, 'copy'),
    ({'copies': {}}, 'copy'),
])
def test_a_malformed_copy_is_400_naming_the_field(karbor, body, named):
    response = karbor('POST', ACTION % ('demo', SOURCE), body)

    assert named in _fault(response, 400)


def test_another_projects_plan_is_not_found_and_another_provider_400(
        karbor):
    plan, _made = _protected_plan(karbor)

    hidden = karbor('POST', ACTION % ('alt', SOURCE),
                    {'copy': {'plan_id': plan['id']}}, project='alt')
    elsewhere = karbor('POST', ACTION % ('demo', COPIES),
                       {'copy': {'plan_id': plan['id']}})

    _fault(hidden, 404)
    assert SOURCE in _fault(elsewhere, 400)
