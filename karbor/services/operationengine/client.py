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

"""How the operation engine reaches Karbor's API as an operation's user.

Under Keystone, through the operation's trust (its tokens are the
creator's, and their catalog names Karbor's endpoint); without it, as the
user and project the operation recorded, at [karbor_client]
karbor_endpoint (karbor-all sets it to its own API).
"""

from oslo_config import cfg

from karbor import context as karbor_context
from karbor.common import trusts
from karbor.services.protection.clients import session
from karborclient.v1 import client as karbor_client

CONF = cfg.CONF

GROUP = 'karbor_client'
SERVICE_TITLE = 'Data protection service (karbor)'

karbor_client_opts = session.client_opts('karbor',
                                         'data-protect:karbor:publicURL')
CONF.register_opts(karbor_client_opts, group=GROUP)


def _context_of(operation):
    if not operation.trust_id:
        # The embedded default's noauth token: "<user>:<project>".
        return karbor_context.RequestContext(
            auth_token='%s:%s' % (operation.user_id, operation.project_id),
            user_id=operation.user_id, project_id=operation.project_id)
    trust = trusts.trust_session(operation.trust_id)
    access = trust.auth.get_access(trust)
    return karbor_context.RequestContext(
        auth_token=access.auth_token, user_id=access.user_id,
        project_id=access.project_id, roles=access.role_names,
        service_catalog=access.service_catalog.catalog)


def client_for(operation):
    """A karborclient acting as operation's user."""
    client_session, endpoint = session.make_session(
        _context_of(operation), GROUP, 'karbor', SERVICE_TITLE)
    return karbor_client.Client(session=client_session, endpoint=endpoint)
