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

"""What a Karbor API answers, as the tests' fake server sends it."""

PROJECT = 'demo'
KARBOR_URL = 'http://karbor.test:8799/v1/%s' % PROJECT
DIRECT_MODE = ['--os-auth-token', 'admin:%s' % PROJECT,
               '--karbor-url', KARBOR_URL]

PROVIDER_ID = 'cf56bd3e-97a7-4078-b6d5-f36246333fd9'
PLAN_ID = '81ac01b7-0a69-4b0b-8ef5-bd46a900c90a'
VOLUME_ID = '286a43e9-3899-4983-965f-d8b1faef5e58'
CHECKPOINT_ID = 'c1112037-b19c-421a-83c9-dd209e785189'
RESTORE_ID = '2c9dea83-3e12-4fa1-80af-16f02b5738ef'
PROJECT_ID = '690ccee85834425e973258252e0da888'
NEW_VOLUME_ID = 'b0b2d98d-ec8a-498e-ad50-00a2240c76a2'

VOLUME = {'id': VOLUME_ID, 'type': 'OS::Cinder::Volume', 'name': 'Volume1'}


def url(path):
    return KARBOR_URL + path


def checkpoint_url(checkpoint_id=CHECKPOINT_ID):
    return url('/providers/%s/checkpoints/%s' % (PROVIDER_ID, checkpoint_id))


def plan(**changes):
    return dict({'id': PLAN_ID, 'name': 'Plan1', 'description': None,
                 'provider_id': PROVIDER_ID, 'resources': [dict(VOLUME)],
                 'parameters': {}, 'status': 'suspended'}, **changes)


def checkpoint(**changes):
    return dict({'id': CHECKPOINT_ID, 'project_id': PROJECT_ID,
                 'status': 'protecting', 'created_at': None,
                 'extra_info': None, 'resource_graph': None,
                 'protection_plan': {'id': PLAN_ID, 'name': 'Plan1',
                                     'provider_id': PROVIDER_ID,
                                     'resources': [dict(VOLUME)]}},
                **changes)


# As Karbor sends it: JSON text inside the JSON document.
RESOURCE_GRAPH_TEXT = (
    '[{"0x0": ["OS::Cinder::Volume", "%s", "Volume1"]}, []]' % VOLUME_ID)


def available_checkpoint(**changes):
    """The checkpoint once protected, as Karbor sends it."""
    return checkpoint(**dict({'status': 'available',
                              'created_at': '2017-03-27',
                              'resource_graph': RESOURCE_GRAPH_TEXT},
                             **changes))


def restore(**changes):
    return dict({'id': RESTORE_ID, 'project_id': PROJECT_ID,
                 'provider_id': PROVIDER_ID, 'checkpoint_id': CHECKPOINT_ID,
                 'restore_target': None, 'parameters': {},
                 'resources_status': {}, 'resources_reason': {},
                 'status': 'in_progress'}, **changes)


def error(kind, code, message):
    """A Karbor error body, e.g. error('itemNotFound', 404, '...')."""
    return {kind: {'code': code, 'message': message}}
