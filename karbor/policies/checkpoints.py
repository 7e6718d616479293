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

from oslo_policy import policy

from karbor.policies import base

PREFIX = 'checkpoint:%s'
PATH = '/providers/{provider_id}/checkpoints'

rules = [
    policy.DocumentedRuleDefault(
        PREFIX % 'create', base.RULE_ADMIN_OR_OWNER,
        'Create a checkpoint of a plan.', [{'method': 'POST', 'path': PATH}]),
    policy.DocumentedRuleDefault(
        PREFIX % 'get', base.RULE_ADMIN_OR_OWNER, 'Show a checkpoint.',
        [{'method': 'GET', 'path': PATH + '/{checkpoint_id}'}]),
    policy.DocumentedRuleDefault(
        PREFIX % 'get_all', base.RULE_ADMIN_OR_OWNER, 'List checkpoints.',
        [{'method': 'GET', 'path': PATH}]),
    policy.DocumentedRuleDefault(
        PREFIX % 'get_all_tenants', base.RULE_ADMIN_API,
        'List the checkpoints of every project (all_tenants=1).',
        [{'method': 'GET', 'path': PATH}]),
    policy.DocumentedRuleDefault(
        PREFIX % 'delete', base.RULE_ADMIN_OR_OWNER, 'Delete a checkpoint.',
        [{'method': 'DELETE', 'path': PATH + '/{checkpoint_id}'}]),
    policy.DocumentedRuleDefault(
        PREFIX % 'update', base.RULE_ADMIN_OR_OWNER,
        'Reset the status of a checkpoint to available or error.',
        [{'method': 'PUT', 'path': PATH + '/{checkpoint_id}'}]),
    policy.DocumentedRuleDefault(
        PREFIX % 'copy', base.RULE_ADMIN_OR_OWNER,
        'Copy the checkpoints of a plan into the copy provider\'s bank.',
        [{'method': 'POST', 'path': PATH + '/action'}]),
]


def list_rules():
    return rules
