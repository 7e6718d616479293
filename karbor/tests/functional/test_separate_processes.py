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

"""karbor-api (two worker processes), karbor-protection and
karbor-operationengine as separate processes on the machine's MariaDB and
RabbitMQ: a real deployment's shape.
"""

import os
import signal
import subprocess
import time

import pymysql
import pytest
import requests

from karbor.tests.functional import fixtures
from karbor.tests.functional import journey


@pytest.fixture(scope='module')
def deployment(tmp_path_factory, database):
    state = tmp_path_factory.mktemp('deployment')
    options, url = fixtures.separate_processes_options(state, database)
    options['DEFAULT']['report_interval'] = 1
    options['DEFAULT']['osapi_karbor_workers'] = 2
    conf = fixtures.write_config(str(state / 'karbor.conf'), options)
    fixtures.db_sync(conf)
    args = ['--config-file', conf]
    processes = [fixtures.Process(name, args, str(state))
                 for name in ('karbor-protection', 'karbor-operationengine',
                              'karbor-api')]
    try:
        fixtures.wait_for_service(database, options['DEFAULT']['host'],
                                  processes[0])
        fixtures.wait_for_api(url + '/', processes[-1])
        yield url, args, database, options
    finally:
        for process in reversed(processes):
            process.stop()


def test_walkthrough_across_separate_processes(deployment):
    """karbor-api holds no provider: every checkpoint step crossed
    RabbitMQ to karbor-protection; plans and restores are in MariaDB."""
    url, _args, database, _options = deployment
    ids = journey.walk(fixtures.Cli(url, 'demo', 'demo'))
    connection = pymysql.connect(database=database, **fixtures.MYSQL)
    with connection.cursor() as cursor:
        cursor.execute('SELECT name, project_id FROM plans WHERE id = %s',
                       (ids['plan'],))
        assert cursor.fetchone() == ('Plan1', 'demo')
        cursor.execute('SELECT status FROM restores WHERE id = %s',
                       (ids['restore'],))
        assert cursor.fetchone() == ('success',)
    connection.close()


def test_services_report_to_the_database(deployment):
    _url, args, _database, _options = deployment
    listing = subprocess.run(
        [fixtures.BIN + '/karbor-manage'] + args + ['service', 'list'],
        check=True, capture_output=True, text=True).stdout
    rows = [line.split() for line in listing.splitlines()[1:]]
    binaries = {row[0]: row[3] for row in rows}
    assert binaries == {'karbor-protection': 'up',
                        'karbor-operationengine': 'up'}


def _workers(process):
    found = subprocess.run(['pgrep', '-P', str(process.popen.pid)],
                           capture_output=True, text=True).stdout
    return sorted(int(pid) for pid in found.split())


def _cpu_ticks(pid):
    """User and system time of ``pid``, in clock ticks."""
    with open('/proc/%d/stat' % pid) as stat:
        fields = stat.read().rpartition(')')[2].split()
    return int(fields[11]) + int(fields[12])


def _plan_lists(url, count):
    for _ in range(count):
        response = requests.get(url + '/v1/demo/plans', headers={
            'X-Auth-Token': 'demo:demo', 'Connection': 'close'}, timeout=30)
        assert response.status_code == 200, response.text


def test_api_workers_share_connections_and_one_that_dies_is_replaced(
        deployment, tmp_path):
    _url, _args, _database, options = deployment
    port = fixtures.free_port()
    options = dict(options, DEFAULT=dict(
        options['DEFAULT'], osapi_karbor_listen_port=port))
    conf = fixtures.write_config(str(tmp_path / 'karbor.conf'), options)
    url = 'http://127.0.0.1:%d' % port
    api = fixtures.Process('karbor-api', ['--config-file', conf],
                           str(tmp_path))
    try:
        fixtures.wait_for_api(url + '/', api)
        workers = _workers(api)
        assert len(workers) == 2
        before = {pid: _cpu_ticks(pid) for pid in workers}
        _plan_lists(url, 200)
        # Each worker answered a share: each spent CPU time on it (200
        # lists take a second or more of it in all).
        assert all(_cpu_ticks(pid) - before[pid] >= 10 for pid in workers)

        os.kill(workers[0], signal.SIGKILL)
        deadline = time.monotonic() + 60
        while not (len(_workers(api)) == 2
                   and workers[0] not in _workers(api)):
            assert time.monotonic() < deadline, api.log()
            time.sleep(0.2)
        _plan_lists(url, 20)

        workers = _workers(api)
        api.popen.send_signal(signal.SIGTERM)
        assert api.popen.wait(timeout=60) == 0, api.log()
        for pid in workers:
            with pytest.raises(ProcessLookupError):
                os.kill(pid, 0)
    finally:
        api.stop()
