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

"""Scheduled operations through the API's pipeline, as python-karborclient
2.1.0 and the dashboard use them: the original's shape, each project its
own, bad definitions refused with a message that names the problem, and
the trigger they run on kept while they use it.

Under Keystone a create makes a trust (karbor/common/trusts.py) and a
delete deletes it; Keystone's trust API is the one thing the tests'
Keystone fixture does not answer, so ``trusts`` stands in for it."""

import itertools

import pytest

from karbor.common import trusts as trusts_module
from karbor.tests.unit.api import conftest

OPERATIONS = '/v1/%s/scheduled_operations'
TRIGGERS = '/v1/%s/triggers'
UNKNOWN = '5bd8b1a7-6b7e-4b0e-8d3e-1c1b3a0d9a10'
OTHER_PROVIDER = 'cf56bd3e-97a7-4078-b6d5-f36246333fd9'
NIGHTLY = '0 2 * * *'
FIELDS = ['description', 'enabled', 'id', 'name', 'operation_definition',
          'operation_type', 'trigger_id']


class Trusts(object):
    """Keystone's trusts: those made for creates, those deleted."""

    def __init__(self):
        self.made = []
        self.deleted = []
        self._ids = itertools.count()

    def create_trust(self, context):
        trust_id = 'trust-%d-of-%s' % (next(self._ids), context.user_id)
        self.made.append(trust_id)
        return trust_id

    def delete_trust(self, context, trust_id):
        self.deleted.append(trust_id)


@pytest.fixture
def trusts(monkeypatch):
    stand_in = Trusts()
    monkeypatch.setattr(trusts_module, 'create_trust', stand_in.create_trust)
    monkeypatch.setattr(trusts_module, 'delete_trust', stand_in.delete_trust)
    return stand_in


@pytest.fixture
def karbor(karbor, trusts):
    """conftest's ``karbor`` (noauth and keystone), with trusts."""
    return karbor


# What only the body decides runs under noauth alone: past the
# authentication both pipelines run the same code. (Each Karbor costs a
# second to stop, after RPC; the cases of one kind share one.)

@pytest.fixture
def noauth(conf, tmp_path, trusts):
    instance, stop = conftest.start_karbor(
        tmp_path, 'noauth', 'sqlite:///%s' % (tmp_path / 'karbor.sqlite'))
    yield instance
    stop()


def _fault(response, status):
    assert response.status_int == status, response.text
    (body,) = response.json.values()
    assert body['code'] == status
    return body['message']


def _trigger(karbor, project='demo', pattern=NIGHTLY):
    response = karbor('POST', TRIGGERS % project, {'trigger_info': {
        'name': 'nightly', 'type': 'time',
        'properties': {'format': 'crontab', 'pattern': pattern}}},
        project=project)
    assert response.status_int == 200, response.text
    return response.json['trigger_info']


def _definition(plan, **changes):
    definition = {'plan_id': plan['id'], 'provider_id': plan['provider_id']}
    definition.update(changes)
    return {key: value for key, value in definition.items()
            if value is not None}


def _post(karbor, trigger, definition, project='demo',
          operation_type='protect', **more):
    operation = {'name': 'nightly-protect', 'operation_type': operation_type,
                 'trigger_id': trigger['id'],
                 'operation_definition': definition}
    operation.update(more)
    return karbor('POST', OPERATIONS % project,
                  {'scheduled_operation': operation}, project=project)


def _create(karbor, project='demo', trigger=None, **more):
    plan = karbor.create_plan(project=project)
    trigger = trigger or _trigger(karbor, project)
    response = _post(karbor, trigger, _definition(plan), project, **more)
    assert response.status_int == 200, response.text
    return response.json['scheduled_operation']


def _listed(karbor, project='demo', query=''):
    response = karbor('GET', OPERATIONS % project, project=project,
                      query=query)
    assert response.status_int == 200, response.text
    return response.json


def test_an_operation_is_created_shown_listed_and_deleted(karbor, trusts):
    plan = karbor.create_plan()
    trigger = _trigger(karbor)
    response = _post(karbor, trigger, _definition(plan),
                     description='every night')
    assert response.status_int == 200, response.text
    operation = response.json['scheduled_operation']
    assert sorted(operation) == FIELDS
    assert operation == {
        'id': operation['id'], 'name': 'nightly-protect',
        'description': 'every night', 'operation_type': 'protect',
        'trigger_id': trigger['id'], 'enabled': True,
        'operation_definition': {'plan_id': plan['id'],
                                 'provider_id': conftest.NOOP}}
    url = OPERATIONS % 'demo' + '/' + operation['id']
    assert karbor('GET', url).json == {'scheduled_operation': operation}
    assert _listed(karbor) == {'operations': [operation]}
    # What python-karborclient sends without --description.
    plain = _create(karbor, trigger=trigger)
    assert plain['description'] is None

    response = karbor('DELETE', url)
    assert (response.status_int, response.body) == (200, b'')
    assert operation['id'] in _fault(karbor('GET', url), 404)
    assert _listed(karbor) == {'operations': [plain]}
    assert operation['id'] in _fault(karbor('DELETE', url), 404)
    assert 'Invalid scheduled operation id' in _fault(
        karbor('GET', OPERATIONS % 'demo' + '/nightly'), 400)
    # The trust the engine would have run it through goes with it.
    if karbor.auth_strategy == 'keystone':
        assert len(trusts.made) == 2
        assert trusts.deleted == trusts.made[:1]
    else:
        assert trusts.made == trusts.deleted == []


def test_operations_page_with_marker_and_limit_and_filter_by_trigger(
        noauth):
    trigger = _trigger(noauth)
    made = [_create(noauth, trigger=trigger)['id'] for _ in range(3)]
    first = _listed(noauth, query='limit=2')
    ids = [operation['id'] for operation in first['operations']]
    assert len(ids) == 2
    (link,) = first['operations_links']
    assert link['rel'] == 'next'
    assert 'marker=%s' % ids[-1] in link['href']
    assert 'limit=2' in link['href']
    rest = _listed(noauth, query='limit=2&marker=%s' % ids[-1])
    assert 'operations_links' not in rest
    assert sorted(ids + [o['id'] for o in rest['operations']]) == \
        sorted(made)
    assert 'operations_links' not in _listed(noauth)
    assert UNKNOWN in _fault(noauth('GET', OPERATIONS % 'demo',
                                    query='marker=' + UNKNOWN), 404)
    assert 'Invalid marker id' in _fault(noauth(
        'GET', OPERATIONS % 'demo', query='marker=nope'), 400)

    other = _create(noauth)
    assert _listed(noauth, query='trigger_id=' + other['trigger_id']) == {
        'operations': [other]}
    assert len(_listed(noauth, query='trigger_id=' + trigger['id'])[
        'operations']) == 3


def test_karborclient_strings_for_retention_are_stored_as_integers(noauth):
    plan = noauth.create_plan()
    # python-karborclient 2.1.0 parses "max_backups=3,..." into strings.
    response = _post(noauth, _trigger(noauth), _definition(
        plan, max_backups='3', retention_duration='-1'),
        operation_type='retention_protect')
    assert response.status_int == 200, response.text
    operation = response.json['scheduled_operation']
    assert operation['operation_type'] == 'retention_protect'
    expected = {'plan_id': plan['id'], 'provider_id': conftest.NOOP,
                'max_backups': 3, 'retention_duration': -1}
    assert operation['operation_definition'] == expected
    shown = noauth('GET', OPERATIONS % 'demo' + '/' + operation['id'])
    assert shown.json['scheduled_operation']['operation_definition'] == \
        expected
    (listed,) = _listed(noauth)['operations']
    assert listed['operation_definition'] == expected


BAD_DEFINITIONS = [
    ('backup', {}, 'Invalid operation type: backup'),
    ('protect', {'plan_id': None}, 'plan_id'),
    ('protect', {'provider_id': None}, 'provider_id'),
    ('protect', {'plan_id': 'plan-one'}, 'plan-one'),
    ('protect', {'plan_id': UNKNOWN}, UNKNOWN),
    ('protect', {'provider_id': OTHER_PROVIDER}, 'is protected by provider'),
    ('retention_protect', {'max_backups': '0'}, 'max_backups'),
    ('retention_protect', {'max_backups': 'many'}, 'max_backups'),
    ('retention_protect', {'max_backups': True}, 'max_backups'),
    ('retention_protect', {'retention_duration': '-2'},
     'retention_duration'),
    ('protect', {'max_backups': '3'}, 'max_backups'),
    ('retention_protect', {'colour': 'red'}, 'colour'),
]


def test_bad_definitions_are_refused_with_a_message_and_not_stored(
        noauth, trusts):
    plan = noauth.create_plan()
    trigger = _trigger(noauth)
    for operation_type, changes, words in BAD_DEFINITIONS:
        response = _post(noauth, trigger, _definition(plan, **changes),
                         operation_type=operation_type)
        message = _fault(response, 400)
        assert words in message, (operation_type, changes, message)
    assert _listed(noauth) == {'operations': []}
    assert trusts.made == []


def test_a_plan_or_trigger_that_is_not_the_callers_is_refused(noauth):
    plan = noauth.create_plan()
    trigger = _trigger(noauth)
    their_plan = noauth.create_plan(project='alt')
    their_trigger = _trigger(noauth, 'alt')
    for refused, definition, words in (
            (trigger, _definition(their_plan), their_plan['id']),
            ({'id': UNKNOWN}, _definition(plan), UNKNOWN),
            (their_trigger, _definition(plan), their_trigger['id'])):
        message = _fault(_post(noauth, refused, definition), 400)
        assert words in message, message
    assert _listed(noauth) == {'operations': []}
    assert _listed(noauth, project='alt') == {'operations': []}


def test_extra_or_bad_fields_in_the_body_are_400(noauth):
    plan = noauth.create_plan()
    trigger = _trigger(noauth)
    for more, words in (
            ({'colour': 'red'}, "'colour' was unexpected"),
            ({'enabled': False}, "'enabled' was unexpected"),
            ({'trigger_id': 'nightly'}, 'nightly'),
            ({'operation_definition': 'plan_id=x'}, 'operation_definition'),
            ({'name': ''}, 'name')):
        message = _fault(_post(noauth, trigger, _definition(plan), **more),
                         400)
        assert words in message, (more, message)
    good = {'name': 'n', 'operation_type': 'protect',
            'trigger_id': trigger['id'],
            'operation_definition': _definition(plan)}
    message = _fault(noauth('POST', OPERATIONS % 'demo', {
        'scheduled_operation': good, 'trigger_info': trigger}), 400)
    assert "'trigger_info' was unexpected" in message
    del good['operation_definition']
    message = _fault(noauth('POST', OPERATIONS % 'demo', {
        'scheduled_operation': good}), 400)
    assert 'operation_definition' in message
    assert _listed(noauth) == {'operations': []}


def test_a_trigger_in_use_is_kept_until_its_operations_are_deleted(noauth):
    trigger = _trigger(noauth)
    operation = _create(noauth, trigger=trigger)
    trigger_url = TRIGGERS % 'demo' + '/' + trigger['id']
    message = _fault(noauth('DELETE', trigger_url), 409)
    assert operation['id'] in message
    assert noauth('GET', trigger_url).json == {'trigger_info': trigger}

    response = noauth('DELETE', OPERATIONS % 'demo' + '/' + operation['id'])
    assert response.status_int == 200
    response = noauth('DELETE', trigger_url)
    assert (response.status_int, response.body) == (200, b'')
    _fault(noauth('GET', trigger_url), 404)


def test_a_project_never_sees_another_projects_operations(karbor):
    mine = _create(karbor)
    theirs = _create(karbor, project='alt')
    url = OPERATIONS % 'alt' + '/' + mine['id']
    for method in ('GET', 'DELETE'):
        assert mine['id'] in _fault(karbor(method, url, project='alt'), 404)
    assert _listed(karbor, project='alt') == {'operations': [theirs]}
    assert _listed(karbor) == {'operations': [mine]}
    assert 'get_all_tenants' in _fault(karbor(
        'GET', OPERATIONS % 'demo', query='all_tenants=1'), 403)
    # What was refused to alt is still demo's.
    shown = karbor('GET', OPERATIONS % 'demo' + '/' + mine['id'])
    assert shown.json == {'scheduled_operation': mine}

    # An administrator sees every project's, only when asked.
    assert _listed(karbor, project='admin') == {'operations': []}
    listed = _listed(karbor, project='admin', query='all_tenants=1')
    assert sorted(o['id'] for o in listed['operations']) == sorted(
        [mine['id'], theirs['id']])
    assert _listed(karbor, project='admin', query='project_id=alt') == {
        'operations': [theirs]}


def test_a_new_pattern_for_its_trigger_leaves_the_operation_as_it_was(
        noauth):
    trigger = _trigger(noauth)
    operation = _create(noauth, trigger=trigger)
    response = noauth('PUT', TRIGGERS % 'demo' + '/' + trigger['id'], {
        'trigger_info': {'properties': {'format': 'crontab',
                                        'pattern': '0 4 * * 1'}}})
    assert response.status_int == 200, response.text
    assert response.json['trigger_info']['properties']['pattern'] == \
        '0 4 * * 1'
    url = OPERATIONS % 'demo' + '/' + operation['id']
    assert noauth('GET', url).json == {'scheduled_operation': operation}
    assert _listed(noauth) == {'operations': [operation]}


def test_under_keystone_a_create_without_a_trustee_is_503(conf, tmp_path):
    karbor, stop = conftest.start_karbor(
        tmp_path, 'keystone', 'sqlite:///%s' % (tmp_path / 'karbor.sqlite'))
    try:
        plan = karbor.create_plan()
        response = _post(karbor, _trigger(karbor), _definition(plan))
        assert '[trustee]' in _fault(response, 503)
        assert _listed(karbor) == {'operations': []}
    finally:
        stop()
