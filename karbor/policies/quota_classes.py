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

from karbor.policies import base

PREFIX = 'quota_class:%s'
QUOTA_CLASS = '/quota_classes/{class_name}'

rules = [
    base.rule(
        PREFIX % 'get', base.ADMIN, "Show a quota class's limits.",
        [{'method': 'GET', 'path': QUOTA_CLASS}]),
    base.rule(
        PREFIX % 'update', base.ADMIN,
        "Set a quota class's limits (the class default: of every project "
        "without its own).",
        [{'method': 'PUT', 'path': QUOTA_CLASS}]),
]


def list_rules():
    return rules
