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

"""karbor-all: API, protection and operation engine in one process.

The embedded default for a first run: SQLite under the state directory,
in-process messaging (inproc://), file-system banks, no authentication
(X-Auth-Token: <user>:<project>). Every default can be changed with
--config-file, with the same options as the separate services.

With ``[DEFAULT] osapi_karbor_workers`` above 1, karbor-all runs that many
such processes on the same port, database and banks (see service.Peer),
the operation engine in the first only: one process runs on one core at a
time.
"""

import os
import sys

from oslo_config import cfg
from oslo_db import options as db_options
from oslo_messaging import opts as messaging_opts

from karbor.api import app
from karbor.cmd import boot
from karbor.db import api as db_api
from karbor.db import migration
from karbor import rpc
from karbor import service
from karbor.services.operationengine import manager as engine_manager
from karbor.services.protection import manager as protection_manager

CONF = cfg.CONF

DEFAULT_STATE_PATH = os.path.join(
    os.environ.get('XDG_DATA_HOME') or os.path.expanduser('~/.local/share'),
    'karbor')


def _set_embedded_defaults():
    CONF.set_default('auth_strategy', 'noauth')
    CONF.set_default('osapi_karbor_listen', '127.0.0.1')
    CONF.set_default('state_path', DEFAULT_STATE_PATH)
    for group, opts in messaging_opts.list_opts():
        if group in (None, 'DEFAULT'):
            CONF.register_opts(opts)
    CONF.set_default('transport_url', 'inproc://')


def main(argv=None):
    _set_embedded_defaults()
    # Only files named on the command line: a real deployment's
    # /etc/karbor/karbor.conf is not for the embedded default.
    boot.prepare(sys.argv[1:] if argv is None else argv,
                 default_config_files=[])
    os.makedirs(CONF.state_path, exist_ok=True)
    # The operation engine calls the API of this process.
    CONF.set_default('karbor_endpoint', 'http://%s:%d/v1/%%(project_id)s' % (
        CONF.osapi_karbor_listen, CONF.osapi_karbor_listen_port),
        group='karbor_client')
    if not CONF.database.connection:
        db_options.set_defaults(CONF, connection='sqlite:///%s' % os.path.join(
            CONF.state_path, 'karbor.sqlite'))
    migration.db_sync()
    workers = CONF.osapi_karbor_workers
    if workers > 1:
        # Each process opens its own connections, after the fork.
        db_api.dispose_engine()
        _announce(workers)
        service.serve_peers('karbor-all', CONF.osapi_karbor_listen,
                            CONF.osapi_karbor_listen_port, _peer_services,
                            workers)
        return
    rpc.init(CONF)
    services = _services(with_engine=True)
    # The API's socket is bound: it answers as soon as its service starts.
    _announce(workers)
    service.serve(services)


def _peer_services(index):
    return _services(with_engine=index == 0, reuse_port=True)


def _services(with_engine, reuse_port=False):
    # Stopped in this order: the engine takes no more runs and submits
    # those it took, through the API; then the API takes no more requests;
    # then protection finishes what runs. (With the API stopped first, a
    # run taken meanwhile failed on a refused connection.)
    services = [
        service.WSGIService('karbor-api', app.load_paste_app(),
                            CONF.osapi_karbor_listen,
                            CONF.osapi_karbor_listen_port,
                            CONF.osapi_karbor_threads, reuse_port=reuse_port),
        service.RPCService('karbor-protection', CONF.protection_topic,
                           protection_manager.ProtectionManager()),
    ]
    if with_engine:
        services.insert(0, service.RPCService(
            'karbor-operationengine', CONF.operationengine_topic,
            engine_manager.OperationEngineManager()))
    return services


def _announce(workers):
    url = 'http://%s:%s' % (CONF.osapi_karbor_listen,
                            CONF.osapi_karbor_listen_port)
    lines = [
        'Karbor (karbor-all) listens on %s/v1/<project>' % url,
        '  state: %s' % CONF.state_path,
        '  database: %s' % CONF.database.connection,
        '  authentication: %s' % CONF.auth_strategy,
    ]
    if workers > 1:
        lines.append('  processes: %d' % workers)
    if CONF.auth_strategy == 'noauth':
        lines.append('  try: karbor --os-auth-token demo:demo '
                     '--karbor-url %s/v1/demo provider-list' % url)
    print('\n'.join(lines), flush=True)
