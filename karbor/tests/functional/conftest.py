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

from karbor.tests.functional import fixtures


@pytest.fixture(scope='module')
def database():
    """A MariaDB database of the test module's own, dropped after it."""
    with fixtures.scratch_database() as name:
        yield name


@pytest.fixture(scope='module')
def karbor_all(tmp_path_factory):
    """karbor-all on a free port with a state directory of its own."""
    state = tmp_path_factory.mktemp('state')
    port = fixtures.free_port()
    conf = fixtures.write_config(str(state / 'karbor.conf'), {
        'DEFAULT': {'state_path': str(state),
                    'osapi_karbor_listen_port': port}})
    process = fixtures.Process('karbor-all', ['--config-file', conf],
                               str(state))
    url = 'http://127.0.0.1:%s' % port
    try:
        fixtures.wait_for_api(url + '/', process)
        yield url
    finally:
        process.stop()
