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

"""Writers of one record at the same time, on SQLite and MariaDB."""

import concurrent.futures

VOLUME = 'OS::Cinder::Volume'
WRITERS = 6


def _update(stored, plan_id, writer):
    response = stored('PUT', '/v1/demo/plans/' + plan_id, {'plan': {
        'name': 'writer-%d' % writer,
        'resources': [{'id': 'vol-%d-%d' % (writer, index), 'type': VOLUME,
                       'name': 'v'} for index in range(20)]}})
    assert response.status_int == 200, response.text


def test_concurrent_plan_updates_never_mix(stored):
    plan = stored.create_plan()
    with concurrent.futures.ThreadPoolExecutor(WRITERS) as pool:
        list(pool.map(lambda writer: _update(stored, plan['id'], writer),
                      range(WRITERS)))
    shown = stored('GET', '/v1/demo/plans/' + plan['id']).json['plan']
    writer = int(shown['name'].split('-')[1])
    assert sorted(resource['id'] for resource in shown['resources']) == \
        sorted('vol-%d-%d' % (writer, index) for index in range(20))
