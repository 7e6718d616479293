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

"""The checkpoint walkthrough of the user guide, command by command.

Each test runs one step against a fake Karbor and compares what the user
sees with the table the guide shows.
"""

import re
import textwrap

from karborclient.tests.unit import fakes


def table(text):
    return textwrap.dedent(text).lstrip('\n')


def test_provider_list_prints_id_name_description_sorted_by_id(
        karbor, requests_mock):
    requests_mock.get(fakes.url('/providers'), json={'providers': [
        {'id': fakes.PROVIDER_ID, 'name': 'OS Infra Provider',
         'description': 'Uses swift and cinder', 'extended_info_schema': {}},
        {'id': 'b766f37c-d011-4026-8228-28730d734a3f',
         'name': 'No-Op Provider', 'description': 'Does nothing',
         'extended_info_schema': {}},
    ]})

    result = karbor('provider-list')

    assert result.status == 0
    assert result.out == table('''
        +--------------------------------------+-------------------+-----------------------+
        | Id                                   | Name              | Description           |
        +--------------------------------------+-------------------+-----------------------+
        | b766f37c-d011-4026-8228-28730d734a3f | No-Op Provider    | Does nothing          |
        | cf56bd3e-97a7-4078-b6d5-f36246333fd9 | OS Infra Provider | Uses swift and cinder |
        +--------------------------------------+-------------------+-----------------------+
        ''')


def test_protectable_list_prints_one_sorted_column(karbor, requests_mock):
    requests_mock.get(fakes.url('/protectables'), json={'protectable_type': [
        'OS::Keystone::Project', 'OS::Cinder::Volume', 'OS::Glance::Image',
        'OS::Nova::Server']})

    result = karbor('protectable-list')

    assert result.out == table('''
        +-----------------------+
        | Protectable type      |
        +-----------------------+
        | OS::Cinder::Volume    |
        | OS::Glance::Image     |
        | OS::Keystone::Project |
        | OS::Nova::Server      |
        +-----------------------+
        ''')


def test_plan_create_prints_the_plan_with_resources_as_indented_json(
        karbor, requests_mock):
    requests_mock.get(
        fakes.url('/protectables/OS::Cinder::Volume/instances/%s'
                  % fakes.VOLUME_ID),
        json={'instance': dict(fakes.VOLUME, dependent_resources=[])})
    requests_mock.post(fakes.url('/plans'), json={'plan': fakes.plan()})

    result = karbor('plan-create', 'Plan1', fakes.PROVIDER_ID,
                    '%s=OS::Cinder::Volume=Volume1' % fakes.VOLUME_ID)

    assert (result.status, result.err) == (0, '')
    assert result.out == table('''
        +-------------+---------------------------------------------------+
        | Property    | Value                                             |
        +-------------+---------------------------------------------------+
        | description | None                                              |
        | id          | 81ac01b7-0a69-4b0b-8ef5-bd46a900c90a              |
        | name        | Plan1                                             |
        | parameters  | {}                                                |
        | provider_id | cf56bd3e-97a7-4078-b6d5-f36246333fd9              |
        | resources   | [                                                 |
        |             |   {                                               |
        |             |     "id": "286a43e9-3899-4983-965f-d8b1faef5e58", |
        |             |     "name": "Volume1",                            |
        |             |     "type": "OS::Cinder::Volume"                  |
        |             |   }                                               |
        |             | ]                                                 |
        | status      | suspended                                         |
        +-------------+---------------------------------------------------+
        ''')


CHECKPOINT_PROTECTING = table('''
    +-----------------+----------------------------------------------------------+
    | Property        | Value                                                    |
    +-----------------+----------------------------------------------------------+
    | created_at      | None                                                     |
    | extra_info      | None                                                     |
    | id              | c1112037-b19c-421a-83c9-dd209e785189                     |
    | project_id      | 690ccee85834425e973258252e0da888                         |
    | protection_plan | {                                                        |
    |                 |   "id": "81ac01b7-0a69-4b0b-8ef5-bd46a900c90a",          |
    |                 |   "name": "Plan1",                                       |
    |                 |   "provider_id": "cf56bd3e-97a7-4078-b6d5-f36246333fd9", |
    |                 |   "resources": [                                         |
    |                 |     {                                                    |
    |                 |       "id": "286a43e9-3899-4983-965f-d8b1faef5e58",      |
    |                 |       "name": "Volume1",                                 |
    |                 |       "type": "OS::Cinder::Volume"                       |
    |                 |     }                                                    |
    |                 |   ]                                                      |
    |                 | }                                                        |
    | resource_graph  | None                                                     |
    | status          | protecting                                               |
    +-----------------+----------------------------------------------------------+
    ''')


def test_checkpoint_create_prints_the_protecting_checkpoint(
        karbor, requests_mock):
    requests_mock.post(
        fakes.url('/providers/%s/checkpoints' % fakes.PROVIDER_ID),
        json={'checkpoint': fakes.checkpoint()})

    result = karbor('checkpoint-create', fakes.PROVIDER_ID, fakes.PLAN_ID)

    assert result.status == 0
    assert result.out == CHECKPOINT_PROTECTING


CHECKPOINT_AVAILABLE = table('''
    +-----------------+----------------------------------------------------------+
    | Property        | Value                                                    |
    +-----------------+----------------------------------------------------------+
    | created_at      | 2017-03-27                                               |
    | extra_info      | None                                                     |
    | id              | c1112037-b19c-421a-83c9-dd209e785189                     |
    | project_id      | 690ccee85834425e973258252e0da888                         |
    | protection_plan | {                                                        |
    |                 |   "id": "81ac01b7-0a69-4b0b-8ef5-bd46a900c90a",          |
    |                 |   "name": "Plan1",                                       |
    |                 |   "provider_id": "cf56bd3e-97a7-4078-b6d5-f36246333fd9", |
    |                 |   "resources": [                                         |
    |                 |     {                                                    |
    |                 |       "id": "286a43e9-3899-4983-965f-d8b1faef5e58",      |
    |                 |       "name": "Volume1",                                 |
    |                 |       "type": "OS::Cinder::Volume"                       |
    |                 |     }                                                    |
    |                 |   ]                                                      |
    |                 | }                                                        |
    | resource_graph  | [                                                        |
    |                 |   {                                                      |
    |                 |     "0x0": [                                             |
    |                 |       "OS::Cinder::Volume",                              |
    |                 |       "286a43e9-3899-4983-965f-d8b1faef5e58",            |
    |                 |       "Volume1"                                          |
    |                 |     ]                                                    |
    |                 |   },                                                     |
    |                 |   []                                                     |
    |                 | ]                                                        |
    | status          | available                                                |
    +-----------------+----------------------------------------------------------+
    ''')


def _no_restores_reading(requests_mock):
    requests_mock.get(fakes.url('/restores'), json={'restores': []})


def test_checkpoint_show_decodes_the_resource_graph_and_indents_it(
        karbor, requests_mock):
    requests_mock.get(fakes.checkpoint_url(),
                      json={'checkpoint': fakes.available_checkpoint()})
    _no_restores_reading(requests_mock)

    result = karbor('checkpoint-show', fakes.PROVIDER_ID,
                    fakes.CHECKPOINT_ID)

    assert result.status == 0
    assert result.out == CHECKPOINT_AVAILABLE


def test_restore_create_prints_the_restore_in_progress(karbor,
                                                       requests_mock):
    requests_mock.post(fakes.url('/restores'),
                       json={'restore': fakes.restore()})

    result = karbor('restore-create', fakes.PROVIDER_ID, fakes.CHECKPOINT_ID)

    assert result.out == table('''
        +------------------+--------------------------------------+
        | Property         | Value                                |
        +------------------+--------------------------------------+
        | checkpoint_id    | c1112037-b19c-421a-83c9-dd209e785189 |
        | id               | 2c9dea83-3e12-4fa1-80af-16f02b5738ef |
        | parameters       | {}                                   |
        | project_id       | 690ccee85834425e973258252e0da888     |
        | provider_id      | cf56bd3e-97a7-4078-b6d5-f36246333fd9 |
        | resources_reason | {}                                   |
        | resources_status | {}                                   |
        | restore_target   | None                                 |
        | status           | in_progress                          |
        +------------------+--------------------------------------+
        ''')


RESTORE_SUCCESS = table('''
    +------------------+--------------------------------------------------------------------------+
    | Property         | Value                                                                    |
    +------------------+--------------------------------------------------------------------------+
    | checkpoint_id    | c1112037-b19c-421a-83c9-dd209e785189                                     |
    | id               | 2c9dea83-3e12-4fa1-80af-16f02b5738ef                                     |
    | parameters       | {}                                                                       |
    | project_id       | 690ccee85834425e973258252e0da888                                         |
    | provider_id      | cf56bd3e-97a7-4078-b6d5-f36246333fd9                                     |
    | resources_reason | {}                                                                       |
    | resources_status | {"OS::Cinder::Volume#b0b2d98d-ec8a-498e-ad50-00a2240c76a2": "available"} |
    | restore_target   | None                                                                     |
    | status           | success                                                                  |
    +------------------+--------------------------------------------------------------------------+
    ''')


def successful_restore():
    return fakes.restore(status='success', resources_status={
        'OS::Cinder::Volume#%s' % fakes.NEW_VOLUME_ID: 'available'})


def test_restore_show_prints_resource_statuses_as_one_line_json(
        karbor, requests_mock):
    requests_mock.get(fakes.url('/restores/%s' % fakes.RESTORE_ID),
                      json={'restore': successful_restore()})

    result = karbor('restore-show', fakes.RESTORE_ID)

    assert result.status == 0
    assert result.out == RESTORE_SUCCESS


def test_checkpoint_delete_prints_nothing_on_success(karbor, requests_mock):
    delete = requests_mock.delete(fakes.checkpoint_url(), json={})

    result = karbor('checkpoint-delete', fakes.PROVIDER_ID,
                    fakes.CHECKPOINT_ID)

    assert result == (0, '', '')
    assert delete.called_once


def test_available_checkpoint_shows_the_walkthrough_fields_only(
        karbor, requests_mock):
    volume = 'OS::Cinder::Volume#%s' % fakes.VOLUME_ID
    requests_mock.get(fakes.checkpoint_url(), json={
        'checkpoint': fakes.available_checkpoint(
            extra_info='{"created-by": "operation-engine"}',
            resources_status={volume: 'available'}, resources_reason={})})
    _no_restores_reading(requests_mock)

    result = karbor('checkpoint-show', fakes.PROVIDER_ID,
                    fakes.CHECKPOINT_ID)

    assert 'resources_status' not in result.out
    assert 'resources_reason' not in result.out
    # extra_info is JSON text on the wire too, and shown decoded.
    assert '|                 |   "created-by": "operation-engine"' \
        in result.out


def test_failed_checkpoint_shows_each_resource_reason_on_one_line(
        karbor, requests_mock):
    volume = 'OS::Cinder::Volume#%s' % fakes.VOLUME_ID
    checkpoint = fakes.available_checkpoint(
        resources_status={volume: 'error'},
        resources_reason={volume: 'Backup failed: no space'})
    checkpoint['status'] = 'error'
    requests_mock.get(fakes.checkpoint_url(), json={'checkpoint': checkpoint})

    result = karbor('checkpoint-show', fakes.PROVIDER_ID,
                    fakes.CHECKPOINT_ID)

    assert ('| resources_reason | {"%s": "Backup failed: no space"}'
            % volume) in result.out
    assert '| resources_status | {"%s": "error"}' % volume in result.out


def test_checkpoint_show_names_the_restores_reading_it(karbor,
                                                       requests_mock):
    requests_mock.get(fakes.checkpoint_url(),
                      json={'checkpoint': fakes.available_checkpoint()})
    other = '7b7a3a2c-61a4-4b8e-9d56-3b1f3d8f6a10'
    listed = requests_mock.get(fakes.url('/restores'), json={'restores': [
        fakes.restore(), fakes.restore(id=other)]})

    result = karbor('checkpoint-show', fakes.PROVIDER_ID,
                    fakes.CHECKPOINT_ID)

    assert result.status == 0
    assert listed.last_request.qs == {
        'checkpoint_id': [fakes.CHECKPOINT_ID], 'status': ['in_progress']}
    assert ('| restores_in_progress | %s, %s' % (fakes.RESTORE_ID, other)
            in result.out)


def test_checkpoint_show_takes_what_reads_it_from_the_checkpoint(
        karbor, requests_mock):
    verification = '0c3f6f0e-8d3b-4f57-a3c1-8d7f5b6e2a41'
    requests_mock.get(fakes.checkpoint_url(), json={'checkpoint': dict(
        fakes.available_checkpoint(), restores_in_progress=[fakes.RESTORE_ID],
        verifications_in_progress=[verification])})
    listed = requests_mock.get(fakes.url('/restores'),
                               json={'restores': []})

    result = karbor('checkpoint-show', fakes.PROVIDER_ID,
                    fakes.CHECKPOINT_ID)

    assert result.status == 0
    assert not listed.called
    assert re.search(r'\| restores_in_progress +\| %s ' % fakes.RESTORE_ID,
                     result.out)
    assert '| verifications_in_progress | %s ' % verification in result.out
