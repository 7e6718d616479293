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

"""Karbor's own [DEFAULT] options (names kept from the original Karbor)."""

import os
import socket
import sys

from oslo_config import cfg

from karbor.i18n import _

api_opts = [
    cfg.HostAddressOpt('osapi_karbor_listen', default='0.0.0.0',
                       help=_('IP address on which the Karbor API listens.')),
    cfg.PortOpt('osapi_karbor_listen_port', default=8799,
                help=_('Port on which the Karbor API listens.')),
    cfg.IntOpt('osapi_karbor_threads', default=16, min=1,
               help=_('Threads that serve API requests in one API '
                      'process.')),
    cfg.IntOpt('osapi_karbor_workers', default=1, min=1,
               help=_('Processes of karbor-api, each with its own '
                      'osapi_karbor_threads threads: one process runs on '
                      'one core at a time, so set it to the cores karbor-api '
                      'may use. karbor-all runs that many whole karbor-all '
                      'processes on one port, database and banks, the '
                      'operation engine in the first.')),
    cfg.StrOpt('api_paste_config', default='api-paste.ini',
               help=_('File name of the paste.deploy configuration of the '
                      'API pipeline; a relative name is looked up beside '
                      'the configuration files, then in the installed '
                      'etc/karbor.')),
    cfg.StrOpt('auth_strategy', default='keystone',
               choices=[('keystone', _('Keystone tokens, checked by '
                                       'keystonemiddleware.')),
                        ('noauth', _('No authentication: X-Auth-Token is '
                                     '"<user>:<project>". For testing and '
                                     'the embedded karbor-all only.'))],
               help=_('How API requests are authenticated.')),
    cfg.IntOpt('osapi_max_limit', default=1000, min=1,
               help=_('The most items one list request returns.')),
    cfg.IntOpt('provider_cache_time', default=60, min=0,
               help=_('Seconds karbor-api keeps a provider\'s description '
                      '(its option, restore and verify schemas), which plan '
                      'creates, updates, restores and verifications check '
                      'their input against, before asking '
                      'karbor-protection again; 0 asks every time. A '
                      'provider it does not hold is asked for at once.')),
    cfg.IntOpt('max_plan_resources', default=500, min=1,
               help=_('The most resources one plan may list; a plan '
                      'create or update with more is refused with a 400. '
                      'Each resource of a plan is a task of every '
                      'checkpoint\'s flow and a record in its bank.')),
]

service_opts = [
    cfg.StrOpt('state_path', default='/var/lib/karbor',
               help=_("Directory where Karbor keeps its state.")),
    cfg.StrOpt('host', default=socket.gethostname(), sample_default='<host>',
               help=_('Name of this node, as the services table shows '
                      'it.')),
    cfg.StrOpt('protection_topic', default='karbor-protection',
               help=_('RPC topic of karbor-protection.')),
    cfg.StrOpt('operationengine_topic', default='karbor-operationengine',
               help=_('RPC topic of karbor-operationengine.')),
    cfg.IntOpt('report_interval', default=10, min=1,
               help=_('Seconds between a service\'s heartbeats in the '
                      'services table.')),
    cfg.IntOpt('service_down_time', default=60, min=1,
               help=_('Seconds without a heartbeat after which a service '
                      'is shown down.')),
    cfg.StrOpt('provider_config_dir', default='providers.d',
               help=_('Directory of the provider files (``*.conf``); a '
                      'relative name is looked up beside the configuration '
                      'files, then in the installed etc/karbor.')),
    cfg.IntOpt('max_concurrent_operations', default=4, min=1,
               help=_('Protect, restore and delete operations one '
                      'karbor-protection runs at the same time; more wait '
                      'in line.')),
    cfg.IntOpt('max_concurrent_operations_per_project', default=2, min=0,
               help=_('Operations of one project that all karbor-protection '
                      'workers together run at the same time (0: no '
                      'limit); more wait in line, and a free slot goes to '
                      'the project running the fewest, so that no project '
                      'holds every slot.')),
    cfg.IntOpt('operation_takeover_timeout', default=90, min=3,
               help=_('Seconds without a heartbeat from the worker running '
                      'an operation after which another karbor-protection '
                      'takes it over and resumes it from its last finished '
                      'task. At least three times '
                      'operation_heartbeat_interval. Workers\' clocks must '
                      'agree to within operation_heartbeat_interval.')),
    cfg.IntOpt('operation_heartbeat_interval', default=15, min=1,
               help=_('Seconds between two heartbeats of the operations a '
                      'worker runs. A worker writes an operation\'s progress '
                      'only while its claim has at least this long left.')),
    cfg.FloatOpt('operation_poll_interval', default=2.0, min=0.05,
                 help=_('Seconds between two looks in the database for '
                        'operations waiting in line or left by a worker '
                        'that died.')),
    cfg.IntOpt('flow_workers', default=8, min=1,
               help=_('Threads that run the hooks of one operation\'s '
                      'resources in parallel.')),
]

CONF = cfg.CONF
CONF.register_opts(api_opts)
CONF.register_opts(service_opts)

# Where a source checkout or an installed tree keeps etc/ files.
_SOURCE_ETC = os.path.join(os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__)))), 'etc')
_INSTALLED_ETC = os.path.join(sys.prefix, 'etc', 'karbor')


def find_config_path(name):
    """Return the path of a configuration file or directory.

    An absolute name is taken as given. A relative one is looked for beside
    the configuration files in use (oslo.config's search), then in
    /etc/karbor, the installed etc/karbor and a source checkout's etc/.
    """
    if os.path.isabs(name):
        return name
    found = CONF.find_file(name)
    if found:
        return os.path.abspath(found)
    for directory in ('/etc/karbor', _INSTALLED_ETC, _SOURCE_ETC):
        candidate = os.path.join(directory, name)
        if os.path.exists(candidate):
            return candidate
    raise cfg.ConfigFilesNotFoundError([name])
