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

"""inproc://, karbor-all's messaging, through oslo.messaging's own RPC
clients and servers: what a caller and a manager see must be what they
see over a broker."""

import threading

from oslo_config import cfg
import oslo_messaging as messaging
from oslo_messaging import conffixture as messaging_fixture
import pytest

from karbor import exception


class WorkerOnlyError(Exception):
    """Of a module the caller does not allow to be rebuilt."""


class Endpoint(object):
    target = messaging.Target(version='1.0')

    def __init__(self, name='worker'):
        self.name = name
        self.casts = []
        self.cast_seen = threading.Event()

    def echo(self, ctxt, value):
        # The manager's copy: changing it must not reach the caller.
        value.append('changed by the server')
        return {'server': self.name, 'value': value}

    def fail_known(self, ctxt):
        raise exception.CheckpointNotFound(checkpoint_id='abc')

    def fail_unknown(self, ctxt):
        raise WorkerOnlyError('secret')

    def record(self, ctxt, value):
        self.casts.append(value)
        self.cast_seen.set()

    def block(self, ctxt):
        threading.Event().wait(1)


def _conf():
    conf = cfg.ConfigOpts()
    conf([], default_config_files=[])
    messaging_fixture.ConfFixture(conf, 'inproc://').setUp()
    return conf


@pytest.fixture
def transport():
    transport = messaging.get_rpc_transport(
        _conf(), allowed_remote_exmods=[exception.__name__])
    servers = []

    def serve(endpoint, server='host-a', topic='karbor-protection'):
        rpc_server = messaging.get_rpc_server(
            transport, messaging.Target(topic=topic, server=server),
            [endpoint], executor='threading')
        rpc_server.start()
        servers.append(rpc_server)
        return endpoint

    def client(topic='karbor-protection', **target):
        return messaging.get_rpc_client(
            transport, messaging.Target(topic=topic, **target))

    yield serve, client
    for rpc_server in servers:
        rpc_server.stop()
        rpc_server.wait()
    transport.cleanup()


def test_a_call_answers_with_the_servers_result_from_a_copy(transport):
    serve, client = transport
    serve(Endpoint())
    sent = ['mine']
    reply = client().call({}, 'echo', value=sent)
    assert reply == {'server': 'worker',
                     'value': ['mine', 'changed by the server']}
    assert sent == ['mine']


def test_a_karbor_exception_is_raised_again_as_its_class(transport):
    serve, client = transport
    serve(Endpoint())
    with pytest.raises(exception.CheckpointNotFound) as raised:
        client().call({}, 'fail_known')
    assert 'abc' in str(raised.value)


def test_an_exception_of_another_module_arrives_as_a_remote_error(transport):
    serve, client = transport
    serve(Endpoint())
    with pytest.raises(messaging.RemoteError) as raised:
        client().call({}, 'fail_unknown')
    assert raised.value.exc_type == 'WorkerOnlyError'


def test_a_call_sent_before_its_server_starts_waits_for_it(transport):
    serve, client = transport
    replies = []
    caller = threading.Thread(
        target=lambda: replies.append(client().call({}, 'echo', value=[])))
    caller.start()
    serve(Endpoint())
    caller.join(10)
    assert replies and replies[0]['server'] == 'worker'


def test_a_call_to_a_server_reaches_that_server_only(transport):
    serve, client = transport
    serve(Endpoint('a'), server='host-a')
    serve(Endpoint('b'), server='host-b')
    for _ in range(5):
        assert client(server='host-b').call(
            {}, 'echo', value=[])['server'] == 'b'


def test_a_topic_is_shared_and_a_fanout_reaches_every_server(transport):
    serve, client = transport
    first = serve(Endpoint('a'), server='host-a')
    second = serve(Endpoint('b'), server='host-b')
    client(fanout=True).cast({}, 'record', value='to all')
    for endpoint in (first, second):
        assert endpoint.cast_seen.wait(10)
        assert endpoint.casts == ['to all']

    names = {client().call({}, 'echo', value=[])['server']
             for _ in range(20)}
    assert names <= {'a', 'b'} and names


def test_a_call_nobody_answers_times_out(transport):
    serve, client = transport
    serve(Endpoint())
    with pytest.raises(messaging.MessagingTimeout):
        client().prepare(timeout=0.2).call({}, 'block')
    with pytest.raises(messaging.MessagingTimeout):
        client(topic='nobody-listens').prepare(timeout=0.2).call(
            {}, 'echo', value=[])


def test_notifications_are_dropped_and_cannot_be_listened_to(transport):
    notify_transport = messaging.get_notification_transport(_conf())
    notifier = messaging.Notifier(notify_transport, driver='messagingv2',
                                  publisher_id='karbor-api.test')
    notifier.info({}, 'karbor.plan.create', {'id': 'p'})
    listener = messaging.get_notification_listener(
        notify_transport, [messaging.Target(topic='notifications')],
        [object()], executor='threading')
    with pytest.raises(NotImplementedError):
        listener.start()
