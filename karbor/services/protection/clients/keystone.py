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

"""Keystone (identity) client acting as the request's caller."""

from keystoneauth1 import exceptions as ks_exceptions
from keystoneclient.v3 import client as keystone_client
from oslo_config import cfg

from karbor.services.protection.clients import session

CONF = cfg.CONF

GROUP = 'keystone_client'
SERVICE_TITLE = 'Identity service (keystone)'

keystone_client_opts = session.client_opts('keystone',
                                           'identity:keystone:publicURL')
CONF.register_opts(keystone_client_opts, group=GROUP)

NotFound = ks_exceptions.NotFound
ClientError = ks_exceptions.HttpError


def create(context):
    """A Keystone client acting as the caller of ``context``
    (keystoneclient takes no global request id: the session sends it)."""
    client_session, endpoint = session.make_session(
        context, GROUP, 'keystone', SERVICE_TITLE)
    return keystone_client.Client(session=client_session,
                                  endpoint_override=endpoint)
