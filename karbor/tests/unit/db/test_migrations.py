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

"""The alembic migrations build exactly the schema the models describe."""

import shutil
import tempfile
import unittest

from oslo_config import cfg
from oslo_db.sqlalchemy import test_migrations
import sqlalchemy as sa
from taskflow.persistence.backends.sqlalchemy import tables as \
    taskflow_tables

from karbor.common import config  # noqa: F401
from karbor.db import api as db_api
from karbor.db import migration
from karbor.db.sqlalchemy import models

_TASKFLOW_TABLES = ('logbooks', 'flowdetails', 'atomdetails')
_NOT_MODELS = ('alembic_version',) + _TASKFLOW_TABLES


class TestModelsMatchMigrations(test_migrations.ModelsMigrationsSync,
                                unittest.TestCase):

    def setUp(self):
        super().setUp()
        directory = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, directory)
        db_api.dispose_engine()
        cfg.CONF.set_override('connection', 'sqlite:///%s/m.sqlite'
                              % directory, group='database')
        self.addCleanup(cfg.CONF.clear_override, 'connection',
                        group='database')
        self.addCleanup(db_api.dispose_engine)

    def get_engine(self):
        return db_api.get_engine()

    def get_metadata(self):
        return models.BASE.metadata

    def db_sync(self, engine):
        migration.db_sync()

    def include_object(self, object_, name, type_, reflected, compare_to):
        # alembic's bookkeeping and TaskFlow's tables are not models.
        return not (type_ == 'table' and name in _NOT_MODELS)


def test_db_sync_brings_an_empty_database_to_the_newest_revision(
        conf, tmp_path):
    db_api.dispose_engine()
    conf.config(connection='sqlite:///%s' % (tmp_path / 'new.sqlite'),
                group='database')
    try:
        assert migration.db_version() is None
        migration.db_sync()
        assert migration.db_version() == '0007'
    finally:
        db_api.dispose_engine()


def test_taskflow_tables_have_the_columns_taskflow_uses(conf, tmp_path):
    db_api.dispose_engine()
    conf.config(connection='sqlite:///%s' % (tmp_path / 'tf.sqlite'),
                group='database')
    try:
        migration.db_sync()
        made = sa.inspect(db_api.get_engine())
        wanted = taskflow_tables.fetch(sa.MetaData())
        for table in wanted:
            columns = {column['name']: column
                       for column in made.get_columns(table.name)}
            assert sorted(columns) == sorted(table.columns.keys())
            for column in table.columns:
                assert columns[column.name]['nullable'] == column.nullable, (
                    table.name, column.name)
    finally:
        db_api.dispose_engine()
