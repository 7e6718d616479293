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

"""Bodies of quota and quota class updates: limits of known resources,
whole numbers from -1 (no limit) to what the database keeps."""

from karbor import quota

limit = {'type': 'integer', 'minimum': -1, 'maximum': 2 ** 31 - 1}


def _limits_of(wrapper):
    return {
        'type': 'object',
        'properties': {
            wrapper: {
                'type': 'object',
                'properties': {resource: limit
                               for resource in quota.RESOURCES},
                'minProperties': 1,
                'additionalProperties': False,
            },
        },
        'required': [wrapper],
        'additionalProperties': False,
    }


update = _limits_of('quota')
update_class = _limits_of('quota_class')
