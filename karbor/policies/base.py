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

"""The personas of Karbor's default policy, as OpenStack services have
them: a project's *reader* lists and shows; its *member* also creates,
changes, restores and deletes; an *admin* does anything, in any project,
and alone manages the services and what spans projects.

Every rule also honours, until an operator sets ``[oslo_policy]
enforce_new_defaults``, the original Karbor's default (an administrator or
any user of the owning project), under the original's name where it had
another one: a policy file written for the original keeps working, with a
deprecation warning in the log. Every rule is of project scope
(``[oslo_policy] enforce_scope`` refuses system-scoped tokens).
"""

from oslo_policy import policy

ADMIN = 'role:admin'
PROJECT_READER = 'role:admin or (role:reader and project_id:%(project_id)s)'
PROJECT_MEMBER = 'role:admin or (role:member and project_id:%(project_id)s)'
# Any authenticated user (the providers and protectable types).
ANYONE = '@'

# The original Karbor's defaults, which the personas replace.
RULE_ADMIN_OR_OWNER = 'rule:admin_or_owner'
RULE_ADMIN_API = 'rule:admin_api'
_ORIGINAL_DEFAULTS = {ADMIN: RULE_ADMIN_API,
                      PROJECT_READER: RULE_ADMIN_OR_OWNER,
                      PROJECT_MEMBER: RULE_ADMIN_OR_OWNER}

_DEPRECATED_REASON = ('Karbor\'s default policy has the reader, member and '
                      'admin personas of OpenStack services; the original '
                      'defaults let any user of a project change its '
                      'objects.')
_DEPRECATED_SINCE = '2026.2'

rules = [
    policy.RuleDefault('context_is_admin', 'role:admin',
                       description='Decides who is an administrator.'),
    policy.RuleDefault('admin_or_owner',
                       'is_admin:True or project_id:%(project_id)s',
                       description='The original Karbor\'s default: an '
                                   'administrator, or a user of the project '
                                   'that owns the object.'),
    policy.RuleDefault('admin_api', 'is_admin:True',
                       description='The original Karbor\'s default of '
                                   'administrators\' rules.'),
]


def rule(name, persona, description, operations, original_name=None):
    """The rule ``name`` of ``persona`` (one of the check strings above),
    which also honours the original's default, under ``original_name``
    when the original named the rule otherwise."""
    deprecated = None
    if persona in _ORIGINAL_DEFAULTS:
        deprecated = policy.DeprecatedRule(
            original_name or name, _ORIGINAL_DEFAULTS[persona],
            deprecated_reason=_DEPRECATED_REASON,
            deprecated_since=_DEPRECATED_SINCE)
    return policy.DocumentedRuleDefault(
        name, persona, description, operations, deprecated_rule=deprecated,
        scope_types=['project'])


def list_rules():
    return rules
