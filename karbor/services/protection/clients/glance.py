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

"""Glance (image) client acting as the request's caller."""

from glanceclient import client as glance_client
from glanceclient import exc as glance_exceptions
from oslo_config import cfg

from karbor.services.protection.clients import session

CONF = cfg.CONF

GROUP = 'glance_client'
SERVICE_TITLE = 'Image service (glance)'
API_VERSION = '2'

glance_client_opts = session.client_opts('glance', 'image:glance:publicURL')
CONF.register_opts(glance_client_opts, group=GROUP)

NotFound = glance_exceptions.HTTPNotFound
ClientError = glance_exceptions.ClientException
# What glanceclient makes of keystoneauth1's ConnectFailure and
# ConnectTimeout: Glance could not be reached, or did not answer in time.
ConnectionErrors = (glance_exceptions.CommunicationError,
                    glance_exceptions.InvalidEndpoint)


def create(context):
    """A Glance client acting as the caller of ``context``."""
    client_session, endpoint = session.make_session(context, GROUP, 'glance',
                                                    SERVICE_TITLE)
    return glance_client.Client(API_VERSION, session=client_session,
                                endpoint_override=endpoint,
                                global_request_id=context.global_id)
