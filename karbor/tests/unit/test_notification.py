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

"""The notifications a listener receives: event types, priorities,
publishers and payloads (oslo.messaging's test driver records them)."""

import json

from oslo_config import cfg
from oslo_messaging.notify import _impl_test
from oslo_messaging import opts as messaging_opts
from oslo_middleware import request_id
import pytest
import webob

from karbor.api.middleware import auth
from karbor.api.middleware import fault
from karbor.api.v1 import router
from karbor.common import notification
from karbor import context as karbor_context
from karbor import exception
from karbor.objects import fields
from karbor import rpc
from karbor.services.protection.flows import delete as delete_flow
from karbor.services.protection.flows import protect as protect_flow
from karbor.services.protection.flows import restore as restore_flow
from karbor.tests.unit.api import fakes
from karbor.tests.unit.protection import fakes as protection_fakes

CONF = cfg.CONF
PROJECT = fakes.PROJECT_TYPE
BASE_KEYS = {'tenant_id', 'client_ip', 'request_id'}


class Protection(fakes.FakeProtection):
    """The API's fake karbor-protection, which also deletes checkpoints
    and refuses to delete one that is protecting."""

    def delete_checkpoint(self, ctxt, provider_id, checkpoint_id):
        checkpoint = self.checkpoint(ctxt, provider_id, checkpoint_id)
        if checkpoint['status'] == 'protecting':
            raise exception.CheckpointNotBeDeleted(
                checkpoint_id=checkpoint_id, status='protecting')
        checkpoint['status'] = 'deleted'


class Api(object):
    def __init__(self):
        self.protection = Protection()
        self.app = request_id.RequestId(fault.FaultWrapper(
            auth.NoAuthMiddleware(router.APIRouter(self.protection))))

    def __call__(self, method, path, body=None):
        req = webob.Request.blank('/demo' + path, method=method,
                                  remote_addr='192.0.2.7')
        req.headers['X-Auth-Token'] = 'demo:demo'
        if body is not None:
            req.body = json.dumps(body).encode()
            req.content_type = 'application/json'
        return req.get_response(self.app)


def _messaging(conf, **notifications):
    """rpc.init() on fake:// with these [oslo_messaging_notifications]."""
    for group, opts in messaging_opts.list_opts():
        if group in (None, 'DEFAULT', 'oslo_messaging_notifications'):
            CONF.register_opts(opts, group=group)
    conf.config(transport_url='fake:/')
    conf.config(group='oslo_messaging_notifications', **notifications)
    rpc.init(CONF)


@pytest.fixture
def sent(conf):
    """Notifications on (the test driver); the list of those sent."""
    _messaging(conf, driver=['test'])
    _impl_test.reset()
    conf.config(host='api-host')

    class Sent(object):
        def __iter__(self):
            return iter(_impl_test.NOTIFICATIONS)

        def events(self):
            return [message['event_type'] for message in self.messages()]

        def messages(self):
            return [message for _ctxt, message, _priority, _retry in self]

        def one(self, event_type):
            (message,) = [message for message in self.messages()
                          if message['event_type'] == event_type]
            return message

        def clear(self):
            _impl_test.reset()

    yield Sent()
    rpc.cleanup()


@pytest.fixture
def api(database):
    return Api()


def _plan(api, **plan):
    values = {'name': 'Plan1', 'provider_id': fakes.NOOP,
              'resources': [{'id': 'demo', 'type': PROJECT, 'name': 'demo'}]}
    values.update(plan)
    response = api('POST', '/plans', {'plan': values})
    assert response.status_int == 200, response.text
    return response.json['plan']


def _checkpoint(api, plan):
    response = api('POST', '/providers/%s/checkpoints' % fakes.NOOP,
                   {'checkpoint': {'plan_id': plan['id']}})
    assert response.status_int == 200, response.text
    return response.json['checkpoint']


def _check_request_notifications(sent, event, start_payload, end_adds={}):
    """karbor.<event>.start then .end, as the original sent them."""
    assert sent.events() == ['karbor.%s.start' % event,
                             'karbor.%s.end' % event]
    start, end = sent.messages()
    for message in (start, end):
        assert message['priority'] == 'INFO'
        assert message['publisher_id'] == 'karbor-api.api-host'
    assert start['payload'].pop('client_ip') == '192.0.2.7'
    assert start['payload'].pop('tenant_id') == 'demo'
    assert start['payload'].pop('request_id').startswith('req-')
    assert start['payload'] == start_payload
    assert set(end['payload']) == (BASE_KEYS | set(start_payload) |
                                   set(end_adds))
    for key, value in dict(start_payload, **end_adds).items():
        assert end['payload'][key] == value, key
    sent.clear()


def test_plan_create_update_delete_notify_start_and_end(sent, api):
    plan = _plan(api, parameters={PROJECT: {'backup_mode': 'full'}})
    _check_request_notifications(
        sent, 'plan_create',
        {'name': 'Plan1', 'parameters': {PROJECT: {'backup_mode': 'full'}}},
        {'id': plan['id']})

    assert api('PUT', '/plans/' + plan['id'],
               {'plan': {'name': 'Plan2'}}).status_int == 200
    _check_request_notifications(sent, 'plan_update', {'id': plan['id']})

    assert api('DELETE', '/plans/' + plan['id']).status_int == 200
    _check_request_notifications(sent, 'plan_delete', {'id': plan['id']})


def test_checkpoint_create_notifies_its_properties_then_its_id(sent, api):
    plan = _plan(api)
    sent.clear()
    checkpoint = _checkpoint(api, plan)
    _check_request_notifications(
        sent, 'checkpoint_create',
        {'checkpoint_properties': {
            'project_id': 'demo',
            'status': 'protecting',
            'provider_id': fakes.NOOP,
            'protection_plan': {'id': plan['id'], 'name': 'Plan1',
                                'resources': plan['resources']},
            'extra_info': None}},
        {'checkpoint_id': checkpoint['id']})


def test_checkpoint_reset_state_and_delete_notify_the_checkpoint(sent, api):
    checkpoint = _checkpoint(api, _plan(api))
    path = '/providers/%s/checkpoints/%s' % (fakes.NOOP, checkpoint['id'])
    sent.clear()
    assert api('PUT', path,
               {'os-resetState': {'state': 'error'}}).status_int == 200
    _check_request_notifications(
        sent, 'checkpoint_update',
        {'checkpoint_id': checkpoint['id'], 'state': 'error'})

    assert api('DELETE', path).status_int == 200
    _check_request_notifications(
        sent, 'checkpoint_delete',
        {'checkpoint_id': checkpoint['id'], 'provider_id': fakes.NOOP})


def test_restore_create_notifies_its_parameters_then_its_id(sent, api):
    checkpoint = _checkpoint(api, _plan(api))
    sent.clear()
    parameters = {PROJECT: {'restore_name': 'again'}}
    response = api('POST', '/restores', {'restore': {
        'provider_id': fakes.NOOP, 'checkpoint_id': checkpoint['id'],
        'parameters': parameters}})
    assert response.status_int == 200, response.text
    _check_request_notifications(
        sent, 'restore_create',
        {'parameters': parameters, 'provider_id': fakes.NOOP,
         'checkpoint_id': checkpoint['id']},
        {'id': response.json['restore']['id']})


def _refused_plan(api):
    return api('POST', '/plans', {'plan': {
        'name': 'Bad', 'provider_id': fakes.NOOP,
        'resources': [{'id': 'x', 'type': 'OS::Nope', 'name': 'x'}]}})


def test_a_refused_request_notifies_error_and_answers_as_before(
        conf, database):
    _messaging(conf)
    quiet = _refused_plan(Api())
    rpc.cleanup()

    _messaging(conf, driver=['test'])
    _impl_test.reset()
    try:
        noisy = _refused_plan(Api())
        messages = [message for _c, message, _p, _r
                    in _impl_test.NOTIFICATIONS]
    finally:
        rpc.cleanup()

    assert (noisy.status_int, noisy.json) == (quiet.status_int, quiet.json)
    assert quiet.status_int == 400
    assert [m['event_type'] for m in messages] == [
        'karbor.plan_create.start', 'karbor.plan_create.error']
    error = messages[1]
    # The original sent its errors at INFO too: listeners of
    # notifications.info keep receiving them.
    assert error['priority'] == 'INFO'
    assert set(error['payload']) == BASE_KEYS | {
        'name', 'parameters', 'message', 'exception'}
    assert 'OS::Nope' in error['payload']['message']
    assert error['payload']['message'] in quiet.json['badRequest']['message']
    trace = error['payload']['exception']
    assert trace[0].startswith('Traceback')
    assert 'PlanUsesUnknownResourceType' in trace[-1]


def test_a_change_protection_refuses_notifies_error(sent, api):
    checkpoint = _checkpoint(api, _plan(api))
    api.protection.checkpoints[checkpoint['id']]['status'] = 'protecting'
    sent.clear()
    response = api('DELETE', '/providers/%s/checkpoints/%s'
                   % (fakes.NOOP, checkpoint['id']))
    assert response.status_int == 409
    assert sent.events() == ['karbor.checkpoint_delete.start',
                             'karbor.checkpoint_delete.error']
    error = sent.one('karbor.checkpoint_delete.error')['payload']
    assert error['checkpoint_id'] == checkpoint['id']
    assert 'protecting' in error['message']


def test_requests_refused_before_the_change_notify_nothing(sent, api):
    assert api('POST', '/plans', {'plan': {}}).status_int == 400
    assert api('DELETE', '/plans/' + fakes.NOOP).status_int == 404
    assert list(sent) == []


def test_reads_notify_nothing(sent, api):
    plan = _plan(api)
    sent.clear()
    assert api('GET', '/plans').status_int == 200
    assert api('GET', '/plans/' + plan['id']).status_int == 200
    assert list(sent) == []


@pytest.mark.parametrize('where', ['driver', 'context'])
def test_a_broken_notifier_changes_no_answer(sent, api, monkeypatch, where):
    def broken(*args):
        raise RuntimeError('the notification bus is down')

    if where == 'driver':
        monkeypatch.setattr(_impl_test.TestDriver, 'notify', broken)
    else:
        monkeypatch.setattr(rpc.NOTIFIER._serializer, 'serialize_context',
                            broken)
    plan = _plan(api)
    assert api('GET', '/plans/' + plan['id']).json['plan']['name'] == \
        'Plan1'
    assert _refused_plan(api).status_int == 400
    assert list(sent) == []


@pytest.mark.parametrize('notifications', [{}, {'driver': ['noop']}])
def test_notifications_are_off_by_default_and_with_noop(
        conf, database, notifications):
    _messaging(conf, **notifications)
    try:
        assert rpc.NOTIFICATION_TRANSPORT is None
        assert rpc.get_notifier(notification.API_PUBLISHER) is None
        assert _plan(Api())['name'] == 'Plan1'
        # Off, the request path reads nothing to build a payload.
        with notification.notify_request(None, None, 'plan_create',
                                         name='x') as payload:
            payload['id'] = 'y'
    finally:
        rpc.cleanup()


# karbor-protection: how the work a request started ended.

CONTEXT = karbor_context.RequestContext(
    user_id='demo', project_id='demo', is_admin=False,
    request_id='req-4b1d8a3c-5d1e-4a53-9a3e-0f1f5c4e1e11')
PLAN_ID = '7c6d4f4e-2d0b-4a47-8a55-2b6c8f1d9e01'


class Checkpoint(object):
    """The parts of a checkpoint the flows and their notifications use."""

    id = 'c0a5a54e-6a39-4d3c-9a0c-5a8e3f2b1d10'
    resource_graph = None
    protection_plan = {'id': PLAN_ID, 'resources': []}

    def __init__(self, status):
        self.status = status
        self.reasons = {}

    def adopt(self):
        pass

    def start_protecting(self, resource_graph):
        pass

    def finish_protecting(self):
        self.status = 'available'

    def finish_deleting(self):
        self.status = 'deleted'

    def fail(self, reason):
        self.status = {'protecting': 'error',
                       'deleting': 'error-deleting'}[self.status]
        self.reasons = {PROJECT + '#demo': str(reason)}

    def to_dict(self):
        return {'id': self.id, 'project_id': 'demo',
                'provider_id': fakes.NOOP, 'status': self.status,
                'protection_plan': {'id': PLAN_ID},
                'resources_reason': self.reasons}


class Protectables(object):
    def __init__(self, error=None):
        self.error = error

    def build_graph(self, context, resources, supports):
        if self.error:
            raise self.error
        return []


class Provider(object):
    def supports(self, resource_type):
        return True


class Restore(object):
    id = 'e1f0c9a4-7b2d-4f0e-8c6a-3d5b9a2e4f21'
    project_id = 'demo'
    provider_id = fakes.NOOP
    checkpoint_id = Checkpoint.id
    parameters = {}
    restore_target = None
    resources_reason = {}
    status = 'in_progress'

    def guard_writes(self, check):
        pass

    def save(self):
        pass


class BrokenCheckpoint(Checkpoint):
    @property
    def resource_graph(self):
        raise exception.InvalidInput(reason='the graph is unreadable')


def _check_done(sent, event_type, priority, payload):
    message = sent.one(event_type)
    assert sent.events() == [event_type]
    assert message['priority'] == priority
    assert message['publisher_id'] == 'karbor-protection.api-host'
    assert message['payload'] == dict(
        payload, tenant_id='demo', request_id=CONTEXT.request_id)


def _checkpoint_done(status, reasons):
    return {'checkpoint_id': Checkpoint.id, 'provider_id': fakes.NOOP,
            'plan_id': PLAN_ID, 'status': status,
            'resources_reason': reasons}


def _run(flow, *args):
    """Run a flow's operation as a worker that claimed it does."""
    flow.run(CONTEXT, *(args + (protection_fakes.progress(),
                                protection_fakes.HeldClaim())))


def test_a_checkpoint_that_becomes_available_notifies_protect_end(
        sent, database):
    _run(protect_flow, Provider(), Protectables(), Checkpoint('protecting'),
         {})
    _check_done(sent, 'karbor.protect.end', 'INFO',
                _checkpoint_done('available', {}))


def test_a_checkpoint_that_fails_notifies_protect_error(sent, database):
    _run(protect_flow, Provider(),
         Protectables(exception.InvalidInput(reason='no way')),
         Checkpoint('protecting'), {})
    reasons = {PROJECT + '#demo': 'Invalid input received: no way'}
    _check_done(sent, 'karbor.protect.error', 'ERROR',
                _checkpoint_done('error', reasons))


def test_a_deleted_checkpoint_notifies_delete_end(sent, database):
    _run(delete_flow, None, Checkpoint('deleting'))
    _check_done(sent, 'karbor.delete.end', 'INFO',
                _checkpoint_done('deleted', {}))


def test_a_checkpoint_that_is_not_deleted_notifies_delete_error(
        sent, database):
    _run(delete_flow, None, BrokenCheckpoint('deleting'))
    message = sent.one('karbor.delete.error')
    assert message['priority'] == 'ERROR'
    assert message['payload']['status'] == 'error-deleting'
    assert 'unreadable' in message['payload']['resources_reason'][
        PROJECT + '#demo']


def _restore_done(status):
    return {'id': Restore.id, 'checkpoint_id': Checkpoint.id,
            'provider_id': fakes.NOOP, 'status': status,
            'resources_reason': {}}


def test_a_restore_that_succeeds_notifies_restore_end(sent, database):
    restore = Restore()
    _run(restore_flow, None, Checkpoint('available'), restore, None)
    assert restore.status == fields.RestoreStatus.SUCCESS
    _check_done(sent, 'karbor.restore.end', 'INFO', _restore_done('success'))


def test_a_restore_that_fails_notifies_restore_error(sent, database):
    _run(restore_flow, None, BrokenCheckpoint('available'), Restore(), None)
    _check_done(sent, 'karbor.restore.error', 'ERROR', _restore_done('fail'))
