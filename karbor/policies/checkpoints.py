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

PREFIX = 'checkpoint:%s'
PATH = '/providers/{provider_id}/checkpoints'
# The original Karbor named these rules provider:checkpoint_* (and the
# copy copy:create).

rules = [
    base.rule(
        PREFIX % 'create', base.PROJECT_MEMBER,
        'Create a checkpoint of a plan.', [{'method': 'POST', 'path': PATH}],
        original_name='provider:checkpoint_create'),
    base.rule(
        PREFIX % 'get', base.PROJECT_READER, 'Show a checkpoint.',
        [{'method': 'GET', 'path': PATH + '/{checkpoint_id}'}],
        original_name='provider:checkpoint_get'),
    base.rule(
        PREFIX % 'get_all', base.PROJECT_READER, 'List checkpoints.',
        [{'method': 'GET', 'path': PATH}],
        original_name='provider:checkpoint_get_all'),
    base.rule(
        PREFIX % 'get_all_tenants', base.ADMIN,
        'List the checkpoints of every project (all_tenants=1).',
        [{'method': 'GET', 'path': PATH}]),
    base.rule(
        PREFIX % 'delete', base.PROJECT_MEMBER, 'Delete a checkpoint.',
        [{'method': 'DELETE', 'path': PATH + '/{checkpoint_id}'}],
        original_name='provider:checkpoint_delete'),
    base.rule(
        PREFIX % 'update', base.PROJECT_MEMBER,
        'Reset the status of a checkpoint to available or error.',
        [{'method': 'PUT', 'path': PATH + '/{checkpoint_id}'}],
        original_name='provider:checkpoint_update'),
    base.rule(
        PREFIX % 'copy', base.PROJECT_MEMBER,
        'Copy the checkpoints of a plan into the copy provider\'s bank.',
        [{'method': 'POST', 'path': PATH + '/action'}],
        original_name='copy:create'),
]


def list_rules():
    return rules
