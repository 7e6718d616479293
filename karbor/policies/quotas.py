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

PREFIX = 'quota:%s'
QUOTA = '/quotas/{target_project_id}'

rules = [
    base.rule(
        PREFIX % 'get', base.PROJECT_READER,
        "Show a project's quota, with its usage in detail.",
        [{'method': 'GET', 'path': QUOTA},
         {'method': 'GET', 'path': QUOTA + '/detail'}]),
    base.rule(
        PREFIX % 'get_default', base.PROJECT_READER,
        'Show the quota of a project without its own.',
        [{'method': 'GET', 'path': QUOTA + '/defaults'}]),
    base.rule(
        PREFIX % 'update', base.ADMIN, "Set a project's quota.",
        [{'method': 'PUT', 'path': QUOTA}]),
    base.rule(
        PREFIX % 'delete', base.ADMIN,
        'Give a project the default quota again.',
        [{'method': 'DELETE', 'path': QUOTA}]),
]


def list_rules():
    return rules
