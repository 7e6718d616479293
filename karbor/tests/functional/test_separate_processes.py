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

"""karbor-api, karbor-protection and karbor-operationengine as separate
processes on the machine's MariaDB and RabbitMQ: a real deployment's shape.
"""

import subprocess

import pymysql
import pytest

from karbor.tests.functional import fixtures
from karbor.tests.functional import journey


@pytest.fixture(scope='module')
def deployment(tmp_path_factory, database):
    state = tmp_path_factory.mktemp('deployment')
    options, url = fixtures.separate_processes_options(state, database)
    options['DEFAULT']['report_interval'] = 1
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
        yield url, args, database
    finally:
        for process in reversed(processes):
            process.stop()


def test_walkthrough_across_separate_processes(deployment):
    """karbor-api holds no provider: every checkpoint step crossed
    RabbitMQ to karbor-protection; plans and restores are in MariaDB."""
    url, _args, database = deployment
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
    _url, args, _database = deployment
    listing = subprocess.run(
        [fixtures.BIN + '/karbor-manage'] + args + ['service', 'list'],
        check=True, capture_output=True, text=True).stdout
    rows = [line.split() for line in listing.splitlines()[1:]]
    binaries = {row[0]: row[3] for row in rows}
    assert binaries == {'karbor-protection': 'up',
                        'karbor-operationengine': 'up'}
