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

"""Schema pieces that several resources' schemas share."""

uuid = {'type': 'string', 'format': 'uuid'}

name = {'type': 'string', 'minLength': 1, 'maxLength': 255,
        'pattern': r'\S'}

description = {'type': ['string', 'null'], 'maxLength': 255}

resource_type = {'type': 'string', 'minLength': 1, 'maxLength': 64}

# Parameters keyed by resource type ("OS::Cinder::Volume") or by one
# resource ("OS::Cinder::Volume#<id>"); each value is checked against the
# provider's schema for that type.
parameters = {
    'type': 'object',
    'propertyNames': {'pattern': r'^[A-Za-z0-9_:]+(#.+)?$'},
    'additionalProperties': {'type': 'object'},
}

resource = {
    'type': 'object',
    'properties': {
        'id': {'type': 'string', 'minLength': 1, 'maxLength': 255},
        'type': resource_type,
        'name': {'type': ['string', 'null'], 'maxLength': 255},
        'extra_info': {'type': ['object', 'null']},
    },
    'required': ['id', 'type'],
    'additionalProperties': False,
}

resources = {'type': 'array', 'minItems': 1, 'items': resource}

extra_info = {'type': ['object', 'null']}
