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

"""Keystone trusts: how the operation engine acts for a user later.

A scheduled operation created under Keystone gets a trust from its
creator to Karbor's trustee user (the [trustee] section: a keystoneauth
password plugin without a project), with the creator's roles on the
project. The engine runs the operation through that trust when it is due,
long after the creator's token has expired, and the trust is deleted with
the operation.
"""

from keystoneauth1 import loading as ks_loading
from keystoneauth1.identity import v3
from keystoneclient.v3 import client as keystone_client
from oslo_config import cfg
from oslo_log import log as logging

from karbor import exception
from karbor.i18n import _
from karbor.services.protection.clients import session

CONF = cfg.CONF
LOG = logging.getLogger(__name__)
GROUP = 'trustee'

# keystoneauth1's session options, with a timeout: no call without one.
trustee_session_opts = ks_loading.get_session_conf_options()
cfg.set_defaults(trustee_session_opts, timeout=session.DEFAULT_TIMEOUT)
CONF.register_opts(trustee_session_opts, group=GROUP)
ks_loading.register_auth_conf_options(CONF, GROUP)


def list_opts():
    """[trustee]'s options, for the sample file."""
    return (trustee_session_opts +
            ks_loading.get_auth_common_conf_options() +
            ks_loading.get_auth_plugin_conf_options('password'))


def _session(auth):
    return ks_loading.load_session_from_conf_options(CONF, GROUP, auth=auth)


def _trustee_auth(**overrides):
    auth = ks_loading.load_auth_from_conf_options(CONF, GROUP, **overrides)
    if auth is None:
        raise exception.ServiceUnavailable(
            service=_('Scheduling'),
            reason=_('scheduled operations under Keystone need a trustee, '
                     'and this deployment has no [trustee] auth_type'))
    return auth


def _user_keystone(context):
    """Keystone as the caller of context (its token)."""
    # At the trustee's Keystone (loading it registers [trustee] auth_url).
    auth = v3.Token(auth_url=_trustee_auth().auth_url,
                    token=context.auth_token, project_id=context.project_id)
    return keystone_client.Client(session=_session(auth))


def create_trust(context):
    """A trust from the caller to the trustee with the caller's roles on
    the caller's project; its id."""
    session = _session(_trustee_auth())
    trustee_id = session.get_user_id()
    trust = _user_keystone(context).trusts.create(
        trustor_user=context.user_id, trustee_user=trustee_id,
        project=context.project_id, role_names=list(context.roles),
        impersonation=True)
    LOG.info('Trust %(trust)s from user %(user)s to %(trustee)s created.',
             {'trust': trust.id, 'user': context.user_id,
              'trustee': trustee_id})
    return trust.id


def delete_trust(context, trust_id):
    """Delete a trust, as the caller (its trustor, or an administrator)."""
    _user_keystone(context).trusts.delete(trust_id)


def trust_session(trust_id):
    """A keystoneauth session acting through trust_id: its tokens are
    the trustor's, scoped to the trust's project."""
    return _session(_trustee_auth(trust_id=trust_id))
