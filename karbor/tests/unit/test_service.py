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

"""Karbor's services on oslo.service: heartbeats, start failures and the
bound of a stop. Signals, SIGHUP and whole karbor-* processes are in
karbor/tests/functional/test_service_lifecycle.py."""

import logging
import signal
import socket
import subprocess
import sys
import time

from oslo_db import exception as db_exc
import oslo_messaging as messaging
from oslo_messaging import conffixture as messaging_fixture
import pytest

from karbor import context
from karbor.objects import service as service_objects
from karbor import rpc
from karbor import service


class IdleManager(object):
    target = messaging.Target(version='1.0')

    def start(self):
        pass

    def stop(self, timeout=None):
        pass


@pytest.fixture
def messaging_inproc(conf):
    fixture = messaging_fixture.ConfFixture(conf.conf, 'inproc:/')
    fixture.setUp()
    rpc.init(conf.conf)
    yield
    rpc.cleanup()
    fixture.cleanUp()


def _rows(binary):
    return service_objects.ServiceList.get_all(
        context.get_admin_context(), binary=binary).objects


def test_a_failed_heartbeat_is_logged_and_the_next_one_lands(
        conf, database, messaging_inproc, monkeypatch, caplog):
    conf.config(report_interval=1)
    real_heartbeat = service_objects.Service.heartbeat
    beats = []

    def database_hiccup_first(*args):
        beats.append(time.monotonic())
        if len(beats) == 1:
            raise db_exc.DBConnectionError('the database went away')
        return real_heartbeat(*args)

    monkeypatch.setattr(service_objects.Service, 'heartbeat',
                        database_hiccup_first)
    launcher = service.Launcher()
    rpc_service = service.RPCService('karbor-test', 'karbor-test-topic',
                                     IdleManager())
    with caplog.at_level(logging.INFO, logger='karbor.service'):
        launcher.launch_service(rpc_service)
        deadline = time.monotonic() + 10
        while len(beats) < 3 and time.monotonic() < deadline:
            time.sleep(0.1)
        launcher.stop()
        launcher.wait()

    assert len(beats) >= 3, beats
    # oslo.service's timer keeps its interval.
    assert 0.5 < beats[2] - beats[1] < 3
    (row,) = _rows('karbor-test')
    assert row.report_count == len(beats) - 1
    assert row.is_up
    messages = [record.getMessage() for record in caplog.records]
    assert ('karbor-test could not report its state: the database went '
            'away') in messages
    assert 'karbor-test reports its state again' in messages


def test_the_api_socket_is_bound_before_the_launcher_starts_anything():
    with socket.socket() as taken:
        taken.bind(('127.0.0.1', 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(OSError):
            service.WSGIService('karbor-api', None, '127.0.0.1', port, 1)


# A process of one service: start() raises, or stop() never returns.
PROBE = '''
import sys, time
from oslo_config import cfg
from karbor import service

class Probe(service.Service):
    def start_serving(self):
        if sys.argv[1] == 'start-fails':
            raise RuntimeError('no bank')
        print('started', flush=True)

    def stop(self, graceful=False):
        time.sleep(600)

cfg.CONF([], default_config_files=[])
cfg.CONF.set_override('graceful_shutdown_timeout', 2)
service.serve([Probe('karbor-probe')])
'''


def test_a_service_that_cannot_start_ends_its_process_with_status_1():
    result = subprocess.run([sys.executable, '-c', PROBE, 'start-fails'],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1, result.stderr
    assert 'karbor-probe could not start' in result.stderr
    assert 'RuntimeError: no bank' in result.stderr


def test_a_stop_that_outlasts_graceful_shutdown_timeout_ends_with_1():
    probe = subprocess.Popen([sys.executable, '-c', PROBE, 'stop-hangs'],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True)
    try:
        assert probe.stdout.readline() == 'started\n'
        probe.send_signal(signal.SIGTERM)
        signalled = time.monotonic()
        # Far less than the 600 s its stop would take, with room for a
        # loaded machine.
        probe.wait(timeout=60)
        took = time.monotonic() - signalled
    finally:
        probe.kill()
        probe.wait()
    assert probe.returncode == 1
    assert took >= 2
    assert 'Still stopping after graceful_shutdown_timeout (2 s), exiting ' \
        'now' in probe.stderr.read()
