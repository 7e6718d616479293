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

"""Running Karbor's services on threads: RPC servers and the WSGI server.

A process starts one or more services, then waits for SIGTERM or SIGINT
and stops them in reverse order. karbor-all is three of them in one
process.
"""

import os
import signal
import sys
import threading

from cheroot import wsgi as cheroot_wsgi
from oslo_config import cfg
from oslo_log import log as logging
import oslo_messaging as messaging

from karbor import context
from karbor.objects import service as service_objects
from karbor import rpc

CONF = cfg.CONF
LOG = logging.getLogger(__name__)


class RPCService(object):
    """An oslo.messaging RPC server for one manager, with heartbeats."""

    def __init__(self, binary, topic, manager):
        self.binary = binary
        self.topic = topic
        self.manager = manager
        self._server = None
        self._stopping = threading.Event()
        self._heartbeat = None

    def start(self):
        self.manager.start()
        target = messaging.Target(topic=self.topic, server=CONF.host)
        self._server = rpc.get_server(target, [self.manager])
        self._server.start()
        self._report_state()
        self._heartbeat = threading.Thread(
            target=self._report_loop, name='%s-heartbeat' % self.binary,
            daemon=True)
        self._heartbeat.start()
        LOG.info('%s serving topic %s on host %s', self.binary, self.topic,
                 CONF.host)

    def _report_state(self):
        try:
            service_objects.Service.heartbeat(
                context.get_admin_context(), CONF.host, self.binary,
                self.topic)
        except Exception as exc:
            # A database hiccup must not kill the service; the next beat
            # tries again.
            LOG.warning('%s could not report its state: %s', self.binary,
                        exc)

    def _report_loop(self):
        while not self._stopping.wait(CONF.report_interval):
            self._report_state()

    def stop(self):
        self._stopping.set()
        if self._server is not None:
            self._server.stop()
            self._server.wait()
        self.manager.stop()


class WSGIService(object):
    """The API's WSGI application on cheroot's thread-pool HTTP server."""

    def __init__(self, name, app, host, port, threads):
        self.name = name
        self._server = cheroot_wsgi.Server((host, port), app,
                                           numthreads=threads,
                                           server_name=name)
        self._thread = None

    @property
    def address(self):
        return self._server.bind_addr

    def start(self):
        self._server.prepare()
        self._thread = threading.Thread(target=self._server.serve,
                                        name=self.name, daemon=True)
        self._thread.start()
        host, port = self.address[:2]
        LOG.info('%s listening on http://%s:%s', self.name, host, port)

    def stop(self):
        self._server.stop()
        if self._thread is not None:
            self._thread.join(timeout=10)


def run(services, on_started=None):
    """Start ``services``, block until SIGTERM/SIGINT, then stop them."""
    stop = threading.Event()

    def _on_signal(signum, _frame):
        LOG.info('Signal %s received, stopping', signum)
        stop.set()

    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    started = []
    try:
        for service in services:
            service.start()
            started.append(service)
        if on_started is not None:
            on_started()
        while not stop.wait(1):
            pass
    finally:
        for service in reversed(started):
            try:
                service.stop()
            except Exception:
                LOG.exception('Error while stopping %s', service)
        rpc.cleanup()
    # An operation still running after the bounded wait of stop() (a hung
    # call to another service) must not keep the process alive: thread
    # pools join their workers at interpreter exit. Its checkpoint is
    # marked failed by the next karbor-protection's sweep.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)
