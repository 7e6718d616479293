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

"""Karbor's services on oslo.service (threading backend).

A karbor-* process runs its services (karbor-all: the API, protection and
the operation engine) on one oslo.service ``Launcher``, in this process:

- SIGTERM and SIGINT stop the services within ``[DEFAULT]
  graceful_shutdown_timeout`` seconds (0: no bound): RPC servers take no
  more requests, karbor-protection lets its running operations go on for
  up to nine tenths of the bound, and the process exits 0, even if a
  thread is still hung in a remote call. A stop that outlasts the bound
  ends the process with status 1.
- SIGHUP re-reads the configuration files and applies the mutable options
  (``debug`` changes the log level), then calls each service's reset();
  the process and its services keep running.

Why not oslo.service's ``ServiceLauncher``: in the threading backend it is
cotyledon's supervisor, which runs each service in a forked worker process,
restarts that worker on SIGHUP (running operations are cut, reset() is not
called) and exits at once on SIGINT; karbor-all's in-process messaging
(inproc://) needs its three services in one process. The in-process
``Launcher`` starts, resets and stops the services; what it leaves to its
caller, signals and the bound, is ``Launcher.serve``.

The exception is karbor-api with ``[DEFAULT] osapi_karbor_workers`` above
1 (see APIWorker): its processes hold no running operations, so it is
oslo.service's ``ProcessLauncher`` that forks, restarts and stops them.
"""

import os
import signal
import socket
import sys
import threading
import time

from cheroot import wsgi as cheroot_wsgi
from oslo_config import cfg
from oslo_log import log as logging
import oslo_messaging as messaging
from oslo_service import opts as service_opts
from oslo_service import service

from karbor import context
from karbor.objects import service as service_objects
from karbor import rpc

CONF = cfg.CONF
LOG = logging.getLogger(__name__)

# graceful_shutdown_timeout and log_options, as oslo.service's launchers.
service_opts.register_service_opts(CONF)


class Service(service.Service):
    """An oslo.service Service of a Karbor process.

    oslo.service's threading Launcher starts every service on a thread of
    its own and only logs an error raised there; a Karbor process one of
    whose services could not start stops instead (exit status 1).
    """

    def __init__(self, name):
        super().__init__()
        self.name = name
        # Set by the Launcher that runs this service.
        self.launcher = None

    def start(self):
        try:
            self.start_serving()
        except Exception:
            LOG.exception('%s could not start', self.name)
            self.launcher.request_stop(status=1)

    def start_serving(self):
        raise NotImplementedError()


class RPCService(Service):
    """An oslo.messaging RPC server for one manager, with heartbeats in the
    services table every ``[DEFAULT] report_interval`` seconds."""

    def __init__(self, binary, topic, manager):
        super().__init__(binary)
        self.binary = binary
        self.topic = topic
        self.manager = manager
        self._server = None
        self._reported = True

    def start_serving(self):
        self.manager.start()
        target = messaging.Target(topic=self.topic, server=CONF.host)
        self._server = rpc.get_server(target, [self.manager])
        self._server.start()
        self.tg.add_timer_args(CONF.report_interval, self.report_state)
        LOG.info('%s serving topic %s on host %s', self.binary, self.topic,
                 CONF.host)

    def report_state(self):
        """One heartbeat; a database hiccup is logged, not raised, so the
        service lives on and the next beat tries again."""
        try:
            service_objects.Service.heartbeat(
                context.get_admin_context(), CONF.host, self.binary,
                self.topic)
        except Exception as exc:
            LOG.warning('%s could not report its state: %s', self.binary,
                        exc)
            self._reported = False
            return
        if not self._reported:
            LOG.info('%s reports its state again', self.binary)
            self._reported = True

    def reset(self):
        LOG.info('%s reloaded its configuration', self.binary)

    def stop(self, graceful=False):
        # No new requests; the ones being answered finish. Then the
        # manager's own work (karbor-protection's running operations),
        # still beating meanwhile so the service is not shown down.
        if self._server is not None:
            self._server.stop()
            self._server.wait()
        self.manager.stop(timeout=self.launcher.time_left_for_work())
        super().stop(graceful)


class WSGIService(Service):
    """The API's WSGI application on cheroot's thread-pool HTTP server.

    The socket is bound here, before the launcher starts anything, so a
    port in use fails the command at once.
    """

    def __init__(self, name, app, host, port, threads, reuse_port=False):
        super().__init__(name)
        self._server = cheroot_wsgi.Server((host, port), app,
                                           numthreads=threads,
                                           server_name=name,
                                           reuse_port=reuse_port)
        self._server.prepare()

    @property
    def address(self):
        return self._server.bind_addr

    def start_serving(self):
        self.tg.add_thread(self._server.serve)
        host, port = self.address[:2]
        LOG.info('%s listening on http://%s:%s', self.name, host, port)

    def stop(self, graceful=False):
        self._server.stop()
        super().stop(graceful)


class Launcher(service.Launcher):
    """oslo.service's in-process Launcher, driven by signals."""

    # The services' own work (running operations) may take this share of
    # graceful_shutdown_timeout; the rest is for what follows it: handing
    # back the bank leases, closing the connections.
    WORK_SHARE_OF_STOP = 0.9

    def __init__(self):
        super().__init__(CONF, restart_method='mutate')
        self._stop_requested = threading.Event()
        self._status = 0
        self._work_deadline = None

    def launch_service(self, karbor_service, workers=1):
        karbor_service.launcher = self
        super().launch_service(karbor_service, workers=workers)

    def request_stop(self, status=0):
        self._status = max(self._status, status)
        self._stop_requested.set()

    def time_left_for_work(self):
        """Seconds a stopping service may still let its work run; None
        when graceful_shutdown_timeout is 0 (no bound)."""
        if self._work_deadline is None:
            return None
        return max(0.0, self._work_deadline - time.monotonic())

    def serve(self, services):
        """Run ``services`` until SIGTERM or SIGINT, then end the process
        (this never returns)."""
        signals = service.SignalHandler()
        signals.add_handlers(('SIGTERM', 'SIGINT'), self._on_stop_signal)
        signals.add_handler('SIGHUP', self._on_reload_signal)
        signals.add_handler('SIGALRM', self._on_bound_exceeded)
        if CONF.log_options:
            CONF.log_opt_values(LOG, logging.DEBUG)
        for one in services:
            self.launch_service(one)
        self.wait_for_stop_request()
        bound = CONF.graceful_shutdown_timeout
        if bound:
            signal.alarm(bound)
        self.stop_within(bound)
        LOG.info('%s stopped (exit status %d)',
                 ', '.join(one.name for one in services), self._status)
        _exit(self._status)

    def wait_for_stop_request(self):
        # With a timeout: a signal the kernel hands to another thread only
        # runs its Python handler once the main thread wakes up, and a wait
        # without one may never wake.
        while not self._stop_requested.wait(1):
            pass

    def stop_within(self, bound):
        """Stop the services, their work within ``bound`` seconds (0: no
        bound), and close the RPC transport; return the exit status."""
        if bound:
            self._work_deadline = (time.monotonic() +
                                   bound * self.WORK_SHARE_OF_STOP)
        try:
            self.stop()
            self.wait()
            rpc.cleanup()
        except Exception:
            LOG.exception('Error while stopping')
            self._status = 1
        return self._status

    def _on_stop_signal(self, signo, _frame):
        bound = CONF.graceful_shutdown_timeout
        LOG.info('Caught %s, stopping (graceful_shutdown_timeout: %s)',
                 signal.Signals(signo).name,
                 '%d s' % bound if bound else 'no bound')
        self.request_stop()

    def _on_reload_signal(self, _signo, _frame):
        if self._stop_requested.is_set():
            return
        LOG.info('Caught SIGHUP, reloading the configuration')
        try:
            self.restart()
        except Exception as exc:
            LOG.error('Could not reload the configuration, the one in use '
                      'stays: %s', exc)

    def _on_bound_exceeded(self, _signo, _frame):
        LOG.error('Still stopping after graceful_shutdown_timeout (%d s), '
                  'exiting now', CONF.graceful_shutdown_timeout)
        _exit(1)


def _exit(status):
    # A thread still hung in a remote call must not keep the process alive:
    # thread pools join their workers at interpreter exit. An operation cut
    # this way is marked failed by the next karbor-protection's sweep of
    # the bank.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)


def serve(services):
    """Run ``services`` in this process until SIGTERM or SIGINT."""
    Launcher().serve(services)


class APIWorker(service.ServiceBase):
    """One of karbor-api's [DEFAULT] osapi_karbor_workers processes.

    oslo.service's ProcessLauncher forks the workers, restarts one that
    dies and stops them all on SIGTERM or SIGINT. Each worker has an HTTP
    server of its own on the API's address, with SO_REUSEPORT, so that the
    kernel spreads new connections over the workers, and its own RPC
    transport and WSGI application, made after the fork: a broker
    connection is not shared across one.
    """

    def __init__(self, name, load_app, host, port, threads):
        self.name = name
        self._load_app = load_app
        self._address = (host, port)
        self._threads = threads
        self._server = None
        self._serving = None

    def start(self):
        rpc.init(CONF)
        self._server = cheroot_wsgi.Server(
            self._address, self._load_app(), numthreads=self._threads,
            server_name=self.name, reuse_port=True)
        self._server.prepare()
        self._serving = threading.Thread(target=self._server.serve,
                                         name=self.name, daemon=True)
        self._serving.start()
        LOG.info('%s worker %d listening on http://%s:%s', self.name,
                 os.getpid(), *self._address)

    def wait(self):
        self._serving.join()

    def stop(self):
        if self._server is not None:
            self._server.stop()

    def reset(self):
        LOG.info('%s worker %d reloaded its configuration', self.name,
                 os.getpid())


def _check_port(name, host, port):
    """Exit at once if another server holds the port: the processes that
    share it with SO_REUSEPORT would bind beside it."""
    probe = socket.socket(socket.AF_INET6 if ':' in host else socket.AF_INET)
    try:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        probe.bind((host, port))
    except OSError as exc:
        sys.exit('%s cannot listen on %s:%s: %s' % (name, host, port, exc))
    finally:
        probe.close()


def serve_api_workers(name, load_app, host, port, threads, workers):
    """karbor-api in ``workers`` processes (see APIWorker), until SIGTERM
    or SIGINT. A port another server holds fails the command at once."""
    _check_port(name, host, port)
    launcher = service.ProcessLauncher(CONF, restart_method='mutate')
    launcher.launch_service(APIWorker(name, load_app, host, port, threads),
                            workers=workers)
    launcher.wait()


class Peer(service.ServiceBase):
    """One of karbor-all's [DEFAULT] osapi_karbor_workers processes.

    Each peer is a whole karbor-all, its services on its own in-process
    messaging: the API (on the shared port, SO_REUSEPORT) casts to the
    protection of its own process. The peers share the database and the
    banks, as karbor-protection workers of a separate deployment do.
    Peer 0 keeps ``[DEFAULT] host``; peer N is ``<host>/N``, the same
    name after a restart, so that a restarted peer resumes the
    operations it had claimed. ``make_services(index)`` builds a peer's
    services after the fork: connections are not shared across one.
    """

    def __init__(self, index, make_services):
        self.index = index
        self._make_services = make_services
        self._launcher = None

    def start(self):
        if self.index:
            CONF.set_override('host', '%s/%d' % (CONF.host, self.index))
        rpc.init(CONF)
        self._launcher = Launcher()
        for one in self._make_services(self.index):
            self._launcher.launch_service(one)

    def wait(self):
        # Until one of the peer's services could not start; a stop comes
        # through stop(), after which oslo.service ends the process.
        self._launcher.wait_for_stop_request()
        _exit(self._launcher.stop_within(CONF.graceful_shutdown_timeout))

    def stop(self):
        # oslo.service bounds the stop by graceful_shutdown_timeout.
        self._launcher.stop_within(CONF.graceful_shutdown_timeout)

    def reset(self):
        self._launcher.restart()


def serve_peers(name, host, port, make_services, workers):
    """``workers`` processes, each running ``make_services(index)`` (see
    Peer), until SIGTERM or SIGINT; oslo.service forks them and starts a
    peer that dies again."""
    _check_port(name, host, port)
    launcher = service.ProcessLauncher(CONF, restart_method='mutate')
    for index in range(workers):
        launcher.launch_service(Peer(index, make_services))
    launcher.wait()
