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

"""Checkpoints through the API and karbor-protection, as karbor-all runs
them: what create, show and list answer, and their pages."""

import json

import pytest

from karbor.tests.unit.api import conftest

NOOP = conftest.NOOP
CHECKPOINTS = '/v1/demo/providers/%s/checkpoints' % NOOP
ASK = 'OpenStack-API-Version'


@pytest.mark.parametrize('version', ['1.0', '1.1', '1.2'])
def test_a_checkpoint_is_shown_alike_by_its_show_and_its_listing(
        noauth, version):
    plan = noauth.create_plan(name='Caf\u00e9 "plan"', description='\u2603')
    response = noauth('POST', CHECKPOINTS, {'checkpoint': {
        'plan_id': plan['id'], 'extra_info': {'by': '\u00e9\n'}}})
    created = response.json['checkpoint']
    noauth.wait_for_operations()
    headers = {ASK: 'data-protect %s' % version}
    shown = noauth('GET', CHECKPOINTS + '/' + created['id'],
                   headers=headers).json['checkpoint']
    listed = noauth('GET', CHECKPOINTS, headers=headers).json

    assert response.content_type == 'application/json'
    assert shown['protection_plan']['name'] == 'Caf\u00e9 "plan"'
    # The graph and extra_info are JSON text in a string, as the
    # original gave them.
    assert json.loads(shown['extra_info']) == {'by': '\u00e9\n'}
    assert json.loads(shown['resource_graph']) == [
        {'0x0': [conftest.PROJECT_TYPE, 'demo', 'demo']}, []]
    assert created['resource_graph'] is None
    assert {name: value for name, value in shown.items()
            if name not in ('status', 'resource_graph', 'resources_status',
                            'resources_reason', 'restores_in_progress',
                            'verifications_in_progress')} == {
        name: value for name, value in created.items()
        if name not in ('status', 'resource_graph', 'resources_status',
                        'resources_reason')}
    readers = {'restores_in_progress', 'verifications_in_progress'}
    assert listed == {'checkpoints': [
        {name: value for name, value in shown.items()
         if name not in readers}]}


def test_checkpoints_page_with_marker_limit_and_next_link(noauth):
    plan = noauth.create_plan()
    made = [noauth.create_checkpoint(plan)['id'] for _ in range(3)]
    noauth.wait_for_operations()
    first = noauth('GET', CHECKPOINTS, query='limit=2&sort=created_at:asc')
    page = first.json['checkpoints']
    assert [checkpoint['id'] for checkpoint in page] == made[:2]
    (link,) = first.json['checkpoints_links']
    assert link['rel'] == 'next'
    assert 'marker=%s' % made[1] in link['href']
    assert 'limit=2' in link['href']
    rest = noauth('GET', CHECKPOINTS, query=link['href'].split('?', 1)[1])
    assert [checkpoint['id'] for checkpoint in rest.json['checkpoints']] == [
        made[2]]
    assert 'checkpoints_links' not in rest.json
