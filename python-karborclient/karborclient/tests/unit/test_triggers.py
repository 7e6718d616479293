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

"""The trigger commands: python-karborclient 2.1.0's arguments, and what
they send and print."""

import textwrap

from karborclient.tests.unit import fakes

TRIGGER_ID = '2a9ce1f3-cc1a-4516-9435-0ebb13caa398'


def trigger(**properties):
    return {'id': TRIGGER_ID, 'name': 'nightly', 'type': 'time',
            'properties': dict({'format': 'crontab',
                                'pattern': '0 2 * * 1,3',
                                'start_time': '2026-12-17 08:30:00'},
                               **properties)}


def test_trigger_create_sends_the_properties_and_shows_the_trigger(
        karbor, requests_mock):
    create = requests_mock.post(fakes.url('/triggers'), json={
        'trigger_info': trigger(window=3600)})

    result = karbor('trigger-create', 'nightly', 'time',
                    'format=crontab,pattern=0 2 * * 1,3,window=3600')

    assert result.status == 0
    # The pattern keeps its comma; the window is a number, as 2.1.0 sends.
    assert create.last_request.json() == {'trigger_info': {
        'name': 'nightly', 'type': 'time', 'properties': {
            'format': 'crontab', 'pattern': '0 2 * * 1,3', 'window': 3600}}}
    assert result.out == textwrap.dedent('''\
        +------------+----------------------------------------+
        | Property   | Value                                  |
        +------------+----------------------------------------+
        | id         | 2a9ce1f3-cc1a-4516-9435-0ebb13caa398   |
        | name       | nightly                                |
        | properties | {                                      |
        |            |   "format": "crontab",                 |
        |            |   "pattern": "0 2 * * 1,3",            |
        |            |   "start_time": "2026-12-17 08:30:00", |
        |            |   "window": 3600                       |
        |            | }                                      |
        | type       | time                                   |
        +------------+----------------------------------------+
        ''')


def test_trigger_create_refuses_properties_that_do_not_parse(karbor):
    result = karbor('trigger-create', 'nightly', 'time', 'pattern')
    assert result.status != 0
    assert 'key=value' in result.err
    result = karbor('trigger-create', 'nightly', 'time',
                    'pattern=0 2 * * *,window=soon')
    assert 'window must be a number of seconds' in result.err


def test_trigger_list_filters_and_prints_the_properties(karbor,
                                                        requests_mock):
    listed = requests_mock.get(fakes.url('/triggers'),
                               json={'triggers': [trigger()]})

    result = karbor('trigger-list', '--type', 'time', '--name', 'nightly')

    assert result.status == 0
    assert listed.last_request.qs == {'type': ['time'], 'name': ['nightly']}
    header = result.out.splitlines()[1]
    assert [title.strip() for title in header.split('|')[1:-1]] == [
        'Id', 'Name', 'Type', 'Properties']
    assert '"pattern": "0 2 * * 1,3",' in result.out


def test_trigger_update_sends_only_what_changes(karbor, requests_mock):
    update = requests_mock.put(fakes.url('/triggers/%s' % TRIGGER_ID),
                               json={'trigger_info': trigger()})

    assert karbor('trigger-update', TRIGGER_ID, '--name', 'early').status == 0
    assert update.last_request.json() == {'trigger_info': {'name': 'early'}}

    result = karbor('trigger-update', TRIGGER_ID)
    assert result.status != 0
    assert 'Nothing to update' in result.err


def test_trigger_show_and_delete(karbor, requests_mock):
    url = fakes.url('/triggers/%s' % TRIGGER_ID)
    requests_mock.get(url, json={'trigger_info': trigger()})
    delete = requests_mock.delete(url)

    assert '| type       | time' in karbor('trigger-show', TRIGGER_ID).out
    assert karbor('trigger-delete', TRIGGER_ID) == (0, '', '')
    assert delete.called_once
