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

"""Nova (compute) client acting as the request's caller."""

from novaclient import client as nova_client
from novaclient import exceptions as nova_exceptions
from oslo_config import cfg

from karbor.services.protection.clients import session

CONF = cfg.CONF

GROUP = 'nova_client'
SERVICE_TITLE = 'Compute service (nova)'
# 2.1 still shows a server's attached volumes and image in its details.
API_VERSION = '2.1'

nova_client_opts = session.client_opts('nova', 'compute:nova:publicURL')
CONF.register_opts(nova_client_opts, group=GROUP)

NotFound = nova_exceptions.NotFound
ClientError = nova_exceptions.ClientException


def create(context, api_version=API_VERSION):
    """A Nova client acting as the caller of ``context``."""
    client_session, endpoint = session.make_session(context, GROUP, 'nova',
                                                    SERVICE_TITLE)
    return nova_client.Client(api_version, session=client_session,
                              endpoint_override=endpoint,
                              global_request_id=context.global_id)
