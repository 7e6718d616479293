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

create = {
    'type': 'object',
    'properties': {
        'checkpoint': {
            'type': 'object',
            'properties': {
                'plan_id': parameter_types.uuid,
                'extra_info': parameter_types.extra_info,
                # python-karborclient 2.1.0 spells it with a hyphen.
                'extra-info': parameter_types.extra_info,
            },
            'required': ['plan_id'],
            'additionalProperties': False,
        },
    },
    'required': ['checkpoint'],
    'additionalProperties': False,
}

reset_state = {
    'type': 'object',
    'properties': {
        'os-resetState': {
            'type': 'object',
            'properties': {
                'state': {'type': 'string', 'enum': ['available', 'error']},
            },
            'required': ['state'],
            'additionalProperties': False,
        },
    },
    'required': ['os-resetState'],
    'additionalProperties': False,
}

_copy = {
    'type': 'object',
    'properties': {
        'plan_id': parameter_types.uuid,
        # The spec's list form names the provider in each item too.
        'provider_id': parameter_types.uuid,
        'parameters': parameter_types.parameters,
    },
    'required': ['plan_id'],
    'additionalProperties': False,
}

# The original Karbor's spec shows a list of one copy; its code took the
# object: both are accepted.
copy = {
    'type': 'object',
    'properties': {
        'copy': {'oneOf': [
            _copy,
            {'type': 'array', 'items': _copy, 'minItems': 1,
             'maxItems': 1},
        ]},
    },
    'required': ['copy'],
    'additionalProperties': False,
}
