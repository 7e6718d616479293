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

from karbor.tests.fullstack import cloud
from karbor.tests.fullstack import resources

# Every name the fullstack tests give, and those Karbor gives the backups
# and snapshots of a checkpoint ("karbor-<checkpoint id>").
TEST_PREFIXES = ('kfs-', 'karbor-')


@pytest.fixture(scope='session', autouse=True)
def no_leftovers_of_earlier_runs():
    """The cloud outlives a test run; a run that was cut short leaves
    servers, volumes, backups and images behind, and a plan over the whole
    project would protect them too. They go before the tests start."""
    if cloud.missing('demo', 'alt') is None:
        for user in ('demo', 'alt'):
            resources.Tenant(user).clean_up(TEST_PREFIXES)
