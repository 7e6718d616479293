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

"""An in-memory stand-in for karbor-protection behind the API."""

import datetime
import uuid

from oslo_serialization import jsonutils

from karbor import exception

NOOP = 'b766f37c-d011-4026-8228-28730d734a3f'
PROJECT_TYPE = 'OS::Keystone::Project'

NOOP_PROVIDER = {
    'id': NOOP,
    'name': 'No-Op Provider',
    'description': 'Does nothing.',
    'extended_info_schema': {
        'options_schema': {PROJECT_TYPE: {
            'type': 'object',
            'properties': {'backup_mode': {'enum': ['full', 'incremental']}},
            'additionalProperties': False}},
        'restore_schema': {PROJECT_TYPE: {
            'type': 'object',
            'properties': {'restore_name': {'type': 'string'}},
            'additionalProperties': False}},
        'saved_info_schema': {PROJECT_TYPE: {'type': 'object'}},
    },
}


class FakeProtection(object):
    """Answers like karbor-protection, keeping checkpoints in a dict."""

    def __init__(self):
        self.checkpoints = {}
        self.restores_started = []

    def show_provider(self, ctxt, provider_id):
        if provider_id != NOOP:
            raise exception.ProviderNotFound(provider_id=provider_id)
        return NOOP_PROVIDER

    def list_providers(self, ctxt, marker=None, limit=None, sort_dir='asc',
                       filters=None):
        return [NOOP_PROVIDER][:limit]

    def protect(self, ctxt, plan, checkpoint_properties):
        checkpoint = {
            'id': str(uuid.uuid4()),
            'project_id': ctxt.project_id,
            'provider_id': plan.provider_id,
            'status': 'available',
            'protection_plan': {'id': plan.id, 'name': plan.name,
                                'provider_id': plan.provider_id,
                                'resources': plan.resources},
            'resource_graph': [{'0x0': [r['type'], r['id'], r['name']]
                                for r in plan.resources}, []],
            'extra_info': checkpoint_properties['extra_info'],
            'created_at': datetime.datetime(2026, 11, 25, 8, 30).isoformat(),
            'resources_status': {},
            'resources_reason': {},
        }
        self.checkpoints[checkpoint['id']] = checkpoint
        return checkpoint

    def checkpoint(self, ctxt, provider_id, checkpoint_id):
        """The stored checkpoint, as the caller may see it."""
        checkpoint = self.checkpoints.get(checkpoint_id)
        if checkpoint is None or provider_id != checkpoint['provider_id'] \
                or (checkpoint['project_id'] != ctxt.project_id and
                    not ctxt.is_admin):
            raise exception.CheckpointNotFound(checkpoint_id=checkpoint_id)
        return checkpoint

    def show_checkpoint(self, ctxt, provider_id, checkpoint_id,
                        with_statuses=True):
        return {name: jsonutils.dumps(value) for name, value in
                self.checkpoint(ctxt, provider_id, checkpoint_id).items()}

    def reset_state(self, ctxt, provider_id, checkpoint_id, state):
        self.checkpoint(ctxt, provider_id, checkpoint_id)['status'] = state

    def restore(self, ctxt, restore, restore_auth):
        self.restores_started.append((restore.id, restore_auth))
