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

"""oslo.middleware's CORS, configured by this process's [cors] options."""

from oslo_config import cfg
from oslo_middleware import cors

CONF = cfg.CONF


def set_defaults():
    """What a browser may send to Karbor and read back, unless [cors] says
    otherwise (also the defaults oslo-config-generator shows)."""
    cors.set_defaults(
        allow_headers=['X-Auth-Token', 'X-Identity-Status', 'X-Roles',
                       'X-Service-Catalog', 'X-User-Id', 'X-Tenant-Id',
                       'X-OpenStack-Request-ID', 'OpenStack-API-Version'],
        expose_headers=['X-Auth-Token', 'X-Subject-Token', 'X-Service-Token',
                        'X-OpenStack-Request-ID', 'OpenStack-API-Version'],
        allow_methods=['GET', 'PUT', 'POST', 'DELETE', 'PATCH'])


def filter_factory(global_conf, **local_conf):
    """paste.deploy filter ``cors``.

    oslo.middleware's own factory, given ``oslo_config_project``, parses
    the default configuration files a second time and misses those given
    with --config-file; this one reads the options Karbor was started with.
    """
    set_defaults()

    def _filter(app):
        return cors.CORS(app, CONF)
    return _filter
