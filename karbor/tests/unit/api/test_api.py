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

"""The v1 API as a client sees it: status codes, bodies, messages."""

import json
import time

from oslo_middleware import request_id
import pytest
import webob

from karbor.api.middleware import auth
from karbor.api.middleware import fault
from karbor.api.v1 import router
from karbor.tests.unit.api import fakes

PROJECT = fakes.PROJECT_TYPE
UNKNOWN = '5bd8b1a7-6b7e-4b0e-8d3e-1c1b3a0d9a10'


class Api(object):
    def __init__(self, protection):
        self.protection = protection
        self.app = request_id.RequestId(fault.FaultWrapper(
            auth.NoAuthMiddleware(router.APIRouter(protection))))

    def __call__(self, method, path, body=None, token='demo:demo'):
        req = webob.Request.blank(path, method=method)
        if token:
            req.headers['X-Auth-Token'] = token
        if body is not None:
            req.body = body if isinstance(body, bytes) else \
                json.dumps(body).encode()
            req.content_type = 'application/json'
        return req.get_response(self.app)


@pytest.fixture
def api(database):
    return Api(fakes.FakeProtection())


def _plan_body(**plan):
    values = {'name': 'Plan1', 'provider_id': fakes.NOOP,
              'resources': [{'id': 'demo', 'type': PROJECT, 'name': 'demo'}]}
    values.update(plan)
    return {'plan': values}


def _create_plan(api, project='demo', **plan):
    response = api('POST', '/%s/plans' % project, _plan_body(**plan),
                   token='%s:%s' % (project, project))
    assert response.status_int == 200, response.text
    return response.json['plan']


def _fault(response, status):
    assert response.status_int == status, response.text
    (body,) = response.json.values()
    assert body['code'] == status
    return body['message']


def test_plan_create_answers_200_with_the_walkthrough_fields(api):
    plan = _create_plan(api)
    assert sorted(plan) == ['description', 'id', 'name', 'parameters',
                            'provider_id', 'resources', 'status']
    assert plan['status'] == 'suspended'
    assert plan['parameters'] == {}
    assert plan['description'] is None


@pytest.mark.parametrize('body, words', [
    (b'', 'no body'),
    (b'{"plan": ', 'Malformed JSON'),
    ({}, "'plan' is a required property"),
    ({'plan': {'provider_id': fakes.NOOP, 'resources': []}}, 'name'),
    (_plan_body(name=''), 'plan/name'),
    (_plan_body(resources=[]), 'plan/resources'),
    (_plan_body(provider_id='b766'), "'b766' is not a UUID"),
    (_plan_body(provider_id=UNKNOWN), UNKNOWN),
    (_plan_body(surprise=1), "'surprise' was unexpected"),
    (_plan_body(resources=[{'id': 'x', 'type': 'OS::Nope'}]), 'OS::Nope'),
    (_plan_body(resources=[{'id': 'x', 'type': PROJECT},
                           {'id': 'x', 'type': PROJECT}]), 'listed twice'),
    (_plan_body(parameters={PROJECT: {'backup_mode': 'weekly'}}),
     'backup_mode'),
    (_plan_body(parameters={'OS::Cinder::Volume': {}}),
     'no resource of type OS::Cinder::Volume'),
    (_plan_body(parameters={PROJECT + '#other': {}}),
     'not one of the resources'),
])
def test_plan_create_rejects_bad_input_with_400_and_writes_nothing(
        api, body, words):
    message = _fault(api('POST', '/demo/plans', body), 400)
    assert words in message
    assert api('GET', '/demo/plans').json == {'plans': []}


def test_plans_check_a_provider_held_for_the_cache_time_and_ask_for_unknown(
        api, conf, monkeypatch):
    asked = []
    answer = api.protection.show_provider
    monkeypatch.setattr(api.protection, 'show_provider',
                        lambda ctxt, provider_id: asked.append(provider_id)
                        or answer(ctxt, provider_id))
    for _ in range(3):
        _create_plan(api)
    assert asked == [fakes.NOOP]

    for _ in range(2):
        _fault(api('POST', '/demo/plans', _plan_body(provider_id=UNKNOWN)),
               400)
    assert asked == [fakes.NOOP, UNKNOWN, UNKNOWN]

    clock = [time.monotonic()]
    monkeypatch.setattr(time, 'monotonic', lambda: clock[0])
    clock[0] += conf.conf.provider_cache_time - 1
    _create_plan(api)
    assert asked[3:] == []
    clock[0] += 2
    _create_plan(api)
    assert asked[3:] == [fakes.NOOP]


def test_plan_update_changes_status_and_rejects_unknown_status(api):
    plan = _create_plan(api)
    started = api('PUT', '/demo/plans/' + plan['id'],
                  {'plan': {'status': 'started'}})
    assert started.json['plan']['status'] == 'started'
    message = _fault(api('PUT', '/demo/plans/' + plan['id'],
                         {'plan': {'status': 'running'}}), 400)
    assert "'running' is not one of" in message
    _fault(api('PUT', '/demo/plans/' + plan['id'], {'plan': {}}), 400)


def test_plan_delete_answers_200_with_an_empty_body(api):
    plan = _create_plan(api)
    response = api('DELETE', '/demo/plans/' + plan['id'])
    assert response.status_int == 200
    assert response.body == b''
    _fault(api('GET', '/demo/plans/' + plan['id']), 404)


def test_another_projects_plan_is_not_found(api):
    plan = _create_plan(api)
    for method, body in (('GET', None), ('DELETE', None),
                         ('PUT', {'plan': {'name': 'mine'}})):
        message = _fault(api(method, '/alt/plans/' + plan['id'], body,
                             token='alt:alt'), 404)
        assert plan['id'] in message
    assert api('GET', '/alt/plans', token='alt:alt').json == {'plans': []}
    assert api('GET', '/demo/plans/' + plan['id']).json['plan']['name'] == \
        'Plan1'


def test_admin_sees_all_projects_only_when_asked(api):
    mine = _create_plan(api, project='demo')
    theirs = _create_plan(api, project='alt')
    admin = 'admin:admin'
    assert api('GET', '/admin/plans', token=admin).json['plans'] == []
    listed = api('GET', '/admin/plans?all_tenants=1', token=admin)
    listed_ids = {p['id'] for p in listed.json['plans']}
    assert listed_ids == {mine['id'], theirs['id']}
    assert api('GET', '/admin/plans/' + mine['id'],
               token=admin).status_int == 200
    message = _fault(api('GET', '/demo/plans?all_tenants=1'), 403)
    assert 'plan:get_all_tenants' in message


def test_plan_list_pages_with_marker_limit_and_next_link(api):
    ids = [_create_plan(api, name='p%d' % i)['id'] for i in range(5)]
    first = api('GET', '/demo/plans?limit=2').json
    assert [p['id'] for p in first['plans']] == ids[::-1][:2]
    (link,) = first['plans_links']
    assert link['rel'] == 'next'
    assert 'marker=%s' % ids[3] in link['href']
    second = api('GET', '/demo/plans?limit=2&marker=%s' % ids[3]).json
    assert [p['id'] for p in second['plans']] == [ids[2], ids[1]]
    by_name = api('GET', '/demo/plans?sort=name:asc').json['plans']
    assert [p['name'] for p in by_name] == ['p0', 'p1', 'p2', 'p3', 'p4']
    assert 'plans_links' not in api('GET', '/demo/plans').json


@pytest.mark.parametrize('sort', ['created_at:desc', 'updated_at:asc',
                                  'updated_at:desc,name:asc', 'status:asc'])
def test_pages_of_any_sort_hold_each_plan_of_the_project_once(api, sort):
    """Pages share a statement per shape: each page's project, marker and
    filters are its own (half the plans never updated, a None to page
    past)."""
    mine = [_create_plan(api, name='p%d' % i)['id'] for i in range(7)]
    theirs = [_create_plan(api, project='alt', name='p%d' % i)['id']
              for i in range(3)]
    for plan_id in mine[::2] + theirs[:1]:
        project = 'alt' if plan_id in theirs else 'demo'
        assert api('PUT', '/%s/plans/%s' % (project, plan_id),
                   {'plan': {'name': 'renamed'}},
                   token='%s:%s' % (project, project)).status_int == 200
    whole = api('GET', '/demo/plans?sort=%s' % sort).json['plans']
    assert sorted(p['id'] for p in whole) == sorted(mine)
    for name, expected in (('renamed', 4), ('p1', 1)):
        named = api('GET', '/demo/plans?sort=%s&name=%s' % (sort, name))
        assert [p['name'] for p in named.json['plans']] == [name] * expected
    paged, marker = [], None
    while True:
        query = '?sort=%s&limit=2' % sort + (
            '&marker=%s' % marker if marker else '')
        page = api('GET', '/demo/plans' + query).json
        paged += page['plans']
        if 'plans_links' not in page:
            break
        marker = page['plans'][-1]['id']
    assert [p['id'] for p in paged] == [p['id'] for p in whole]


def test_plan_create_and_list_answer_each_plan_as_show_does(api):
    resources = [{'id': 'demo', 'type': PROJECT, 'name': 'demo'},
                 {'id': 'other', 'type': PROJECT, 'name': 'other',
                  'extra_info': {'region': 'two'}}]
    created = [
        _create_plan(api, name='plain'),
        _create_plan(api, name='full', description='two projects',
                     resources=resources,
                     parameters={PROJECT: {'backup_mode': 'full'},
                                 PROJECT + '#other':
                                     {'backup_mode': 'incremental'}}),
    ]
    listed = api('GET', '/demo/plans').json['plans']
    shown = [api('GET', '/demo/plans/%s' % plan['id']).json['plan']
             for plan in created[::-1]]
    assert listed == shown == created[::-1]
    assert listed[0]['resources'] == resources
    assert listed[0]['description'] == 'two projects'
    assert listed[1]['resources'] == [resources[0]]


@pytest.mark.parametrize('query, words', [
    ('limit=-1', 'limit'), ('limit=ten', 'limit'),
    ('marker=nope', 'Invalid marker id'),
    ('marker=' + UNKNOWN, UNKNOWN),
    ('sort=colour', 'Sort key colour'),
    ('sort=name:sideways', 'sideways'),
    ('all_tenants=perhaps', 'all_tenants'),
])
def test_bad_list_queries_get_400_or_404_naming_the_problem(
        api, query, words):
    response = api('GET', '/demo/plans?' + query)
    assert response.status_int in (400, 404)
    assert words in _fault(response, response.status_int)


def test_a_url_for_another_project_is_a_malformed_request(api):
    assert _fault(api('GET', '/alt/plans'), 400) == 'Malformed request url'


def test_requests_without_a_token_are_401(api):
    assert 'X-Auth-Token' in _fault(api('GET', '/demo/plans', token=None),
                                    401)


def test_an_unlisted_method_is_405_with_allow(api):
    response = api('DELETE', '/demo/plans')
    assert 'DELETE' in _fault(response, 405)
    assert response.headers['Allow'] == 'GET, POST'
    assert _fault(api('GET', '/demo/nothing-here'), 404)


def test_checkpoint_wire_format_keeps_the_originals_encoding(api):
    plan = _create_plan(api)
    path = '/demo/providers/%s/checkpoints' % fakes.NOOP
    # python-karborclient 2.1.0 sends "extra-info" with a hyphen.
    created = api('POST', path, {'checkpoint': {
        'plan_id': plan['id'], 'extra-info': {'created-by': 'cli'}}})
    checkpoint = created.json['checkpoint']
    assert created.status_int == 200
    assert checkpoint['created_at'] == '2026-11-25'
    assert json.loads(checkpoint['extra_info']) == {'created-by': 'cli'}
    assert json.loads(checkpoint['resource_graph']) == [
        {'0x0': [PROJECT, 'demo', 'demo']}, []]
    shown = api('GET', '%s/%s' % (path, checkpoint['id'])).json
    assert shown['checkpoint']['id'] == checkpoint['id']


@pytest.mark.parametrize('provider, body, status, words', [
    ('nope', {'checkpoint': {'plan_id': UNKNOWN}}, 400,
     'Invalid provider id'),
    (fakes.NOOP, {'checkpoint': {}}, 400, 'plan_id'),
    (fakes.NOOP, {'checkpoint': {'plan_id': 'x'}}, 400, "'x' is not a UUID"),
    (fakes.NOOP, {'checkpoint': {'plan_id': UNKNOWN}}, 404, UNKNOWN),
    (UNKNOWN, None, 400, 'is protected by provider'),
])
def test_checkpoint_create_rejects_bad_input(api, provider, body, status,
                                             words):
    plan = _create_plan(api)
    body = body or {'checkpoint': {'plan_id': plan['id']}}
    response = api('POST', '/demo/providers/%s/checkpoints' % provider, body)
    assert words in _fault(response, status)
    assert api.protection.checkpoints == {}


def test_reset_state_takes_only_available_or_error(api):
    plan = _create_plan(api)
    path = '/demo/providers/%s/checkpoints' % fakes.NOOP
    checkpoint = api('POST', path, {'checkpoint': {
        'plan_id': plan['id']}}).json['checkpoint']
    url = '%s/%s' % (path, checkpoint['id'])
    assert api('PUT', url, {'os-resetState': {'state': 'error'}}).json == {}
    assert api.protection.checkpoints[checkpoint['id']]['status'] == 'error'
    _fault(api('PUT', url, {'os-resetState': {'state': 'deleted'}}), 400)


def _checkpoint(api):
    plan = _create_plan(api)
    return api('POST', '/demo/providers/%s/checkpoints' % fakes.NOOP,
               {'checkpoint': {'plan_id': plan['id']}}).json['checkpoint']


def test_restore_create_answers_the_walkthrough_fields_without_auth(api):
    checkpoint = _checkpoint(api)
    response = api('POST', '/demo/restores', {'restore': {
        'provider_id': fakes.NOOP, 'checkpoint_id': checkpoint['id'],
        'restore_target': 'http://keystone.example/identity',
        'restore_auth': {'type': 'password', 'username': 'u',
                         'password': 'secret'},
        'parameters': {PROJECT: {'restore_name': 'again'}}}})
    restore = response.json['restore']
    assert response.status_int == 200
    assert sorted(restore) == ['checkpoint_id', 'id', 'parameters',
                               'project_id', 'provider_id',
                               'resources_reason', 'resources_status',
                               'restore_target', 'status']
    assert restore['status'] == 'in_progress'
    assert 'secret' not in response.text
    assert api.protection.restores_started == [
        (restore['id'], {'type': 'password', 'username': 'u',
                         'password': 'secret'})]
    shown = api('GET', '/demo/restores/' + restore['id']).json['restore']
    assert shown == restore
    assert 'secret' not in api('GET', '/demo/restores').text


def test_the_restores_reading_a_checkpoint_are_listed_by_its_id(api):
    reading, other = _checkpoint(api), _checkpoint(api)
    restores = [api('POST', '/demo/restores', {'restore': {
        'provider_id': fakes.NOOP, 'checkpoint_id': checkpoint['id']}}).json[
            'restore'] for checkpoint in (reading, other, reading)]
    listed = api('GET', '/demo/restores?checkpoint_id=%s&status=in_progress'
                 % reading['id']).json['restores']
    assert sorted(restore['id'] for restore in listed) == sorted(
        [restores[0]['id'], restores[2]['id']])
    assert api('GET', '/demo/restores?checkpoint_id=%s&status=success'
               % reading['id']).json == {'restores': []}


@pytest.mark.parametrize('restore, status, words', [
    ({'checkpoint_id': UNKNOWN}, 404, UNKNOWN),
    ({'parameters': {PROJECT: {'restore_name': 3}}}, 400, 'restore_name'),
    ({'parameters': {PROJECT: {'colour': 'red'}}}, 400, 'colour'),
    ({'restore_target': 'http://elsewhere'}, 400, 'restore_auth'),
    ({'restore_auth': {'type': 'password'}}, 400, 'username'),
    ({'provider_id': UNKNOWN}, 404, UNKNOWN),
])
def test_restore_create_rejects_bad_input_and_writes_nothing(
        api, restore, status, words):
    checkpoint = _checkpoint(api)
    body = {'provider_id': fakes.NOOP, 'checkpoint_id': checkpoint['id']}
    body.update(restore)
    response = api('POST', '/demo/restores', {'restore': body})
    assert words in _fault(response, status)
    assert api('GET', '/demo/restores').json == {'restores': []}
    assert api.protection.restores_started == []


def test_restore_of_a_checkpoint_that_is_not_available_is_refused(api):
    checkpoint = _checkpoint(api)
    api.protection.checkpoints[checkpoint['id']]['status'] = 'error'
    response = api('POST', '/demo/restores', {'restore': {
        'provider_id': fakes.NOOP, 'checkpoint_id': checkpoint['id']}})
    assert 'must be available' in _fault(response, 409)


def test_policy_file_can_forbid_plan_creation(api, conf, tmp_path):
    rules = tmp_path / 'policy.yaml'
    rules.write_text('"plan:create": "role:admin"\n')
    conf.config(policy_file=str(rules), group='oslo_policy')
    message = _fault(api('POST', '/demo/plans', _plan_body()), 403)
    assert 'plan:create' in message
