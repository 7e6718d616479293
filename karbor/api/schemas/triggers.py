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

"""Bodies of trigger creates and updates. The properties of each trigger
type are checked by that type (operationengine/triggers)."""

from karbor.api.validation import parameter_types

_properties = {'type': 'object'}

create = {
    'type': 'object',
    'properties': {
        'trigger_info': {
            'type': 'object',
            'properties': {
                'name': parameter_types.name,
                'type': {'type': 'string', 'minLength': 1,
                         'maxLength': 64},
                'properties': _properties,
            },
            'required': ['name', 'type', 'properties'],
            'additionalProperties': False,
        },
    },
    'required': ['trigger_info'],
    'additionalProperties': False,
}

update = {
    'type': 'object',
    'properties': {
        'trigger_info': {
            'type': 'object',
            'properties': {
                'name': parameter_types.name,
                'properties': _properties,
            },
            'minProperties': 1,
            'additionalProperties': False,
        },
    },
    'required': ['trigger_info'],
    'additionalProperties': False,
}
