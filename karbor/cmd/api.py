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

"""karbor-api: the REST API on port 8799."""

import sys

from oslo_config import cfg

from karbor.api import app
from karbor.cmd import boot
from karbor import rpc
from karbor import service

CONF = cfg.CONF


def main():
    boot.prepare(sys.argv[1:])
    if CONF.osapi_karbor_workers > 1:
        service.serve_api_workers(
            'karbor-api', app.load_paste_app, CONF.osapi_karbor_listen,
            CONF.osapi_karbor_listen_port, CONF.osapi_karbor_threads,
            CONF.osapi_karbor_workers)
        return
    rpc.init(CONF)
    api = service.WSGIService('karbor-api', app.load_paste_app(),
                              CONF.osapi_karbor_listen,
                              CONF.osapi_karbor_listen_port,
                              CONF.osapi_karbor_threads)
    service.serve([api])
