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

PREFIX = 'verification:%s'

rules = [
    policy.DocumentedRuleDefault(
        PREFIX % 'create', base.RULE_ADMIN_OR_OWNER,
        'Verify a checkpoint.',
        [{'method': 'POST', 'path': '/verifications'}]),
    policy.DocumentedRuleDefault(
        PREFIX % 'get', base.RULE_ADMIN_OR_OWNER, 'Show a verification.',
        [{'method': 'GET', 'path': '/verifications/{verification_id}'}]),
    policy.DocumentedRuleDefault(
        PREFIX % 'get_all', base.RULE_ADMIN_OR_OWNER,
        'List verifications.',
        [{'method': 'GET', 'path': '/verifications'}]),
    policy.DocumentedRuleDefault(
        PREFIX % 'get_all_tenants', base.RULE_ADMIN_API,
        'List the verifications of every project (all_tenants=1).',
        [{'method': 'GET', 'path': '/verifications'}]),
]


def list_rules():
    return rules
