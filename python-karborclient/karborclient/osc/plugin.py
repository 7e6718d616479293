#    Licensed under the Apache License, Version 2.0 (the "License"); you may
#    not use this file except in compliance with the License. You may obtain
#    a copy of the License at
#
#         http://www.apache.org/licenses/LICENSE-2.0
#
#    Unless required by applicable law or agreed to in writing, software
#    distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
#    WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
#    License for the specific language governing permissions and limitations
#    under the License.

"""The ``openstack data protection ...`` plugin of OpenStackClient."""

import logging

from osc_lib import utils

from karborclient.v1 import client as v1_client

LOG = logging.getLogger(__name__)

API_NAME = 'data_protection'
API_VERSION_OPTION = 'os_data_protection_api_version'
DEFAULT_API_VERSION = '1'
API_VERSIONS = {'1': 'karborclient.v1.client.Client'}


def make_client(instance):
    """Our Client on OSC's session; the endpoint comes from the catalog
    (or from the auth plugin's endpoint, as with admin_token)."""
    client_class = utils.get_client_class(
        API_NAME, instance._api_version[API_NAME], API_VERSIONS)
    LOG.debug('Instantiating data protection client: %s', client_class)
    return client_class(session=instance.session,
                        service_type=v1_client.SERVICE_TYPE,
                        interface=instance.interface,
                        region_name=instance.region_name)


def build_option_parser(parser):
    parser.add_argument(
        '--os-data-protection-api-version',
        metavar='<data-protection-api-version>',
        default=utils.env('OS_DATA_PROTECTION_API_VERSION',
                          default=DEFAULT_API_VERSION),
        help='Data protection API version, default=%s '
             '(Env: OS_DATA_PROTECTION_API_VERSION)' % DEFAULT_API_VERSION)
    return parser
