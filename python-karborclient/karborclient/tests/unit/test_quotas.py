#    Licensed under the Apache License, Version 2.0 (the "License"); you may
#    not use this file except in compliance with the License. You may obtain
#    a copy of the License at
#
#         http://www.apache.org/licenses/LICENSE-2.0
#
#    Unless required by applicable law or agreed to in writing, software
#    distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
#    WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
#    License for the specific language governing permissions and limitations
#    under the License.

"""The quota commands: python-karborclient 2.1.0's names and arguments,
what they send and print."""

import textwrap

from karborclient.tests.unit import fakes
from karborclient.v1 import client

OTHER = '690ccee85834425e973258252e0da888'


def test_quota_show_reads_the_callers_own_project_by_default(
        karbor, requests_mock):
    shown = requests_mock.get(fakes.url('/quotas/demo'), json={'quota': {
        'id': 'demo', 'plans': 50, 'checkpoints': -1}})

    result = karbor('quota-show')

    assert (result.status, shown.called) == (0, True)
    assert result.out == textwrap.dedent('''\
        +-------------+-------+
        | Property    | Value |
        +-------------+-------+
        | checkpoints | -1    |
        | id          | demo  |
        | plans       | 50    |
        +-------------+-------+
        ''')


def test_quota_show_detail_of_a_tenant_prints_each_usage(karbor,
                                                         requests_mock):
    requests_mock.get(fakes.url('/quotas/%s/detail' % OTHER), json={
        'quota': {'id': OTHER,
                  'plans': {'in_use': 2, 'reserved': 1, 'limit': 50}}})

    result = karbor('quota-show', '--tenant', OTHER, '--detail')

    assert result.status == 0
    assert result.out == textwrap.dedent('''\
        +----------+----------------------------------+
        | Property | Value                            |
        +----------+----------------------------------+
        | id       | 690ccee85834425e973258252e0da888 |
        | plans    | in_use = 2                       |
        |          | limit = 50                       |
        |          | reserved = 1                     |
        +----------+----------------------------------+
        ''')


def test_quota_defaults_reads_the_defaults(karbor, requests_mock):
    shown = requests_mock.get(fakes.url('/quotas/%s/defaults' % OTHER),
                              json={'quota': {'id': OTHER, 'plans': 50}})
    assert karbor('quota-defaults', '--tenant', OTHER).status == 0
    assert shown.called


def test_quota_update_sends_only_the_limits_given(karbor, requests_mock):
    updated = requests_mock.put(fakes.url('/quotas/%s' % OTHER), json={
        'quota': {'plans': 10, 'checkpoints': -1}})

    result = karbor('quota-update', OTHER, '--plans', '10')

    assert result.status == 0
    assert updated.last_request.json() == {'quota': {'plans': 10}}
    assert '| plans       | 10    |' in result.out

    karbor('quota-update', OTHER, '--checkpoints', '-1', '--plans', '3')
    assert updated.last_request.json() == {'quota': {'plans': 3,
                                                     'checkpoints': -1}}


def test_quota_update_without_a_limit_sends_nothing(karbor, requests_mock):
    updated = requests_mock.put(fakes.url('/quotas/%s' % OTHER), json={})
    result = karbor('quota-update', OTHER)
    assert result.status != 0
    assert 'Nothing to update: give --plans or --checkpoints' in result.err
    assert not updated.called


def test_quota_update_refusal_shows_the_servers_message(karbor,
                                                        requests_mock):
    requests_mock.put(fakes.url('/quotas/%s' % OTHER), status_code=400,
                      json=fakes.error('badRequest', 400,
                                       'The plans quota of project x '
                                       'cannot be 1: 2 are in use.'))
    result = karbor('quota-update', OTHER, '--plans', '1')
    assert result.status != 0
    assert 'cannot be 1: 2 are in use' in result.err


def test_quota_class_show_and_update(karbor, requests_mock):
    shown = requests_mock.get(fakes.url('/quota_classes/default'), json={
        'quota_class': {'id': 'default', 'plans': 50, 'checkpoints': -1}})
    updated = requests_mock.put(fakes.url('/quota_classes/default'), json={
        'quota_class': {'plans': 70, 'checkpoints': -1}})

    result = karbor('quota-class-show', 'default')
    assert (result.status, shown.called) == (0, True)
    assert '| id          | default |' in result.out

    result = karbor('quota-class-update', 'default', '--plans', '70')
    assert result.status == 0
    assert updated.last_request.json() == {'quota_class': {'plans': 70}}
    assert '| plans       | 70    |' in result.out


def test_the_library_reads_and_sets_quotas(requests_mock):
    karbor_client = client.Client(endpoint=fakes.KARBOR_URL,
                                  token='admin:demo')
    requests_mock.get(fakes.url('/quotas/%s/detail' % OTHER), json={
        'quota': {'id': OTHER, 'plans': {'in_use': 1, 'reserved': 0,
                                         'limit': 5}}})
    deleted = requests_mock.delete(fakes.url('/quotas/%s' % OTHER))
    requests_mock.put(fakes.url('/quota_classes/gold'), json={
        'quota_class': {'plans': 9, 'checkpoints': -1}})

    assert karbor_client.quotas.get(OTHER, detail=True).plans == {
        'in_use': 1, 'reserved': 0, 'limit': 5}
    karbor_client.quotas.delete(OTHER)
    assert deleted.called
    assert karbor_client.quota_classes.update('gold', {'plans': 9}).plans == 9
