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

"""Operation logs through the API's pipeline, written by a real
karbor-protection on the No-Op provider: one per accepted protect, delete
and restore, with the original's fields, its status while the operation
runs and at its end, and each project's own."""

import datetime
import threading

import pytest

from karbor.services.protection.flows import protect as protect_flow
from karbor.tests.unit.api import conftest

LOGS = '/v1/%s/operation_logs'
CHECKPOINTS = '/v1/%s/providers/' + conftest.NOOP + '/checkpoints'
UNKNOWN = '5bd8b1a7-6b7e-4b0e-8d3e-1c1b3a0d9a10'
FIELDS = ['checkpoint_id', 'ended_at', 'error_info', 'extra_info', 'id',
          'operation_type', 'plan_id', 'project_id', 'provider_id',
          'restore_id', 'scheduled_operation_id', 'started_at', 'status']


# What only the request decides runs under noauth alone: past the
# authentication both pipelines run the same code. (Each Karbor costs a
# second to stop, after RPC; the cases of one kind share one.)


@pytest.fixture
def held(monkeypatch):
    """Protects wait for ``held.set()`` before they run their flow."""
    release = threading.Event()
    run = protect_flow.run

    def waiting(*args, **kwargs):
        release.wait(10)
        return run(*args, **kwargs)

    monkeypatch.setattr(protect_flow, 'run', waiting)
    yield release
    release.set()


def _fault(response, status):
    assert response.status_int == status, response.text
    (body,) = response.json.values()
    assert body['code'] == status
    return body['message']


def _logs(karbor, project='demo', query=''):
    response = karbor('GET', LOGS % project, project=project, query=query)
    assert response.status_int == 200, response.text
    return response.json


def _only_log(karbor, project='demo', query=''):
    (log,) = _logs(karbor, project, query)['operation_logs']
    return log


def _time(text):
    # The original's format: ISO 8601 without a zone, in UTC.
    assert 'T' in text, text
    value = datetime.datetime.fromisoformat(text)
    assert value.tzinfo is None
    return value


def _checkpoint(karbor, checkpoint_id, project='demo'):
    response = karbor('GET', CHECKPOINTS % project + '/' + checkpoint_id,
                      project=project)
    assert response.status_int == 200, response.text
    return response.json['checkpoint']


def test_a_protect_is_logged_protecting_then_available(karbor, held):
    before = datetime.datetime.utcnow().replace(microsecond=0)
    plan = karbor.create_plan()
    checkpoint = karbor.create_checkpoint(plan)
    try:
        running = _only_log(karbor)
        assert sorted(running) == FIELDS
        assert running == {
            'id': running['id'], 'project_id': 'demo',
            'operation_type': 'protect', 'checkpoint_id': checkpoint['id'],
            'plan_id': plan['id'], 'provider_id': conftest.NOOP,
            'restore_id': None, 'scheduled_operation_id': None,
            'status': 'protecting', 'started_at': running['started_at'],
            'ended_at': None, 'error_info': None,
            'extra_info': running['extra_info']}
        # None given: null or {} (the column's empty JSON).
        assert running['extra_info'] is None
        started = _time(running['started_at'])
        assert started >= before
        url = LOGS % 'demo' + '/' + running['id']
        assert karbor('GET', url).json == {'operation_log': running}
    finally:
        held.set()
    karbor.wait_for_operations()
    assert _checkpoint(karbor, checkpoint['id'])['status'] == 'available'

    ended = karbor('GET', url).json['operation_log']
    assert ended == dict(running, status='available',
                         ended_at=ended['ended_at'])
    assert started <= _time(ended['ended_at'])
    assert _time(ended['started_at']) == started
    assert _logs(karbor) == {'operation_logs': [ended]}


def test_a_delete_and_a_restore_are_logged_with_their_ends(noauth):
    plan = noauth.create_plan()
    checkpoint = noauth.create_checkpoint(plan)
    noauth.wait_for_operations()
    response = noauth('POST', '/v1/demo/restores', {'restore': {
        'provider_id': conftest.NOOP, 'checkpoint_id': checkpoint['id']}})
    assert response.status_int == 200, response.text
    restore = response.json['restore']
    noauth.wait_for_operations()
    response = noauth('DELETE', CHECKPOINTS % 'demo' + '/' + checkpoint['id'])
    assert response.status_int == 200, response.text
    noauth.wait_for_operations()

    restored = _only_log(noauth, query='operation_type=restore')
    assert restored == {
        'id': restored['id'], 'project_id': 'demo',
        'operation_type': 'restore', 'checkpoint_id': checkpoint['id'],
        'plan_id': plan['id'], 'provider_id': conftest.NOOP,
        'restore_id': restore['id'], 'scheduled_operation_id': None,
        'status': 'success', 'started_at': restored['started_at'],
        'ended_at': restored['ended_at'], 'error_info': None,
        'extra_info': restored['extra_info']}
    assert restored['extra_info'] is None
    assert _time(restored['started_at']) <= _time(restored['ended_at'])
    assert noauth('GET', '/v1/demo/restores/' + restore['id']).json[
        'restore']['status'] == 'success'

    deleted = _only_log(noauth, query='operation_type=delete')
    assert deleted == dict(
        restored, id=deleted['id'], operation_type='delete',
        restore_id=None, status='deleted', started_at=deleted['started_at'],
        ended_at=deleted['ended_at'])
    assert _time(restored['ended_at']) <= _time(deleted['started_at']) <= \
        _time(deleted['ended_at'])
    protected = _only_log(noauth, query='operation_type=protect')
    assert protected['status'] == 'available'
    assert len({protected['id'], restored['id'], deleted['id']}) == 3


def test_a_checkpoint_of_a_scheduled_operation_names_it_in_its_log(
        noauth):
    plan = noauth.create_plan()
    trigger = noauth('POST', '/v1/demo/triggers', {'trigger_info': {
        'name': 'nightly', 'type': 'time',
        'properties': {'format': 'crontab', 'pattern': '0 2 * * *'}}}).json[
            'trigger_info']
    response = noauth('POST', '/v1/demo/scheduled_operations', {
        'scheduled_operation': {
            'name': 'nightly', 'operation_type': 'protect',
            'trigger_id': trigger['id'], 'operation_definition': {
                'plan_id': plan['id'], 'provider_id': conftest.NOOP}}})
    assert response.status_int == 200, response.text
    operation = response.json['scheduled_operation']
    # What karbor-operationengine sends for a run (operations.py).
    extra_info = {'created_by': 'operation-engine',
                  'scheduled_operation_id': operation['id'],
                  'scheduled_at': '2026-12-02T02:00:00'}
    response = noauth('POST', CHECKPOINTS % 'demo', {'checkpoint': {
        'plan_id': plan['id'], 'extra_info': extra_info}})
    assert response.status_int == 200, response.text
    scheduled = response.json['checkpoint']
    manual = noauth.create_checkpoint(plan)
    noauth.wait_for_operations()

    log = _only_log(noauth, query='scheduled_operation_id=' + operation['id'])
    assert log['checkpoint_id'] == scheduled['id']
    assert log['scheduled_operation_id'] == operation['id']
    assert log['extra_info'] == extra_info
    assert log['status'] == 'available'
    other = _only_log(noauth, query='checkpoint_id=' + manual['id'])
    assert other['scheduled_operation_id'] is None


def test_logs_filter_and_page(noauth):
    plan = noauth.create_plan()
    kept = noauth.create_checkpoint(plan)
    gone = noauth.create_checkpoint(plan)
    noauth.wait_for_operations()
    response = noauth('DELETE', CHECKPOINTS % 'demo' + '/' + gone['id'])
    assert response.status_int == 200, response.text
    noauth.wait_for_operations()
    everything = _logs(noauth)['operation_logs']
    assert len(everything) == 3

    def ids(query):
        return sorted((log['operation_type'], log['checkpoint_id'])
                      for log in _logs(noauth, query=query)[
                          'operation_logs'])

    assert ids('status=deleted') == [('delete', gone['id'])]
    assert ids('status=available') == sorted(
        [('protect', kept['id']), ('protect', gone['id'])])
    assert ids('operation_type=protect') == ids('status=available')
    assert ids('checkpoint_id=' + gone['id']) == sorted(
        [('delete', gone['id']), ('protect', gone['id'])])
    assert ids('checkpoint_id=%s&operation_type=delete' % kept['id']) == []
    assert ids('plan_id=' + plan['id']) == ids('')
    assert ids('provider_id=' + UNKNOWN) == []

    first = _logs(noauth, query='limit=2')
    page = [log['id'] for log in first['operation_logs']]
    assert len(page) == 2
    (link,) = first['operation_logs_links']
    assert link['rel'] == 'next'
    assert 'marker=%s' % page[-1] in link['href']
    rest = _logs(noauth, query='limit=2&marker=' + page[-1])
    assert 'operation_logs_links' not in rest
    assert page + [log['id'] for log in rest['operation_logs']] == [
        log['id'] for log in everything]
    assert 'operation_logs_links' not in _logs(noauth)
    by_type = _logs(noauth, query='sort=operation_type:asc')
    assert [log['operation_type'] for log in by_type['operation_logs']] == [
        'delete', 'protect', 'protect']

    for query, status, words in (
            ('marker=nope', 400, 'Invalid marker id'),
            ('marker=' + UNKNOWN, 404, UNKNOWN),
            ('limit=ten', 400, 'limit'),
            ('sort=colour', 400, 'colour'),
            ('all_tenants=perhaps', 400, 'all_tenants')):
        response = noauth('GET', LOGS % 'demo', query=query)
        assert words in _fault(response, status), query
    assert 'Invalid operation log id' in _fault(
        noauth('GET', LOGS % 'demo' + '/nope'), 400)
    assert UNKNOWN in _fault(noauth('GET', LOGS % 'demo' + '/' + UNKNOWN),
                             404)


def test_a_project_never_sees_another_projects_logs(karbor):
    checkpoint = karbor.create_checkpoint(karbor.create_plan())
    theirs = karbor.create_checkpoint(karbor.create_plan(project='alt'),
                                      project='alt')
    karbor.wait_for_operations()
    mine = _only_log(karbor)
    assert mine['checkpoint_id'] == checkpoint['id']
    alt = _only_log(karbor, project='alt')
    assert (alt['checkpoint_id'], alt['project_id']) == (theirs['id'], 'alt')

    assert mine['id'] in _fault(karbor(
        'GET', LOGS % 'alt' + '/' + mine['id'], project='alt'), 404)
    assert _logs(karbor, project='alt', query='checkpoint_id=' +
                 checkpoint['id']) == {'operation_logs': []}
    assert 'get_all_tenants' in _fault(karbor(
        'GET', LOGS % 'demo', query='all_tenants=1'), 403)
    assert 'get_all_tenants' in _fault(karbor(
        'GET', LOGS % 'demo', query='project_id=alt'), 403)

    assert _logs(karbor, project='admin') == {'operation_logs': []}
    every = _logs(karbor, project='admin', query='all_tenants=1')
    assert sorted(log['id'] for log in every['operation_logs']) == sorted(
        [mine['id'], alt['id']])
    assert _only_log(karbor, project='admin', query='project_id=alt') == alt
    shown = karbor('GET', LOGS % 'admin' + '/' + mine['id'], project='admin')
    assert shown.json == {'operation_log': mine}
