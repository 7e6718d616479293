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

"""Pages of a list, walked by marker, on each database."""

import datetime

import pytest

from karbor import context
from karbor.db import api as db

DEMO = context.RequestContext(user_id='demo', project_id='demo',
                              is_admin=False)
ADMIN = context.RequestContext(user_id='admin', project_id=None,
                               is_admin=True)
START = datetime.datetime(2026, 12, 1, 12, 0, 0)


def _plans(project, count):
    """Plans whose times tie in pairs and whose every other plan was
    never updated (its updated_at NULL); their ids, in creation order."""
    ids = []
    for number in range(count):
        created = START + datetime.timedelta(seconds=number // 2)
        updated = (None if number % 2 else
                   created + datetime.timedelta(hours=(number * 7) % 5))
        ids.append(db.plan_create(DEMO, {
            'name': 'plan-%d' % (number % 3), 'provider_id': 'noop',
            'project_id': project, 'user_id': 'demo',
            'status': ('started', 'suspended')[number % 2],
            'parameters': {}, 'created_at': created, 'updated_at': updated,
            'resources': [{'id': project, 'type': 'OS::Keystone::Project',
                           'name': project}]}).id)
    return ids


def _walk(ctx, limit, **query):
    """Every plan of the pages of ``limit``, following each page's last
    plan as the next page's marker."""
    plans, marker = [], None
    while True:
        rows = db.plan_get_all(ctx, marker=marker, limit=limit, **query)
        page = list(dict.fromkeys(row.id for row in rows))
        assert len(page) <= limit
        plans += page
        if len(page) < limit:
            return plans
        marker = page[-1]


@pytest.mark.parametrize('sort_keys, sort_dirs', [
    (None, None),
    (['updated_at'], ['asc']),
    (['updated_at'], ['desc']),
    (['updated_at', 'name'], ['desc', 'asc']),
    (['status', 'updated_at', 'created_at'], ['asc', 'desc', 'asc']),
])
def test_pages_hold_each_plan_once_in_the_lists_order(
        each_database, sort_keys, sort_dirs):
    mine = _plans('demo', 11)
    theirs = _plans('alt', 3)
    query = dict(sort_keys=sort_keys, sort_dirs=sort_dirs)
    whole = list(dict.fromkeys(
        row.id for row in db.plan_get_all(DEMO, **query)))
    assert sorted(whole) == sorted(mine)
    for limit in (1, 2, 3):
        assert _walk(DEMO, limit, **query) == whole
    started = _walk(DEMO, 2, filters={'status': 'started'}, **query)
    assert started == [plan for plan in whole if mine.index(plan) % 2 == 0]
    everyone = _walk(ADMIN, 4, all_projects=True, **query)
    assert sorted(everyone) == sorted(mine + theirs)
