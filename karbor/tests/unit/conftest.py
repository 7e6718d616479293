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

import pytest
from oslo_config import cfg
from oslo_config import fixture as config_fixture

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


@pytest.fixture
def database(conf, tmp_path):
    """A migrated SQLite database of this test's own."""
    db_api.dispose_engine()
    conf.config(connection='sqlite:///%s' % (tmp_path / 'karbor.sqlite'),
                group='database')
    migration.db_sync()
    yield
    db_api.dispose_engine()
