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

"""Hostile input, case by case: each is a 4xx whose JSON message names
the problem (or a success), never a 5xx, and leaves nothing written.

The ``karbor`` fixture (conftest.py) is the pipeline of etc/api-paste.ini
with a real karbor-protection behind it, under noauth and keystone; the
column sizes are also checked on MariaDB, whose limits SQLite lacks.
"""

import json
import logging
import socket
from urllib import parse

import pytest

from karbor.api.schemas import plans as plan_schemas
from karbor.api.schemas import restores as restore_schemas
from karbor.api.v1 import router
from karbor.api import validation
from karbor.db.sqlalchemy import models
from karbor import service
from karbor.tests.unit.api import conftest

NOOP = conftest.NOOP
PROJECT_TYPE = conftest.PROJECT_TYPE
UNKNOWN = '5bd8b1a7-6b7e-4b0e-8d3e-1c1b3a0d9a10'
PLANS = '/v1/demo/plans'
CHECKPOINTS = '/v1/demo/providers/%s/checkpoints' % NOOP
# A character of four bytes in UTF-8, which MySQL's "utf8" cannot hold.
GRINNING = '\U0001f600'


def _fault(response, status):
    """The message of Karbor's JSON fault, after checking its shape."""
    assert response.status_int == status, response.text
    assert response.content_type == 'application/json'
    (body,) = response.json.values()
    assert body['code'] == status
    return body['message']


def _plan_body(**plan):
    values = {'name': 'Plan1', 'provider_id': NOOP,
              'resources': [{'id': 'demo', 'type': PROJECT_TYPE,
                             'name': 'demo'}]}
    values.update(plan)
    return {'plan': values}


def _plans(karbor, project='demo'):
    response = karbor('GET', '/v1/%s/plans' % project, project=project)
    assert response.status_int == 200, response.text
    return response.json['plans']


# The URL: both pipelines, as their middleware differ before the router.

def test_a_path_that_is_not_utf8_is_400_naming_the_path(karbor, caplog):
    for path in (PLANS + '/\xff', '/v1/\xc3(/plans',
                 '/v1/demo/protectables/\xed\xa0\x80', '/\xff', '/v1\xff'):
        with caplog.at_level(logging.WARNING):
            message = _fault(karbor('GET', path), 400)
        assert message.startswith('The request path is not valid UTF-8'), \
            path
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_a_query_string_that_is_not_utf8_is_400_naming_it(karbor):
    for query, byte, where in (
            ('name=\xff', 'ff', 5), ('name=%ff', 'ff', 5),
            ('limit=1&sort=%c3%28', 'c3', 13), ('%ff=1', 'ff', 0),
            ('marker=%ed%a0%80', 'ed', 7)):
        message = _fault(karbor('GET', PLANS, query=query), 400)
        assert message == ('The request query string is not valid UTF-8: '
                           'byte 0x%s at %d.' % (byte, where))


def test_a_nul_in_the_query_string_is_400(karbor):
    for query in ('name=a%00b', 'status=%00'):
        assert _fault(karbor('GET', PLANS, query=query), 400) == \
            'The request query string holds a NUL character.'


def test_utf8_in_the_path_and_the_query_reaches_the_handlers_decoded(
        karbor):
    plan = karbor.create_plan(name='d\u00e9j\u00e0 vu')
    query = 'name=d%C3%A9j%C3%A0+vu'
    assert [p['id'] for p in karbor('GET', PLANS, query=query).json[
        'plans']] == [plan['id']]
    message = _fault(karbor('GET', '/v1/demo/protectables/'
                            'OS::\xc3\xa9'), 404)
    assert message == 'Protectable type OS::\u00e9 could not be found.'


def test_a_proxy_prefix_that_is_not_utf8_is_400(karbor):
    message = _fault(karbor('GET', PLANS, headers={
        'X-Forwarded-Prefix': '/\xff'}), 400)
    assert message.startswith('The request path is not valid UTF-8')


# The body, and the query strings the handlers read: past the
# authentication both pipelines run the same code, so noauth alone.


def _nested(depth, leaf='{}'):
    return '[' * depth + leaf + ']' * depth


def test_a_body_nested_too_deep_is_400_and_writes_nothing(noauth):
    for depth in (validation.MAX_BODY_DEPTH, 2000, 50000):
        # In the plan's first resource's extra_info, itself 5 levels down.
        body = ('{"plan": {"name": "deep", "provider_id": "%s", '
                '"resources": [{"id": "demo", "type": "%s", "extra_info": '
                '{"a": %s}}]}}' % (NOOP, PROJECT_TYPE, _nested(depth)))
        message = _fault(noauth('POST', PLANS, body.encode()), 400)
        assert message == ('The request body nests arrays and objects more '
                           'than 32 levels deep.')
    assert _plans(noauth) == []


def test_a_body_nested_as_deep_as_allowed_is_served(noauth):
    # {"checkpoint": {"extra_info": {"a": [...]}}}: 4 levels around it.
    depth = validation.MAX_BODY_DEPTH - 4
    plan = noauth.create_plan()
    body = '{"checkpoint": {"plan_id": "%s", "extra_info": {"a": %s}}}' % (
        plan['id'], _nested(depth))
    response = noauth('POST', CHECKPOINTS, body.encode())
    assert response.status_int == 200, response.text
    assert json.loads(response.json['checkpoint']['extra_info']) == {
        'a': json.loads(_nested(depth))}
    one_more = body.replace(_nested(depth), _nested(depth + 1))
    assert _fault(noauth('POST', CHECKPOINTS, one_more.encode()), 400) == \
        'The request body nests arrays and objects more than 32 levels deep.'


def test_a_name_that_is_no_text_is_400_naming_the_field(noauth):
    for raw, words in ((b'"\\ud800"', "it holds the lone surrogate '\\ud800'"),
                       (b'"a\\udfffb"', "the lone surrogate '\\udfff'"),
                       (b'"a\\u0000b"', 'it holds a NUL character.')):
        body = json.dumps(_plan_body(name='NAME')).encode().replace(
            b'"NAME"', raw)
        message = _fault(noauth('POST', PLANS, body), 400)
        assert message.startswith('Invalid input for field plan/name: ')
        assert words in message
    assert _plans(noauth) == []


def test_a_lone_surrogate_in_a_key_or_deep_value_is_400(noauth):
    plan = noauth.create_plan()
    for extra_info, field in (
            (b'{"\\udc00": 1}', 'checkpoint/extra_info'),
            (b'{"a": ["x", "\\ud83d"]}', 'checkpoint/extra_info/a/1')):
        body = b'{"checkpoint": {"plan_id": "%s", "extra_info": %s}}' % (
            plan['id'].encode(), extra_info)
        message = _fault(noauth('POST', CHECKPOINTS, body), 400)
        assert message.startswith('Invalid input for field %s:' % field)
    assert noauth('GET', CHECKPOINTS).json['checkpoints'] == []


def test_a_number_that_json_cannot_answer_back_is_400(noauth):
    for number in (b'NaN', b'Infinity', b'-Infinity', b'1e400'):
        body = json.dumps(_plan_body(parameters={PROJECT_TYPE: {
            'level': 'N'}})).encode().replace(b'"N"', number)
        message = _fault(noauth('POST', PLANS, body), 400)
        assert message == (
            'Invalid input for field plan/parameters/%s/level: %s is not a '
            'finite number.' % (PROJECT_TYPE, float(number)))
    assert _plans(noauth) == []


# Dates, limits, markers, sorts

def test_checkpoint_lists_take_every_date_of_the_calendar(noauth):
    checkpoint = noauth.create_checkpoint(noauth.create_plan())
    for query, listed in (
            ('end_date=9999-12-31', [checkpoint['id']]),
            ('start_date=0001-01-01', [checkpoint['id']]),
            ('start_date=0001-01-01&end_date=9999-12-31',
             [checkpoint['id']]),
            ('end_date=2026-1-1', [])):
        response = noauth('GET', CHECKPOINTS, query=query)
        assert response.status_int == 200, response.text
        assert [c['id'] for c in response.json['checkpoints']] == listed


def test_a_date_outside_the_calendar_is_400_naming_it(noauth):
    for value in ('2026-02-30', '2026-13-01', '0000-01-01', '10000-01-01',
                  '20261125', '2026-W48-3', '2026-11-25T00:00', 'today'):
        for key in ('start_date', 'end_date'):
            message = _fault(noauth('GET', CHECKPOINTS, query='%s=%s' % (
                key, value)), 400)
            assert message == ('Invalid input received: %s must be a date '
                               '(YYYY-MM-DD), not %r.' % (key, value))


LISTS = [PLANS, '/v1/demo/restores', '/v1/demo/providers', CHECKPOINTS,
         '/v1/demo/protectables/%s/instances' % PROJECT_TYPE]


def test_a_limit_that_is_not_digits_is_400_on_every_list(noauth):
    for path in LISTS:
        for limit in ('-1', '1e3', '+5', '%205', '5_0', '%D9%A3', '0x10',
                      ''):
            message = _fault(noauth('GET', path, query='limit=' + limit),
                             400)
            assert message == (
                'Invalid input received: limit must be a non-negative '
                'integer, not %r.' % parse.unquote_plus(limit))


def test_limits_zero_and_huge_are_served_on_every_list(noauth):
    noauth.create_checkpoint(noauth.create_plan())
    # The same listing twice must not see the checkpoint change meanwhile.
    noauth.wait_for_operations()

    def items(query):
        response = noauth('GET', path, query=query)
        assert response.status_int == 200, response.text
        (listed,) = [value for key, value in response.json.items()
                     if not key.endswith('_links')]
        return listed

    for path in LISTS:
        assert items('limit=0') == []
        assert items('limit=' + '9' * 40) == items('')


def test_markers_unknown_or_of_another_project_are_404(noauth):
    alt_plan = noauth.create_plan(project='alt')
    alt_checkpoint = noauth.create_checkpoint(alt_plan, project='alt')
    noauth.wait_for_operations()
    alt_restore = noauth('POST', '/v1/alt/restores', {'restore': {
        'provider_id': NOOP, 'checkpoint_id': alt_checkpoint['id']}},
        project='alt').json['restore']
    for path, marker, words in (
            (PLANS, alt_plan['id'], 'Plan'),
            (PLANS, UNKNOWN, 'Plan'),
            ('/v1/demo/restores', alt_restore['id'], 'Restore'),
            (CHECKPOINTS, alt_checkpoint['id'], 'Checkpoint'),
            (CHECKPOINTS, UNKNOWN, 'Checkpoint'),
            ('/v1/demo/providers', UNKNOWN, 'Provider')):
        message = _fault(noauth('GET', path, query='marker=' + marker), 404)
        assert message == '%s %s could not be found.' % (words, marker)
    for path in LISTS[:-1]:
        assert _fault(noauth('GET', path, query='marker=nope'), 400) == \
            'Invalid marker id provided.'


def test_bad_sorts_are_400(noauth):
    for query, words in (
            ('sort_dir=sideways', "sort direction must be asc or desc, not "
                                  "'sideways'"),
            ('sort=name:up', "not 'up'"),
            ('sort=', 'Sort key  is not supported'),
            ('sort=name,,id', 'Sort key  is not supported'),
            ('sort_key=colour', 'Sort key colour is not supported')):
        assert words in _fault(noauth('GET', PLANS, query=query), 400)


def test_sort_dir_alone_orders_by_the_default_key(noauth):
    ids = [noauth.create_plan(name='p%d' % index)['id']
           for index in range(3)]
    listed = noauth('GET', PLANS, query='sort_dir=asc').json['plans']
    assert [p['id'] for p in listed] == ids


# Plans over the resource limit

def test_a_plan_over_max_plan_resources_is_400_naming_the_option(
        noauth, conf):
    conf.config(max_plan_resources=3)
    resources = [{'id': 'r%d' % index, 'type': PROJECT_TYPE}
                 for index in range(4)]
    message = _fault(noauth('POST', PLANS, _plan_body(resources=resources)),
                     400)
    assert message == ('Invalid plan: it lists 4 resources; a plan holds '
                       'at most 3 ([DEFAULT] max_plan_resources).')
    assert _plans(noauth) == []
    plan = noauth.create_plan(resources=resources[:3])
    message = _fault(noauth('PUT', PLANS + '/' + plan['id'], {
        'plan': {'resources': resources}}), 400)
    assert 'at most 3' in message
    (stored,) = _plans(noauth)
    assert stored['resources'] == plan['resources']


def test_max_plan_resources_defaults_to_500(conf):
    assert conf.conf.max_plan_resources == 500


# The noauth token

@pytest.mark.parametrize('token, which', [
    ('\xff:\xff', 'user'), (':', 'user'), (':demo', 'user'),
    ('demo:' + 'p' * 65, 'project'), ('u' * 65, 'user'),
    ('demo:de\x00mo', 'project'), ('demo:.hidden', 'project'),
    ('demo:demo\n', 'project'),
    ('demo:d\xc3\xa9mo', 'project'), ('demo:a/b', 'project'),
])
def test_a_noauth_token_karbor_cannot_store_is_401(noauth, token, which):
    message = _fault(noauth('GET', PLANS, token=token), 401)
    assert message == (
        'X-Auth-Token is "<user>:<project>" without Keystone, each 1 to 64 '
        'letters, digits or "_.@-", not starting with "."; its %s is not.'
        % which)


def test_a_noauth_project_as_long_as_allowed_protects_and_lists(noauth):
    project = 'p-' + 'x' * 62
    noauth.create_checkpoint(noauth.create_plan(project=project),
                             project=project)
    listed = noauth('GET', '/v1/%s/providers/%s/checkpoints' % (
        project, NOOP), project=project)
    assert len(listed.json['checkpoints']) == 1


def test_an_admin_filter_on_a_project_no_bank_holds_lists_nothing(noauth):
    noauth.create_checkpoint(noauth.create_plan())
    for project_id in ('x' * 300, '\u00e9' * 40):
        response = noauth('GET', '/v1/admin/providers/%s/checkpoints' % NOOP,
                          project='admin', query=parse.urlencode(
                              {'project_id': project_id}))
        assert response.status_int == 200, response.text
        assert response.json['checkpoints'] == []


# A real server bug

def test_a_server_bug_is_a_500_fault_with_its_traceback_logged(
        karbor, monkeypatch, caplog):
    def broken(req):
        raise RuntimeError('a bug in Karbor')

    monkeypatch.setitem(router.ROUTE_DECLARATIONS['/{project_id}/plans'],
                        'GET', broken)
    with caplog.at_level(logging.ERROR):
        response = karbor('GET', PLANS)
    assert 'erred' in _fault(response, 500)
    (record,) = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert record.getMessage() == 'Unexpected error serving GET /v1/demo/plans'
    assert 'a bug in Karbor' in record.exc_text


# Column sizes

# Each schema field that lands in a column: (schema, path in it, column).
STORED_FIELDS = [
    (plan_schemas.create, ('plan', 'name'), models.Plan.name),
    (plan_schemas.update, ('plan', 'name'), models.Plan.name),
    (plan_schemas.create, ('plan', 'description'), models.Plan.description),
    (plan_schemas.update, ('plan', 'description'), models.Plan.description),
    (plan_schemas.create, ('plan', 'resources', 'id'),
     models.Resource.resource_id),
    (plan_schemas.create, ('plan', 'resources', 'type'),
     models.Resource.resource_type),
    (plan_schemas.create, ('plan', 'resources', 'name'),
     models.Resource.resource_name),
    (restore_schemas.create, ('restore', 'restore_target'),
     models.Restore.restore_target),
]


@pytest.mark.parametrize('schema, path, column', STORED_FIELDS)
def test_every_stored_field_of_the_schemas_fits_its_column(schema, path,
                                                           column):
    for name in path:
        schema = schema['properties'][name]
        schema = schema.get('items', schema)
    assert schema['maxLength'] <= column.type.length


def _json_of_size(size):
    """Parameters whose JSON, as the column stores it, is ``size`` bytes."""
    parameters = {PROJECT_TYPE: {'notes': ''}}
    padding = size - len(json.dumps(parameters))
    parameters[PROJECT_TYPE]['notes'] = 'x' * padding
    assert len(json.dumps(parameters)) == size
    return parameters


def test_values_as_long_as_the_columns_are_stored_whole(stored):
    plan = stored.create_plan(
        name=GRINNING * 255, description=GRINNING * 255,
        resources=[{'id': GRINNING * 255, 'type': PROJECT_TYPE,
                    'name': GRINNING * 255}],
        parameters=_json_of_size(65535))
    assert stored('GET', PLANS + '/' + plan['id']).json['plan'] == plan
    assert plan['name'] == GRINNING * 255
    with_info = stored.create_plan(resources=[
        {'id': 'demo', 'type': PROJECT_TYPE,
         'extra_info': _json_of_size(65535)}])
    assert stored('GET', PLANS + '/' + with_info['id']).json['plan'] == \
        with_info
    checkpoint = stored.create_checkpoint(plan)
    stored.wait_for_operations()
    restore = stored('POST', '/v1/demo/restores', {'restore': {
        'provider_id': NOOP, 'checkpoint_id': checkpoint['id'],
        'restore_target': GRINNING * 255,
        'restore_auth': {'type': 'password', 'username': 'u',
                         'password': 'p'},
        'parameters': _json_of_size(65535)}})
    assert restore.status_int == 200, restore.text
    shown = stored('GET', '/v1/demo/restores/' + restore.json['restore'][
        'id']).json['restore']
    assert shown['restore_target'] == GRINNING * 255


@pytest.mark.parametrize('plan, words', [
    ({'name': GRINNING * 256}, 'plan/name'),
    ({'description': 'd' * 256}, 'plan/description'),
    ({'resources': [{'id': 'i' * 256, 'type': PROJECT_TYPE}]},
     'plan/resources/0/id'),
    ({'resources': [{'id': 'i', 'type': 'T' * 65}]},
     'plan/resources/0/type'),
    ({'resources': [{'id': 'i', 'type': PROJECT_TYPE, 'name': 'n' * 256}]},
     'plan/resources/0/name'),
    ({'parameters': _json_of_size(65536)},
     'parameters of the plan take 65536 bytes as JSON; the database keeps '
     'at most 65535.'),
    ({'resources': [{'id': 'i', 'type': PROJECT_TYPE,
                     'extra_info': _json_of_size(65536)}]},
     'resource_extra_info of resource OS::Keystone::Project i take 65536 '
     'bytes as JSON'),
])
def test_values_over_the_columns_are_400_and_store_nothing(stored, plan,
                                                           words):
    assert words in _fault(stored('POST', PLANS, _plan_body(**plan)), 400)
    assert _plans(stored) == []


def test_restore_parameters_over_their_column_are_400(stored):
    checkpoint = stored.create_checkpoint(stored.create_plan())
    stored.wait_for_operations()
    message = _fault(stored('POST', '/v1/demo/restores', {'restore': {
        'provider_id': NOOP, 'checkpoint_id': checkpoint['id'],
        'parameters': _json_of_size(65536)}}), 400)
    assert 'parameters of the restore take' in message
    assert stored('GET', '/v1/demo/restores').json['restores'] == []


# Over a socket: what karbor-api's HTTP server hands the application

@pytest.fixture
def server(noauth):
    """The pipeline behind karbor-api's HTTP server on a free port."""
    wsgi = service.WSGIService('karbor-api-test', noauth.app, '127.0.0.1',
                               0, 2)
    wsgi.start()
    try:
        yield wsgi.address[:2]
    finally:
        wsgi.stop()


def _send(address, request_line, body=b''):
    """One request as raw bytes; the status, the head and the body."""
    with socket.create_connection(address, timeout=10) as connection:
        connection.sendall(
            request_line + b'\r\nHost: karbor\r\nX-Auth-Token: demo:demo'
            b'\r\nContent-Type: application/json\r\nContent-Length: %d'
            b'\r\nConnection: close\r\n\r\n' % len(body) + body)
        answer = b''
        while True:
            chunk = connection.recv(65536)
            if not chunk:
                break
            answer += chunk
    head, _sep, body = answer.partition(b'\r\n\r\n')
    return int(head.split(b' ', 2)[1]), head, body


def _json_fault(answer):
    status, head, body = answer
    assert b'Content-Type: application/json' in head, head
    ((name, fault),) = json.loads(body).items()
    assert fault['code'] == status
    return status, fault['message']


def test_percent_encoded_bytes_that_are_not_utf8_are_400s_over_http(
        server):
    for request_line, part in (
            (b'GET /v1/demo/plans/%ff HTTP/1.1', 'path'),
            (b'GET /v1/demo/plans%2F%c3%28 HTTP/1.1', 'path'),
            (b'GET /v1/demo/plans?name=%ff HTTP/1.1', 'query string'),
            (b'GET /v1/demo/plans?%c3%28=1 HTTP/1.1', 'query string')):
        status, message = _json_fault(_send(server, request_line))
        assert status == 400
        assert message.startswith('The request %s is not valid UTF-8' %
                                  part), message


def test_raw_bytes_in_the_request_line_are_refused_by_the_http_server(
        server):
    # cheroot answers them itself, before Karbor (uWSGI hands them on).
    for request_line in (b'GET /v1/demo/plans/\xff HTTP/1.1',
                         b'GET /v1/demo/plans?name=\xc3( HTTP/1.1'):
        status, _head, body = _send(server, request_line)
        assert (status, body) == (400, b'Malformed Request-URI')


def test_a_body_nested_deep_over_http_is_400(server):
    assert _json_fault(_send(server, b'POST /v1/demo/plans HTTP/1.1',
                             b'[' * 50000 + b']' * 50000)) == (
        400, 'The request body nests arrays and objects more than 32 '
             'levels deep.')
