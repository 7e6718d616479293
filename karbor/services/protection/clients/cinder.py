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

"""Cinder (block storage) client acting as the request's caller."""

from cinderclient import client as cinder_client
from cinderclient import exceptions as cinder_exceptions
from oslo_config import cfg

from karbor.services.protection.clients import session

CONF = cfg.CONF

GROUP = 'cinder_client'
SERVICE_TITLE = 'Block storage service (cinder)'
API_VERSION = '3'

cinder_client_opts = session.client_opts('cinder', 'volumev3::publicURL')
CONF.register_opts(cinder_client_opts, group=GROUP)

NotFound = cinder_exceptions.NotFound
ClientError = cinder_exceptions.ClientException


def create(context, api_version=API_VERSION):
    """A Cinder client acting as the caller of ``context``.

    cinderclient is given the global request id itself: it would otherwise
    send Cinder's own request id, from its first answer, from then on.
    """
    client_session, endpoint = session.make_session(context, GROUP, 'cinder',
                                                    SERVICE_TITLE)
    return cinder_client.Client(api_version, session=client_session,
                                endpoint_override=endpoint,
                                global_request_id=context.global_id)
