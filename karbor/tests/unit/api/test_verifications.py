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

"""Verifications through the API's pipeline, as python-karborclient 2.1.0
sends them: the original's shape, each project its own, and what cannot
be verified refused with a message."""

import pytest

from karbor.tests.unit.api import conftest

NOOP = conftest.NOOP
VERIFICATIONS = '/v1/%s/verifications'
CHECKPOINTS = '/v1/%s/providers/' + NOOP + '/checkpoints'
UNKNOWN = '5bd8b1a7-6b7e-4b0e-8d3e-1c1b3a0d9a10'
FIELDS = {'id', 'project_id', 'provider_id', 'checkpoint_id', 'parameters',
          'status', 'resources_status', 'resources_reason'}


def _fault(response, status):
    assert response.status_int == status, response.text
    (body,) = response.json.values()
    assert body['code'] == status
    return body['message']


def _available_checkpoint(karbor, project='demo'):
    checkpoint = karbor.create_checkpoint(karbor.create_plan(project),
                                          project)
    karbor.wait_for_operations()
    return checkpoint


def _verify(karbor, checkpoint, project='demo', **more):
    return karbor('POST', VERIFICATIONS % project, {'verification': dict(
        {'provider_id': NOOP, 'checkpoint_id': checkpoint['id'],
         'parameters': {}}, **more)}, project=project)


def test_a_no_op_checkpoint_verifies_as_success(karbor):
    checkpoint = _available_checkpoint(karbor)

    created = _verify(karbor, checkpoint)
    assert created.status_int == 200, created.text
    body = created.json['verification']
    assert set(body) == FIELDS
    assert body['status'] == 'in_progress'
    assert body['checkpoint_id'] == checkpoint['id']
    karbor.wait_for_operations()

    shown = karbor('GET', VERIFICATIONS % 'demo' + '/' + body['id'])
    assert shown.json['verification']['status'] == 'success'
    assert shown.json['verification']['resources_status'] == {
        'OS::Keystone::Project#demo': 'available'}
    listed = karbor('GET', VERIFICATIONS % 'demo').json['verifications']
    assert [v['id'] for v in listed] == [body['id']]


def test_verifications_page_and_filter_by_checkpoint(karbor):
    first = _available_checkpoint(karbor)
    second = _available_checkpoint(karbor)
    ids = [_verify(karbor, c).json['verification']['id']
           for c in (first, first, second)]
    karbor.wait_for_operations()

    page = karbor('GET', VERIFICATIONS % 'demo', query='limit=2').json
    rest = karbor('GET', VERIFICATIONS % 'demo',
                  query='marker=%s' % page['verifications'][-1]['id']).json
    of_first = karbor('GET', VERIFICATIONS % 'demo',
                      query='checkpoint_id=%s' % first['id']).json

    assert len(page['verifications']) == 2
    assert 'verifications_links' in page
    assert sorted(v['id'] for v in page['verifications'] +
                  rest['verifications']) == sorted(ids)
    assert sorted(v['id'] for v in of_first['verifications']) == sorted(
        ids[:2])


def test_a_project_never_sees_another_projects_verifications(karbor):
    mine = _verify(karbor, _available_checkpoint(karbor)).json[
        'verification']
    karbor.wait_for_operations()

    assert karbor('GET', VERIFICATIONS % 'alt', project='alt').json[
        'verifications'] == []
    assert mine['id'] in _fault(karbor(
        'GET', VERIFICATIONS % 'alt' + '/' + mine['id'], project='alt'), 404)


def test_another_projects_checkpoint_cannot_be_verified(karbor):
    theirs = _available_checkpoint(karbor)

    response = _verify(karbor, theirs, project='alt')

    assert response.status_int in (403, 404), response.text
    assert karbor('GET', VERIFICATIONS % 'alt', project='alt').json[
        'verifications'] == []


def test_only_an_available_checkpoint_is_verified(karbor):
    checkpoint = _available_checkpoint(karbor)
    karbor('DELETE', CHECKPOINTS % 'demo' + '/' + checkpoint['id'])
    karbor.wait_for_operations()

    message = _fault(_verify(karbor, checkpoint), 409)

    assert 'deleted' in message
    assert karbor('GET', VERIFICATIONS % 'demo').json['verifications'] == []


@pytest.mark.parametrize('body, named', [
    ({'verification': {'provider_id': NOOP}}, 'checkpoint_id'),
    ({'verification': {'provider_id': 'nope', 'checkpoint_id': UNKNOWN}},
     'provider_id'),
    ({'verification': {'provider_id': NOOP, 'checkpoint_id': UNKNOWN,
                       'colour': 'red'}}, 'colour'),
    ({}, 'verification'),
])
def test_a_malformed_verification_is_400_naming_the_problem(karbor, body,
                                                            named):
    message = _fault(karbor('POST', VERIFICATIONS % 'demo', body), 400)

    assert named in message


def test_parameters_for_a_type_the_checkpoint_lacks_are_400(karbor):
    checkpoint = _available_checkpoint(karbor)

    message = _fault(_verify(karbor, checkpoint, parameters={
        'OS::Cinder::Volume': {}}), 400)

    assert 'OS::Cinder::Volume' in message


def test_an_unknown_checkpoint_or_verification_is_404(karbor):
    assert UNKNOWN in _fault(_verify(karbor, {'id': UNKNOWN}), 404)
    assert UNKNOWN in _fault(karbor(
        'GET', VERIFICATIONS % 'demo' + '/' + UNKNOWN), 404)
    assert 'verification' in _fault(karbor(
        'GET', VERIFICATIONS % 'demo' + '/not-a-uuid'), 400)
