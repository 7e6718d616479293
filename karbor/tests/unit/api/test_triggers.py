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

"""Triggers through the API's pipeline, as python-karborclient and the
dashboard use them: the original's shape, each project its own, and bad
properties refused with a message that names them."""

import re

import pytest

TRIGGERS = '/v1/%s/triggers'
UNKNOWN = '5bd8b1a7-6b7e-4b0e-8d3e-1c1b3a0d9a10'
HOURLY = 'BEGIN:VEVENT\nRRULE:FREQ=HOURLY;INTERVAL=1;\nEND:VEVENT'
NIGHTLY = '0 2 * * *'


def _fault(response, status):
    assert response.status_int == status, response.text
    (body,) = response.json.values()
    assert body['code'] == status
    return body['message']


def _create(karbor, project='demo', **properties):
    properties = properties or {'format': 'crontab', 'pattern': NIGHTLY}
    return karbor('POST', TRIGGERS % project, {'trigger_info': {
        'name': 'nightly', 'type': 'time', 'properties': properties}},
        project=project)


def test_a_trigger_is_created_shown_listed_updated_and_deleted(karbor):
    response = _create(karbor, format='calendar', pattern=HOURLY,
                       start_time='2026-12-17T08:30:00',
                       end_time='2027-03-17T08:30:00', window='1800')
    assert response.status_int == 200
    trigger = response.json['trigger_info']
    assert sorted(trigger) == ['id', 'name', 'properties', 'type']
    assert trigger['properties'] == {
        'format': 'calendar', 'pattern': HOURLY,
        'start_time': '2026-12-17T08:30:00',
        'end_time': '2027-03-17T08:30:00', 'window': '1800'}
    url = TRIGGERS % 'demo' + '/' + trigger['id']
    assert karbor('GET', url).json == {'trigger_info': trigger}
    assert karbor('GET', TRIGGERS % 'demo').json == {'triggers': [trigger]}

    response = karbor('PUT', url, {'trigger_info': {
        'name': 'weekly', 'properties': {
            'format': 'crontab', 'pattern': '0 3 * * 0',
            'start_time': '2026-12-20 03:00:00'}}})
    assert response.status_int == 200
    updated = response.json['trigger_info']
    assert updated['name'] == 'weekly'
    assert updated['properties'] == {'format': 'crontab',
                                     'pattern': '0 3 * * 0',
                                     'start_time': '2026-12-20 03:00:00'}
    assert karbor('GET', url).json == {'trigger_info': updated}

    response = karbor('DELETE', url)
    assert (response.status_int, response.body) == (200, b'')
    assert 'could not be found' in _fault(karbor('GET', url), 404)


def test_the_server_fills_in_the_start_time_and_the_format(karbor, conf):
    properties = _create(karbor, pattern=HOURLY).json['trigger_info'][
        'properties']
    assert properties['format'] == conf.conf.time_format == 'calendar'
    assert re.fullmatch(r'\d{4}-\d\d-\d\d \d\d:\d\d:\d\d',
                        properties['start_time'])


def test_triggers_page_with_marker_and_limit(karbor):
    made = [_create(karbor).json['trigger_info']['id'] for _ in range(3)]
    first = karbor('GET', TRIGGERS % 'demo', query='limit=2').json
    ids = [trigger['id'] for trigger in first['triggers']]
    (link,) = first['triggers_links']
    assert 'marker=%s' % ids[-1] in link['href']
    rest = karbor('GET', TRIGGERS % 'demo',
                  query='marker=%s' % ids[-1]).json['triggers']
    assert sorted(ids + [trigger['id'] for trigger in rest]) == sorted(made)
    assert 'could not be found' in _fault(
        karbor('GET', TRIGGERS % 'demo', query='marker=' + UNKNOWN), 404)


def test_a_project_never_sees_another_projects_triggers(karbor):
    trigger = _create(karbor).json['trigger_info']
    url = TRIGGERS % 'alt' + '/' + trigger['id']
    assert karbor('GET', TRIGGERS % 'alt', project='alt').json == {
        'triggers': []}
    for method, body in (('GET', None), ('DELETE', None),
                         ('PUT', {'trigger_info': {'name': 'mine'}})):
        _fault(karbor(method, url, body, project='alt'), 404)
    shown = karbor('GET', TRIGGERS % 'demo' + '/' + trigger['id'])
    assert shown.json == {'trigger_info': trigger}


@pytest.mark.parametrize('trigger_type, properties, words', [
    ('hourly', {'pattern': NIGHTLY}, 'Invalid trigger type: hourly'),
    ('time', {'format': 'crontab', 'pattern': '61 * * * *'}, '61 * * * *'),
    ('time', {'format': 'crontab', 'pattern': '*/5 * * * *'},
     'min_interval'),
    ('time', {'format': 'calendar',
              'pattern': 'BEGIN:VEVENT\nRRULE:FREQ=MINUTELY\nEND:VEVENT'},
     'min_interval'),
    ('time', {'format': 'sundial', 'pattern': NIGHTLY}, 'sundial'),
    ('time', {'format': 'crontab'}, 'pattern'),
    ('time', {'format': 'crontab', 'pattern': NIGHTLY, 'window': '5'},
     'window'),
    ('time', {'format': 'crontab', 'pattern': NIGHTLY, 'window': 'soon'},
     'window'),
    ('time', {'format': 'crontab', 'pattern': NIGHTLY,
              'start_time': '2026-12-17 08:30:00',
              'end_time': '2026-12-16 08:30:00'}, 'end_time'),
    ('time', {'format': 'crontab', 'pattern': NIGHTLY,
              'start_time': 'tomorrow'}, 'start_time'),
    ('time', {'format': 'crontab', 'pattern': NIGHTLY, 'colour': 'red'},
     'colour'),
])
def test_bad_triggers_are_refused_with_a_message_and_not_stored(
        karbor, trigger_type, properties, words):
    response = karbor('POST', TRIGGERS % 'demo', {'trigger_info': {
        'name': 'bad', 'type': trigger_type, 'properties': properties}})
    assert words in _fault(response, 400)
    assert karbor('GET', TRIGGERS % 'demo').json == {'triggers': []}


def test_an_update_with_bad_properties_changes_nothing(karbor):
    trigger = _create(karbor).json['trigger_info']
    url = TRIGGERS % 'demo' + '/' + trigger['id']
    response = karbor('PUT', url, {'trigger_info': {
        'name': 'renamed', 'properties': {'format': 'crontab',
                                          'pattern': 'every night'}}})
    assert 'every night' in _fault(response, 400)
    assert karbor('GET', url).json == {'trigger_info': trigger}
    assert 'Invalid trigger id' in _fault(
        karbor('GET', TRIGGERS % 'demo' + '/not-a-uuid'), 400)


def test_an_update_keeps_the_start_time_and_a_rename_keeps_the_properties(
        karbor):
    trigger = _create(karbor, format='crontab', pattern=NIGHTLY,
                      start_time='2026-12-17 08:30:00').json['trigger_info']
    url = TRIGGERS % 'demo' + '/' + trigger['id']
    response = karbor('PUT', url, {'trigger_info': {
        'properties': {'format': 'crontab', 'pattern': '0 4 * * *'}}})
    assert response.json['trigger_info']['properties'] == {
        'format': 'crontab', 'pattern': '0 4 * * *',
        'start_time': '2026-12-17 08:30:00'}
    # What python-karborclient 2.1.0 sends for "trigger-update --name".
    response = karbor('PUT', url, {'trigger_info': {'name': 'early',
                                                    'properties': {}}})
    assert response.json['trigger_info']['name'] == 'early'
    assert response.json['trigger_info']['properties']['pattern'] == (
        '0 4 * * *')
