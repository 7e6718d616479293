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

from karbor.api.validation import parameter_types

restore_auth = {
    'type': ['object', 'null'],
    'properties': {
        'type': {'type': 'string', 'enum': ['password']},
        'username': {'type': 'string', 'minLength': 1, 'maxLength': 255},
        'password': {'type': 'string', 'maxLength': 255},
    },
    'required': ['type', 'username', 'password'],
    'additionalProperties': False,
}

create = {
    'type': 'object',
    'properties': {
        'restore': {
            'type': 'object',
            'properties': {
                'provider_id': parameter_types.uuid,
                'checkpoint_id': parameter_types.uuid,
                'restore_target': {'type': ['string', 'null'],
                                   'maxLength': 255},
                'restore_auth': restore_auth,
                'parameters': parameter_types.parameters,
            },
            'required': ['provider_id', 'checkpoint_id'],
            'additionalProperties': False,
        },
    },
    'required': ['restore'],
    'additionalProperties': False,
}
