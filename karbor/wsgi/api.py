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

"""The Karbor API for a WSGI server: uWSGI, mod_wsgi, gunicorn.

    [uwsgi]
    module = karbor.wsgi.api:application
    env = OS_KARBOR_CONFIG_DIR=/etc/karbor

The configuration is read, as Nova and Placement read theirs, from the
files named by ``OS_KARBOR_CONFIG_FILES`` (";"-separated, default
``karbor.conf``) in the directory ``OS_KARBOR_CONFIG_DIR`` (default
``/etc/karbor``). Arguments the server passes to Python (uWSGI's
``pyargv``) are read as command-line options and take precedence, so
``pyargv = --config-file /path/karbor.conf`` works as well.

Every worker process loads the application itself (uWSGI's ``lazy-apps``):
a process must not share the RPC connections of the one it was forked
from.
"""

import os
import sys

from oslo_config import cfg

from karbor.api import app
from karbor.cmd import boot
from karbor import rpc

CONF = cfg.CONF

CONFIG_DIR_ENV = 'OS_KARBOR_CONFIG_DIR'
CONFIG_FILES_ENV = 'OS_KARBOR_CONFIG_FILES'


def config_files(environ=os.environ):
    """The configuration files the environment names."""
    directory = environ.get(CONFIG_DIR_ENV, '/etc/karbor')
    names = environ.get(CONFIG_FILES_ENV, 'karbor.conf').split(';')
    return [os.path.join(directory, name.strip())
            for name in names if name.strip()]


def init_application():
    boot.prepare(sys.argv[1:], default_config_files=config_files())
    rpc.init(CONF)
    return app.load_paste_app()


application = init_application()
