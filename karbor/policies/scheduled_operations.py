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

PREFIX = 'scheduled_operation:%s'

rules = [
    base.rule(
        PREFIX % 'create', base.PROJECT_MEMBER,
        'Create a scheduled operation.',
        [{'method': 'POST', 'path': '/scheduled_operations'}]),
    base.rule(
        PREFIX % 'get', base.PROJECT_READER,
        'Show a scheduled operation.',
        [{'method': 'GET',
          'path': '/scheduled_operations/{scheduled_operation_id}'}]),
    base.rule(
        PREFIX % 'list', base.PROJECT_READER,
        'List scheduled operations.',
        [{'method': 'GET', 'path': '/scheduled_operations'}]),
    base.rule(
        PREFIX % 'get_all_tenants', base.ADMIN,
        'List the scheduled operations of every project (all_tenants=1).',
        [{'method': 'GET', 'path': '/scheduled_operations'}]),
    base.rule(
        PREFIX % 'delete', base.PROJECT_MEMBER,
        'Delete a scheduled operation.',
        [{'method': 'DELETE',
          'path': '/scheduled_operations/{scheduled_operation_id}'}]),
]


def list_rules():
    return rules
