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

"""The oslo.messaging driver of ``inproc://``: RPC inside one process.

karbor-all runs the API, karbor-protection and the operation engine in one
process, and they talk through oslo.messaging as the separate services do
over RabbitMQ: the same rpcapi, targets, servers and serializers. What
carries a message is this driver (entry point ``oslo.messaging.drivers``
``inproc``). oslo.messaging's own ``fake://`` would do it too, but its
listeners look for messages every 50 ms, which bounded every call.

A listener here waits on a condition and takes a message the moment it is
sent. Messages and replies cross as JSON, and a failure as oslo.messaging
serializes it for a broker, so a manager gets a copy of what was sent and
the caller gets the exception it would get over RabbitMQ (rebuilt only
from the allowed modules). Topic queues are shared by their listeners;
a call to a server goes to that server's queue; a fanout goes to every
server's queue of the topic.

Notifications are dropped: nothing in karbor-all listens for them, as a
broker drops what no queue is bound to.
"""

import collections
import queue
import threading

from oslo_messaging._drivers import base
from oslo_messaging._drivers import common as driver_common
from oslo_serialization import jsonutils

import oslo_messaging


class _Incoming(base.RpcIncomingMessage):

    def __init__(self, ctxt, message, reply_queue, requeue):
        super().__init__(ctxt, message)
        self._reply_queue = reply_queue
        self._requeue = requeue

    def reply(self, reply=None, failure=None):
        if self._reply_queue is None:
            return
        if failure:
            failure = driver_common.serialize_remote_exception(failure)
        self._reply_queue.put(jsonutils.dumps(
            {'result': reply, 'failure': failure}))

    def acknowledge(self):
        """Taken off its queue when it was polled: nothing to confirm."""

    def requeue(self):
        self._requeue()

    def heartbeat(self):
        """The caller waits in this process: it needs no heartbeat."""


class _Queues(object):
    """Every queue of one transport, under one condition."""

    def __init__(self):
        self.condition = threading.Condition()
        self._queues = collections.defaultdict(collections.deque)

    def deliver(self, exchange, topic, server, fanout, payload):
        with self.condition:
            if fanout:
                keys = [key for key in self._queues
                        if key[:2] == (exchange, topic) and key[2]]
            else:
                keys = [(exchange, topic, server)]
            for key in keys:
                self._queues[key].append(payload)
            self.condition.notify_all()

    def declare(self, keys):
        with self.condition:
            for key in keys:
                self._queues[key]

    def requeue(self, key, payload):
        with self.condition:
            self._queues[key].appendleft(payload)
            self.condition.notify_all()

    def take(self, keys):
        """The first message waiting on one of ``keys``, or None."""
        for key in keys:
            waiting = self._queues[key]
            if waiting:
                return key, waiting.popleft()
        return None


class _Listener(base.PollStyleListener):

    def __init__(self, queues, keys):
        super().__init__()
        self._queues = queues
        self._keys = keys
        self._stopped = False
        # A fanout reaches the server queues that exist when it is sent.
        queues.declare(keys)

    @base.batch_poll_helper
    def poll(self, timeout=None):
        with self._queues.condition:
            taken = None
            while not self._stopped:
                taken = self._queues.take(self._keys)
                if taken is not None:
                    break
                if not self._queues.condition.wait(timeout):
                    return None
            if taken is None:
                return None
        key, (payload, reply_queue) = taken
        message = jsonutils.loads(payload)
        return _Incoming(
            message['context'], message['message'], reply_queue,
            lambda: self._queues.requeue(key, (payload, reply_queue)))

    def stop(self):
        with self._queues.condition:
            self._stopped = True
            self._queues.condition.notify_all()


class InprocDriver(base.BaseDriver):
    """RPC between the threads of one process, with no polling delay."""

    def __init__(self, conf, url, default_exchange=None,
                 allowed_remote_exmods=None):
        super().__init__(conf, url, default_exchange, allowed_remote_exmods)
        self._queues = _Queues()

    def send(self, target, ctxt, message, wait_for_reply=None, timeout=None,
             call_monitor_timeout=None, retry=None, transport_options=None):
        reply_queue = queue.Queue() if wait_for_reply else None
        payload = jsonutils.dumps({'context': ctxt, 'message': message})
        self._queues.deliver(target.exchange or self._default_exchange,
                             target.topic, target.server, target.fanout,
                             (payload, reply_queue))
        if reply_queue is None:
            return None
        try:
            reply = jsonutils.loads(reply_queue.get(timeout=timeout))
        except queue.Empty:
            raise oslo_messaging.MessagingTimeout(
                'No reply on topic %s within %s s' % (target.topic, timeout))
        if reply['failure']:
            raise driver_common.deserialize_remote_exception(
                reply['failure'], self._allowed_remote_exmods)
        return reply['result']

    def send_notification(self, target, ctxt, message, version, retry=None):
        """Dropped: see the module's docstring."""

    def listen(self, target, batch_size, batch_timeout):
        exchange = target.exchange or self._default_exchange
        keys = [(exchange, target.topic, target.server),
                (exchange, target.topic, None)]
        return base.PollStyleListenerAdapter(
            _Listener(self._queues, keys), batch_size, batch_timeout)

    def listen_for_notifications(self, targets_and_priorities, pool,
                                 batch_size, batch_timeout):
        raise NotImplementedError(
            'inproc:// carries RPC only; notifications need a broker '
            '([oslo_messaging_notifications] transport_url)')

    def cleanup(self):
        """Nothing outlives the process."""
