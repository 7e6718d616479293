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

PREFIX = 'plan:%s'

rules = [
    base.rule(
        PREFIX % 'create', base.PROJECT_MEMBER, 'Create a plan.',
        [{'method': 'POST', 'path': '/plans'}]),
    base.rule(
        PREFIX % 'get', base.PROJECT_READER, 'Show a plan.',
        [{'method': 'GET', 'path': '/plans/{plan_id}'}]),
    base.rule(
        PREFIX % 'get_all', base.PROJECT_READER, 'List plans.',
        [{'method': 'GET', 'path': '/plans'}]),
    base.rule(
        PREFIX % 'get_all_tenants', base.ADMIN,
        'List the plans of every project (all_tenants=1).',
        [{'method': 'GET', 'path': '/plans'}]),
    base.rule(
        PREFIX % 'update', base.PROJECT_MEMBER, 'Update a plan.',
        [{'method': 'PUT', 'path': '/plans/{plan_id}'}]),
    base.rule(
        PREFIX % 'delete', base.PROJECT_MEMBER, 'Delete a plan.',
        [{'method': 'DELETE', 'path': '/plans/{plan_id}'}]),
]


def list_rules():
    return rules
