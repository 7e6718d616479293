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

"""os-services through the API's pipeline, as python-karborclient 2.1.0
uses it: administrators list the services and disable or enable one; a
disabled service stays shown as up or down by its heartbeats; new
operations are refused while no karbor-protection would run them."""

import datetime

from oslo_config import cfg
from oslo_utils import timeutils
import pytest
import sqlalchemy as sa

from karbor import context
from karbor.db import api as db
from karbor.db.sqlalchemy import models

CONF = cfg.CONF
ADMIN = context.get_admin_context()
SERVICES = '/v1/%s/os-services'
NOOP = 'b766f37c-d011-4026-8228-28730d734a3f'


def _fault(response, status):
    assert response.status_int == status, response.text
    (body,) = response.json.values()
    assert body['code'] == status
    return body['message']


def _service(host, binary, silent_for=0):
    """The row of a service on ``host`` whose last heartbeat was
    ``silent_for`` seconds ago; its id."""
    service_id = db.service_heartbeat(ADMIN, host, binary, binary)
    if silent_for:
        with db.get_engine().begin() as connection:
            connection.execute(sa.update(models.Service).where(
                models.Service.id == service_id).values(
                    updated_at=timeutils.utcnow() - datetime.timedelta(
                        seconds=silent_for)))
    return service_id


def _update(karbor, service_id, body, project='admin'):
    return karbor('PUT', SERVICES % project + '/%s' % service_id, body,
                  project=project)


@pytest.fixture
def services(karbor):
    """A live engine and two workers, one of them dead."""
    return {
        'engine': _service('node-1', 'karbor-operationengine'),
        'worker': _service('node-1', 'karbor-protection'),
        'dead': _service('node-2', 'karbor-protection', silent_for=3600),
    }


def test_an_administrator_lists_every_service_and_its_state(karbor,
                                                            services):
    response = karbor('GET', SERVICES % 'admin', project='admin')
    assert response.status_int == 200
    listed = response.json['services']
    assert [(s['id'], s['binary'], s['host'], s['status'], s['state'],
             s['disabled_reason']) for s in listed] == [
        (services['engine'], 'karbor-operationengine', 'node-1', 'enabled',
         'up', None),
        (services['worker'], 'karbor-protection', 'node-1', 'enabled', 'up',
         None),
        (services['dead'], 'karbor-protection', 'node-2', 'enabled', 'down',
         None)]
    assert sorted(listed[0]) == ['binary', 'disabled_reason', 'host', 'id',
                                 'state', 'status', 'updated_at']
    stale = datetime.datetime.strptime(listed[2]['updated_at'],
                                       '%Y-%m-%dT%H:%M:%S.%f')
    assert timeutils.utcnow() - stale > datetime.timedelta(minutes=59)


@pytest.mark.parametrize('query, expected', [
    ('host=node-2', ['dead']),
    ('binary=karbor-protection', ['worker', 'dead']),
    ('host=node-1&binary=karbor-protection', ['worker']),
    ('host=node-3', []),
])
def test_the_list_is_filtered_by_host_and_binary(karbor, services, query,
                                                 expected):
    response = karbor('GET', SERVICES % 'admin', project='admin',
                      query=query)
    assert [s['id'] for s in response.json['services']] == [
        services[name] for name in expected]


def test_a_service_is_disabled_with_a_reason_and_enabled_again(karbor,
                                                               services):
    response = _update(karbor, services['engine'], {
        'status': 'disabled', 'disabled_reason': 'kernel upgrade'})
    assert response.status_int == 200
    disabled = response.json['service']
    assert (disabled['id'], disabled['status'], disabled['state'],
            disabled['disabled_reason']) == (
        services['engine'], 'disabled', 'up', 'kernel upgrade')
    listed = karbor('GET', SERVICES % 'admin', project='admin',
                    query='binary=karbor-operationengine').json['services']
    assert listed == [disabled]

    enabled = _update(karbor, services['engine'],
                      {'status': 'enabled'}).json['service']
    # Enabling forgets why it was disabled.
    assert (enabled['status'], enabled['disabled_reason']) == ('enabled',
                                                               None)


def test_a_service_disabled_without_a_reason_has_none(karbor, services):
    disabled = _update(karbor, services['worker'],
                       {'status': 'disabled'}).json['service']
    assert (disabled['status'], disabled['disabled_reason']) == (
        'disabled', None)


def test_disabling_a_dead_service_leaves_it_down_with_its_heartbeat(
        karbor, services):
    before, = karbor('GET', SERVICES % 'admin', project='admin',
                     query='host=node-2').json['services']
    disabled = _update(karbor, services['dead'], {
        'status': 'disabled', 'disabled_reason': 'disk died'}).json['service']
    assert disabled['state'] == 'down'
    assert disabled['updated_at'] == before['updated_at']


def test_members_may_neither_list_nor_change_services(karbor, services):
    assert 'service:get_all' in _fault(karbor('GET', SERVICES % 'demo'), 403)
    assert 'service:update' in _fault(_update(
        karbor, services['worker'], {'status': 'disabled'},
        project='demo'), 403)
    shown, = karbor('GET', SERVICES % 'admin', project='admin',
                    query='host=node-1&binary=karbor-protection').json[
        'services']
    assert shown['status'] == 'enabled'


@pytest.mark.parametrize('service_id', ['12345', str(2 ** 40)])
def test_an_unknown_service_is_not_found(karbor, services, service_id):
    message = _fault(_update(karbor, service_id, {'status': 'disabled'}),
                     404)
    assert message == 'Service %s could not be found.' % service_id


@pytest.mark.parametrize('service_id', ['one', '1.5', '-1', '%C2%B2'])
def test_a_service_id_that_is_no_integer_is_refused(karbor, services,
                                                    service_id):
    message = _fault(_update(karbor, service_id, {'status': 'disabled'}),
                     400)
    assert 'a service id is an integer' in message


@pytest.mark.parametrize('body, named', [
    ({}, "'status' is a required property"),
    ({'status': 'off'}, "'off' is not one of ['enabled', 'disabled']"),
    ({'status': 'disabled', 'disabled_reason': 'x' * 256},
     'disabled_reason'),
    ({'status': 'disabled', 'disabled_reason': 7}, 'disabled_reason'),
    ({'status': 'enabled', 'disabled_reason': 'why'}, "'disabled_reason'"),
    ({'status': 'disabled', 'host': 'node-1'}, "'host'"),
])
def test_a_bad_update_body_is_refused_with_what_is_wrong(karbor, services,
                                                         body, named):
    message = _fault(_update(karbor, services['worker'], body), 400)
    assert named in message
    shown, = karbor('GET', SERVICES % 'admin', project='admin',
                    query='host=node-1&binary=karbor-protection').json[
        'services']
    assert shown['status'] == 'enabled'


def _protect(karbor, plan):
    return karbor('POST', '/v1/demo/providers/%s/checkpoints' % NOOP,
                  {'checkpoint': {'plan_id': plan['id']}})


def test_no_operation_is_accepted_while_every_worker_is_disabled_or_down(
        karbor):
    # This process's karbor-protection, and a dead one elsewhere.
    worker = _service(CONF.host, 'karbor-protection')
    _service('node-2', 'karbor-protection', silent_for=3600)
    plan = karbor.create_plan()
    checkpoint = karbor.create_checkpoint(plan)
    karbor.wait_for_operations()
    _update(karbor, worker, {'status': 'disabled'})

    checkpoint_path = '/v1/demo/providers/%s/checkpoints' % NOOP
    on_checkpoint = {'provider_id': NOOP, 'checkpoint_id': checkpoint['id'],
                     'parameters': {}}
    refused = {
        'protect': _protect(karbor, plan),
        'delete': karbor('DELETE', checkpoint_path + '/' + checkpoint['id']),
        'restore': karbor('POST', '/v1/demo/restores', {
            'restore': dict(on_checkpoint, restore_target=None)}),
        'verify': karbor('POST', '/v1/demo/verifications', {
            'verification': on_checkpoint}),
    }
    for response in refused.values():
        message = _fault(response, 503)
        assert 'No karbor-protection service is enabled and up' in message
    # Nothing of them stays behind.
    assert [c['id'] for c in karbor('GET', checkpoint_path).json[
        'checkpoints']] == [checkpoint['id']]
    assert karbor('GET', checkpoint_path + '/' + checkpoint['id']).json[
        'checkpoint']['status'] == 'available'
    assert karbor('GET', '/v1/demo/restores').json['restores'] == []
    assert karbor('GET', '/v1/demo/verifications').json[
        'verifications'] == []

    _update(karbor, worker, {'status': 'enabled'})
    assert _protect(karbor, plan).status_int == 200


def test_a_checkpoint_waits_for_an_enabled_worker_while_this_one_is_disabled(
        karbor):
    worker = _service(CONF.host, 'karbor-protection')
    _service('node-2', 'karbor-protection')
    plan = karbor.create_plan()
    _update(karbor, worker, {'status': 'disabled'})

    checkpoint = _protect(karbor, plan).json['checkpoint']
    operation, = db.operation_get_all(ADMIN)
    # Node 2 would claim it; this worker does not.
    karbor.manager._runner.claim_round()
    assert db.operation_get(ADMIN, operation.id).owner is None

    _update(karbor, worker, {'status': 'enabled'})
    karbor.manager._runner.wake()
    karbor.wait_for_operations()
    shown = karbor('GET', '/v1/demo/providers/%s/checkpoints/%s' % (
        NOOP, checkpoint['id'])).json['checkpoint']
    assert shown['status'] == 'available'
