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

"""The oslo.policy enforcer, with the defaults from karbor.policies."""

import threading

from oslo_config import cfg
from oslo_policy import policy as oslo_policy

from karbor import exception
from karbor import policies

CONF = cfg.CONF
_ENFORCER = None
_LOCK = threading.Lock()


def get_enforcer():
    """The enforcer, built once; also the oslo.policy.enforcer entry point."""
    global _ENFORCER
    with _LOCK:
        if _ENFORCER is None:
            enforcer = oslo_policy.Enforcer(CONF)
            enforcer.register_defaults(policies.list_rules())
            enforcer.load_rules()
            _ENFORCER = enforcer
    return _ENFORCER


def reset():
    global _ENFORCER
    with _LOCK:
        if _ENFORCER is not None:
            _ENFORCER.clear()
        _ENFORCER = None


def authorize(context, action, target=None):
    """Raise PolicyNotAuthorized unless policy allows ``action``.

    The default target is the caller's own project, so a rule such as
    ``admin_or_owner`` compares the object's project with the caller's.
    """
    if target is None:
        target = {'project_id': context.project_id,
                  'user_id': context.user_id}
    return get_enforcer().authorize(
        action, target, context, do_raise=True,
        exc=exception.PolicyNotAuthorized, action=action)


def check_is_admin(context):
    """Whether the context's roles make it an administrator."""
    credentials = context.to_policy_values()
    return get_enforcer().authorize('context_is_admin', credentials,
                                    credentials)
