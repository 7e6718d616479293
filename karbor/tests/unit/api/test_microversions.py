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

"""API microversions: a client that asks for nothing sees the original
Karbor's shape; one that asks for 1.1 sees what Karbor added; a version
the server does not speak is refused with 406."""

import pytest

from karbor import context
from karbor.db import api as db_api
from karbor.tests.unit.api import conftest

NOOP = conftest.NOOP
CHECKPOINTS = '/v1/demo/providers/%s/checkpoints' % NOOP
ASK = 'OpenStack-API-Version'
# The fields the original Karbor answered for a checkpoint.
ORIGINAL_CHECKPOINT_FIELDS = {'id', 'project_id', 'status', 'protection_plan',
                              'resource_graph', 'extra_info', 'created_at'}


def _available_checkpoint(noauth):
    checkpoint = noauth.create_checkpoint(noauth.create_plan())
    noauth.wait_for_operations()
    return checkpoint


def test_without_a_version_checkpoints_have_exactly_the_original_fields(
        noauth):
    checkpoint = _available_checkpoint(noauth)
    shown = noauth('GET', CHECKPOINTS + '/' + checkpoint['id'])
    listed = noauth('GET', CHECKPOINTS).json['checkpoints']

    assert set(checkpoint) == ORIGINAL_CHECKPOINT_FIELDS
    assert set(shown.json['checkpoint']) == ORIGINAL_CHECKPOINT_FIELDS
    assert [set(c) for c in listed] == [ORIGINAL_CHECKPOINT_FIELDS]
    assert shown.headers[ASK] == 'data-protect 1.0'
    assert ASK in shown.headers['Vary']


def test_version_1_1_adds_each_resources_status_to_checkpoints(noauth):
    checkpoint = _available_checkpoint(noauth)
    for version in ('1.1',):
        shown = noauth('GET', CHECKPOINTS + '/' + checkpoint['id'],
                       headers={ASK: 'data-protect %s' % version})

        assert shown.headers[ASK] == 'data-protect 1.1'
        body = shown.json['checkpoint']
        assert set(body) == ORIGINAL_CHECKPOINT_FIELDS | {
            'resources_status', 'resources_reason'}
        assert body['resources_status'] == {
            'OS::Keystone::Project#demo': 'available'}


def _reading(kind, checkpoint, project='demo', status='in_progress'):
    """A restore or verification of ``checkpoint`` as the database holds
    it while its operation runs."""
    create = getattr(db_api, '%s_create' % kind)
    return create(context.get_admin_context(), {
        'project_id': project, 'provider_id': NOOP,
        'checkpoint_id': checkpoint['id'], 'parameters': {},
        'status': status}).id


def test_version_1_2_shows_the_restores_and_verifications_reading_it(
        noauth):
    checkpoint = _available_checkpoint(noauth)
    path = CHECKPOINTS + '/' + checkpoint['id']
    older = _reading('restore', checkpoint)
    newer = _reading('restore', checkpoint)
    _reading('restore', checkpoint, status='success')
    _reading('restore', checkpoint, project='other')
    verifying = _reading('verification', checkpoint)

    for version in ('1.2', 'latest'):
        shown = noauth('GET', path, headers={ASK: 'data-protect %s' % version})
        assert shown.headers[ASK] == 'data-protect 1.2'
        body = shown.json['checkpoint']
        assert body['restores_in_progress'] == [older, newer]
        assert body['verifications_in_progress'] == [verifying]
        assert set(body) == ORIGINAL_CHECKPOINT_FIELDS | {
            'resources_status', 'resources_reason', 'restores_in_progress',
            'verifications_in_progress'}
    earlier = noauth('GET', path, headers={ASK: 'data-protect 1.1'})
    assert 'restores_in_progress' not in earlier.json['checkpoint']


def test_checkpoints_carry_extra_info_null_when_none_was_given(noauth):
    checkpoint = _available_checkpoint(noauth)
    shown = noauth('GET', CHECKPOINTS + '/' + checkpoint['id'])

    assert checkpoint['extra_info'] is None
    assert shown.json['checkpoint']['extra_info'] is None


def test_the_verify_schema_of_providers_comes_with_1_1(noauth):
    old = noauth('GET', '/v1/demo/providers/%s' % NOOP).json['provider']
    new = noauth('GET', '/v1/demo/providers/%s' % NOOP,
                 headers={ASK: 'data-protect 1.1'}).json['provider']
    listed = noauth('GET', '/v1/demo/providers').json['providers']

    assert set(old['extended_info_schema']) == {
        'options_schema', 'restore_schema', 'saved_info_schema'}
    assert all('verify_schema' not in p['extended_info_schema']
               for p in listed)
    assert conftest.PROJECT_TYPE in (
        new['extended_info_schema']['verify_schema'])


@pytest.mark.parametrize('version', ['1.3', '2.0', '0.9', '1.10'])
def test_an_unsupported_version_is_406_naming_the_range(noauth, version):
    response = noauth('GET', '/v1/demo/plans',
                      headers={ASK: 'data-protect %s' % version})

    assert response.status_int == 406, response.text
    message = response.json['notAcceptable']['message']
    assert version in message and '1.0 to 1.2' in message


def test_a_malformed_version_is_400(noauth):
    response = noauth('GET', '/v1/demo/plans',
                      headers={ASK: 'data-protect one'})

    assert response.status_int == 400, response.text
    assert 'OpenStack-API-Version' in response.json['badRequest']['message']


def test_a_version_for_another_service_is_ignored(noauth):
    response = noauth('GET', '/v1/demo/plans',
                      headers={ASK: 'compute 2.90'})

    assert response.status_int == 200
    assert response.headers[ASK] == 'data-protect 1.0'


def test_the_version_documents_name_the_lowest_and_newest_versions(noauth):
    (listed,) = noauth('GET', '/', project=None).json['versions']
    shown = noauth('GET', '/v1/').json['version']

    for document in (listed, shown):
        assert document['min_version'] == '1.0'
        assert document['version'] == '1.2'
