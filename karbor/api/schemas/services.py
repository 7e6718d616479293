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

"""The body of an os-services update: enable or disable a service."""

update = {
    'type': 'object',
    'properties': {
        'status': {'enum': ['enabled', 'disabled']},
        # The services table keeps 255 characters of it.
        'disabled_reason': {'type': 'string', 'maxLength': 255},
    },
    'required': ['status'],
    'additionalProperties': False,
    # A reason only says why a service is disabled.
    'if': {'properties': {'status': {'const': 'enabled'}}},
    'then': {'properties': {'status': {}}, 'additionalProperties': False},
}
