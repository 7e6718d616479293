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

import uuid

from oslo_config import cfg
from oslo_config import fixture as config_fixture
import psycopg
import pymysql
import pytest

from karbor.common import config  # noqa: F401  (registers the options)
from karbor.db import api as db_api
from karbor.db import migration
from karbor import objects
from karbor import policy

objects.register_all()


@pytest.fixture
def conf(tmp_path):
    fixture = config_fixture.Config(cfg.CONF)
    fixture.setUp()
    cfg.CONF([], project='karbor', default_config_files=[])
    fixture.config(state_path=str(tmp_path))
    yield fixture
    fixture.cleanUp()
    policy.reset()


def _migrated(conf, connection):
    db_api.dispose_engine()
    conf.config(connection=connection, group='database')
    migration.db_sync()


@pytest.fixture
def database(conf, tmp_path):
    """A migrated SQLite database of this test's own."""
    _migrated(conf, 'sqlite:///%s' % (tmp_path / 'karbor.sqlite'))
    yield
    db_api.dispose_engine()


@pytest.fixture
def mariadb():
    """A MariaDB database of the test's own, dropped after it."""
    name = 'karbor_ut_%s' % uuid.uuid4().hex[:8]
    admin = pymysql.connect(host='127.0.0.1', user='root')
    with admin.cursor() as cursor:
        cursor.execute('CREATE DATABASE %s CHARACTER SET utf8mb4' % name)
    try:
        yield 'mysql+pymysql://root@127.0.0.1/%s?charset=utf8mb4' % name
    finally:
        with admin.cursor() as cursor:
            cursor.execute('DROP DATABASE %s' % name)
        admin.close()


@pytest.fixture
def postgresql():
    """A PostgreSQL database of the test's own, dropped after it."""
    name = 'karbor_ut_%s' % uuid.uuid4().hex[:8]
    admin = psycopg.connect('host=127.0.0.1 user=postgres dbname=postgres',
                            autocommit=True)
    admin.execute('CREATE DATABASE %s' % name)
    try:
        yield 'postgresql+psycopg://postgres@127.0.0.1/%s' % name
    finally:
        admin.execute('DROP DATABASE %s WITH (FORCE)' % name)
        admin.close()


def connection_of(request, tmp_path):
    """The connection of the database a fixture's ``request.param`` names
    ('sqlite', 'mariadb' or 'postgresql'), the test's own."""
    if request.param == 'sqlite':
        return 'sqlite:///%s' % (tmp_path / 'karbor.sqlite')
    return request.getfixturevalue(request.param)


@pytest.fixture(params=['sqlite', 'mariadb', 'postgresql'])
def each_database(request, conf, tmp_path):
    """A migrated database of this test's own, on SQLite, MariaDB and
    PostgreSQL."""
    _migrated(conf, connection_of(request, tmp_path))
    yield
    db_api.dispose_engine()
