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

"""Notifications as a listener on RabbitMQ receives them from real
karbor-api, karbor-protection and karbor-all processes.

The notifications go to a RabbitMQ vhost of this module's own, which an
oslo.messaging notification listener in the test consumes.
"""

import collections
import threading
import time
import uuid

from oslo_config import cfg
import oslo_messaging as messaging
import pytest
import requests

from karbor.tests.functional import fixtures
from karbor.tests.functional import journey

Notification = collections.namedtuple(
    'Notification', 'priority publisher_id event_type payload')


@pytest.fixture(scope='module')
def vhost():
    with fixtures.scratch_vhost('karbor_ft_notifications') as url:
        yield url


class Listener(object):
    """Every notification on topic "notifications" of the vhost."""

    def __init__(self):
        self.received = []
        self._changed = threading.Condition()

    def _record(self, priority, publisher_id, event_type, payload):
        with self._changed:
            self.received.append(Notification(priority, publisher_id,
                                              event_type, payload))
            self._changed.notify_all()

    def info(self, ctxt, publisher_id, event_type, payload, metadata):
        self._record('INFO', publisher_id, event_type, payload)

    def error(self, ctxt, publisher_id, event_type, payload, metadata):
        self._record('ERROR', publisher_id, event_type, payload)

    def of(self, host):
        """What publishers of ``host`` sent, as received."""
        with self._changed:
            return [n for n in self.received
                    if n.publisher_id.endswith('.' + host)]

    def wait_for(self, host, count, timeout=30):
        """At least ``count`` notifications from ``host``."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while len(self.of(host)) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError('%d notifications from %s, not %d: '
                                         '%s' % (len(self.of(host)), host,
                                                 count, self.of(host)))
                self._changed.wait(left)
        return self.of(host)


@pytest.fixture(scope='module')
def listener(vhost):
    conf = cfg.ConfigOpts()
    conf([], default_config_files=[])
    transport = messaging.get_notification_transport(conf, url=vhost)
    recorder = Listener()
    server = messaging.get_notification_listener(
        transport, [messaging.Target(topic='notifications')], [recorder],
        executor='threading')
    server.start()
    try:
        yield recorder
    finally:
        server.stop()
        server.wait()
        transport.cleanup()


@pytest.fixture(scope='module')
def deployment(tmp_path_factory, database, vhost, listener):
    """karbor-api and karbor-protection, RPC on the vhost; the
    notifications take the RPC transport (no transport_url of their
    own)."""
    state = tmp_path_factory.mktemp('notifications')
    options, url = fixtures.separate_processes_options(
        state, database, transport_url=vhost)
    options['oslo_messaging_notifications'] = {'driver': 'messagingv2'}
    host = options['DEFAULT']['host']
    conf = fixtures.write_config(str(state / 'karbor.conf'), options)
    fixtures.db_sync(conf)
    args = ['--config-file', conf]
    processes = [fixtures.Process(name, args, str(state))
                 for name in ('karbor-protection', 'karbor-api')]
    try:
        fixtures.wait_for_service(database, host, processes[0])
        fixtures.wait_for_api(url + '/', processes[-1])
        yield url, host
    finally:
        for process in reversed(processes):
            process.stop()


def _by_event(notifications):
    events = {}
    for notification in notifications:
        assert notification.event_type not in events, notification
        events[notification.event_type] = notification
    return events


API_EVENTS = {
    'karbor.plan_create.start', 'karbor.plan_create.end',
    'karbor.checkpoint_create.start', 'karbor.checkpoint_create.end',
    'karbor.restore_create.start', 'karbor.restore_create.end',
    'karbor.checkpoint_delete.start', 'karbor.checkpoint_delete.end',
}
# How the work the requests started ended.
PROTECTION_EVENTS = {
    'karbor.protect.end', 'karbor.restore.end', 'karbor.delete.end',
}


def test_a_walkthrough_and_a_refused_request_notify_a_listener(
        deployment, listener):
    url, host = deployment
    cli = fixtures.Cli(url, 'demo', 'demo')
    ids = journey.walk(cli)
    refused = _post_plan(url, 'Bad', 'OS::Nope')
    assert refused.status_code == 400
    assert 'OS::Nope' in refused.json()['badRequest']['message']

    received = listener.wait_for(
        host, len(API_EVENTS) + len(PROTECTION_EVENTS) + 2)
    walkthrough, refusal = received[:-2], received[-2:]
    events = _by_event(walkthrough)
    assert set(events) == API_EVENTS | PROTECTION_EVENTS
    assert {n.priority for n in received} == {'INFO'}
    for event, notification in events.items():
        process = 'protection' if event in PROTECTION_EVENTS else 'api'
        assert notification.publisher_id == 'karbor-%s.%s' % (process, host)
        assert notification.payload['tenant_id'] == 'demo'
    order = [n.event_type for n in walkthrough]
    for start in API_EVENTS:
        if start.endswith('.start'):
            assert order.index(start) < order.index(start[:-6] + '.end')

    assert events['karbor.plan_create.start'].payload['name'] == 'Plan1'
    assert events['karbor.plan_create.end'].payload['id'] == ids['plan']
    assert events['karbor.plan_create.end'].payload['client_ip'] == \
        '127.0.0.1'
    created = events['karbor.checkpoint_create.end'].payload
    assert created['checkpoint_id'] == ids['checkpoint']
    assert created['checkpoint_properties']['protection_plan']['id'] == \
        ids['plan']
    protected = events['karbor.protect.end'].payload
    assert protected['checkpoint_id'] == ids['checkpoint']
    assert protected['status'] == 'available'
    # The work's notification names the request that started it.
    assert protected['request_id'] == created['request_id']
    assert events['karbor.restore_create.end'].payload['id'] == \
        ids['restore']
    restored = events['karbor.restore.end'].payload
    assert (restored['id'], restored['status']) == (ids['restore'],
                                                    'success')
    assert events['karbor.checkpoint_delete.start'].payload[
        'checkpoint_id'] == ids['checkpoint']
    deleted = events['karbor.delete.end'].payload
    assert (deleted['checkpoint_id'], deleted['status']) == (
        ids['checkpoint'], 'deleted')

    assert [n.event_type for n in refusal] == ['karbor.plan_create.start',
                                               'karbor.plan_create.error']
    error = refusal[1].payload
    assert error['name'] == 'Bad'
    assert 'OS::Nope' in error['message']
    assert error['exception'][0].startswith('Traceback')


def _karbor_all(state, notifications):
    """karbor-all on its defaults, but for these
    [oslo_messaging_notifications] options."""
    port = fixtures.free_port()
    host = 'ft-all-%s' % uuid.uuid4().hex[:8]
    conf = fixtures.write_config(str(state / 'karbor.conf'), {
        'DEFAULT': {'state_path': str(state), 'host': host,
                    'osapi_karbor_listen_port': port},
        'oslo_messaging_notifications': notifications,
    })
    process = fixtures.Process('karbor-all', ['--config-file', conf],
                               str(state))
    url = 'http://127.0.0.1:%s' % port
    fixtures.wait_for_api(url + '/', process)
    return process, url, host


def test_karbor_all_sends_none_by_default(tmp_path, vhost, listener):
    """Were karbor-all to send, they would reach the listener: its
    notification transport_url is the vhost (its RPC stays inproc://)."""
    process, url, host = _karbor_all(tmp_path, {'transport_url': vhost})
    try:
        journey.walk(fixtures.Cli(url, 'demo', 'demo'))
        time.sleep(2)
    finally:
        process.stop()
    assert listener.of(host) == []


def test_karbor_all_sends_on_its_own_transport_when_enabled(
        tmp_path, vhost, listener):
    process, url, host = _karbor_all(
        tmp_path, {'transport_url': vhost, 'driver': 'messagingv2'})
    try:
        _create_plan(url)
        received = listener.wait_for(host, 2)
    finally:
        process.stop()
    assert [n.event_type for n in received] == ['karbor.plan_create.start',
                                                'karbor.plan_create.end']


def test_a_broken_notification_bus_fails_no_request(tmp_path):
    """Notifications to a RabbitMQ that is not there: requests answer as
    they would without them, without waiting on the bus."""
    dead = 'rabbit://guest:guest@127.0.0.1:%s/' % fixtures.free_port()
    process, url, _host = _karbor_all(
        tmp_path, {'transport_url': dead, 'driver': 'messagingv2'})
    try:
        started = time.monotonic()
        plan = _create_plan(url)
        shown = requests.get('%s/v1/demo/plans/%s' % (url, plan['id']),
                             headers={'X-Auth-Token': 'demo:demo'},
                             timeout=30)
        took = time.monotonic() - started
    finally:
        process.stop()
    assert shown.json()['plan']['name'] == 'Plan1'
    assert took < 10, took
    assert 'Could not send notification' in process.log()


def _post_plan(url, name, resource_type):
    return requests.post(
        '%s/v1/demo/plans' % url, headers={'X-Auth-Token': 'demo:demo'},
        json={'plan': {'name': name, 'provider_id': fixtures.NOOP_PROVIDER,
                       'resources': [{'id': 'demo', 'name': 'demo',
                                      'type': resource_type}]}},
        timeout=30)


def _create_plan(url):
    response = _post_plan(url, 'Plan1', 'OS::Keystone::Project')
    assert response.status_code == 200, response.text
    return response.json()['plan']
